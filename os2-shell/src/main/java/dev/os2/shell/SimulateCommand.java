package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.sim.InvariantChecker;
import dev.os2.kernel.sim.Workload;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code simulate --seed S --steps N}: runs the kernel's seeded random workload
 * ({@link Workload}: submissions with dependencies and budgets, grants, derivations, revocations,
 * cancels, ticks, misuse, and handlers that fail, overspend, loop or invoke each other) against a
 * fresh Chronicle ledger in {@code <workspace>/simulations/seed-S-steps-N/}, checking the kernel's
 * invariants after every step ({@link InvariantChecker}). Prints what happened (tokens by outcome,
 * events by kind) and, as its last line, the ledger's head hash: the same seed and steps give the
 * same head hash in every run, process and machine.
 *
 * <p>Exit 1 when an invariant was broken (the problems are listed before the hash).
 */
@Command(name = "simulate",
        usageHelpAutoWidth = true,
        header = "Run the seeded random workload against a Chronicle ledger; the last line is its head hash.",
        description = {
            "Run the kernel's deterministic simulation: a random but seeded stream of submissions (with dependencies, "
                    + "budgets and priorities), grants, derivations, revocations, cancels, ticks and misuse, with handlers "
                    + "that succeed, fail, overspend, loop, invoke each other, revoke or cancel mid-run. The ledger is a "
                    + "new Chronicle ledger in simulations/seed-S-steps-N/ of the workspace (an earlier run with the same "
                    + "seed and steps is replaced). The kernel's invariants are checked after every step.",
            "Prints tokens by outcome and events by kind, then the state hash, and as the last line the ledger's head "
                    + "hash: the same seed and steps give the same hash in every run, process and machine.",
            "Exit 1 when an invariant was broken."
        })
public final class SimulateCommand implements Callable<Integer> {

    /** Most steps one run may take (a step writes a few entries; a million steps is a few GB of ledger). */
    public static final int MAX_STEPS = 1_000_000;
    /** Runs with at least this many steps show progress on stderr, when stderr is a terminal. */
    static final int PROGRESS_MIN_STEPS = 5_000;

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "The workload's seed, any 64-bit integer. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "1000",
            description = "Steps of the workload, 1 to " + MAX_STEPS + "; the kernel then runs until idle. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int steps;

    @Option(names = "--json", description = "Print one JSON object: seed, steps, ledger, replaced, entries, tokens, events, "
            + "invariant_problems, state_hash and head_hash.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SimulateCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new InputException("--steps must be between 1 and " + MAX_STEPS + ", got " + steps,
                    "For example `" + session.hint("simulate --seed " + seed + " --steps 1000") + "`.");
        }
        Workspace workspace = common.workspace().create();
        Path directory = workspace.simulationsDirectory().resolve("seed-" + seed + "-steps-" + steps);
        boolean replaced = Files.exists(directory);
        if (replaced) {
            delete(directory);
        }
        PrintWriter err = spec.commandLine().getErr();
        boolean progress = session.stderrTerminal() && steps >= PROGRESS_MIN_STEPS;

        Workload.Result result;
        List<String> problems = new ArrayList<>();
        try (Ledger ledger = ChronicleLedger.open(directory)) {
            // The same calls as Workload.run(seed, steps, ledger), one step at a time, with the
            // invariant checker watching: it only reads, so the ledger is the same as without it.
            Workload workload = new Workload(seed);
            try (Kernel kernel = Kernel.create(workload.config(), ledger)) {
                workload.attach(kernel);
                InvariantChecker checker = InvariantChecker.attach(kernel);
                int every = Math.max(1, steps / 100);
                for (int i = 1; i <= steps; i++) {
                    workload.step();
                    checker.afterStep();
                    if (progress && i % every == 0) {
                        err.print("\rsimulate: step " + i + " of " + steps + " (" + (100L * i / steps) + "%), "
                                + ledger.size() + " entries");
                        err.flush();
                    }
                }
                kernel.runUntilIdle();
                checker.afterStep();
                checker.finish();
                problems.addAll(checker.problems());
                checker.detach();
                problems.addAll(workload.problems());
                result = workload.result(kernel);
            }
        } finally {
            if (progress) {
                err.print("\r\u001b[K");
                err.flush();
            }
        }

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(result, directory, replaced, problems));
        } else {
            printSummary(out, result, directory, replaced, problems);
        }
        out.flush();
        return problems.isEmpty() ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }

    /** Tokens by outcome: how many were submitted, then each outcome in name order, then those still live. */
    static Map<String, Long> tokensByOutcome(KernelState.TokenCounts c) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("submitted", c.submitted());
        m.put("budget_exceeded", c.budgetExceeded());
        m.put("cancelled", c.cancelled());
        m.put("completed", c.completed());
        m.put("failed", c.failed());
        m.put("rejected", c.rejected());
        m.put("violation", c.violations());
        m.put("unfinished", c.submitted() - c.ended());
        return m;
    }

    private void printSummary(PrintWriter out, Workload.Result r, Path directory, boolean replaced, List<String> problems) {
        Style style = Style.of(session);
        out.println(style.bold("Simulation") + " with seed " + r.seed() + ", " + r.steps() + " steps, then until idle:");
        out.println("  ledger  " + directory + (replaced ? " (replaced the earlier run there)" : ""));
        out.println("  " + r.entries() + " entries");
        out.println();
        out.println("Tokens by outcome:");
        printCounts(out, tokensByOutcome(r.counts()));
        out.println("Events by kind:");
        printCounts(out, r.eventsByKind());
        out.println();
        if (problems.isEmpty()) {
            out.println("Invariants " + style.good("held") + " after every step, and the ledger verifies.");
        } else {
            out.println(style.bad(problems.size() + (problems.size() == 1 ? " invariant problem" : " invariant problems"))
                    + " (seed " + r.seed() + " reproduces them):");
            problems.stream().limit(20).forEach(p -> out.println("  " + Table.clean(p)));
            if (problems.size() > 20) {
                out.println("  … and " + (problems.size() - 20) + " more (--json lists them all)");
            }
        }
        out.println("State hash: " + r.stateHash().toHex());
        out.println("Ledger head hash (the same seed and steps give the same hash on every run and machine):");
        out.println(r.ledgerHead().toHex());
    }

    private static void printCounts(PrintWriter out, Map<String, Long> counts) {
        int width = counts.keySet().stream().mapToInt(String::length).max().orElse(0);
        int digits = counts.values().stream().mapToInt(v -> Long.toString(v).length()).max().orElse(1);
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            String n = Long.toString(e.getValue());
            out.println("  " + e.getKey() + " ".repeat(width - e.getKey().length() + 2 + digits - n.length()) + n);
        }
    }

    private static ObjectNode toJson(Workload.Result r, Path directory, boolean replaced, List<String> problems) {
        ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
        o.put("seed", r.seed());
        o.put("steps", r.steps());
        o.put("ledger", directory.toString());
        o.put("replaced", replaced);
        o.put("entries", r.entries());
        ObjectNode tokens = o.putObject("tokens");
        tokensByOutcome(r.counts()).forEach(tokens::put);
        ObjectNode events = o.putObject("events");
        r.eventsByKind().forEach(events::put);
        ArrayNode p = o.putArray("invariant_problems");
        problems.forEach(p::add);
        o.put("state_hash", r.stateHash().toHex());
        o.put("head_hash", r.ledgerHead().toHex());
        return o;
    }

    /** Deletes an earlier simulation's folder, deepest files first. */
    private static void delete(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new LedgerException(LedgerException.Category.IO, "cannot replace the earlier simulation in " + directory
                    + ": " + Workspace.describe(e), e);
        }
    }
}
