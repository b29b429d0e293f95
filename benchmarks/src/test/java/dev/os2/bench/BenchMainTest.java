package dev.os2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.os2.bench.report.BenchmarkRef;
import dev.os2.bench.report.Goal;
import dev.os2.bench.report.JmhResults;
import dev.os2.bench.report.Pair;
import dev.os2.bench.report.PairTable;
import dev.os2.bench.report.Score;
import dev.os2.bench.report.Summary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./os2 bench} end to end on a real, tiny JMH run: two pairs' benchmarks (persistent map
 * lookups beside HashMap lookups, at 1,000 Long and String keys), in this JVM (no fork), three
 * 100 ms iterations each. The summary must agree with the numbers in JMH's own result file, and
 * the verdict logic is checked with goals set just above and below the measured values.
 */
class BenchMainTest {

    private static final String LOOKUP = "dev.os2.bench.state.PersistentMapBench.";

    @TempDir
    static Path dir;

    private static int exit;
    private static String stdout;
    private static Path results;
    private static JsonNode jmhJson;

    @BeforeAll
    static void runTinyBenchmark() throws IOException {
        // Another JMH run on the machine must not make this test fail; its figures do not matter here.
        System.setProperty("jmh.ignoreLock", "true");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        exit = BenchMain.run(new String[] {
            "--only", "PersistentMapBench\\.get", "--out", dir.toString(),
            "-f", "0", "-wi", "0", "-i", "3", "-r", "100ms", "-p", "size=1000", "-p", "keyType=Long,String"
        }, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        stdout = out.toString(StandardCharsets.UTF_8);
        results = dir.resolve("results.json");
        assertTrue(Files.exists(results), "no JMH result file; stderr: " + err.toString(StandardCharsets.UTF_8));
        jmhJson = new ObjectMapper().readTree(results.toFile());
    }

    /** The primary metric of one run in JMH's file, read independently of the report code. */
    private static JsonNode metric(String method, String keyType) {
        for (JsonNode run : jmhJson) {
            if (run.get("benchmark").asText().equals(LOOKUP + method) && run.get("params").get("keyType").asText().equals(keyType)) {
                return run.get("primaryMetric");
            }
        }
        throw new AssertionError("no " + method + " " + keyType + " in " + results);
    }

    private static Summary.Row row(Summary summary, String name) {
        return summary.rows().stream().filter(r -> r.pair().name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theSummaryRatioIsTheRatioOfTheTwoSpeedsInJmhsFile() throws IOException {
        assertEquals(4, jmhJson.size(), "two benchmarks times two key types");
        JsonNode os2 = metric("getPersistentMap", "Long");
        JsonNode peer = metric("getHashMap", "Long");
        assertEquals("ns/op", os2.get("scoreUnit").asText());
        // Times per lookup: OS2's speed over the peer's is the peer's time over OS2's.
        double expected = peer.get("score").asDouble() / os2.get("score").asDouble();
        double expectedError = expected * Math.hypot(os2.get("scoreError").asDouble() / os2.get("score").asDouble(),
                peer.get("scoreError").asDouble() / peer.get("score").asDouble());

        Summary summary = Summary.of(JmhResults.read(results), PairTable.PAIRS, Map.of());
        Summary.Row r = row(summary, "state lookup vs HashMap, 1,000 Long keys");
        assertEquals(expected, r.ratio(), expected * 1e-12);
        assertTrue(Double.isFinite(expectedError) && expectedError > 0, "three iterations give JMH an error estimate");
        assertEquals(expectedError, r.ratioError(), expectedError * 1e-9);
        assertEquals(expected >= 1.0 / 3 ? Summary.Verdict.MET : Summary.Verdict.NOT_MET, r.verdict());
        assertEquals(os2.get("score").asDouble(), r.os2().orElseThrow().score());

        // Pairs whose benchmarks did not run say so.
        Summary.Row ledger = row(summary, "ledger append vs raw Chronicle append");
        assertEquals(Summary.Verdict.NOT_RUN, ledger.verdict());
        assertTrue(Double.isNaN(ledger.ratio()));
        Summary.Row pyx = row(summary, "pyx 1+1 round trip vs python3 subprocess");
        assertEquals(Summary.Verdict.NOT_RUN, pyx.verdict());
        assertTrue(Double.isNaN(pyx.ratio()));
    }

    @Test
    void theCommandWroteTheSummaryFilesAndExitedByTheGoals() throws IOException {
        Summary summary = Summary.of(JmhResults.read(results), PairTable.PAIRS, Map.of());
        assertEquals(summary.noGoalMissed() ? 0 : 1, exit);
        assertTrue(stdout.contains("state lookup vs HashMap, 1,000 String keys"), stdout);

        JsonNode json = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals(Summary.FORMAT, json.get("format").asInt());
        assertEquals("os2.bench.summary", json.get("type").asText());
        assertEquals(PairTable.PAIRS.size(), json.get("rows").size());
        JsonNode written = null;
        for (JsonNode r : json.get("rows")) {
            if (r.get("pair").asText().equals("state lookup vs HashMap, 1,000 String keys")) {
                written = r;
            }
        }
        Summary.Row r = row(summary, "state lookup vs HashMap, 1,000 String keys");
        assertEquals(r.ratio(), written.get("ratio").asDouble(), 0);
        assertEquals(r.verdict().text(), written.get("verdict").asText());
        assertEquals(LOOKUP + "getPersistentMap", written.get("os2").get("benchmark").asText());
        assertEquals("String", written.get("os2").get("params").get("keyType").asText());

        String markdown = Files.readString(dir.resolve("summary.md"));
        assertTrue(markdown.contains("| #3 | state lookup vs HashMap, 1,000 String keys | "), markdown);
        assertTrue(markdown.contains("| not run |"), markdown);
    }

    @Test
    void goalsAreJudgedOnTheMeasuredValueAndItsErrorBar() throws IOException {
        List<Score> scores = JmhResults.read(results);
        BenchmarkRef os2 = BenchmarkRef.of(LOOKUP + "getPersistentMap", "keyType", "Long");
        BenchmarkRef peer = BenchmarkRef.of(LOOKUP + "getHashMap", "keyType", "Long");
        Summary.Row measured = Summary.of(scores, List.of(new Pair("m", 3, os2, peer, Optional.empty(), false)), Map.of()).rows().getFirst();
        assertEquals(Summary.Verdict.NO_GOAL, measured.verdict());
        double ratio = measured.ratio();
        double error = measured.ratioError();
        double nanos = measured.os2().orElseThrow().score();

        // Thresholds a few error bars away from the measured ratio, and inside its error bar.
        // (JMH's error is a 99.9% interval; from three iterations it can be wider than the ratio.)
        List<Pair> pairs = List.of(
                new Pair("met", 3, os2, peer, Optional.of(ratioGoal(Goal.Direction.AT_MOST, ratio + 2 * error)), false),
                new Pair("missed", 3, os2, peer, Optional.of(ratioGoal(Goal.Direction.AT_LEAST, ratio + 2 * error)), false),
                new Pair("missed inside", 3, os2, peer, Optional.of(ratioGoal(Goal.Direction.AT_LEAST, ratio + error / 2)), false),
                new Pair("time", 3, os2, peer, Optional.of(Goal.os2NanosPerOpAtMost(nanos * 1.5)), false),
                new Pair("rate", 3, os2, peer, Optional.of(Goal.os2OpsPerSecondAtLeast(2e9 / nanos)), false),
                new Pair("both key types", 3, BenchmarkRef.of(LOOKUP + "getPersistentMap"), peer, Optional.empty(), false),
                new Pair("met inside", 3, os2, peer, Optional.of(ratioGoal(Goal.Direction.AT_MOST, ratio + error / 2)), false));
        List<Summary.Row> rows = Summary.of(scores, pairs, Map.of()).rows();
        assertEquals(Summary.Verdict.MET, rows.get(0).verdict());
        assertEquals(false, rows.get(0).marginal());
        assertEquals(Summary.Verdict.NOT_MET, rows.get(1).verdict());
        assertEquals(false, rows.get(1).marginal());
        assertEquals(Summary.Verdict.NOT_MET, rows.get(2).verdict());
        assertEquals(true, rows.get(2).marginal());
        assertEquals("NOT MET*", rows.get(2).verdictText());
        assertEquals("met*", rows.get(6).verdictText());
        assertEquals(Summary.Verdict.MET, rows.get(3).verdict());
        assertEquals(nanos, rows.get(3).goalValue(), nanos * 1e-12);
        assertEquals(Summary.Verdict.NOT_MET, rows.get(4).verdict());
        assertEquals(Summary.Verdict.AMBIGUOUS, rows.get(5).verdict());
    }

    private static Goal ratioGoal(Goal.Direction direction, double threshold) {
        return new Goal(Goal.Quantity.SPEED_RATIO, direction, threshold);
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        for (String[] args : List.of(new String[] {"--only"}, new String[] {"--only", "("}, new String[] {"--no-such-option"})) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = BenchMain.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, code, message);
            assertTrue(message.startsWith("os2: ") && message.strip().lines().count() == 1, message);
        }
    }

    @Test
    void theQuickPlanRunsThePairsWithAGoalAndNamesThePairsItLeavesOut() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path planOut = dir.resolve("plan");
        int code = BenchMain.run(new String[] {"--quick", "--plan", "--out", planOut.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String plan = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, plan + err);
        assertTrue(plan.startsWith("Profile quick (1 fork, each benchmark's own warm-up"), plan);
        assertTrue(Files.notExists(planOut), "a plan runs nothing and writes nothing");
        List<String> runs = plan.lines().filter(l -> l.matches(" +\\d+ s  dev\\.os2\\.bench\\..*")).toList();
        assertTrue(runs.contains(runLine(plan, "dev.os2.bench.kernel.ReplayBench.replay {handler=charge, ledger=memory}")), plan);
        assertTrue(runs.contains(runLine(plan, "dev.os2.bench.snapshot.SnapshotBench.capture {entries=1000000}")), plan);
        assertTrue(runs.contains(runLine(plan, "dev.os2.bench.python.PyxBench.python3Subprocess")), plan);
        for (String run : runs) {
            assertTrue(!run.contains("handler=noop") && !run.contains("entries=1000}") && !run.contains("changes=1,"), run);
            assertTrue(!run.contains("SignatureBench") && !run.contains("GroupCommitBench") && !run.contains("hashMapDiff"),
                    "no pair with a goal needs " + run);
        }
        // Every pair with a goal is measured; the others are named.
        String unmeasured = plan.lines().filter(l -> l.startsWith("Pairs this selection leaves unmeasured: ")).findFirst()
                .orElseThrow(() -> new AssertionError(plan));
        for (Pair pair : PairTable.PAIRS) {
            boolean named = unmeasured.contains(pair.name() + ";") || unmeasured.endsWith(pair.name() + ".");
            // The goals are all measured, capture's at the two ends of the sizes (which bound those between).
            boolean between = pair.name().startsWith("snapshot capture vs deep copy, 1,000 ")
                    || pair.name().startsWith("snapshot capture vs deep copy, 100,000 ");
            if (pair.goal().isPresent()) {
                assertEquals(between, named, pair.name() + " has a goal\n" + plan);
            }
        }
        for (String name : List.of("Ed25519 sign: OS2 (BouncyCastle) vs JDK", "scheduler, no-op handler vs PriorityQueue",
                "group commit (64 entries) vs raw fsync", "diff of 1,000,000 entries, k = 100 vs HashMap comparison")) {
            assertTrue(unmeasured.contains(name), name + "\n" + plan);
        }
    }

    /** The line of {@code plan} that ends with {@code run}, or the run itself when there is none (so contains fails). */
    private static String runLine(String plan, String run) {
        return plan.lines().filter(l -> l.endsWith("  " + run)).findFirst().orElse(run);
    }

    @Test
    void helpExplainsBothProfiles() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, BenchMain.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--quick") && help.contains("(default)") && help.contains("minutes"), help);
    }
}
