package dev.os2.kernel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The golden property: the same seed gives the same ledger head hash and state hash, with every
 * invariant holding after every step; in this JVM, in another JVM process, after a hand-over to a
 * kernel built from the state or recovered from the ledger, and on replay without handlers.
 */
class SimulationTest {

    private static final boolean STRESS = Boolean.getBoolean("os2.stress");
    private static final int SEEDS = STRESS ? 20_000 : 1_000;
    private static final int STEPS = 120;

    @Test
    void everySeedHoldsItsInvariantsAndRepeatsItself() {
        List<String> problems = new ArrayList<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            Simulation sim = new Simulation(seed, STEPS);
            Workload.Result checked;
            try {
                checked = sim.run(Simulation.Handover.NONE, true);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("seed " + seed + " failed: " + e, e);
            }
            problems.addAll(sim.problems());
            if (seed % 4 == 0) {
                Workload.Result again = sim.run(Simulation.Handover.NONE, false);
                if (!again.ledgerHead().equals(checked.ledgerHead()) || !again.stateHash().equals(checked.stateHash())) {
                    problems.add("seed " + seed + ": a second run gave another ledger head or state hash");
                }
            }
            if (problems.size() > 20) {
                break;
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " problems, first ones:\n" + String.join("\n", problems.subList(0, Math.min(20, problems.size()))));
        }
    }

    @Test
    void replayWithoutHandlersReproducesEveryEntry() {
        for (long seed = 0; seed < (STRESS ? 2_000 : 200); seed++) {
            Ledger ledger = Simulation.ledgerOf(seed, STEPS);
            Workload w = new Workload(seed);
            KernelState replayed;
            try {
                replayed = Kernel.replay(w.config(), ledger, null, 0);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
            Workload.Result live = Workload.run(seed, STEPS, InMemoryLedger.create());
            assertEquals(live.stateHash(), replayed.stateHash(), "seed " + seed);
            assertEquals(live.ledgerHead(), ledger.headHash(), "seed " + seed);
        }
    }

    @Test
    void handingOverToAKernelBuiltFromTheStateChangesNothing() {
        handOver(Simulation.Handover.FROM_STATE);
    }

    @Test
    void recoveringFromTheLedgerChangesNothing() {
        handOver(Simulation.Handover.RECOVER);
    }

    private static void handOver(Simulation.Handover how) {
        for (long seed = 0; seed < (STRESS ? 2_000 : 150); seed++) {
            Simulation sim = new Simulation(seed, STEPS);
            Workload.Result plain = sim.run(Simulation.Handover.NONE, false);
            Workload.Result handed;
            try {
                handed = sim.run(how, true);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
            assertTrue(sim.problems().isEmpty(), () -> String.join("\n", sim.problems()));
            assertEquals(plain.ledgerHead(), handed.ledgerHead(), "seed " + seed + ": ledger head after " + how);
            assertEquals(plain.stateHash(), handed.stateHash(), "seed " + seed + ": state hash after " + how);
        }
    }

    @Test
    void aSecondJvmComputesTheSameHashes() throws IOException, InterruptedException {
        int first = 1_000;
        int count = STRESS ? 500 : 40;
        StringBuilder expected = new StringBuilder();
        for (long seed = first; seed < first + count; seed++) {
            Workload.Result r = Workload.run(seed, STEPS, InMemoryLedger.create());
            expected.append(seed).append(' ').append(r.ledgerHead().toHex()).append(' ').append(r.stateHash().toHex()).append('\n');
        }
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", classpath, SimulationMain.class.getName(),
                Integer.toString(first), Integer.toString(count), Integer.toString(STEPS))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, child.exitValue(), "the child JVM failed");
        String[] want = expected.toString().split("\n");
        String[] got = out.split("\n");
        assertEquals(want.length, got.length, "the child printed another number of lines:\n" + out);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], "seed " + (first + i) + " differs between JVMs");
        }
    }
}
