package dev.os2.shell.bench;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.VerifyResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A scenario's kernel on a new Chronicle ledger in {@code <scratch>/ledger}, and the result it
 * comes to. Closing closes both. Not thread-safe.
 */
final class ScenarioKernel implements AutoCloseable {

    /** The ledger's payload limit when a scenario does not ask for another: Chronicle's default. */
    static final int DEFAULT_LEDGER_PAYLOAD_BYTES = 1 << 20;

    private final ChronicleLedger ledger;
    private final Kernel kernel;

    private ScenarioKernel(ChronicleLedger ledger, Kernel kernel) {
        this.ledger = ledger;
        this.kernel = kernel;
    }

    /** A kernel with {@code config} on a new ledger in {@code scratch/ledger}. */
    static ScenarioKernel open(Path scratch, KernelConfig config) {
        return open(scratch, config, DEFAULT_LEDGER_PAYLOAD_BYTES);
    }

    /** A kernel with {@code config} on a new ledger in {@code scratch/ledger} that takes payloads up to {@code ledgerPayloadBytes}. */
    static ScenarioKernel open(Path scratch, KernelConfig config, int ledgerPayloadBytes) {
        ChronicleLedger ledger = ChronicleLedger.builder(scratch.resolve("ledger")).maxPayloadBytes(ledgerPayloadBytes).open();
        try {
            return new ScenarioKernel(ledger, Kernel.create(config, ledger));
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    Kernel kernel() {
        return kernel;
    }

    ChronicleLedger ledger() {
        return ledger;
    }

    /**
     * The run's result: verifies the ledger (a broken chain is a problem), and adds the token
     * counts to the facts.
     */
    ScenarioResult result(long operations, long payloadBytes, SortedMap<String, Long> facts, List<String> problems) {
        List<String> all = new ArrayList<>(problems);
        VerifyResult v = ledger.verify();
        if (!v.intact()) {
            all.add("the ledger does not verify: " + v);
        }
        KernelState s = kernel.state();
        SortedMap<String, Long> f = new TreeMap<>(facts);
        tokenFacts(s.counts(), f);
        return new ScenarioResult(ledger.headHash(), s.stateHash(), ledger.size(), operations, payloadBytes, f, all);
    }

    /** Tokens by outcome, as {@code tokens_<outcome>} facts. */
    static void tokenFacts(KernelState.TokenCounts c, SortedMap<String, Long> facts) {
        facts.put("tokens_submitted", c.submitted());
        facts.put("tokens_completed", c.completed());
        facts.put("tokens_failed", c.failed());
        facts.put("tokens_cancelled", c.cancelled());
        facts.put("tokens_rejected", c.rejected());
        facts.put("tokens_budget_exceeded", c.budgetExceeded());
        facts.put("tokens_violation", c.violations());
    }

    @Override
    public void close() {
        try {
            kernel.close();
        } finally {
            ledger.close();
        }
    }
}
