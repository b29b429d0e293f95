package dev.os2.bench;

import dev.os2.bench.report.BenchmarkRef;
import dev.os2.bench.report.JmhResults;
import dev.os2.bench.report.Pair;
import dev.os2.bench.report.PairTable;
import dev.os2.bench.report.Score;
import dev.os2.bench.report.Summary;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.results.format.ResultFormatType;

/**
 * {@code ./os2 bench}: runs the JMH suite with a profile, in one JMH run, and writes JMH's JSON
 * result file and a summary of every OS2/peer pair of {@link PairTable} (ratio, error bar, goal,
 * verdict) to the terminal, {@code summary.md} and {@code summary.json}.
 *
 * <p>Options it takes itself: {@code --quick}, {@code --plan}, {@code --only REGEX}, {@code --out DIR},
 * {@code --summarize FILE}, {@code --jmh-help}, {@code --help}; everything else is a JMH option
 * and wins over the profile (for example {@code -f 3} or {@code -p entries=1000}). Exit status:
 * 0 when every measured goal is met, 1 when a goal is missed or a selected benchmark produced no
 * result, 2 for a usage error, 3 when JMH itself fails.
 */
public final class BenchMain {

    /** A run profile: what the options not given on the command line default to. */
    enum Profile {
        /**
         * Everyday use: the pairs that carry a goal only, one fork, each benchmark's own warm-up
         * (its class says how long its code takes to compile: up to 5 × 2 s for the kernel's
         * paths, whose figures are meaningless after less), short measurement.
         */
        QUICK(1, 0, null, 5, TimeValue.milliseconds(500), new TreeMap<>(Map.of(
                // The handler that charges is the one the goals name ("including budget accounting").
                "handler", List.of("charge"),
                // Capture's goals are flatness and a bound per capture: the two ends bound the sizes between.
                "entries", List.of("10", "1000000"),
                // Proportionality is judged between these two.
                "changes", List.of("100", "10000")))),
        /** The default: every benchmark, two forks, five two-second warm-up and measurement iterations. */
        FULL(2, 5, TimeValue.seconds(2), 5, TimeValue.seconds(2), new TreeMap<>());

        final int forks;
        /** Warm-up iterations, or 0 to keep each benchmark's own warm-up. */
        final int warmupIterations;
        final TimeValue warmupTime;
        final int measurementIterations;
        final TimeValue measurementTime;
        /**
         * Benchmark parameters narrowed to these values, by name, unless the command line gives
         * the parameter: pairs that need other values are reported as not run.
         */
        final SortedMap<String, List<String>> params;

        Profile(int forks, int warmupIterations, TimeValue warmupTime, int measurementIterations, TimeValue measurementTime,
                SortedMap<String, List<String>> params) {
            this.forks = forks;
            this.warmupIterations = warmupIterations;
            this.warmupTime = warmupTime;
            this.measurementIterations = measurementIterations;
            this.measurementTime = measurementTime;
            this.params = Collections.unmodifiableSortedMap(params);
        }

        String describe() {
            String warmup = warmupIterations == 0 ? "each benchmark's own warm-up"
                    : String.format(Locale.ROOT, "warm-up %d × %s", warmupIterations, warmupTime);
            return String.format(Locale.ROOT, "%s (%d fork%s, %s, measurement %d × %s%s)",
                    name().toLowerCase(Locale.ROOT), forks, forks == 1 ? "" : "s", warmup,
                    measurementIterations, measurementTime, this == QUICK ? ", the benchmarks of the pairs with a goal only" : "");
        }
    }

    /** Milliseconds a fork spends outside its iterations (JVM start, trial setup) in the duration estimate. */
    private static final long FORK_OVERHEAD_MILLIS = 3_000;

    static final String USAGE = """
            Usage: ./os2 bench [--quick] [--plan] [--only REGEX] [--out DIR] [JMH options...]
                   ./os2 bench --summarize RESULTS.json [--out DIR]

            Runs OS2's JMH benchmarks, each OS2 figure beside its peer in the same run, then
            prints a summary of every pair: both scores with JMH's error, the ratio of OS2's
            speed to the peer's (> 1: OS2 faster) with its error bar, the goal the issue names,
            and whether it is met. Writes results.json (JMH's JSON), summary.md and
            summary.json to the output folder.

            Profiles:
              (default)  every benchmark; 2 forks, warm-up 5 x 2 s, measurement 5 x 2 s per
                         fork. About an hour for the whole suite on 2 idle cores; the line
                         printed before the run estimates what was selected.
              --quick    only the benchmarks of the pairs that carry a goal, with the
                         charging handler, snapshots at 10 and 1,000,000 entries and
                         diffs of 100 and 10,000 changes; 1 fork, each benchmark's own
                         warm-up (3 to 10 s; the kernel's paths need 10 s), measurement
                         5 x 500 ms.
                         About 6 minutes on 2 idle cores. For everyday checks:
                         with one fork and short iterations, error bars are wide.

            Options:
              --quick            the quick profile (above)
              --plan             no run: list the runs the options select, with the
                                 time each takes, and the pairs left unmeasured
              --only REGEX       run only benchmarks whose name matches REGEX (Java regex,
                                 searched in package.Class.method; repeatable)
              --out DIR          write the results to DIR (default: a new timestamped folder
                                 under benchmarks/target/bench-results)
              --summarize FILE   no run: summarise an existing JMH JSON result file
              --jmh-help         list JMH's own options
              -h, --help         this text

            Any other option goes to JMH and overrides the profile, for example
              -f 3  -wi 10  -i 10  -w 2s  -r 2s    forks, warm-up/measurement iterations, times
              -p entries=1000                      a benchmark parameter
              -prof gc                             a profiler
            The result format is always JSON (the summary reads it).

            Exit status: 0 every measured goal met; 1 a goal missed or a selected benchmark
            gave no result; 2 usage error; 3 JMH failed.
            Ratios compare two benchmarks of the same run only. Other load on the machine
            widens error bars and can move ratios: benchmark on a quiet machine.
            """;

    private BenchMain() {
    }

    /** Runs {@code ./os2 bench} with {@code args} and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** What the command line asked for. */
    record Request(boolean help, boolean jmhHelp, boolean quick, boolean plan, List<String> only, Path out, Path summarize, List<String> jmhArgs) {
    }

    /** Thrown for a command line that cannot be run; the message says what was wrong and what to do. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    static Request parse(String[] args) throws UsageException {
        boolean help = false;
        boolean jmhHelp = false;
        boolean quick = false;
        boolean plan = false;
        List<String> only = new ArrayList<>();
        Path out = null;
        Path summarize = null;
        List<String> jmh = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            String name = a;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> help = true;
                case "--jmh-help" -> jmhHelp = true;
                case "--quick" -> quick = true;
                case "--plan" -> plan = true;
                case "--only", "--out", "--summarize" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(name + " needs a value. Run ./os2 bench --help for the options");
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "--only" -> {
                            try {
                                Pattern.compile(value);
                            } catch (PatternSyntaxException e) {
                                throw new UsageException("--only " + value + " is not a valid regular expression ("
                                        + e.getDescription() + "). Quote it, or escape the special characters");
                            }
                            only.add(value);
                        }
                        case "--out" -> out = Path.of(value);
                        default -> summarize = Path.of(value);
                    }
                }
                default -> jmh.add(a);
            }
        }
        return new Request(help, jmhHelp, quick, plan, only, out, summarize, jmh);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Request request;
        CommandLineOptions jmh;
        try {
            request = parse(args);
            jmh = new CommandLineOptions(request.jmhArgs().toArray(String[]::new));
        } catch (UsageException e) {
            err.println("os2: " + e.getMessage() + ".");
            return 2;
        } catch (CommandLineOptionException e) {
            err.println("os2: bench: " + e.getMessage() + ". Run ./os2 bench --help (or --jmh-help for JMH's options).");
            return 2;
        }
        if (request.help()) {
            out.print(USAGE);
            return 0;
        }
        try {
            if (request.jmhHelp()) {
                jmh.showHelp();
                return 0;
            }
            if (jmh.shouldList() || jmh.shouldListWithParams()) {
                Runner lister = new Runner(jmh);
                if (jmh.shouldListWithParams()) {
                    lister.listWithParams(jmh);
                } else {
                    lister.list();
                }
                return 0;
            }
            if (jmh.shouldListProfilers()) {
                jmh.listProfilers();
                return 0;
            }
            if (jmh.shouldListResultFormats()) {
                jmh.listResultFormats();
                return 0;
            }
            if (request.summarize() != null) {
                return summarize(request, out, err);
            }
            return bench(request, jmh, out, err);
        } catch (IOException e) {
            err.println("os2: bench: " + e.getMessage() + ".");
            return 2;
        } catch (RunnerException e) {
            err.println("os2: bench: JMH failed: " + e.getMessage() + ". See JMH's output above.");
            return 3;
        }
    }

    private static int summarize(Request request, PrintStream out, PrintStream err) throws IOException {
        Path results = request.summarize();
        if (!Files.isRegularFile(results)) {
            throw new IOException("no such file: " + results + ". Give the results.json of an earlier run");
        }
        Path dir = request.out() != null ? request.out() : results.toAbsolutePath().getParent();
        Map<String, String> about = new LinkedHashMap<>();
        about.put("JMH results", results.toString());
        Summary summary = Summary.of(JmhResults.read(results), PairTable.PAIRS, about);
        write(summary, dir, out);
        return summary.noGoalMissed() ? 0 : 1;
    }

    private static int bench(Request request, CommandLineOptions jmh, PrintStream out, PrintStream err)
            throws IOException, RunnerException {
        Profile profile = request.quick() ? Profile.QUICK : Profile.FULL;
        Path dir = request.out() != null ? request.out() : defaultOut();
        Path resultFile = dir.resolve("results.json").toAbsolutePath();

        ChainedOptionsBuilder b = new OptionsBuilder().parent(jmh);
        // The profile fills in what the command line leaves open; an option given there wins.
        if (!jmh.getForkCount().hasValue()) {
            b.forks(profile.forks);
        }
        if (!jmh.getWarmupIterations().hasValue() && profile.warmupIterations > 0) {
            b.warmupIterations(profile.warmupIterations);
        }
        if (!jmh.getWarmupTime().hasValue() && profile.warmupTime != null) {
            b.warmupTime(profile.warmupTime);
        }
        if (!jmh.getMeasurementIterations().hasValue()) {
            b.measurementIterations(profile.measurementIterations);
        }
        if (!jmh.getMeasurementTime().hasValue()) {
            b.measurementTime(profile.measurementTime);
        }
        if (!jmh.shouldFailOnError().hasValue()) {
            // One failing benchmark must not cost the rest of a long run; the summary reports it.
            b.shouldFailOnError(false);
        }
        profile.params.forEach((name, values) -> {
            if (!jmh.getParameter(name).hasValue()) {
                b.param(name, values.toArray(String[]::new));
            }
        });
        b.resultFormat(ResultFormatType.JSON).result(resultFile.toString());
        request.only().forEach(b::include);
        if (request.only().isEmpty() && jmh.getIncludes().isEmpty() && profile == Profile.QUICK) {
            for (String name : PairTable.benchmarks(PairTable.PAIRS.stream().filter(pair -> pair.goal().isPresent()).toList())) {
                b.include("^" + Pattern.quote(name) + "$");
            }
        }
        Options options = b.build();

        List<Planned> plan = plan(options);
        if (plan.isEmpty()) {
            throw new IOException("no benchmark matches " + String.join(", ", options.getIncludes())
                    + ". Run ./os2 bench -l to list them");
        }
        warnAboutPairsMissingFromJar(err);
        long millis = plan.stream().mapToLong(Planned::millis).sum();
        if (request.plan()) {
            out.printf(Locale.ROOT, "Profile %s. %d benchmark runs, about %d minutes on an otherwise idle machine:%n",
                    profile.describe(), plan.size(), Math.max(1, (millis + 30_000) / 60_000));
            for (Planned p : plan) {
                out.printf(Locale.ROOT, "  %4d s  %s%s%n", (p.millis() + 500) / 1000, p.benchmark(),
                        p.params().isEmpty() ? "" : " " + new TreeMap<>(p.params()));
            }
            List<String> unrun = PairTable.PAIRS.stream().filter(pair -> !pair.pending())
                    .filter(pair -> !covers(plan, pair.os2()) || !covers(plan, pair.peer()))
                    .map(Pair::name).toList();
            if (!unrun.isEmpty()) {
                out.println("Pairs this selection leaves unmeasured: " + String.join("; ", unrun) + ".");
            }
            return 0;
        }
        Files.createDirectories(dir);
        double loadBefore = loadAverage();
        err.printf(Locale.ROOT, "os2 bench: %d benchmark runs, profile %s; about %d minutes on an otherwise idle machine"
                + " (load average now %s). Results: %s%n",
                plan.size(), profile.describe(), Math.max(1, (millis + 30_000) / 60_000), loadText(loadBefore), dir);

        awaitJmhLock(err);
        new Runner(options).run();

        List<Score> scores = Files.exists(resultFile) ? JmhResults.read(resultFile) : List.of();
        Map<String, String> about = new LinkedHashMap<>();
        about.put("profile", profile.describe() + (request.jmhArgs().isEmpty() ? "" : "; JMH options " + String.join(" ", request.jmhArgs())));
        about.put("JMH results", resultFile.getFileName().toString());
        about.put("JVM", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        about.put("CPUs", Integer.toString(Runtime.getRuntime().availableProcessors()));
        // Other work on the machine moves the figures; the load says how much there was.
        about.put("load average (1 min) before and after", loadText(loadBefore) + ", " + loadText(loadAverage()));
        about.put("finished", LocalDateTime.now().withNano(0).toString());
        Summary summary = Summary.of(scores, PairTable.PAIRS, about);
        write(summary, dir, out);

        List<Planned> failed = plan.stream()
                .filter(p -> scores.stream().noneMatch(s -> s.benchmark().equals(p.benchmark()) && s.params().equals(p.params())))
                .toList();
        for (Planned p : failed) {
            err.println("os2 bench: no result for " + p.benchmark() + (p.params().isEmpty() ? "" : " " + p.params())
                    + " (it failed; see JMH's output above)");
        }
        return summary.noGoalMissed() && failed.isEmpty() ? 0 : 1;
    }

    private static void write(Summary summary, Path dir, PrintStream out) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.md"), summary.markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("summary.json"), summary.json(), StandardCharsets.UTF_8);
        out.println();
        out.print(summary.table());
        out.println("Written: " + dir.resolve("summary.md") + ", " + dir.resolve("summary.json"));
    }

    private static Path defaultOut() {
        // The launcher names its folder in the environment (a -D flag would be copied into JMH's results).
        String root = System.getenv().getOrDefault("OS2_BENCH_RESULTS", "bench-results");
        return Path.of(root, LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    }

    /** True when {@code plan} has a run of {@code ref}'s benchmark with (at least) its parameters. */
    static boolean covers(List<Planned> plan, BenchmarkRef ref) {
        return plan.stream().anyMatch(p -> p.benchmark().equals(ref.benchmark())
                && p.params().entrySet().containsAll(ref.params().entrySet()));
    }

    /** One benchmark run JMH will make: a benchmark with one value for each of its parameters. */
    record Planned(String benchmark, Map<String, String> params, long millis) {
    }

    /** The runs {@code options} select, with an estimate of their duration. */
    static List<Planned> plan(Options options) {
        List<String> includes = options.getIncludes().isEmpty() ? List.of(".*") : options.getIncludes();
        SortedSet<BenchmarkListEntry> entries = BenchmarkList.defaultList()
                .find(OutputFormatFactory.createFormatInstance(new PrintStream(OutputStream.nullOutputStream()), VerboseMode.SILENT),
                        includes, options.getExcludes());
        List<Planned> plan = new ArrayList<>();
        for (BenchmarkListEntry e : entries) {
            int forks = options.getForkCount().orElse(e.getForks().orElse(5));
            int wi = options.getWarmupIterations().orElse(e.getWarmupIterations().orElse(5));
            long wt = millis(options.getWarmupTime().orElse(e.getWarmupTime().orElse(TimeValue.seconds(10))));
            int mi = options.getMeasurementIterations().orElse(e.getMeasurementIterations().orElse(5));
            long mt = millis(options.getMeasurementTime().orElse(e.getMeasurementTime().orElse(TimeValue.seconds(10))));
            long millis = Math.max(1, forks) * (wi * wt + mi * mt + FORK_OVERHEAD_MILLIS);
            Map<String, String[]> declared = e.getParams().orElse(Map.of());
            List<Map<String, String>> combinations = new ArrayList<>();
            combinations.add(new TreeMap<>());
            for (Map.Entry<String, String[]> p : new TreeMap<>(declared).entrySet()) {
                Collection<String> values = options.getParameter(p.getKey()).orElse(Arrays.asList(p.getValue()));
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> c : combinations) {
                    for (String v : values) {
                        Map<String, String> m = new TreeMap<>(c);
                        m.put(p.getKey(), v);
                        next.add(m);
                    }
                }
                combinations = next;
            }
            for (Map<String, String> c : combinations) {
                plan.add(new Planned(e.getUsername(), Map.copyOf(c), millis));
            }
        }
        return plan;
    }

    private static long millis(TimeValue t) {
        return t.convertTo(java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String loadText(double load) {
        return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", load);
    }

    /** Names in the benchmark list of this jar. */
    static Set<String> benchmarkNames() {
        return plan(new OptionsBuilder().build()).stream().map(Planned::benchmark).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void warnAboutPairsMissingFromJar(PrintStream err) {
        Set<String> names = benchmarkNames();
        for (Pair p : PairTable.PAIRS) {
            for (String b : List.of(p.os2().benchmark(), p.peer().benchmark())) {
                if (!names.contains(b) && !p.pending()) {
                    err.println("os2 bench: the pair \"" + p.name() + "\" names " + b + ", which this build does not have");
                }
            }
        }
    }

    /**
     * Waits while another JMH run on this machine holds JMH's lock file, rather than failing at
     * once as JMH does: two benchmark runs at a time would spoil each other's figures. With
     * {@code -Djmh.ignoreLock=true} (in {@code OS2_JAVA_OPTS}) it does not wait, and JMH runs anyway.
     */
    private static void awaitJmhLock(PrintStream err) throws IOException {
        if (Boolean.getBoolean("jmh.ignoreLock")) {
            return;
        }
        Path lock = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        boolean told = false;
        while (true) {
            try (RandomAccessFile file = new RandomAccessFile(lock.toFile(), "rw"); FileLock held = file.getChannel().tryLock()) {
                if (held != null) {
                    return;
                }
            }
            if (!told) {
                err.println("os2 bench: another JMH run holds " + lock + "; waiting for it to finish"
                        + " (OS2_JAVA_OPTS=-Djmh.ignoreLock=true runs alongside it, with less reliable figures)…");
                told = true;
            }
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + lock, e);
            }
        }
    }
}
