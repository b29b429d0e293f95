package dev.os2.bench.ledger;

import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;

/** The ~200-byte JSON events the ledger benchmarks append, and the stored record of one. */
final class SampleEvents {

    private SampleEvents() {
    }

    /**
     * A realistic token-completion payload of 206 canonical bytes: a ~200-byte event payload, as
     * the ledger's benchmark goals are stated for. (The entry it makes is about 430 canonical
     * bytes, hashed behind the domain tag and previous hash in 8 SHA-256 blocks.)
     */
    static final CanonicalJson PAYLOAD = CanonicalJson.parse("""
            {"token":"tok-000042","subject":"agent.planner","capability":"llm.complete",
             "outcome":"completed","charged":{"tokens":1830,"memory_bytes":65536,"network_bytes":4096},
             "output_hash":"sha256:9f86d081884c7d65"}""");

    static EventDraft draft(long virtualTime) {
        return new EventDraft("token_completed", "llm.complete", virtualTime, PAYLOAD, null);
    }

    /** Drafts with virtual times 0 to {@code count - 1}, made ahead of a measurement. */
    static EventDraft[] drafts(int count) {
        EventDraft[] drafts = new EventDraft[count];
        for (int i = 0; i < count; i++) {
            drafts[i] = draft(i);
        }
        return drafts;
    }

    /**
     * The bytes a ledger stores for one such event (version byte, hash, canonical envelope), as
     * the ledger writes them at {@code position}: what the raw peers write, so that they write
     * exactly as many bytes as the ledger does at that point of a run.
     */
    static byte[] storedRecord(long position) {
        return storedRecord(position, position);
    }

    /** As {@link #storedRecord(long)}, for the event with virtual time {@code virtualTime}. */
    static byte[] storedRecord(long position, long virtualTime) {
        EventEnvelope e = EventEnvelope.seal(position, Hash.sha256(new byte[] {1}), draft(virtualTime));
        byte[] canonical = e.canonicalBytes();
        byte[] record = new byte[1 + Hash.LENGTH_BYTES + canonical.length];
        record[0] = 1;
        e.hash().copyTo(record, 1);
        System.arraycopy(canonical, 0, record, 1 + Hash.LENGTH_BYTES, canonical.length);
        return record;
    }
}
