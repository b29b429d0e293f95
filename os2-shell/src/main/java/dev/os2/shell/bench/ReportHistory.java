package dev.os2.shell.bench;

import dev.os2.shell.bench.BenchmarkReport.Summary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The benchmark runs recorded under a releases folder: every
 * {@code releases/<tag>/benchmarks/<scenario>.json}, and the earlier reports of a tag that later
 * runs replaced ({@code benchmarks/history/}), ordered by the time they started.
 *
 * <p>Comparisons are between runs of the same scenario and size: the latest run against the one
 * before it. Throughput lower, or latency (p50, p99) higher, by more than the threshold is a
 * regression. A ledger head that differs from the previous run with the same seed is a change in
 * what the kernel records: not a regression of speed, but worth a look (an intended change of the
 * kernel or the scenario, or lost determinism).
 */
final class ReportHistory {

    private final Path releases;
    private final List<Summary> runs;
    private final List<String> unreadable;

    private ReportHistory(Path releases, List<Summary> runs, List<String> unreadable) {
        this.releases = releases;
        this.runs = runs;
        this.unreadable = unreadable;
    }

    /**
     * Reads every report under {@code releases}; an absent folder has none.
     *
     * @throws IOException if a folder cannot be listed
     */
    static ReportHistory scan(Path releases) throws IOException {
        List<Summary> runs = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        if (Files.isDirectory(releases)) {
            List<Path> files = new ArrayList<>();
            try (Stream<Path> tags = Files.list(releases)) {
                for (Path tag : tags.sorted().toList()) {
                    Path bench = tag.resolve("benchmarks");
                    files.addAll(jsonFiles(bench));
                    files.addAll(jsonFiles(bench.resolve(BenchmarkReport.HISTORY_DIRECTORY)));
                }
            }
            for (Path f : files) {
                try {
                    runs.add(BenchmarkReport.read(f));
                } catch (BenchmarkReport.ReportException e) {
                    unreadable.add(e.getMessage());
                }
            }
        }
        runs.sort(Comparator.comparing(Summary::startedAt).thenComparing(s -> s.file().toString()));
        return new ReportHistory(releases, List.copyOf(runs), List.copyOf(unreadable));
    }

    private static List<Path> jsonFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    /** The releases folder. */
    Path releases() {
        return releases;
    }

    /** Every readable run, oldest first. */
    List<Summary> runs() {
        return runs;
    }

    /** Why some files could not be read, one sentence each. */
    List<String> unreadable() {
        return unreadable;
    }

    /** The latest run of the same scenario and size that started before {@code run}. */
    Optional<Summary> previous(Summary run) {
        Summary found = null;
        for (Summary s : runs) {
            if (s.scenario().equals(run.scenario()) && s.size().equals(run.size()) && s.startedAt().isBefore(run.startedAt())
                    && !s.file().equals(run.file())) {
                found = s;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The latest run of each scenario and size, in order of first appearance. */
    List<Summary> latest() {
        Map<String, Summary> latest = new LinkedHashMap<>();
        for (Summary s : runs) {
            latest.put(s.scenario() + " " + s.size(), s);
        }
        return List.copyOf(latest.values());
    }

    /**
     * A figure that got worse by more than the threshold.
     *
     * @param scenario the scenario
     * @param size the size
     * @param figure {@code throughput}, {@code p50} or {@code p99}
     * @param previous the previous run's value (operations per second, or nanoseconds)
     * @param latest the latest run's value
     * @param changePercent the change, in percent of the previous value (negative for a drop)
     * @param previousRun the previous run
     * @param latestRun the latest run
     */
    record Regression(String scenario, String size, String figure, double previous, double latest, double changePercent,
            Summary previousRun, Summary latestRun) {
    }

    /**
     * A ledger head that differs from the previous run's with the same seed and size.
     *
     * @param previousRun the previous run
     * @param latestRun the latest run
     */
    record HeadChange(Summary previousRun, Summary latestRun) {
    }

    /** The regressions of each scenario's latest run against its previous one, beyond {@code thresholdPercent}. */
    List<Regression> regressions(double thresholdPercent) {
        List<Regression> found = new ArrayList<>();
        for (Summary latest : latest()) {
            Optional<Summary> prev = previous(latest);
            if (prev.isEmpty()) {
                continue;
            }
            Summary p = prev.get();
            check(found, "throughput", p.operationsPerSecond(), latest.operationsPerSecond(), false, thresholdPercent, p, latest);
            check(found, "p50", p.latency().p50(), latest.latency().p50(), true, thresholdPercent, p, latest);
            check(found, "p99", p.latency().p99(), latest.latency().p99(), true, thresholdPercent, p, latest);
        }
        return found;
    }

    private static void check(List<Regression> found, String figure, double previous, double latest, boolean higherIsWorse,
            double threshold, Summary p, Summary l) {
        if (previous <= 0) {
            return;
        }
        double change = (latest - previous) / previous * 100;
        if (higherIsWorse ? change > threshold : -change > threshold) {
            found.add(new Regression(l.scenario(), l.size(), figure, previous, latest, change, p, l));
        }
    }

    /** Latest runs whose head differs from the previous run with the same seed and size. */
    List<HeadChange> headChanges() {
        List<HeadChange> found = new ArrayList<>();
        for (Summary latest : latest()) {
            previous(latest).filter(p -> p.seed() == latest.seed() && !p.headHash().equals(latest.headHash()))
                    .ifPresent(p -> found.add(new HeadChange(p, latest)));
        }
        return found;
    }
}
