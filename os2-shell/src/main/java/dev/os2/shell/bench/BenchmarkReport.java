package dev.os2.shell.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.shell.Os2;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The benchmark report file, {@code releases/<tag>/benchmarks/<scenario>.json}: the one place its
 * format is defined. {@link #toJson} writes it; {@link #read} reads back what status and the HTML
 * page need.
 *
 * <p><b>Format 1.</b> One JSON object (pretty-printed, UTF-8) with, in this order:
 * <ul>
 *   <li>{@code type} {@code "os2.deterministic-benchmark.report"}, {@code format} 1;
 *   <li>{@code scenario}, {@code description}, {@code operation} (what one headline operation is),
 *       {@code seed}, {@code size} ({@code small|default|large}), {@code tag}, {@code started_at}
 *       (ISO-8601 UTC wall-clock time the scenario started; informational, used to order runs);
 *   <li>{@code deterministic}: what depends only on scenario, seed and size: {@code head_hash},
 *       {@code state_hash}, {@code entries}, {@code operations}, {@code payload_bytes},
 *       {@code facts} (counts describing the workload, sorted by name);
 *   <li>{@code heads_identical}: whether both runs ended at the same ledger head;
 *   <li>{@code problems}: what the scenario's own checks found (empty when all held);
 *   <li>{@code runs}: both runs, each {@code run}, {@code head_hash}, {@code state_hash},
 *       {@code entries}, {@code elapsed_ns}, {@code operations_per_s};
 *   <li>{@code throughput} of the second run (the first doubles as the JIT's warm-up):
 *       {@code operations_per_s}, {@code entries_per_s} and, for scenarios that count payload,
 *       {@code payload_bytes_per_s};
 *   <li>{@code latency} of the headline operation in the second run: {@code operation},
 *       {@code kinds}, {@code unit} ({@code "ns"}), {@code count}, {@code min}, {@code mean},
 *       {@code p50}, {@code p90}, {@code p99}, {@code p999}, {@code max}, and
 *       {@code percentiles}: {@code [{"percentile": P, "ns": V}, …]} for the distribution chart;
 *   <li>{@code operations}: the same summary (without the percentile list) for every kind of
 *       operation the scenario timed, by kind;
 *   <li>{@code measured}: figures taken on the side (for example {@code python_warm_up_ms});
 *   <li>{@code environment}: {@code os2_version}, {@code java}, {@code os}, {@code arch},
 *       {@code available_processors}, {@code max_heap_bytes}.
 * </ul>
 * Everything but {@code deterministic}, the hashes in {@code runs} and {@code heads_identical}
 * is a measurement of the machine and differs from run to run. Readers ignore members they do not
 * know; a later format that changes a member's meaning gets a new format number.
 */
public final class BenchmarkReport {

    /** The {@code type} member. */
    public static final String TYPE = "os2.deterministic-benchmark.report";
    /** The format this code writes and reads. */
    public static final int FORMAT = 1;
    /** The folder of earlier reports of a tag that a newer run replaced. */
    public static final String HISTORY_DIRECTORY = "history";

    /** The percentiles of the distribution in {@code latency.percentiles}. */
    static final double[] CHART_PERCENTILES = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};

    static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private BenchmarkReport() {
    }

    /**
     * One measured run of a scenario.
     *
     * @param result its deterministic outcome
     * @param elapsedNanos the measured time
     * @param latencies its operations' latencies
     * @param measured figures taken on the side
     */
    record Run(ScenarioResult result, long elapsedNanos, Latencies latencies, SortedMap<String, Long> measured) {
        /** Validates and copies. */
        public Run {
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(latencies, "latencies");
            measured = Collections.unmodifiableSortedMap(new TreeMap<>(measured));
        }

        /** Headline operations per second of wall-clock time. */
        double operationsPerSecond() {
            return perSecond(result.operations(), elapsedNanos);
        }
    }

    /** The report of a scenario's two runs, as a JSON object in format 1. */
    static ObjectNode toJson(Scenario scenario, long seed, Size size, String tag, Instant startedAt, Run first, Run second) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", TYPE);
        o.put("format", FORMAT);
        o.put("scenario", scenario.name());
        o.put("description", scenario.description());
        o.put("operation", scenario.operation());
        o.put("seed", seed);
        o.put("size", size.wireName());
        o.put("tag", tag);
        o.put("started_at", startedAt.toString());
        ScenarioResult r = first.result();
        ObjectNode d = o.putObject("deterministic");
        d.put("head_hash", r.head().toHex());
        d.put("state_hash", r.stateHash().toHex());
        d.put("entries", r.entries());
        d.put("operations", r.operations());
        d.put("payload_bytes", r.payloadBytes());
        ObjectNode facts = d.putObject("facts");
        r.facts().forEach(facts::put);
        o.put("heads_identical", first.result().head().equals(second.result().head()));
        ArrayNode problems = o.putArray("problems");
        List<String> all = new ArrayList<>(first.result().problems());
        second.result().problems().stream().filter(p -> !all.contains(p)).forEach(all::add);
        all.forEach(problems::add);
        ArrayNode runs = o.putArray("runs");
        int n = 1;
        for (Run run : List.of(first, second)) {
            ObjectNode x = runs.addObject();
            x.put("run", n++);
            x.put("head_hash", run.result().head().toHex());
            x.put("state_hash", run.result().stateHash().toHex());
            x.put("entries", run.result().entries());
            x.put("elapsed_ns", run.elapsedNanos());
            x.put("operations_per_s", round(run.operationsPerSecond()));
        }
        ObjectNode t = o.putObject("throughput");
        t.put("operations_per_s", round(second.operationsPerSecond()));
        t.put("entries_per_s", round(perSecond(second.result().entries(), second.elapsedNanos())));
        if (second.result().payloadBytes() > 0) {
            t.put("payload_bytes_per_s", round(perSecond(second.result().payloadBytes(), second.elapsedNanos())));
        }
        ObjectNode latency = o.putObject("latency");
        latency.put("operation", scenario.operation());
        ArrayNode kinds = latency.putArray("kinds");
        scenario.headlineKinds().forEach(kinds::add);
        latency.put("unit", "ns");
        Histogram headline = second.latencies().combined(scenario.headlineKinds());
        summary(headline, latency);
        ArrayNode percentiles = latency.putArray("percentiles");
        if (headline.getTotalCount() > 0) {
            for (double p : CHART_PERCENTILES) {
                ObjectNode point = percentiles.addObject();
                point.put("percentile", p);
                point.put("ns", p >= 100 ? headline.getMaxValue() : headline.getValueAtPercentile(p));
            }
        }
        ObjectNode ops = o.putObject("operations");
        for (Map.Entry<String, Histogram> e : second.latencies().byKind().entrySet()) {
            summary(e.getValue(), ops.putObject(e.getKey()));
        }
        ObjectNode measured = o.putObject("measured");
        // The first run's side figures win: it is the one that warmed things up (the Python engine).
        SortedMap<String, Long> side = new TreeMap<>(first.measured());
        second.measured().forEach(side::putIfAbsent);
        side.forEach(measured::put);
        ObjectNode env = o.putObject("environment");
        String version = Os2.class.getPackage().getImplementationVersion();
        env.put("os2_version", version == null ? "development build" : version);
        env.put("java", Runtime.version().toString());
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("arch", System.getProperty("os.arch"));
        env.put("available_processors", Runtime.getRuntime().availableProcessors());
        env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        return o;
    }

    private static void summary(Histogram h, ObjectNode o) {
        boolean any = h.getTotalCount() > 0;
        o.put("count", h.getTotalCount());
        o.put("min", any ? h.getMinValue() : 0);
        o.put("mean", any ? Math.round(h.getMean()) : 0);
        o.put("p50", any ? h.getValueAtPercentile(50) : 0);
        o.put("p90", any ? h.getValueAtPercentile(90) : 0);
        o.put("p99", any ? h.getValueAtPercentile(99) : 0);
        o.put("p999", any ? h.getValueAtPercentile(99.9) : 0);
        o.put("max", any ? h.getMaxValue() : 0);
    }

    static double perSecond(long count, long nanos) {
        return nanos <= 0 ? 0 : count * 1e9 / nanos;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /**
     * Writes {@code report} to {@code dir/<scenario>.json}, first moving a report already there to
     * {@code dir/history/<scenario>-<its started_at>.json}, so that status keeps seeing it.
     *
     * @return the file written
     * @throws IOException if a file cannot be moved or written
     */
    static Path write(Path dir, ObjectNode report) throws IOException {
        String scenario = report.get("scenario").asText();
        Files.createDirectories(dir);
        Path file = dir.resolve(scenario + ".json");
        if (Files.exists(file)) {
            String stamp;
            try {
                stamp = read(file).startedAt().toString();
            } catch (ReportException e) {
                stamp = "unreadable";
            }
            Path history = Files.createDirectories(dir.resolve(HISTORY_DIRECTORY));
            Path target = history.resolve(scenario + "-" + stamp.replace(':', '-') + ".json");
            for (int i = 2; Files.exists(target); i++) {
                target = history.resolve(scenario + "-" + stamp.replace(':', '-') + "-" + i + ".json");
            }
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        }
        Path tmp = dir.resolve("." + scenario + ".json.tmp");
        Files.writeString(tmp, JSON.writeValueAsString(report) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** A report file that cannot be read as format 1. */
    static final class ReportException extends Exception {
        private static final long serialVersionUID = 1L;

        ReportException(String message) {
            super(message);
        }
    }

    /**
     * The latency summary of one kind of operation, in nanoseconds.
     *
     * @param count operations
     * @param p50 median
     * @param p99 99th percentile
     * @param p999 99.9th percentile
     * @param max slowest
     */
    record Kind(long count, long p50, long p99, long p999, long max) {
    }

    /**
     * What a report file says that status and the HTML page use.
     *
     * @param file the file
     * @param scenario the scenario's name
     * @param operation what one headline operation is
     * @param seed the seed
     * @param size the size's wire name
     * @param tag the tag
     * @param startedAt when it started (wall clock)
     * @param headHash the first run's head
     * @param headsIdentical whether both runs' heads were equal
     * @param problems what the scenario's checks found
     * @param entries ledger entries of one run
     * @param operationsPerSecond headline throughput
     * @param latency the headline latency summary
     * @param percentiles the distribution: pairs of percentile and nanoseconds
     * @param kinds every timed kind of operation
     */
    record Summary(Path file, String scenario, String operation, long seed, String size, String tag, Instant startedAt,
            String headHash, boolean headsIdentical, List<String> problems, long entries, double operationsPerSecond,
            Kind latency, List<double[]> percentiles, SortedMap<String, Kind> kinds) {
    }

    /**
     * Reads a report file.
     *
     * @throws ReportException if it is not a format-1 report
     */
    static Summary read(Path file) throws ReportException {
        JsonNode o;
        try {
            o = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ReportException(file + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ReportException(file + " cannot be read: " + e.getMessage());
        }
        if (o == null || !o.isObject() || !TYPE.equals(o.path("type").asText()) || o.path("format").asInt() != FORMAT) {
            throw new ReportException(file + " is not a format-" + FORMAT + " benchmark report");
        }
        try {
            List<double[]> percentiles = new ArrayList<>();
            for (JsonNode p : o.path("latency").path("percentiles")) {
                percentiles.add(new double[] {p.get("percentile").asDouble(), p.get("ns").asDouble()});
            }
            SortedMap<String, Kind> kinds = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.path("operations").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                kinds.put(e.getKey(), kind(e.getValue()));
            }
            List<String> problems = new ArrayList<>();
            o.path("problems").forEach(p -> problems.add(p.asText()));
            return new Summary(file, text(o, "scenario"), o.path("operation").asText(""), o.path("seed").asLong(),
                    text(o, "size"), text(o, "tag"), Instant.parse(text(o, "started_at")),
                    text(o.path("deterministic"), "head_hash"), o.path("heads_identical").asBoolean(), List.copyOf(problems),
                    o.path("deterministic").path("entries").asLong(), number(o.path("throughput"), "operations_per_s"),
                    kind(o.path("latency")), List.copyOf(percentiles), kinds);
        } catch (ReportException e) {
            throw new ReportException(file + ": " + e.getMessage());
        } catch (DateTimeParseException | NullPointerException e) {
            throw new ReportException(file + " lacks a member of a format-" + FORMAT + " report or has one of the wrong form: " + e.getMessage());
        }
    }

    private static Kind kind(JsonNode o) throws ReportException {
        return new Kind(o.path("count").asLong(), (long) number(o, "p50"), (long) number(o, "p99"), (long) number(o, "p999"),
                (long) number(o, "max"));
    }

    private static String text(JsonNode o, String member) throws ReportException {
        JsonNode v = o.get(member);
        if (v == null || !v.isTextual()) {
            throw new ReportException("the member " + member + " is missing or not a string");
        }
        return v.asText();
    }

    private static double number(JsonNode o, String member) throws ReportException {
        JsonNode v = o.get(member);
        if (v == null || !v.isNumber()) {
            throw new ReportException("the member " + member + " is missing or not a number");
        }
        return v.asDouble();
    }
}
