package dev.os2.snapshot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.ReplayDivergenceException;
import dev.os2.kernel.ReplayOptions;
import dev.os2.kernel.sim.InvariantChecker;
import dev.os2.kernel.sim.Workload;
import dev.os2.ledger.Hash;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The snapshot property over the kernel's seeded simulation ({@link Workload}): for random seeds,
 * with snapshots taken at random steps and whenever a handler requests a checkpoint,
 * <ul>
 *   <li>taking snapshots never changes a state hash (the same seed without snapshots passes
 *       through the same state hashes, step by step);
 *   <li>a state machine rebuilt from any snapshot plus the ledger after it reaches exactly the
 *       uninterrupted run's state hash at every later step boundary, and replaying every snapshot
 *       reports identical through the head;
 *   <li>restoring a snapshot and feeding the same inputs again reproduces the same state hashes as
 *       the first time, and the whole ledger, rollback included, still replays from genesis and
 *       recovers.
 * </ul>
 * A failure names its seed; {@code -Dos2.stress=true} runs many more seeds.
 */
class SnapshotSimulationTest {

    private static final boolean STRESS = Boolean.getBoolean("os2.stress");
    private static final int SEEDS = STRESS ? 2_000 : 60;
    private static final int STEPS = 120;
    private static final int SNAPSHOTS_PER_SEED = 3;

    @Test
    void snapshotsAreFreeReplayableAndRestorable() {
        List<String> problems = new ArrayList<>();
        long snapshotsChecked = 0;
        for (long seed = 0; seed < SEEDS && problems.size() < 10; seed++) {
            try {
                snapshotsChecked += checkSeed(seed, problems);
            } catch (RuntimeException | AssertionError e) {
                AssertionError failure = new AssertionError("seed " + seed + " failed: " + e, e);
                throw failure;
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems));
        assertTrue(snapshotsChecked > SEEDS, "too few snapshots were checked: " + snapshotsChecked);
    }

    /** Runs one seed; returns the number of snapshots checked. */
    private static int checkSeed(long seed, List<String> problems) {
        // The run without snapshots: its state hash after every step.
        List<Hash> plain = new ArrayList<>();
        Workload reference = new Workload(seed);
        try (Kernel k = Kernel.create(reference.config(), InMemoryLedger.create())) {
            reference.attach(k);
            for (int i = 0; i < STEPS; i++) {
                reference.step();
                plain.add(k.state().stateHash());
            }
        }

        Workload w = new Workload(seed);
        SplittableRandom pick = new SplittableRandom(seed ^ 0x736e6170L);
        int restoreStep = STEPS / 4 + pick.nextInt(STEPS / 2);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Kernel.create(w.config(), ledger)) {
            w.attach(k);
            InvariantChecker checker = InvariantChecker.attach(k);
            SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.CHECKPOINTS);
            Map<Long, Hash> boundaries = new HashMap<>();
            List<Hash> live = new ArrayList<>();
            SnapshotState restorePoint = null;
            for (int i = 0; i < STEPS; i++) {
                if (i == restoreStep) {
                    restorePoint = svc.create("restore-point");
                } else if (pick.nextInt(12) == 0) {
                    svc.create("step-" + i);
                }
                w.step();
                checker.afterStep();
                live.add(k.state().stateHash());
                boundaries.put(ledger.size(), k.state().stateHash());
                if (!live.get(i).equals(plain.get(i))) {
                    problems.add("seed " + seed + ": after step " + i + " the state hash differs from the run without snapshots");
                    return 0;
                }
            }
            checker.finish();
            for (String p : checker.problems()) {
                problems.add("seed " + seed + ": invariant: " + p);
            }
            for (String p : w.problems()) {
                problems.add("seed " + seed + ": workload: " + p);
            }
            Hash head = ledger.headHash();
            long last = ledger.size() - 1;
            List<SnapshotState> snapshots = svc.taken();

            // Every snapshot (a sample unless stressed): rebuilt and replayed, the same state hash at
            // every later boundary, and identical through the head.
            List<SnapshotState> checked = new ArrayList<>(snapshots);
            while (!STRESS && checked.size() > SNAPSHOTS_PER_SEED) {
                checked.remove(pick.nextInt(checked.size()));
            }
            for (SnapshotState s : checked) {
                Map<Long, Hash> seen = new HashMap<>();
                try {
                    Kernel.replay(w.config(), ledger, s.state(), s.position() + 1, ReplayOptions.DEFAULT.withListener(
                            (position, state) -> seen.put(position, state.stateHash())));
                } catch (ReplayDivergenceException e) {
                    problems.add("seed " + seed + ": replay from " + s.id() + " diverged: " + e.getMessage());
                    continue;
                }
                for (Map.Entry<Long, Hash> b : boundaries.entrySet()) {
                    if (b.getKey() > s.position() && !b.getValue().equals(seen.get(b.getKey()))) {
                        problems.add("seed " + seed + ": rebuilt from " + s.id() + ", the state at position " + b.getKey() + " is "
                                + seen.get(b.getKey()) + ", not " + b.getValue());
                        break;
                    }
                }
                ReplayOutcome o = SnapshotReplay.replay(w.config(), ledger, s, SnapshotReplay.Request.DEFAULT);
                if (!(o instanceof ReplayOutcome.Identical same) || same.throughPosition() != last || !same.head().equals(head)
                        || !same.stateHash().equals(k.state().stateHash())) {
                    problems.add("seed " + seed + ": replaying " + s.id() + ": " + o.summary());
                }
            }

            // Restore the restore point and feed the same inputs again: a second workload with the
            // same seed, brought to the same step on a scratch kernel, drives the live kernel on.
            SnapshotService.RestoreResult r = svc.restore(restorePoint);
            if (!(r instanceof SnapshotService.RestoreResult.Restored)) {
                problems.add("seed " + seed + ": restore refused: " + r);
                return checked.size();
            }
            Workload again = new Workload(seed);
            try (Kernel scratch = Kernel.create(again.config(), InMemoryLedger.create())) {
                again.attach(scratch);
                for (int i = 0; i < restoreStep; i++) {
                    again.step();
                }
            }
            again.attach(k);
            for (int i = restoreStep; i < STEPS; i++) {
                again.step();
                if (!k.state().stateHash().equals(live.get(i))) {
                    problems.add("seed " + seed + ": after the restore of " + restorePoint.id() + ", step " + i + " reached another state");
                    break;
                }
            }
            k.runUntilIdle();
            svc.close();
            KernelState end = k.state();
            ReplayOutcome all = SnapshotReplay.replay(w.config(), ledger, null, SnapshotReplay.Request.DEFAULT);
            if (!(all instanceof ReplayOutcome.Identical same) || !same.stateHash().equals(end.stateHash())) {
                problems.add("seed " + seed + ": the ledger with its rollback does not replay from genesis: " + all.summary());
            }
            if (seed % 10 == 0) {
                try (Kernel recovered = Kernel.recover(w.config(), ledger)) {
                    if (!recovered.state().stateHash().equals(end.stateHash())) {
                        problems.add("seed " + seed + ": recovery over the rollback reached another state");
                    }
                }
            }
            return checked.size();
        }
    }
}
