package dev.os2.shell.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.shell.CommonOptions;
import dev.os2.shell.InputException;
import dev.os2.shell.Os2;
import dev.os2.shell.Session;
import dev.os2.shell.Style;
import dev.os2.shell.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scenario-run [--seed S] [--steps N] [--faults]}: a seeded simulation with fault injection
 * ({@link FaultSimulation}). Prints the faults injected and what came of each, then the result;
 * on failure, every problem, the seed and the exact command that reproduces it, and exit 1.
 */
@Command(name = "scenario-run",
        usageHelpAutoWidth = true,
        header = "Seeded simulation with fault injection (kill and recover the ledger, revoke under load, exhaust budgets, "
                + "corrupt snapshot bundles), asserting the kernel's invariants.",
        description = {
            "Runs the kernel's seeded random workload on a Chronicle ledger in a scratch folder, checking the invariants on "
                    + "every entry and after every step. With --faults it also injects faults on a schedule derived from the "
                    + "seed alone: kills of the ledger at arbitrary entries (the files are reopened and the kernel recovered "
                    + "from them), revocation of all of a subject's grants with its tokens queued, looping tokens under small "
                    + "budgets, snapshot bundles with a flipped bit, cut short, or altered and re-framed (each must be refused), "
                    + "a valid snapshot of another kernel (refused), and rollbacks.",
            "At the end the ledger must verify, replays from genesis and from the latest snapshot must reach the live state, "
                    + "and the ledger reopened from its files must end at the same head. The same seed, steps and --faults give "
                    + "the same faults and the same head hash (the last line).",
            "Exit 1 when a check failed: the problems are listed with the command that reproduces them."
        })
public final class ScenarioRunCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "The seed of the workload and of the fault schedule. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "2000",
            description = "Workload steps, 1 to " + FaultSimulation.MAX_STEPS + ". Default: ${DEFAULT-VALUE}.")
    private int steps;

    @Option(names = "--faults", description = "Inject faults (see above). Without it, the workload runs with the checks only.")
    private boolean faults;

    @Option(names = "--kill-process", description = "Run the first twentieth of the steps in a child JVM, kill it with SIGKILL "
            + "while it holds the ledger open, and go on from its files (the run comes to the same head as without).")
    private boolean killProcess;

    @Option(names = "--scratch", paramLabel = "DIR",
            description = "Where the ledger and snapshots go (a new folder inside). Default: the system's temporary folder.")
    private Path scratch;

    @Option(names = "--keep", description = "Keep the scratch folder (ledger and snapshots) for inspection; its path is printed.")
    private boolean keep;

    @Option(names = "--json", description = "Print one JSON object: seed, steps, faults, passed, log, problems, reproduce, "
            + "entries, checks, state_hash, head_hash.")
    private boolean json;

    // A check of the checks: damages the ledger file on disk after this step, so the run must fail.
    @Option(names = "--damage-ledger-at", paramLabel = "STEP", hidden = true, defaultValue = "0",
            description = "Testing the harness: damage an entry of the ledger file on disk after STEP; the run must fail.")
    private int damageAtStep;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public ScenarioRunCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        if (steps < 1 || steps > FaultSimulation.MAX_STEPS) {
            throw new InputException("--steps must be between 1 and " + FaultSimulation.MAX_STEPS + ", got " + steps,
                    "For example `" + session.hint("scenario-run --seed " + seed + " --steps 2000 --faults") + "`.");
        }
        if (damageAtStep < 0 || damageAtStep > steps) {
            throw new InputException("--damage-ledger-at must be a step from 1 to " + steps + ", or 0, got " + damageAtStep, "");
        }
        Path base = scratch == null ? Path.of(System.getProperty("java.io.tmpdir")) : scratch;
        if (!Files.isDirectory(base)) {
            throw new InputException("the scratch folder " + base + " does not exist", "Create it, or leave out --scratch.");
        }
        Path dir = Files.createTempDirectory(base, "os2-scenario-" + seed + "-");
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = new ProgressBar(err, session.stderrTerminal() && steps >= 500);
        int every = Math.max(1, steps / 100);
        FaultSimulation.Outcome outcome;
        try {
            outcome = FaultSimulation.run(seed, steps, faults, damageAtStep, killProcess, dir, s -> {
                if (s % every == 0) {
                    bar.show("scenario-run seed " + seed, s, steps);
                }
            });
        } finally {
            bar.clear();
            if (!keep) {
                BenchmarkRunCommand.delete(dir);
            }
        }
        String reproduce = session.hint("scenario-run --seed " + seed + " --steps " + steps + (faults ? " --faults" : "")
                + (killProcess ? " --kill-process" : "")
                + (damageAtStep > 0 ? " --damage-ledger-at " + damageAtStep : ""));
        session.services().annotate("seed", seed);
        session.services().annotate("steps", steps);
        session.services().annotate("faults", faults);
        session.services().annotate("passed", outcome.passed());
        if (outcome.head() != null) {
            session.services().annotate("head_hash", outcome.head().toHex());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(outcome, reproduce, keep ? dir : null));
        } else {
            print(out, outcome, reproduce, keep ? dir : null);
        }
        out.flush();
        if (!outcome.passed()) {
            err.println("os2: scenario-run with seed " + seed + " found " + outcome.problems().size()
                    + (outcome.problems().size() == 1 ? " problem" : " problems") + ", the first: " + outcome.problems().get(0)
                    + ". Reproduce with `" + reproduce + "`.");
            return Os2.EXIT_CHECK_FAILED;
        }
        return Os2.EXIT_OK;
    }

    private void print(PrintWriter out, FaultSimulation.Outcome o, String reproduce, Path kept) {
        Style style = Style.of(session);
        out.println(style.bold("Scenario run") + ": seed " + o.seed() + ", " + o.steps() + " steps, faults "
                + (o.faults() ? "on (schedule derived from the seed)" : "off"));
        if (kept != null) {
            out.println("  scratch  " + kept + " (kept)");
        }
        if (!o.log().isEmpty()) {
            out.println();
            out.println("Faults injected:");
            for (String line : o.log()) {
                out.println("  " + Table.clean(line));
            }
        }
        out.println();
        if (o.passed()) {
            out.println("Invariants " + style.good("held") + " on every one of " + o.entries() + " entries and in " + o.checks()
                    + " checks between steps; the ledger verifies; " + (o.snapshots() > 0
                            ? "replays from genesis and from the latest of " + o.snapshots() + " snapshots reach the live state"
                            : "a replay from genesis reaches the live state")
                    + "; the ledger reopened from its files ends at the same head.");
        } else {
            out.println(style.bad("FAILED") + ": " + o.problems().size() + (o.problems().size() == 1 ? " problem" : " problems")
                    + " (seed " + o.seed() + " reproduces them):");
            o.problems().stream().limit(30).forEach(p -> out.println("  " + Table.clean(p)));
            if (o.problems().size() > 30) {
                out.println("  … and " + (o.problems().size() - 30) + " more (--json lists them all)");
            }
            out.println("Reproduce: " + reproduce);
        }
        if (o.stateHash() != null) {
            out.println("State hash: " + o.stateHash().toHex());
        }
        if (o.head() != null) {
            out.println("Ledger head hash (the same seed, steps and --faults give the same hash):");
            out.println(o.head().toHex());
        }
    }

    private static ObjectNode toJson(FaultSimulation.Outcome o, String reproduce, Path kept) {
        ObjectNode j = BenchmarkReport.JSON.createObjectNode();
        j.put("seed", o.seed());
        j.put("steps", o.steps());
        j.put("faults", o.faults());
        j.put("passed", o.passed());
        ArrayNode log = j.putArray("log");
        o.log().forEach(log::add);
        ArrayNode problems = j.putArray("problems");
        o.problems().forEach(problems::add);
        j.put("reproduce", reproduce);
        if (kept != null) {
            j.put("scratch", kept.toString());
        }
        j.put("entries", o.entries());
        j.put("checks", o.checks());
        j.put("state_hash", o.stateHash() == null ? null : o.stateHash().toHex());
        j.put("head_hash", o.head() == null ? null : o.head().toHex());
        return j;
    }
}
