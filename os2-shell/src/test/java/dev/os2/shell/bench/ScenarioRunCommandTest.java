package dev.os2.shell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.os2.shell.Session;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scenario-run}: with faults it passes for several seeds, injects every kind of fault, and
 * is itself reproducible (same seed, same head); a child JVM killed with SIGKILL leaves a ledger
 * the run continues from to the same head; a real violation (the ledger file damaged on disk
 * between steps) fails the run with its seed and the command that reproduces it.
 */
class ScenarioRunCommandTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private Cli os2(String... args) {
        return Cli.run(Session.of(Map.of()), args);
    }

    @Test
    void faultsAreInjectedAndTheInvariantsHoldForSeveralSeeds() throws Exception {
        for (long seed : List.of(1L, 2L, 3L)) {
            Cli run = os2("scenario-run", "--seed", Long.toString(seed), "--steps", "300", "--faults", "--json",
                    "--scratch", dir.toString());
            assertEquals(0, run.status(), "seed " + seed + ": " + run.describe());
            JsonNode o = JSON.readTree(run.out());
            assertTrue(o.get("passed").asBoolean(), run.describe());
            String log = o.get("log").toString();
            for (String kind : List.of(" kill: the ledger was killed before entry", " revoke: ", " budget: ", " corrupt: ", " rollback: ")) {
                assertTrue(log.contains(kind), "seed " + seed + " injected" + kind + ": " + log);
            }
            assertFalse(log.contains("ACCEPTED") || log.contains("NOT refused") || log.contains("REFUSED"), log);
            assertTrue(log.contains("refused (STATE_MISMATCH)") || log.contains("refused (MALFORMED)"), log);
            assertTrue(o.get("head_hash").asText().matches("[0-9a-f]{64}"), run.describe());
        }
        // The scratch folders are gone.
        try (var left = java.nio.file.Files.list(dir)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void theSameSeedGivesTheSameFaultsAndTheSameHead() {
        Cli a = os2("scenario-run", "--seed", "11", "--steps", "300", "--faults", "--scratch", dir.toString());
        Cli b = os2("scenario-run", "--seed", "11", "--steps", "300", "--faults", "--scratch", dir.toString());
        assertEquals(0, a.status(), a.describe());
        assertEquals(a.out(), b.out(), "the whole report, fault log and head included, is a function of the seed");
        assertTrue(a.lastLine().matches("[0-9a-f]{64}"), a.describe());
        assertEquals(FaultSimulation.schedule(11, 300, true), FaultSimulation.schedule(11, 300, true));
        assertFalse(FaultSimulation.schedule(11, 300, true).equals(FaultSimulation.schedule(12, 300, true)));
        assertTrue(FaultSimulation.schedule(11, 300, false).isEmpty());
    }

    @Test
    void aChildJvmKilledWithSigkillLeavesALedgerThatTheRunContinuesToTheSameHead() {
        Cli plain = os2("scenario-run", "--seed", "2", "--steps", "400", "--faults", "--scratch", dir.toString());
        Cli killed = os2("scenario-run", "--seed", "2", "--steps", "400", "--faults", "--kill-process", "--scratch", dir.toString());
        assertEquals(0, plain.status(), plain.describe());
        assertEquals(0, killed.status(), killed.describe());
        assertTrue(killed.out().contains("process-kill: a child JVM ran steps 1-20 ("), killed.describe());
        assertEquals(plain.lastLine(), killed.lastLine(), "a kill -9 between steps changes nothing the ledger says");
    }

    @Test
    void withoutFaultsItWritesTheSameLedgerAsSimulate() {
        Cli run = os2("scenario-run", "--seed", "7", "--steps", "300", "--scratch", dir.toString());
        Cli simulate = os2("simulate", "--seed", "7", "--steps", "300", "--workspace", dir.resolve("ws").toString());
        assertEquals(0, run.status(), run.describe());
        assertEquals(0, simulate.status(), simulate.describe());
        assertFalse(run.out().contains("Faults injected"), run.describe());
        assertEquals(simulate.lastLine(), run.lastLine(), "the checks only read: the same workload, the same head");
    }

    @Test
    void aLedgerDamagedOnDiskBetweenStepsFailsTheRunWithItsSeed() {
        Cli run = os2("scenario-run", "--seed", "5", "--steps", "200", "--faults", "--damage-ledger-at", "120",
                "--scratch", dir.toString());
        assertEquals(1, run.status(), run.describe());
        assertTrue(run.out().contains("FAILED"), run.describe());
        assertTrue(run.out().contains("(seed 5 reproduces them)"), run.describe());
        assertTrue(run.out().contains("Reproduce: os2 scenario-run --seed 5 --steps 200 --faults --damage-ledger-at 120"), run.describe());
        assertTrue(run.out().contains("does not verify"), run.describe());
        assertTrue(run.err().startsWith("os2: scenario-run with seed 5 found "), run.describe());
        assertTrue(run.err().contains("Reproduce with `os2 scenario-run --seed 5 --steps 200 --faults --damage-ledger-at 120`"),
                run.describe());
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        for (String[] args : new String[][] {
            {"scenario-run", "--steps", "0"},
            {"scenario-run", "--steps", "2000000"},
            {"scenario-run", "--seed", "x"},
            {"scenario-run", "--scratch", dir.resolve("missing").toString()},
        }) {
            Cli run = os2(args);
            assertEquals(2, run.status(), run.describe());
            assertTrue(run.err().startsWith("os2: "), run.describe());
            assertEquals(1, run.err().strip().lines().count(), run.describe());
        }
    }
}
