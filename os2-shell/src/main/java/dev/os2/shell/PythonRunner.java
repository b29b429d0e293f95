package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityLimits;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelToken;
import dev.os2.ledger.CanonicalJson;
import dev.os2.shell.python.RunResult;
import dev.os2.shell.python.TerminalSafeOutputStream;
import dev.os2.snapshot.SnapshotFileException;
import dev.os2.snapshot.SnapshotPolicy;
import dev.os2.snapshot.SnapshotService;
import dev.os2.snapshot.SnapshotState;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * What {@code python}, {@code pyvm run} and {@code pyx} share: one script run as one
 * {@code python.exec} token of the workspace kernel, its output streamed to the command's writers
 * as the script produces it, then a one-line account of anything but a clean completion, the
 * optional snapshot, the transcript details, and the exit status.
 *
 * <p>Exit status: 0 when the script completed; 1 when the kernel refused the token or the run did
 * not complete (an exception, a non-zero {@code sys.exit}, the budget, a fuse, a capability
 * violation): the work was recorded either way. Usage errors (no script, a missing file) are
 * {@link InputException}s, exit 2, before anything is recorded.
 */
final class PythonRunner {

    /** The statement budget of a run when neither {@code --token-budget} nor the policy sets a smaller one. */
    static final long DEFAULT_STATEMENT_BUDGET = 1_000_000;
    /**
     * Most UTF-8 bytes of a script (it travels in the token's arguments, which the ledger records
     * and the kernel limits to 64 KiB with the rest); larger programs go in workspace modules.
     */
    static final int SOURCE_BYTES_MAX = 48 << 10;

    private PythonRunner() {
    }

    /**
     * The script to run.
     *
     * @param kind the token's kind label ({@code python}, {@code pyvm}, {@code pyx})
     * @param name its file name as Python sees it
     * @param source its text
     * @param argv {@code sys.argv[1:]}
     */
    record Script(String kind, String name, String source, List<String> argv) {
    }

    /**
     * How to run it.
     *
     * @param tokenBudget the statement budget, or null for the default (and the policy's)
     * @param seed the seed of {@code random}, or null to derive it from the kernel's seed and the token
     * @param subject who runs it
     * @param tag a snapshot label to take after the run, or null
     * @param json print one JSON object instead of streaming
     */
    record Options(Long tokenBudget, Long seed, String subject, String tag, boolean json) {
    }

    /** What the run came to, for the command to finish with. */
    record Report(TokenRunner.Outcome outcome, long tokenBudget, String seed, String outputSha256, String snapshot,
            String headHash) {
    }

    /**
     * Checks a script's size before anything runs.
     *
     * @throws InputException if it is larger than {@link #SOURCE_BYTES_MAX}
     */
    static void checkSize(String source, String what) {
        int bytes = source.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > SOURCE_BYTES_MAX) {
            throw new InputException(what + " is " + bytes + " bytes; a script may have at most " + SOURCE_BYTES_MAX,
                    "Move most of it into modules under <workspace>/" + WorkspacePython.MODULES_DIRECTORY
                            + "/ and import them (modules may be up to 1 MiB each).");
        }
    }

    /**
     * Runs the script and prints what the command shows after it; the command returns
     * {@link #exitStatus} of the report's outcome. On the command's thread; an interrupt stops the
     * script and is kept.
     */
    static Report run(Session session, PrintWriter out, PrintWriter err, CommonOptions common, Script script, Options options) {
        if (options.tokenBudget() != null && (options.tokenBudget() < 1 || options.tokenBudget() > Budget.MAX_FINITE)) {
            throw new InputException("--token-budget must be from 1 to 2^53 statements, got " + options.tokenBudget(),
                    "Give a positive number of statements.");
        }
        if (options.tag() != null && (options.tag().isEmpty() || options.tag().length() > 128)) {
            throw new InputException("--tag must be 1 to 128 characters", "Give a shorter label.");
        }
        checkSize(script.source(), "the script");
        OutputStream stdout;
        OutputStream stderr;
        if (options.json()) {
            stdout = OutputStream.nullOutputStream();
            stderr = OutputStream.nullOutputStream();
        } else {
            stdout = new WriterOutputStream(out);
            stderr = new WriterOutputStream(err);
            if (session.stdoutTerminal()) {
                stdout = new TerminalSafeOutputStream(stdout);
            }
            if (session.stderrTerminal()) {
                stderr = new TerminalSafeOutputStream(stderr);
            }
        }
        OutputStream runOut = stdout;
        OutputStream runErr = stderr;
        Report report = session.services().withKernel(common.workspace(), wk -> {
            Kernel kernel = wk.kernel();
            CapabilityLimits limits = kernel.state().policy().orElse(kernel.config().limits());
            Budget policy = limits.forCapability(ShellCapabilities.PYTHON_EXEC);
            long budget = options.tokenBudget() != null ? options.tokenBudget()
                    : Math.min(DEFAULT_STATEMENT_BUDGET, policy.tokens());
            ObjectNode args = LedgerVerifyCommand.JSON.createObjectNode();
            args.put("name", script.name());
            args.put("source", script.source());
            args.set("argv", PythonExecHandler.argv(script.argv()));
            if (options.seed() != null) {
                args.put("seed", Long.toString(options.seed()));
            }
            args.put("statement_budget", budget);
            KernelInput.SubmitToken submit = KernelInput.SubmitToken.of(options.subject(), ShellCapabilities.PYTHON_EXEC,
                    CanonicalJson.of(args)).withBudget(policy.withTokens(budget)).withKind(script.kind());
            TokenRunner.Outcome outcome = TokenRunner.run(wk, submit, runOut, runErr, false);
            String snapshot = null;
            if (options.tag() != null && outcome.submitted().ok()) {
                try (SnapshotService svc = SnapshotService.attach(kernel, SnapshotShowCommand.store(wk.workspace()),
                        SnapshotPolicy.MANUAL)) {
                    SnapshotState s = svc.create(options.tag());
                    snapshot = s.id().toString();
                } catch (SnapshotFileException e) {
                    throw SnapshotShowCommand.inputError(e, session);
                }
            }
            JsonNode output = outcome.custom("python_output").orElse(null);
            return new Report(outcome, budget, output == null ? options.seed() == null ? "" : Long.toString(options.seed())
                    : output.path("seed").asText(), output == null ? "" : output.path("output_sha256").asText(), snapshot,
                    kernel.ledger().headHash().toHex());
        });
        try {
            stdout.flush();
            stderr.flush();
        } catch (java.io.IOException e) {
            // The writers of a command do not fail; a closed terminal loses the tail, as any output would.
        }
        TokenRunner.Outcome outcome = report.outcome();
        if (outcome.interrupted()) {
            // Handed back now that the kernel and its ledger are closed.
            Thread.currentThread().interrupt();
        }
        annotate(session.services(), script, options, report);
        Optional<RunResult> result = outcome.python();
        if (options.json()) {
            out.println(json(script, options, report));
            out.flush();
            return report;
        }
        String problem = problem(session, script, options, report);
        if (result.isPresent() && result.get() instanceof RunResult.Failed failed) {
            for (String line : failed.traceback()) {
                err.println(Table.clean(line));
            }
            if (failed.traceback().isEmpty()) {
                err.println(Table.clean(failed.exceptionType() + ": " + failed.message()));
            }
        }
        if (problem != null) {
            err.println("os2: " + problem);
        }
        if (report.snapshot() != null) {
            err.println("os2: took snapshot " + report.snapshot() + " \"" + Table.clean(options.tag()) + "\" after token t"
                    + outcome.token().value() + ".");
        }
        err.flush();
        out.flush();
        return report;
    }

    static int exitStatus(TokenRunner.Outcome outcome) {
        return outcome.status() == KernelToken.Status.COMPLETED ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }

    /** One sentence (no "os2: ") about a run that did not complete, or null when it did. */
    private static String problem(Session session, Script script, Options options, Report report) {
        TokenRunner.Outcome outcome = report.outcome();
        long token = outcome.token().value();
        JsonNode p = outcome.endingPayload();
        if (!outcome.submitted().ok()) {
            String reason = outcome.submitted().reason();
            if (List.of("not_granted", "revoked", "expired").contains(reason)) {
                return ShellCapabilities.PYTHON_EXEC + " is not available to " + options.subject() + " (" + reason.replace('_', ' ')
                        + "; token t" + token + " was rejected). Grant it with `" + session.hint("cap-grant "
                        + ShellCapabilities.PYTHON_EXEC + " " + options.subject()) + "`.";
            }
            return "the kernel rejected token t" + token + " (" + reason + "): " + Table.clean(String.valueOf(outcome.submitted().detail()))
                    + ". Nothing ran.";
        }
        Optional<RunResult> result = outcome.python();
        if (outcome.interrupted()) {
            return "interrupted: token t" + token + " was stopped and recorded as python_watchdog_stopped (not deterministic).";
        }
        return switch (outcome.status()) {
            case COMPLETED -> null;
            case BUDGET_EXCEEDED -> {
                String where = result.filter(r -> r instanceof RunResult.BudgetExceeded)
                        .map(r -> " at " + ((RunResult.BudgetExceeded) r).file() + ":" + ((RunResult.BudgetExceeded) r).line())
                        .orElse("");
                yield "the token budget ran out after " + result.map(RunResult::statementsUsed).orElse(0L) + " statements" + where
                        + " (" + KernelEvents.RESOURCE_BUDGET_EXCEEDED + ": " + p.path("resource").asText() + ", token t" + token
                        + "). Give a larger --token-budget to go further.";
            }
            case VIOLATION -> "token t" + token + " was stopped by a " + KernelEvents.CAPABILITY_VIOLATION + " ("
                    + p.path("reason").asText() + "): " + Table.clean(p.path("detail").asText()) + ".";
            case FAILED -> {
                if (result.isPresent() && result.get() instanceof RunResult.WatchdogStopped w) {
                    yield "the run was stopped by the " + PythonExecHandler.fuse(w.cause()) + " after " + w.elapsedMillis()
                            + " ms; this stop is not deterministic (python_watchdog_stopped, token t" + token + ").";
                }
                if (result.isPresent() && result.get() instanceof RunResult.Refused r) {
                    yield "the sandbox refused the script: " + Table.clean(r.reason()) + ".";
                }
                if (result.isPresent() && result.get() instanceof RunResult.Failed) {
                    yield null;
                }
                yield "token t" + token + " failed: " + Table.clean(p.path("error").asText()) + ".";
            }
            case CANCELLED -> "token t" + token + " was cancelled.";
            case REJECTED -> "token t" + token + " was rejected.";
            case WAITING, READY, RUNNING -> "token t" + token + " did not finish (" + outcome.status() + ").";
        };
    }

    private static void annotate(ShellServices services, Script script, Options options, Report report) {
        TokenRunner.Outcome outcome = report.outcome();
        services.annotate("token", outcome.token().value());
        services.annotate("subject", options.subject());
        services.annotate("capability", ShellCapabilities.PYTHON_EXEC);
        services.annotate("budget", report.tokenBudget());
        if (!report.seed().isEmpty()) {
            services.annotate("seed", report.seed());
        }
        outcome.python().ifPresent(r -> services.annotate("statements_used", r.statementsUsed()));
        if (!report.outputSha256().isEmpty()) {
            services.annotate("output_sha256", report.outputSha256());
        }
        services.annotate("outcome", outcome.outcomeKind());
        services.annotate("ledger_positions", List.of(outcome.fromPosition(), outcome.toPosition()));
        if (report.snapshot() != null) {
            services.annotate("snapshot", report.snapshot());
        }
    }

    private static ObjectNode json(Script script, Options options, Report report) {
        TokenRunner.Outcome outcome = report.outcome();
        ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
        o.put("token", outcome.token().value());
        o.put("subject", options.subject());
        o.put("name", script.name());
        o.put("outcome", outcome.outcomeKind());
        o.put("token_budget", report.tokenBudget());
        o.put("seed", report.seed());
        Optional<RunResult> result = outcome.python();
        o.put("statements_used", result.map(RunResult::statementsUsed).orElse(0L));
        o.put("output_sha256", report.outputSha256());
        o.put("stdout", result.map(r -> r.output().stdoutText()).orElse(""));
        o.put("stderr", result.map(r -> r.output().stderrText()).orElse(""));
        if (result.isPresent() && result.get() instanceof RunResult.Failed f) {
            o.put("exception", f.exceptionType());
            o.put("message", f.message());
            o.set("traceback", LedgerVerifyCommand.JSON.valueToTree(f.traceback()));
        }
        if (result.isPresent() && result.get() instanceof RunResult.BudgetExceeded b) {
            o.put("stopped_at", b.file() + ":" + b.line());
        }
        if (result.isPresent() && result.get() instanceof RunResult.WatchdogStopped w) {
            o.put("watchdog", w.cause().name().toLowerCase(java.util.Locale.ROOT));
            o.put("deterministic", false);
        }
        if (!outcome.submitted().ok()) {
            o.put("rejected", outcome.submitted().reason());
        }
        if (outcome.status() == KernelToken.Status.VIOLATION) {
            o.put("violation", outcome.endingPayload().path("reason").asText());
        }
        o.put("snapshot", report.snapshot());
        o.putArray("ledger_positions").add(outcome.fromPosition()).add(outcome.toPosition());
        o.put("head_hash", report.headHash());
        return o;
    }
}
