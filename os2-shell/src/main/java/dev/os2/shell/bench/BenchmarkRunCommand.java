package dev.os2.shell.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.shell.CommonOptions;
import dev.os2.shell.InputException;
import dev.os2.shell.Os2;
import dev.os2.shell.Session;
import dev.os2.shell.Style;
import dev.os2.shell.Table;
import dev.os2.shell.bench.BenchmarkReport.Summary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deterministic-benchmark run}: runs the selected scenarios twice each, checks that both
 * runs of a scenario end at the same ledger head, and writes one report per scenario to
 * {@code <releases>/<tag>/benchmarks/<scenario>.json} ({@link BenchmarkReport}) and the page
 * {@code index.html} ({@link HtmlReport}). Ledgers and snapshots go to a scratch folder that is
 * deleted afterwards.
 *
 * <p>Exit 1 when a scenario's two heads differ or its own checks failed (the reports are written
 * all the same, and the message names the scenario, the seed and the command that reproduces it).
 */
@Command(name = "run",
        usageHelpAutoWidth = true,
        header = "Run the scenarios twice each; check identical ledger heads; write reports under releases/<tag>/benchmarks/.",
        description = {
            "Runs seeded scenario workloads through the real kernel, a Chronicle ledger (in a scratch folder, deleted "
                    + "afterwards), snapshots and the Python sandbox: scheduler-mix, capability-churn, ledger-heavy, "
                    + "snapshot-replay and python. Each runs twice from the same seed; the two ledger heads must be identical "
                    + "(exit 1 if not).",
            "Reports: <releases>/<tag>/benchmarks/<scenario>.json, and index.html with charts. A report already there "
                    + "moves to benchmarks/history/. The workloads and heads depend only on scenario, seed and size; "
                    + "throughput and latency are measurements of this machine."
        })
public final class BenchmarkRunCommand implements Callable<Integer> {

    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._+-]{1,64}");

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "all",
            description = "A scenario (scheduler-mix, capability-churn, ledger-heavy, snapshot-replay, python) or all. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String scenario;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "The workload seed. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--tag", paramLabel = "T", defaultValue = "dev",
            description = "Where the reports go: <releases>/T/benchmarks/. 1 to 64 of [A-Za-z0-9._+-]. Default: ${DEFAULT-VALUE}.")
    private String tag;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "default",
            description = "small (a tenth), default, or large (five times). Default: ${DEFAULT-VALUE}.")
    private String size;

    @Option(names = "--releases", paramLabel = "DIR", defaultValue = "releases",
            description = "The releases folder. Default: ./${DEFAULT-VALUE}.")
    private Path releases;

    @Option(names = "--scratch", paramLabel = "DIR",
            description = "Where the runs' ledgers and snapshots go (a new folder inside, deleted afterwards). "
                    + "Default: the system's temporary folder.")
    private Path scratch;

    // A check of the check: the second run of each scenario uses this seed, so the heads differ and the run must fail.
    @Option(names = "--second-run-seed", paramLabel = "S", hidden = true,
            description = "Testing the harness: run the second run of each scenario with another seed; the run must fail.")
    private Long secondRunSeed;

    @Option(names = "--json", description = "Print one JSON object: tag, seed, size, report folder, page, and per scenario "
            + "its head, whether both heads were identical, throughput and latency percentiles.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public BenchmarkRunCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        List<Scenario> selected = selected();
        Size chosenSize = size();
        if (!TAG.matcher(tag).matches()) {
            throw new InputException("--tag must be 1 to 64 characters from [A-Za-z0-9._+-], got '" + tag + "'",
                    "For example `" + session.hint("deterministic-benchmark run --tag v0.1.0") + "`.");
        }
        Path benchDir = releases.toAbsolutePath().normalize().resolve(tag).resolve("benchmarks");
        Path scratchBase = scratch == null ? Path.of(System.getProperty("java.io.tmpdir")) : scratch;
        if (!Files.isDirectory(scratchBase)) {
            throw new InputException("the scratch folder " + scratchBase + " does not exist", "Create it, or leave out --scratch.");
        }
        session.services().annotate("seed", seed);
        session.services().annotate("size", chosenSize.wireName());
        session.services().annotate("tag", tag);
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = new ProgressBar(err, session.stderrTerminal());
        List<Outcome> outcomes = new ArrayList<>();
        try {
            for (int i = 0; i < selected.size(); i++) {
                Scenario s = selected.get(i);
                String label = s.name() + " (" + (i + 1) + "/" + selected.size() + ")";
                outcomes.add(runTwice(s, chosenSize, scratchBase, benchDir, bar, label));
            }
        } finally {
            bar.clear();
        }
        ReportHistory history = ReportHistory.scan(releases.toAbsolutePath().normalize());
        Path page = benchDir.resolve("index.html");
        Files.writeString(page, HtmlReport.render(tag, tagReports(benchDir), history), StandardCharsets.UTF_8);

        PrintWriter out = spec.commandLine().getOut();
        List<Summary> written = new ArrayList<>();
        for (Outcome o : outcomes) {
            try {
                written.add(BenchmarkReport.read(o.file()));
            } catch (BenchmarkReport.ReportException e) {
                throw new IllegalStateException("the report just written cannot be read back: " + e.getMessage(), e);
            }
        }
        if (json) {
            out.println(toJson(written, benchDir, page, chosenSize));
        } else {
            printSummary(out, written, benchDir, page, chosenSize);
        }
        out.flush();
        Map<String, Object> heads = new LinkedHashMap<>();
        written.forEach(s -> heads.put(s.scenario(), s.headHash()));
        session.services().annotate("heads", heads);
        boolean failed = false;
        for (Summary s : written) {
            String reproduce = "`" + session.hint("deterministic-benchmark run --scenario " + s.scenario() + " --seed " + seed
                    + " --size " + chosenSize.wireName() + (secondRunSeed != null ? " --second-run-seed " + secondRunSeed : "")) + "`";
            if (!s.headsIdentical()) {
                err.println("os2: scenario " + s.scenario() + " with seed " + seed + " ended at two different ledger heads in its "
                        + "two runs: determinism is broken. Reproduce with " + reproduce + "; the report is " + s.file() + ".");
                failed = true;
            }
            if (!s.problems().isEmpty()) {
                err.println("os2: scenario " + s.scenario() + " with seed " + seed + " failed its checks: " + s.problems().get(0)
                        + (s.problems().size() > 1 ? " (and " + (s.problems().size() - 1) + " more in the report)" : "")
                        + ". Reproduce with " + reproduce + ".");
                failed = true;
            }
        }
        return failed ? Os2.EXIT_CHECK_FAILED : Os2.EXIT_OK;
    }

    private record Outcome(Scenario scenario, Path file) {
    }

    private Outcome runTwice(Scenario s, Size chosenSize, Path scratchBase, Path benchDir, ProgressBar bar, String label)
            throws IOException {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Path dir = Files.createTempDirectory(scratchBase, "os2-bench-" + s.name() + "-");
        BenchmarkReport.Run[] runs = new BenchmarkReport.Run[2];
        try {
            for (int run = 0; run < 2; run++) {
                Path runDir = Files.createDirectory(dir.resolve("run-" + (run + 1)));
                Latencies latencies = new Latencies();
                String runLabel = label + " run " + (run + 1) + "/2";
                long runSeed = run == 1 && secondRunSeed != null ? secondRunSeed : seed;
                ScenarioContext context = new ScenarioContext(runSeed, chosenSize, runDir, session.services(), latencies,
                        (done, total) -> bar.show(runLabel, done, total));
                ScenarioResult result;
                try {
                    result = s.run(context);
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("scenario " + s.name() + " failed: " + e, e);
                }
                runs[run] = new BenchmarkReport.Run(result, context.elapsedNanos(), latencies, context.measured());
            }
        } finally {
            bar.clear();
            delete(dir);
        }
        ObjectNode report = BenchmarkReport.toJson(s, seed, chosenSize, tag, started, runs[0], runs[1]);
        return new Outcome(s, BenchmarkReport.write(benchDir, report));
    }

    /** The tag's current reports, in the order of {@link Scenario#all()}, then any others by name. */
    private static List<Summary> tagReports(Path benchDir) throws IOException {
        List<Summary> reports = new ArrayList<>();
        try (Stream<Path> files = Files.list(benchDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                try {
                    reports.add(BenchmarkReport.read(f));
                } catch (BenchmarkReport.ReportException e) {
                    // A damaged file is left out of the page; status names it.
                }
            }
        }
        List<String> order = Scenario.all().stream().map(Scenario::name).toList();
        reports.sort(Comparator.comparingInt((Summary s) -> order.contains(s.scenario()) ? order.indexOf(s.scenario()) : order.size())
                .thenComparing(Summary::scenario));
        return reports;
    }

    private List<Scenario> selected() {
        if (scenario.equals("all")) {
            return Scenario.all();
        }
        return Scenario.named(scenario).map(List::of).orElseThrow(() -> new InputException("there is no scenario '" + scenario + "'",
                "Use one of " + String.join(", ", Scenario.all().stream().map(Scenario::name).toList()) + ", or all."));
    }

    private Size size() {
        try {
            return Size.ofWireName(size);
        } catch (IllegalArgumentException e) {
            throw new InputException("--size must be small, default or large, got '" + size + "'",
                    "For example `" + session.hint("deterministic-benchmark run --size small") + "`.");
        }
    }

    private void printSummary(PrintWriter out, List<Summary> written, Path benchDir, Path page, Size chosenSize) {
        Style style = Style.of(session);
        out.println(style.bold("Deterministic benchmark") + ": seed " + seed + ", size " + chosenSize.wireName() + ", tag " + tag
                + " (each scenario ran twice; figures of the second run)");
        Table t = new Table(out, style, List.of("scenario", "operation", "ops/s", "p50", "p99", "p99.9", "max", "entries",
                "head", "both runs"), new int[] {20, 24, 14, 10, 10, 10, 10, 10, 16, 10}, (col, cell) -> cell, 0);
        for (Summary s : written) {
            boolean ok = s.headsIdentical() && s.problems().isEmpty();
            t.add(List.of(s.scenario(), s.operation(), HtmlReport.rate(s.operationsPerSecond()), HtmlReport.nanos(s.latency().p50()),
                    HtmlReport.nanos(s.latency().p99()), HtmlReport.nanos(s.latency().p999()), HtmlReport.nanos(s.latency().max()),
                    Long.toString(s.entries()), s.headHash().substring(0, 12) + "…", ok ? "identical" : "FAILED"));
        }
        t.flush();
        out.println();
        for (Summary s : written) {
            out.println(s.scenario() + " head " + s.headHash());
        }
        out.println();
        out.println("Reports: " + benchDir + " (page: " + page.getFileName() + ")");
        out.println("Heads depend only on scenario, seed and size; throughput and latency are measurements of this machine.");
    }

    private ObjectNode toJson(List<Summary> written, Path benchDir, Path page, Size chosenSize) {
        ObjectNode o = BenchmarkReport.JSON.createObjectNode();
        o.put("tag", tag);
        o.put("seed", seed);
        o.put("size", chosenSize.wireName());
        o.put("reports", benchDir.toString());
        o.put("page", page.toString());
        ArrayNode a = o.putArray("scenarios");
        for (Summary s : written) {
            ObjectNode x = a.addObject();
            x.put("scenario", s.scenario());
            x.put("report", s.file().toString());
            x.put("head_hash", s.headHash());
            x.put("heads_identical", s.headsIdentical());
            ArrayNode problems = x.putArray("problems");
            s.problems().forEach(problems::add);
            x.put("entries", s.entries());
            x.put("operation", s.operation());
            x.put("operations_per_s", s.operationsPerSecond());
            x.put("p50_ns", s.latency().p50());
            x.put("p99_ns", s.latency().p99());
            x.put("p999_ns", s.latency().p999());
            x.put("max_ns", s.latency().max());
        }
        return o;
    }

    /** Deletes a scratch folder, deepest first. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the scratch folder " + dir, e);
        }
    }
}
