package dev.os2.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every OS2/peer pair the issues ask for, with their goals: the one place that says which
 * benchmark is compared with which, and what counts as good enough. {@code BenchMain} uses it to
 * choose what the quick profile runs and to write the summary; a test checks that every
 * benchmark named here is in the benchmark jar.
 */
public final class PairTable {

    private static final String BENCH = "dev.os2.bench.";
    private static final String APPEND = BENCH + "ledger.LedgerAppendBench.";
    private static final String VERIFY = BENCH + "ledger.LedgerVerifyBench.";
    private static final String SYNC = BENCH + "ledger.GroupCommitBench.";
    private static final String SIGN = BENCH + "ledger.SignatureBench.";
    private static final String SCHEDULER = BENCH + "kernel.SchedulerBench.";
    private static final String END_TO_END = BENCH + "kernel.EndToEndBench.";
    private static final String LOOKUP = BENCH + "state.PersistentMapBench.";
    private static final String SNAPSHOT = BENCH + "snapshot.SnapshotBench.";
    private static final String DIFF = BENCH + "snapshot.DiffBench.";
    private static final String REPLAY = BENCH + "kernel.ReplayBench.";
    private static final String PYX = BENCH + "python.PyxBench.";

    /** The pairs, in the order of the issues. */
    public static final List<Pair> PAIRS = pairs();

    private PairTable() {
    }

    private static List<Pair> pairs() {
        List<Pair> p = new ArrayList<>();
        // Issue 2: the ledger.
        p.add(pair("ledger append vs raw Chronicle append", 2, ref(APPEND + "ledgerAppend"), ref(APPEND + "rawChronicleAppend"),
                Goal.speedRatioAtLeast(0.40)));
        p.add(pair("ledger verify vs raw SHA-256", 2, ref(VERIFY + "ledgerVerify"), ref(VERIFY + "rawSha256"),
                Goal.speedRatioAtLeast(0.75)));
        p.add(pair("append forced every entry vs raw fsync", 2, ref(SYNC + "durableAppend", "groupEntries", "1"),
                ref(SYNC + "rawFsync", "groupEntries", "1"), null));
        p.add(pair("group commit (64 entries) vs raw fsync", 2, ref(SYNC + "durableAppend", "groupEntries", "64"),
                ref(SYNC + "rawFsync", "groupEntries", "64"), null));
        p.add(pair("Ed25519 sign: OS2 (BouncyCastle) vs JDK", 2, ref(SIGN + "os2Sign"), ref(SIGN + "jdkSign"), null));
        p.add(pair("Ed25519 verify: OS2 (BouncyCastle) vs JDK", 2, ref(SIGN + "os2Verify"), ref(SIGN + "jdkVerify"), null));
        // Issue 3: the kernel.
        p.add(pair("scheduler with budget charges vs PriorityQueue", 3, ref(SCHEDULER + "kernel", "handler", "charge"),
                ref(SCHEDULER + "priorityQueue"), Goal.speedRatioAtLeast(0.5)));
        p.add(pair("scheduler, no-op handler vs PriorityQueue", 3, ref(SCHEDULER + "kernel", "handler", "noop"),
                ref(SCHEDULER + "priorityQueue"), null));
        p.add(pair("end to end, Chronicle ledger vs its appends alone", 3, ref(END_TO_END + "batch", "ledger", "chronicle"),
                ref(END_TO_END + "batchLedgerOnly", "ledger", "chronicle"), Goal.os2OpsPerSecondAtLeast(100_000)));
        p.add(pair("end to end, in-memory ledger vs its appends alone", 3, ref(END_TO_END + "batch", "ledger", "memory"),
                ref(END_TO_END + "batchLedgerOnly", "ledger", "memory"), null));
        for (String size : List.of("1000", "1000000")) {
            for (String keyType : List.of("Long", "String")) {
                p.add(pair("state lookup vs HashMap, " + grouped(size) + " " + keyType + " keys", 3,
                        ref(LOOKUP + "getPersistentMap", "size", size, "keyType", keyType),
                        ref(LOOKUP + "getHashMap", "size", size, "keyType", keyType), Goal.speedRatioAtLeast(1.0 / 3)));
            }
        }
        // Issue 4: snapshots.
        for (String entries : List.of("10", "1000", "100000", "1000000")) {
            p.add(pair("snapshot capture vs deep copy, " + grouped(entries) + " entries", 4,
                    ref(SNAPSHOT + "capture", "entries", entries), ref(SNAPSHOT + "deepCopy", "entries", entries),
                    Goal.os2NanosPerOpAtMost(1_000)));
        }
        p.add(pair("snapshot capture is flat: 1,000,000 vs 10 entries", 4, ref(SNAPSHOT + "capture", "entries", "1000000"),
                ref(SNAPSHOT + "capture", "entries", "10"), Goal.speedRatioAtLeast(0.5)));
        p.add(pair("snapshot through the kernel vs deep copy, 1,000,000 entries", 4, ref(SNAPSHOT + "create", "entries", "1000000"),
                ref(SNAPSHOT + "deepCopy", "entries", "1000000"), null));
        p.add(pair("snapshot through the kernel is flat: 1,000,000 vs 10 entries", 4,
                ref(SNAPSHOT + "create", "entries", "1000000"), ref(SNAPSHOT + "create", "entries", "10"),
                Goal.speedRatioAtLeast(0.5)));
        for (String k : List.of("1", "100", "10000")) {
            p.add(pair("diff of 1,000,000 entries, k = " + grouped(k) + " vs HashMap comparison", 4, ref(DIFF + "diff", "changes", k),
                    ref(DIFF + "hashMapDiff", "changes", k), null));
        }
        // Proportional to k: 100 times the changes may cost at most 200 times the time.
        p.add(pair("diff ∝ k: k = 10,000 vs k = 100", 4, ref(DIFF + "diff", "changes", "10000"), ref(DIFF + "diff", "changes", "100"),
                Goal.speedRatioAtLeast(0.005)));
        p.add(pair("replay vs live execution, in-memory ledger", 4, ref(REPLAY + "replay", "handler", "charge", "ledger", "memory"),
                ref(REPLAY + "live", "handler", "charge", "ledger", "memory"), Goal.speedRatioAtLeast(0.5)));
        p.add(pair("replay vs live execution, Chronicle ledger", 4, ref(REPLAY + "replay", "handler", "charge", "ledger", "chronicle"),
                ref(REPLAY + "live", "handler", "charge", "ledger", "chronicle"), Goal.speedRatioAtLeast(0.5)));
        // Issue 5: the shell's Python.
        p.add(pair("pyx 1+1 round trip vs python3 subprocess", 5, ref(PYX + "pyxRoundTrip"), ref(PYX + "python3Subprocess"),
                Goal.speedRatioAtLeast(1.0)));
        return List.copyOf(p);
    }

    private static Pair pair(String name, int issue, BenchmarkRef os2, BenchmarkRef peer, Goal goal) {
        return new Pair(name, issue, os2, peer, Optional.ofNullable(goal), false);
    }

    private static BenchmarkRef ref(String benchmark, String... params) {
        return BenchmarkRef.of(benchmark, params);
    }

    private static String grouped(String digits) {
        return String.format(java.util.Locale.ROOT, "%,d", Long.parseLong(digits));
    }

    /** The distinct benchmark names of {@code pairs}, sorted. */
    public static List<String> benchmarks(List<Pair> pairs) {
        return pairs.stream().flatMap(x -> java.util.stream.Stream.of(x.os2().benchmark(), x.peer().benchmark()))
                .distinct().sorted().toList();
    }
}
