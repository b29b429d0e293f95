package dev.os2.bench.ledger;

import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventDraft;

/** The ~200-byte JSON events the ledger benchmarks append. */
final class SampleEvents {

    private SampleEvents() {
    }

    /** A realistic token-completion payload of about 200 canonical bytes. */
    static final CanonicalJson PAYLOAD = CanonicalJson.parse("""
            {"token":"tok-000042","subject":"agent.planner","capability":"llm.complete",
             "outcome":"completed","charged":{"tokens":1830,"memory_bytes":65536,"network_bytes":4096},
             "output_hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}""");

    static EventDraft draft(long virtualTime) {
        return new EventDraft("token_completed", "llm.complete", virtualTime, PAYLOAD, null);
    }
}
