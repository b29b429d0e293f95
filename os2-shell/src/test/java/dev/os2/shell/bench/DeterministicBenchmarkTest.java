package dev.os2.shell.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.shell.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deterministic-benchmark}: every scenario at small size ends at identical heads in its two
 * runs and writes a report with the documented fields; the HTML page is self-contained; status
 * compares real runs and flags a regression planted in one report; a broken determinism (the second
 * run fed another seed) fails the run, naming scenario and seed; bad input is exit 2.
 *
 * <p>All scenarios run once, in {@link #runEveryScenario()}; the tests then read what they wrote.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeterministicBenchmarkTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> SCENARIOS = List.of("scheduler-mix", "capability-churn", "ledger-heavy", "snapshot-replay", "python");

    private Path dir;

    /** One session, so that the Python engine is built and warmed once. */
    private Session session;
    private Path releases;
    private Path scratch;
    private Cli all;

    @BeforeAll
    void runEveryScenario(@TempDir Path tmp) throws IOException {
        dir = tmp;
        session = Session.of(Map.of());
        releases = dir.resolve("releases");
        scratch = Files.createDirectories(dir.resolve("scratch"));
        all = os2("deterministic-benchmark", "run", "--scenario", "all", "--size", "small", "--seed", "3", "--tag", "first",
                "--releases", releases.toString(), "--scratch", scratch.toString());
    }

    @AfterAll
    void closeServices() {
        session.services().close();
    }

    private Cli os2(String... args) {
        return Cli.run(session, args);
    }

    private JsonNode report(String tag, String scenario) throws IOException {
        return JSON.readTree(Files.readString(releases.resolve(tag).resolve("benchmarks").resolve(scenario + ".json")));
    }

    @Test
    void everyScenarioEndsAtIdenticalHeadsAndWritesAReportWithTheDocumentedFields() throws IOException {
        assertEquals(0, all.status(), all.describe());
        for (String scenario : SCENARIOS) {
            JsonNode r = report("first", scenario);
            assertEquals(BenchmarkReport.TYPE, r.get("type").asText());
            assertEquals(1, r.get("format").asInt());
            assertEquals(scenario, r.get("scenario").asText());
            assertEquals(3, r.get("seed").asLong());
            assertEquals("small", r.get("size").asText());
            assertEquals("first", r.get("tag").asText());
            assertFalse(r.get("operation").asText().isEmpty());
            java.time.Instant.parse(r.get("started_at").asText());
            JsonNode d = r.get("deterministic");
            String head = d.get("head_hash").asText();
            assertTrue(head.matches("[0-9a-f]{64}"), scenario + ": " + d);
            assertTrue(d.get("state_hash").asText().matches("[0-9a-f]{64}"));
            assertTrue(d.get("entries").asLong() > 0 && d.get("operations").asLong() > 0, scenario + ": " + d);
            assertTrue(d.get("facts").isObject());
            assertTrue(r.get("heads_identical").asBoolean(), scenario);
            assertEquals(0, r.get("problems").size(), scenario + ": " + r.get("problems"));
            assertEquals(2, r.get("runs").size());
            for (JsonNode run : r.get("runs")) {
                assertEquals(head, run.get("head_hash").asText(), scenario + ": both runs end at the same head");
                assertEquals(d.get("state_hash").asText(), run.get("state_hash").asText());
                assertEquals(d.get("entries").asLong(), run.get("entries").asLong());
                assertTrue(run.get("elapsed_ns").asLong() > 0);
            }
            assertTrue(r.get("throughput").get("operations_per_s").asDouble() > 0, scenario);
            assertTrue(r.get("throughput").get("entries_per_s").asDouble() > 0, scenario);
            JsonNode l = r.get("latency");
            assertEquals("ns", l.get("unit").asText());
            assertEquals(d.get("operations").asLong(), l.get("count").asLong(), scenario + ": one latency per headline operation");
            long p50 = l.get("p50").asLong();
            long p99 = l.get("p99").asLong();
            long p999 = l.get("p999").asLong();
            long max = l.get("max").asLong();
            assertTrue(0 < p50 && p50 <= p99 && p99 <= p999 && p999 <= max, scenario + ": " + l);
            assertEquals(BenchmarkReport.CHART_PERCENTILES.length, l.get("percentiles").size());
            assertEquals(max, l.get("percentiles").get(BenchmarkReport.CHART_PERCENTILES.length - 1).get("ns").asLong());
            l.get("kinds").forEach(k -> assertTrue(r.get("operations").has(k.asText()), scenario + " times " + k));
            assertTrue(r.get("environment").get("available_processors").asInt() > 0);
            assertTrue(all.out().contains(scenario + " head " + head + "\n"), all.describe());
        }
        assertTrue(report("first", "python").get("measured").has("python_warm_up_ms"));
        // The scratch folder is left empty: every run's ledger and snapshots were deleted.
        try (Stream<Path> left = Files.list(scratch)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void theHtmlPageIsSelfContainedWithAChartPerScenario() throws IOException {
        String html = Files.readString(releases.resolve("first").resolve("benchmarks").resolve("index.html"), StandardCharsets.UTF_8);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertFalse(html.contains("http://") || html.contains("https://"), "no network references");
        assertFalse(html.contains("<script") || html.contains("src=") || html.contains("@import") || html.contains("url("),
                "nothing loaded from anywhere");
        assertTrue(html.contains("aria-label=\"throughput per scenario\""));
        for (String scenario : SCENARIOS) {
            assertTrue(html.contains("aria-label=\"latency distribution of " + scenario + "\""), scenario);
            assertTrue(html.contains(report("first", scenario).get("deterministic").get("head_hash").asText()), scenario);
        }
        assertEquals(SCENARIOS.size() + 1, html.split("<svg ", -1).length - 1, "one latency chart per scenario plus the throughput chart");
    }

    @Test
    void statusComparesRealRunsAndFlagsARegressionPlantedInOneReport() throws IOException {
        // A second real run of one scenario, same seed: the same head in a new process of the command.
        Cli second = os2("deterministic-benchmark", "run", "--scenario", "scheduler-mix", "--size", "small", "--seed", "3",
                "--tag", "second", "--releases", releases.toString(), "--scratch", scratch.toString(), "--json");
        assertEquals(0, second.status(), second.describe());
        JsonNode before = report("first", "scheduler-mix");
        Path latestFile = releases.resolve("second").resolve("benchmarks").resolve("scheduler-mix.json");
        ObjectNode latest = (ObjectNode) JSON.readTree(Files.readString(latestFile));
        assertEquals(before.get("deterministic").get("head_hash"), latest.get("deterministic").get("head_hash"));

        // Plant the figures: the latency as before, the throughput down by half.
        latest.set("latency", before.get("latency").deepCopy());
        ((ObjectNode) latest.get("throughput")).put("operations_per_s", before.get("throughput").get("operations_per_s").asDouble() / 2);
        Files.writeString(latestFile, JSON.writeValueAsString(latest));

        Cli status = os2("deterministic-benchmark", "status", "--releases", releases.toString());
        assertEquals(1, status.status(), status.describe());
        assertTrue(status.out().contains("1 regression beyond 10%"), status.describe());
        assertTrue(status.out().contains("  scheduler-mix (small): throughput "), status.describe());
        assertTrue(status.out().contains("-50.0%"), status.describe());
        for (String scenario : SCENARIOS) {
            assertTrue(status.out().contains(scenario), "status lists " + scenario + ": " + status.describe());
        }

        Cli json = os2("deterministic-benchmark", "status", "--releases", releases.toString(), "--json");
        assertEquals(1, json.status(), json.describe());
        JsonNode o = JSON.readTree(json.out());
        assertEquals(SCENARIOS.size() + 1, o.get("runs").size());
        assertEquals(1, o.get("regressions").size(), json.describe());
        assertEquals("throughput", o.get("regressions").get(0).get("figure").asText());
        assertEquals(-50.0, o.get("regressions").get(0).get("change_percent").asDouble(), 0.01);
        assertEquals(0, o.get("head_changes").size());

        // Within a wider threshold it is not a regression.
        Cli lenient = os2("deterministic-benchmark", "status", "--releases", releases.toString(), "--threshold", "60");
        assertEquals(0, lenient.status(), lenient.describe());
        assertTrue(lenient.out().contains("No regression beyond 60%"), lenient.describe());

        // A later run of the same tag moves the earlier report to history/, where status still finds it.
        Cli third = os2("deterministic-benchmark", "run", "--scenario", "scheduler-mix", "--size", "small", "--seed", "4",
                "--tag", "second", "--releases", releases.toString(), "--scratch", scratch.toString());
        assertEquals(0, third.status(), third.describe());
        try (Stream<Path> history = Files.list(releases.resolve("second").resolve("benchmarks").resolve("history"))) {
            assertEquals(1, history.count());
        }
        JsonNode after = JSON.readTree(os2("deterministic-benchmark", "status", "--releases", releases.toString(), "--json",
                "--threshold", "100000").out());
        assertEquals(SCENARIOS.size() + 2, after.get("runs").size());
        assertNotEquals(before.get("deterministic").get("head_hash").asText(), report("second", "scheduler-mix")
                .get("deterministic").get("head_hash").asText(), "another seed, another history");
    }

    @Test
    void twoRunsThatEndAtDifferentHeadsFailLoudlyNamingScenarioAndSeed() throws IOException {
        Path elsewhere = dir.resolve("broken-releases");
        Cli broken = os2("deterministic-benchmark", "run", "--scenario", "capability-churn", "--size", "small", "--seed", "3",
                "--second-run-seed", "4", "--tag", "broken", "--releases", elsewhere.toString(), "--scratch", scratch.toString());
        assertEquals(1, broken.status(), broken.describe());
        assertTrue(broken.err().startsWith("os2: scenario capability-churn with seed 3 ended at two different ledger heads"),
                broken.describe());
        assertTrue(broken.err().contains("Reproduce with `os2 deterministic-benchmark run --scenario capability-churn --seed 3 "
                + "--size small --second-run-seed 4`"), broken.describe());
        assertTrue(broken.out().contains("FAILED"), broken.describe());
        JsonNode r = JSON.readTree(Files.readString(elsewhere.resolve("broken").resolve("benchmarks").resolve("capability-churn.json")));
        assertFalse(r.get("heads_identical").asBoolean(), "the report is written all the same");
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        String r = releases.toString();
        for (String[] args : new String[][] {
            {"deterministic-benchmark", "run", "--scenario", "nope", "--releases", r},
            {"deterministic-benchmark", "run", "--size", "huge", "--releases", r},
            {"deterministic-benchmark", "run", "--tag", "a/b", "--releases", r},
            {"deterministic-benchmark", "run", "--seed", "x", "--releases", r},
            {"deterministic-benchmark", "run", "--scratch", dir.resolve("missing").toString(), "--releases", r},
            {"deterministic-benchmark", "status", "--threshold", "-1", "--releases", r},
            {"deterministic-benchmark", "status", "--threshold", "lots", "--releases", r},
        }) {
            Cli run = os2(args);
            assertEquals(2, run.status(), run.describe());
            assertTrue(run.err().startsWith("os2: "), run.describe());
            assertEquals(1, run.err().strip().lines().count(), run.describe());
        }
        Cli bare = os2("deterministic-benchmark");
        assertEquals(2, bare.status(), bare.describe());
        assertTrue(bare.err().startsWith("os2: deterministic-benchmark needs a subcommand"), bare.describe());
    }
}
