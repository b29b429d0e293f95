package dev.os2.kernel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.InMemoryLedger;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The recorded bytes stay what they were: {@code golden-runs.txt} holds, for a set of workload
 * seeds, the entry count, ledger head hash and state hash of runs made by an earlier build, and
 * the kernel must reproduce each exactly. The determinism tests compare runs of one build with
 * each other; this one compares this build with the past, so a faster encoding that changed a
 * single byte of any entry or of the state encoding fails here. The runs cover every event kind
 * the workload provokes (checked below, so the corpus cannot silently lose coverage).
 */
class GoldenRunsTest {

    /** Kinds the workload must have produced across the recorded runs. */
    private static final Set<String> KINDS = Set.of("kernel_started", "capability_registered", "grant_capability",
            "capability_granted", "derive_capability", "capability_derived", "revoke_capability", "capability_revoked",
            "grant_expired", "submit_token", "submit_tokens", "token_scheduled", "token_rejected", "token_started", "charge",
            "capability_invoked", "invocation_completed", "invocation_failed", "custom.progress", "custom.inner_failed",
            "checkpoint_requested", "token_completed", "token_failed", "cancel_token", "token_cancelled",
            "resource_budget_exceeded", "capability_violation", "input_rejected", "tick");

    @Test
    void reproducesTheRecordedRuns() throws IOException {
        String corpus;
        try (InputStream in = GoldenRunsTest.class.getResourceAsStream("golden-runs.txt")) {
            assertNotNull(in, "golden-runs.txt is missing from the test resources");
            corpus = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        Set<String> kinds = new TreeSet<>();
        int runs = 0;
        for (String line : corpus.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split(" ");
            long seed = Long.parseLong(f[0]);
            int steps = Integer.parseInt(f[1]);
            Workload.Result r = Workload.run(seed, steps, InMemoryLedger.create());
            String where = "seed " + seed + ", " + steps + " steps";
            assertEquals(Long.parseLong(f[2]), r.entries(), where + ": entries");
            assertEquals(f[3], r.ledgerHead().toHex(), where + ": ledger head");
            assertEquals(f[4], r.stateHash().toHex(), where + ": state hash");
            kinds.addAll(r.eventsByKind().keySet());
            runs++;
        }
        assertTrue(runs >= 100, "the corpus holds only " + runs + " runs");
        Set<String> missing = new TreeSet<>(KINDS);
        missing.removeAll(kinds);
        assertTrue(missing.isEmpty(), "the recorded runs no longer produce " + missing + "; they produce " + kinds);
    }
}
