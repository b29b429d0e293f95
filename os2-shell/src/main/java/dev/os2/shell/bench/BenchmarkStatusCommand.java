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
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deterministic-benchmark status}: lists the runs recorded under the releases folder,
 * oldest first, and compares each scenario's latest run with its previous one (same scenario and
 * size): throughput lower, or p50 or p99 latency higher, by more than the threshold is a
 * regression (exit 1). A ledger head that changed although the seed did not is reported too,
 * without failing: it means the kernel now records something else, which a change may intend.
 */
@Command(name = "status",
        usageHelpAutoWidth = true,
        header = "List earlier benchmark runs and flag regressions against the previous run (exit 1).",
        description = {
            "Lists the runs recorded under <releases>/*/benchmarks/ (and their history/ folders), oldest first, and "
                    + "compares the latest run of each scenario with the previous run of the same scenario and size. "
                    + "Throughput lower, or p50 or p99 latency higher, by more than --threshold percent is a regression: "
                    + "exit 1. A head that differs from the previous run with the same seed is listed as a change."
        })
public final class BenchmarkStatusCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--threshold", paramLabel = "PCT", defaultValue = "10",
            description = "How much worse a figure may get before it is a regression, in percent. Default: ${DEFAULT-VALUE}.")
    private double threshold;

    @Option(names = "--releases", paramLabel = "DIR", defaultValue = "releases",
            description = "The releases folder. Default: ./${DEFAULT-VALUE}.")
    private Path releases;

    @Option(names = "--json", description = "Print one JSON object: runs, regressions, head_changes, unreadable.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public BenchmarkStatusCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        if (!(threshold >= 0) || threshold > 1_000_000) {
            throw new InputException("--threshold must be a percentage from 0 to 1000000, got " + threshold,
                    "For example `" + session.hint("deterministic-benchmark status --threshold 10") + "`.");
        }
        ReportHistory history = ReportHistory.scan(releases.toAbsolutePath().normalize());
        List<ReportHistory.Regression> regressions = history.regressions(threshold);
        List<ReportHistory.HeadChange> changes = history.headChanges();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(history, regressions, changes));
        } else {
            print(out, history, regressions, changes);
        }
        out.flush();
        return regressions.isEmpty() ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }

    private void print(PrintWriter out, ReportHistory history, List<ReportHistory.Regression> regressions,
            List<ReportHistory.HeadChange> changes) {
        Style style = Style.of(session);
        if (history.runs().isEmpty()) {
            out.println("No benchmark runs under " + history.releases() + " yet. Run `"
                    + session.hint("deterministic-benchmark run") + "` to record one.");
        } else {
            out.println(style.bold("Benchmark runs") + " under " + history.releases() + ", oldest first:");
            Table t = new Table(out, style, List.of("scenario", "size", "tag", "started (UTC)", "seed", "ops/s", "p50", "p99",
                    "p99.9", "head"), new int[] {20, 8, 16, 24, 20, 14, 10, 10, 10, 16}, (col, cell) -> cell, 0);
            for (Summary s : history.runs()) {
                t.add(List.of(s.scenario(), s.size(), s.tag(), s.startedAt().toString(), Long.toString(s.seed()),
                        HtmlReport.rate(s.operationsPerSecond()), HtmlReport.nanos(s.latency().p50()),
                        HtmlReport.nanos(s.latency().p99()), HtmlReport.nanos(s.latency().p999()),
                        s.headHash().substring(0, 12) + "…" + (s.headsIdentical() ? "" : " (runs differed)")));
            }
            t.flush();
        }
        for (String u : history.unreadable()) {
            out.println(style.warn("Skipped: " + u));
        }
        out.println();
        if (regressions.isEmpty()) {
            out.println("No regression beyond " + pct(threshold) + " against the previous run of any scenario.");
        } else {
            out.println(style.bad(regressions.size() + (regressions.size() == 1 ? " regression" : " regressions"))
                    + " beyond " + pct(threshold) + " (latest run against the previous run of the same scenario and size):");
            for (ReportHistory.Regression r : regressions) {
                out.println("  " + r.scenario() + " (" + r.size() + "): " + describe(r));
            }
        }
        for (ReportHistory.HeadChange c : changes) {
            out.println(style.warn("Head changed") + ": " + c.latestRun().scenario() + " (" + c.latestRun().size() + ", seed "
                    + c.latestRun().seed() + ") ended at " + c.latestRun().headHash().substring(0, 12) + "… in " + c.latestRun().tag()
                    + " but at " + c.previousRun().headHash().substring(0, 12) + "… in " + c.previousRun().tag()
                    + ": the kernel now records something else for the same workload.");
        }
    }

    private static String describe(ReportHistory.Regression r) {
        boolean throughput = r.figure().equals("throughput");
        String before = throughput ? HtmlReport.rate(r.previous()) + " ops/s" : HtmlReport.nanos((long) r.previous());
        String after = throughput ? HtmlReport.rate(r.latest()) + " ops/s" : HtmlReport.nanos((long) r.latest());
        return r.figure() + " " + before + " (" + r.previousRun().tag() + ", " + r.previousRun().startedAt() + ") -> " + after
                + " (" + r.latestRun().tag() + ", " + r.latestRun().startedAt() + "), "
                + String.format(Locale.ROOT, "%+.1f%%", r.changePercent());
    }

    private static String pct(double v) {
        return (v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v)) + "%";
    }

    private ObjectNode toJson(ReportHistory history, List<ReportHistory.Regression> regressions, List<ReportHistory.HeadChange> changes) {
        ObjectNode o = BenchmarkReport.JSON.createObjectNode();
        o.put("releases", history.releases().toString());
        o.put("threshold_percent", threshold);
        ArrayNode runs = o.putArray("runs");
        for (Summary s : history.runs()) {
            ObjectNode x = runs.addObject();
            x.put("scenario", s.scenario());
            x.put("size", s.size());
            x.put("tag", s.tag());
            x.put("started_at", s.startedAt().toString());
            x.put("seed", s.seed());
            x.put("report", s.file().toString());
            x.put("operations_per_s", s.operationsPerSecond());
            x.put("p50_ns", s.latency().p50());
            x.put("p99_ns", s.latency().p99());
            x.put("p999_ns", s.latency().p999());
            x.put("max_ns", s.latency().max());
            x.put("head_hash", s.headHash());
            x.put("heads_identical", s.headsIdentical());
        }
        ArrayNode r = o.putArray("regressions");
        for (ReportHistory.Regression g : regressions) {
            ObjectNode x = r.addObject();
            x.put("scenario", g.scenario());
            x.put("size", g.size());
            x.put("figure", g.figure());
            x.put("previous", g.previous());
            x.put("latest", g.latest());
            x.put("change_percent", Math.round(g.changePercent() * 10) / 10.0);
            x.put("previous_report", g.previousRun().file().toString());
            x.put("latest_report", g.latestRun().file().toString());
        }
        ArrayNode c = o.putArray("head_changes");
        for (ReportHistory.HeadChange h : changes) {
            ObjectNode x = c.addObject();
            x.put("scenario", h.latestRun().scenario());
            x.put("size", h.latestRun().size());
            x.put("seed", h.latestRun().seed());
            x.put("previous_head", h.previousRun().headHash());
            x.put("latest_head", h.latestRun().headHash());
            x.put("previous_report", h.previousRun().file().toString());
            x.put("latest_report", h.latestRun().file().toString());
        }
        ArrayNode u = o.putArray("unreadable");
        history.unreadable().forEach(u::add);
        return o;
    }
}
