package dev.os2.kernel;

import static dev.os2.kernel.Fixture.cap;
import static dev.os2.kernel.Fixture.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.InMemoryLedger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recovery from a ledger cut mid-run, and replay that notices a ledger it cannot reproduce. */
class RecoveryTest {

    private static KernelConfig config() {
        return KernelConfig.builder().seed(3).capability(cap("llm.call"), (ctx, args) -> {
            ctx.chargeTokens(5);
            ctx.emit("thought", CanonicalJson.ofString("..."));
            ctx.chargeTokens(5);
            return CanonicalJson.ofString("answer");
        }).build();
    }

    @Test
    void aTokenCutOffMidRunIsRecordedAsFailedAndTheKernelGoesOn() {
        InMemoryLedger full = InMemoryLedger.create();
        try (Kernel k = Kernel.create(config(), full)) {
            Fixture.grant(k, "alice", "llm.call");
            Fixture.submit(k, "alice", "llm.call", "{}");
            Fixture.submit(k, "alice", "llm.call", "{}");
            k.runUntilIdle();
        }
        List<byte[]> records = full.exportRecords();
        // Find the first token's custom event: the process "died" right after recording it.
        int cut = 0;
        for (int i = 0; i < records.size(); i++) {
            if (full.read(i).kind().equals("custom.thought")) {
                cut = i + 1;
                break;
            }
        }
        InMemoryLedger crashed = InMemoryLedger.ofRecords(records.subList(0, cut));
        try (Kernel k = Kernel.recover(config(), crashed)) {
            EventEnvelope failed = crashed.read(cut);
            assertEquals(KernelEvents.TOKEN_FAILED, failed.kind());
            assertTrue(payload(failed).get("error").asText().contains("stopped while this invocation ran"));
            assertEquals(KernelToken.Status.FAILED, k.state().status(new TokenId(1)).orElseThrow());
            // The second token is still queued and runs with its real handler.
            k.runUntilIdle();
            assertEquals(KernelToken.Status.COMPLETED, k.state().status(new TokenId(2)).orElseThrow());
            assertTrue(crashed.verify().intact());
        }
    }

    @Test
    void replayNamesTheFirstEntryItCannotReproduce() {
        InMemoryLedger ledger = InMemoryLedger.create();
        try (Kernel k = Kernel.create(config(), ledger)) {
            Fixture.grant(k, "alice", "llm.call");
        }
        // Another configuration (seed 4) is another kernel_started entry.
        KernelConfig other = KernelConfig.builder().seed(4).capability(cap("llm.call"), (ctx, args) -> null).build();
        ReplayDivergenceException e = assertThrows(ReplayDivergenceException.class, () -> Kernel.replay(other, ledger, null, 0));
        assertEquals(0, e.position());
        // An entry appended by something other than the kernel cannot be reproduced.
        ledger.append(EventDraft.of("tick", 0, CanonicalJson.parse("{\"ticks\":0}")));
        ReplayDivergenceException bad = assertThrows(ReplayDivergenceException.class, () -> Kernel.replay(config(), ledger, null, 0));
        assertEquals(ledger.size() - 1, bad.position());
    }

    @Test
    void aKernelCannotBeCreatedOnALedgerThatHoldsEntries() {
        InMemoryLedger ledger = InMemoryLedger.create();
        Kernel.create(config(), ledger).close();
        assertThrows(IllegalArgumentException.class, () -> Kernel.create(config(), ledger));
    }
}
