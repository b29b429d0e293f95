package dev.os2.kernel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.kernel.Kernel;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.InMemoryLedger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real Chronicle ledger the workload writes the same chain as in memory, and a kernel that
 * stops, has its ledger reopened and is recovered from it goes on exactly where it left off.
 */
class DurableSimulationTest {

    @Test
    void aRestartedKernelContinuesTheSameChain(@TempDir Path dir) {
        for (long seed = 0; seed < 3; seed++) {
            Path ledgerDir = dir.resolve("ledger-" + seed);
            Workload.Result expected = Workload.run(seed, 120, InMemoryLedger.create());
            Workload w = new Workload(seed);
            try (ChronicleLedger ledger = ChronicleLedger.open(ledgerDir); Kernel k = Kernel.create(w.config(), ledger)) {
                w.attach(k);
                for (int i = 0; i < 60; i++) {
                    w.step();
                }
            }
            try (ChronicleLedger ledger = ChronicleLedger.open(ledgerDir); Kernel k = Kernel.recover(w.config(), ledger)) {
                w.attach(k);
                for (int i = 60; i < 120; i++) {
                    w.step();
                }
                k.runUntilIdle();
                assertEquals(expected.ledgerHead(), ledger.headHash(), "seed " + seed);
                assertEquals(expected.stateHash(), k.state().stateHash(), "seed " + seed);
                assertTrue(ledger.verify().intact());
            }
        }
    }
}
