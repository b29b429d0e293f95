package dev.os2.shell.bench;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.sim.Workload;
import dev.os2.snapshot.ReplayOutcome;
import dev.os2.snapshot.SnapshotPolicy;
import dev.os2.snapshot.SnapshotReplay;
import dev.os2.snapshot.SnapshotService;
import dev.os2.snapshot.SnapshotState;
import dev.os2.snapshot.SnapshotStore;
import dev.os2.snapshot.StateDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * {@code snapshot-replay}: the snapshot module on a live kernel running the kernel's seeded random
 * workload ({@link Workload}). Every round captures a snapshot, writes and reads back its bundle,
 * and diffs it against the one before; every tenth round replays the ledger from one of the ten latest
 * snapshots and checks that the replay comes out identical to the live state; every sixth
 * rolls the kernel back to an earlier snapshot. A final replay from genesis must reach the live
 * state. The headline operation is any of these snapshot operations.
 */
final class SnapshotReplayScenario implements Scenario {

    private static final int ROUNDS = 120;
    /** Replays start from one of the latest snapshots, so that each replays a bounded stretch. */
    private static final int REPLAY_WINDOW = 10;
    private static final int STEPS_PER_ROUND = 20;
    private static final long SALT = 0x5a9_5407L;
    private static final List<String> KINDS = List.of("bundle-read", "bundle-write", "capture", "diff", "replay", "restore");

    @Override
    public String name() {
        return "snapshot-replay";
    }

    @Override
    public String description() {
        return "capture, diff, bundle write and read, replay from a snapshot and rollback on a live random workload";
    }

    @Override
    public String operation() {
        return "snapshot operation";
    }

    @Override
    public List<String> headlineKinds() {
        return KINDS;
    }

    @Override
    public ScenarioResult run(ScenarioContext context) {
        SplittableRandom rnd = new SplittableRandom(context.seed() ^ SALT);
        int rounds = context.size().scale(ROUNDS);
        Latencies lat = context.latencies();
        Workload workload = new Workload(context.seed());
        KernelConfig config = workload.config();
        SnapshotStore store = SnapshotStore.at(context.scratch().resolve("snapshots"));
        List<String> problems = new ArrayList<>();
        List<SnapshotState> snapshots = new ArrayList<>();
        long deltas = 0;
        long replays = 0;
        long restores = 0;
        long replayedEntries = 0;
        try (ScenarioKernel sk = ScenarioKernel.open(context.scratch(), config);
                SnapshotService service = SnapshotService.attach(sk.kernel(), null, SnapshotPolicy.MANUAL)) {
            Kernel k = sk.kernel();
            workload.attach(k);
            context.startClock();
            for (int round = 1; round <= rounds; round++) {
                for (int i = 0; i < STEPS_PER_ROUND; i++) {
                    workload.step();
                }
                long start = Latencies.now();
                SnapshotState s = service.create("round " + round);
                start = lat.since("capture", start);
                store.put(s);
                start = lat.since("bundle-write", start);
                SnapshotState read = store.read(s.id());
                lat.since("bundle-read", start);
                if (!read.header().stateHash().equals(s.header().stateHash())) {
                    problems.add("the bundle of " + s.id() + " reads back with another state hash");
                }
                if (!snapshots.isEmpty()) {
                    SnapshotState previous = snapshots.get(snapshots.size() - 1);
                    start = Latencies.now();
                    StateDiff d = StateDiff.between(previous.state(), s.state());
                    lat.since("diff", start);
                    deltas += d.deltas().size();
                }
                snapshots.add(s);
                if (round % 10 == 0) {
                    int window = Math.min(REPLAY_WINDOW, snapshots.size());
                    SnapshotState from = snapshots.get(snapshots.size() - 1 - rnd.nextInt(window));
                    start = Latencies.now();
                    ReplayOutcome o = SnapshotReplay.replay(config, sk.ledger(), from, SnapshotReplay.Request.DEFAULT.withStore(store));
                    lat.since("replay", start);
                    replays++;
                    replayedEntries += check(o, k, "replay from " + from.id(), problems);
                }
                if (round % 6 == 0) {
                    SnapshotState target = snapshots.get(rnd.nextInt(snapshots.size()));
                    start = Latencies.now();
                    SnapshotService.RestoreResult r = service.restore(target);
                    lat.since("restore", start);
                    restores++;
                    if (!(r instanceof SnapshotService.RestoreResult.Restored)) {
                        problems.add("the rollback to " + target.id() + " was refused: " + r);
                    }
                }
                context.progress(round, rounds);
            }
            k.runUntilIdle();
            long start = Latencies.now();
            ReplayOutcome o = SnapshotReplay.replay(config, sk.ledger(), null, SnapshotReplay.Request.DEFAULT.withStore(store));
            lat.since("replay", start);
            replays++;
            replayedEntries += check(o, k, "replay from genesis", problems);
            context.stopClock();
            workload.problems().forEach(p -> problems.add("workload: " + p));
            TreeMap<String, Long> facts = new TreeMap<>();
            facts.put("rounds", (long) rounds);
            facts.put("workload_steps", workload.steps());
            facts.put("snapshots", (long) snapshots.size());
            facts.put("diff_deltas", deltas);
            facts.put("replays", replays);
            facts.put("replayed_entries", replayedEntries);
            facts.put("restores", restores);
            long operations = 3L * snapshots.size() + (snapshots.size() - 1) + replays + restores;
            return sk.result(operations, 0, facts, problems);
        }
    }

    /** Checks that a replay came out identical and reached the live state; returns the entries it replayed. */
    private static long check(ReplayOutcome o, Kernel k, String what, List<String> problems) {
        switch (o) {
            case ReplayOutcome.Identical i -> {
                if (!i.stateHash().equals(k.state().stateHash())) {
                    problems.add(what + " reached state " + i.stateHash().toHex() + ", not the live state "
                            + k.state().stateHash().toHex());
                }
                return i.entries();
            }
            case ReplayOutcome.Diverged d -> problems.add(what + ": " + d.summary());
            case ReplayOutcome.Refused r -> problems.add(what + ": " + r.summary());
        }
        return 0;
    }
}
