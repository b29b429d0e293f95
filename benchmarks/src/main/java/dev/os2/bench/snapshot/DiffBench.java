package dev.os2.bench.snapshot;

import dev.os2.bench.kernel.DiscardingLedger;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelState;
import dev.os2.snapshot.StateDiff;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The diff of two 1,000,000-entry states that differ in k entries (k = 1, 100, 10,000), beside
 * comparing two {@link java.util.HashMap}s holding the same states, in the same run. Goal: the
 * diff's cost proportional to k, not to the states' size. Scores are microseconds per diff.
 *
 * <p>The two states are two moments of one kernel: the first holds n live tokens; the second is
 * the kernel after it ran the k oldest (each run removes a live token and counts an invocation on
 * the capability and its grant), so they differ in k tokens plus two usage counters.
 *
 * <ul>
 *   <li>{@link #diff} (OS2): {@link StateDiff#between}, what {@code snapshot-diff} computes: the
 *       scalars, then every section of the states' persistent maps walked together, subtrees the
 *       two share skipped without being read, each difference encoded as canonical JSON with the
 *       fields that changed, then sorted.</li>
 *   <li>{@link #hashMapDiff} (peer): the same live tokens as mutable objects in two HashMaps
 *       (the second a separate copy, as a mutable kernel's snapshot is), compared entry by entry
 *       ({@link HashMapState#diff}); it only collects the ids that differ. Two mutable maps share
 *       nothing a comparison could skip, so it reads all n entries whatever k is.</li>
 * </ul>
 *
 * <p>The size parameter is {@code stateEntries}, not {@code entries}, so that
 * {@code -p entries=…} for {@link SnapshotBench} leaves these states at their size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// The diff's walk keeps improving through the fourth second of warm-up on 2 cores; three
// seconds left k = 10,000 several times too slow.
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DiffBench {

    /** The OS2 side: two states of one kernel, k token runs apart. */
    @State(Scope.Thread)
    public static class Os2 {
        /** Live tokens in the first state. */
        @Param({"1000000"})
        public int stateEntries;

        /** Tokens run between the two states. */
        @Param({"1", "100", "10000"})
        public int changes;

        KernelState before;
        KernelState after;

        /** Builds the kernel, takes the first state, runs k tokens, takes the second, and checks the diff finds k tokens. */
        @Setup(Level.Trial)
        public void build() {
            requireChangesFit(stateEntries, changes);
            try (DiscardingLedger ledger = new DiscardingLedger();
                    Kernel kernel = StateFixture.start(StateFixture.config(stateEntries), ledger)) {
                StateFixture.submit(kernel, stateEntries);
                before = kernel.state();
                for (int i = 0; i < changes; i++) {
                    if (!kernel.step()) {
                        throw new IllegalStateException("the kernel had no token to run");
                    }
                }
                after = kernel.state();
            }
            long tokenDeltas = StateDiff.between(before, after).deltas().stream()
                    .filter(d -> d.section() == KernelState.Section.TOKENS).count();
            if (tokenDeltas != changes) {
                throw new IllegalStateException("expected " + changes + " changed tokens, the diff found " + tokenDeltas);
            }
        }
    }

    /** The peer's side: the same two states as two HashMaps of mutable tokens. */
    @State(Scope.Thread)
    public static class Peer {
        /** Live tokens in the first state. */
        @Param({"1000000"})
        public int stateEntries;

        /** Tokens removed in the second state. */
        @Param({"1", "100", "10000"})
        public int changes;

        HashMapState before;
        HashMapState after;

        /** Builds both maps and checks that comparing them finds k tokens. */
        @Setup(Level.Trial)
        public void build() {
            requireChangesFit(stateEntries, changes);
            before = StateFixture.hashMapStateWithLiveTokens(stateEntries);
            after = before.deepCopy().withoutOldest(changes);
            int found = before.diff(after).size();
            if (found != changes) {
                throw new IllegalStateException("expected " + changes + " changed tokens, the comparison found " + found);
            }
        }
    }

    private static void requireChangesFit(int stateEntries, int changes) {
        if (changes > stateEntries) {
            throw new IllegalArgumentException("changes (" + changes + ") must not exceed stateEntries (" + stateEntries + ")");
        }
    }

    /** OS2: the structural diff of two states that share all but k entries. */
    @Benchmark
    public StateDiff diff(Os2 s) {
        return StateDiff.between(s.before, s.after);
    }

    /** Peer: compare two HashMaps of the same tokens entry by entry. */
    @Benchmark
    public List<Long> hashMapDiff(Peer p) {
        return p.before.diff(p.after);
    }
}
