package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.Grant;
import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.InvalidInputException;
import dev.os2.kernel.InvocationFailedException;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.CanonicalJson;
import dev.os2.shell.python.CapabilityGateway;
import dev.os2.shell.python.GatewayReply;
import dev.os2.shell.python.ModuleSource;
import dev.os2.shell.python.PythonSandbox;
import dev.os2.shell.python.RunRequest;
import dev.os2.shell.python.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * The handler of {@code python.exec}: runs one script in the shell's sandbox as the work of one
 * token, and turns what the sandbox reports into kernel actions.
 *
 * <p><b>Budget.</b> The script's fuel is the token's {@code tokens} resource: one metered statement
 * costs one token. The sandbox's statement budget is the least of the {@code statement_budget}
 * argument, what is left of the token's tokens and of its deadline (one tick per token), the
 * grant's per-invocation ceiling, and what is left of the total budget of the grant and each of its
 * ancestors; so the meter stops the script exactly where the kernel would. The statements are
 * charged (one {@code charge} entry before each {@code os2.invoke} for the statements since the
 * last one, and one at the end); a script the meter stopped then charges one more statement, the
 * one that did not run, which the kernel refuses with {@code resource_budget_exceeded} (or the
 * grant's {@code capability_violation}). Same script, seed and budget: the same statement every time.
 *
 * <p><b>Events</b> ({@code custom.*}): {@code python_module} for each workspace module the script
 * imports (its origin and SHA-256), {@code python_denied} for each {@code os2.invoke} of a
 * capability the subject holds no grant of (the script gets {@code os2.CapabilityDenied}; the token
 * goes on), {@code python_output} with the output hash, byte counts, statements and seed, and
 * {@code python_watchdog_stopped} with {@code "deterministic": false} when a fuse (wall clock,
 * memory, an interrupt) stopped the run; that token then fails. A script that raises fails the
 * token with the exception's type and message.
 *
 * <p><b>Threads.</b> The kernel calls the handler on its thread, and the context may be used only
 * there, while the sandbox runs the script on threads of its own. So the handler starts the run on
 * a runner thread and serves the script's gateway calls (invocations, module sources) on the
 * kernel thread, one at a time in the script's order, until the run ends. Interrupting the kernel
 * thread stops the run (recorded as a watchdog stop); the interrupt is handed back through the
 * {@link RunAttachment}.
 *
 * <p>Replay never calls this handler: the recorded actions stand in for it (see docs/kernel.md),
 * so a recorded run replays byte for byte without Python.
 */
final class PythonExecHandler implements CapabilityHandler {

    /** The virtual wall-clock time at tick 0: 2026-01-01T00:00Z, in nanoseconds; one tick is one millisecond. */
    static final long EPOCH_NANOS = 1_767_225_600_000_000_000L;

    /** The kernel's capability id format; anything else is refused before it reaches the kernel. */
    private static final java.util.regex.Pattern CAPABILITY_ID = java.util.regex.Pattern.compile(
            "(?=.{1,128}$)[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

    private final Supplier<PythonSandbox> sandbox;

    PythonExecHandler(Supplier<PythonSandbox> sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public CanonicalJson handle(HandlerContext ctx, CanonicalJson args) {
        JsonNode a = args.toJsonNode();
        String name = a.get("name").asText();
        String source = a.get("source").asText();
        List<String> argv = new ArrayList<>();
        for (JsonNode arg : a.path("argv")) {
            argv.add(arg.asText());
        }
        long seed = a.hasNonNull("seed") ? parseSeed(a.get("seed").asText()) : ctx.random().nextLong();
        long requested = a.hasNonNull("statement_budget") ? a.get("statement_budget").asLong() : RunRequest.STATEMENT_BUDGET_MAX;
        long budget = Math.min(requested, statementsAllowed(ctx));
        if (budget < 1) {
            // Nothing is left: the charge for the first statement is what the kernel refuses.
            ctx.chargeTokens(1);
            throw new PythonFailure("the token's budget allows no statement");
        }
        Optional<RunAttachment> attachment = RunAttachment.of(ctx);
        RunRequest request;
        try {
            request = RunRequest.of(name, source).withArgs(argv).withSeed(seed)
                    .withStatementBudget(Math.min(budget, RunRequest.STATEMENT_BUDGET_MAX))
                    .withClockEpochNanos(EPOCH_NANOS + Math.min(ctx.now(), Budget.MAX_FINITE) * 1_000_000L);
        } catch (IllegalArgumentException e) {
            throw new PythonFailure("the script cannot run: " + e.getMessage());
        }
        Bridge bridge = new Bridge(ctx, attachment);
        RunResult result = bridge.run(sandbox.get(), request.withGateway(bridge));
        attachment.ifPresent(att -> att.pythonResult(result));
        if (bridge.interrupted) {
            attachment.ifPresent(RunAttachment::markInterrupted);
        }
        bridge.charge(result.statementsUsed());
        ObjectNode output = LedgerVerifyCommand.JSON.createObjectNode();
        output.put("output_sha256", result.output().sha256());
        output.put("stdout_bytes", result.output().stdoutBytes());
        output.put("stderr_bytes", result.output().stderrBytes());
        output.put("truncated", result.output().truncated());
        output.put("statements", result.statementsUsed());
        output.put("seed", Long.toString(seed));
        ctx.emit("python_output", CanonicalJson.of(output));
        return switch (result) {
            case RunResult.Completed c -> {
                ObjectNode r = LedgerVerifyCommand.JSON.createObjectNode();
                r.put("outcome", "completed");
                r.put("statements", c.statementsUsed());
                r.put("output_sha256", c.output().sha256());
                yield CanonicalJson.of(r);
            }
            case RunResult.BudgetExceeded b -> {
                // The statement that was not run: the kernel refuses to charge it and halts the token.
                ctx.chargeTokens(1);
                throw new PythonFailure("the statement budget of " + b.statementBudget() + " ran out at " + b.file() + ":" + b.line());
            }
            case RunResult.Failed f -> throw new PythonFailure(f.exceptionType() + ": " + f.message());
            case RunResult.WatchdogStopped w -> {
                ObjectNode e = LedgerVerifyCommand.JSON.createObjectNode();
                e.put("cause", w.cause().name().toLowerCase(Locale.ROOT));
                e.put("deterministic", false);
                e.put("elapsed_ms", w.elapsedMillis());
                e.put("statements", w.statementsUsed());
                e.put("abandoned", w.abandoned());
                ctx.emit("python_watchdog_stopped", CanonicalJson.of(e));
                throw new PythonFailure("stopped by the " + fuse(w.cause()) + " (not deterministic)");
            }
            case RunResult.Refused r -> throw new PythonFailure("refused: " + r.reason());
        };
    }

    /** The fuse, for people. */
    static String fuse(RunResult.WatchdogStopped.Cause cause) {
        return switch (cause) {
            case WALL_CLOCK -> "wall-clock watchdog";
            case MEMORY -> "memory fuse";
            case INTERRUPTED -> "interrupt";
        };
    }

    private static long parseSeed(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new PythonFailure("the seed must be a 64-bit integer, got " + Table.clean(Table.fit(text, 40)));
        }
    }

    /**
     * How many statements the kernel would let this invocation charge: the least of what is left of
     * the token's tokens and deadline, the grant's ceiling, and each grant's total budget up the chain.
     */
    static long statementsAllowed(HandlerContext ctx) {
        Budget left = ctx.remaining();
        long allowed = Math.min(left.tokens(), left.deadlineTicks());
        KernelState state = ctx.state();
        Optional<Grant> grant = state.grant(ctx.grant());
        if (grant.isPresent()) {
            allowed = Math.min(allowed, grant.get().tokenCeiling());
        }
        for (Optional<Grant> g = grant; g.isPresent(); g = g.get().parent() == null ? Optional.empty() : state.grant(g.get().parent())) {
            if (g.get().budgetTokens() != Budget.UNLIMITED) {
                allowed = Math.min(allowed, Math.max(0, g.get().budgetTokens() - g.get().tokensCharged()));
            }
        }
        return allowed;
    }

    /**
     * Why {@code subject} may not invoke {@code capabilityId} now, as the kernel would name it, or
     * null when it holds a grant in force: {@code not_registered}, {@code not_granted}, or the
     * status ({@code revoked}, {@code expired}) of its newest grant.
     */
    static String refusal(KernelState state, String subject, String capabilityId) {
        if (state.capability(capabilityId).isEmpty()) {
            return "not_registered";
        }
        Grant newest = null;
        for (Grant g : state.grants()) {
            if (g.subject().equals(subject) && g.capabilityId().equals(capabilityId)) {
                if (g.status() == Grant.Status.ACTIVE) {
                    return null;
                }
                if (newest == null || g.id().value() > newest.id().value()) {
                    newest = g;
                }
            }
        }
        return newest == null ? "not_granted" : RegistryView.status(newest);
    }

    /** The capabilities {@code subject} holds a grant in force of, sorted. */
    static List<String> granted(KernelState state, String subject) {
        List<String> ids = new ArrayList<>();
        for (Grant g : state.grants()) {
            if (g.subject().equals(subject) && g.status() == Grant.Status.ACTIVE && !ids.contains(g.capabilityId())) {
                ids.add(g.capabilityId());
            }
        }
        ids.sort(null);
        return ids;
    }

    /** A script's failure, recorded as the token's error: {@code PythonFailure: <type>: <message>}. */
    static final class PythonFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PythonFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** Unwinds the script when the kernel halted the token or failed during one of its calls. */
    private static final class Halt extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Halt() {
            super("the token was halted", null, false, false);
        }
    }

    /** One call from the script's thread, served on the kernel thread. */
    private sealed interface Call {
    }

    private record Invoke(String capabilityId, String argsJson, long statements, CompletableFuture<GatewayReply> reply)
            implements Call {
    }

    private record Capabilities(CompletableFuture<List<String>> reply) implements Call {
    }

    private record Module(String name, CompletableFuture<Optional<ModuleSource>> reply) implements Call {
    }

    private record Done(RunResult result, Throwable error) implements Call {
    }

    /**
     * The gateway the script sees, and the kernel-thread side that serves it. The gateway methods
     * run on the script's thread and only queue calls; {@link #run} runs on the kernel thread.
     */
    private static final class Bridge implements CapabilityGateway {
        private final HandlerContext ctx;
        private final Optional<RunAttachment> attachment;
        private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
        /** What stopped the token during a call: a halt or a kernel fault, rethrown when the run has ended. */
        private RuntimeException stopped;
        private long charged;
        private boolean interrupted;

        Bridge(HandlerContext ctx, Optional<RunAttachment> attachment) {
            this.ctx = ctx;
            this.attachment = attachment;
        }

        /** Runs the script on a runner thread and serves its calls here until it ends; on the kernel thread. */
        RunResult run(PythonSandbox sandbox, RunRequest request) {
            Thread runner = new Thread(() -> {
                RunResult result = null;
                Throwable error = null;
                try {
                    result = sandbox.run(request, attachment.map(RunAttachment::stdout).orElse(null),
                            attachment.map(RunAttachment::stderr).orElse(null));
                } catch (Throwable t) {
                    error = t;
                }
                calls.add(new Done(result, error));
            }, "os2-python-exec-t" + ctx.token().value());
            runner.setDaemon(true);
            runner.start();
            while (true) {
                Call call;
                try {
                    call = calls.take();
                } catch (InterruptedException e) {
                    // Ctrl-C or kill: the sandbox stops the run when its caller (the runner) is interrupted.
                    interrupted = true;
                    runner.interrupt();
                    continue;
                }
                if (Thread.interrupted()) {
                    // Taken off the thread before the kernel records anything: the ledger's file
                    // channels close themselves when an interrupted thread uses them.
                    interrupted = true;
                    runner.interrupt();
                }
                switch (call) {
                    case Done done -> {
                        if (stopped != null) {
                            throw stopped;
                        }
                        if (done.error() instanceof RuntimeException re) {
                            throw re;
                        }
                        if (done.error() instanceof Error err) {
                            throw err;
                        }
                        if (done.error() != null) {
                            throw new IllegalStateException("the Python run failed", done.error());
                        }
                        return done.result();
                    }
                    case Invoke invoke -> serve(invoke.reply(), () -> invokeNow(invoke));
                    case Capabilities caps -> serve(caps.reply(), () -> granted(ctx.state(), ctx.subject()));
                    case Module module -> serve(module.reply(), () -> moduleNow(module.name()));
                }
            }
        }

        /** Answers one call, unless the token was stopped (then the script is unwound). */
        private <T> void serve(CompletableFuture<T> reply, Supplier<T> work) {
            if (reply.isDone()) {
                // The script gave up waiting (it was stopped); nothing of it may reach the kernel now.
                return;
            }
            if (stopped != null) {
                reply.completeExceptionally(new Halt());
                return;
            }
            try {
                reply.complete(work.get());
            } catch (RuntimeException e) {
                // A halt (TokenHaltedException) or a kernel fault: rethrown once the script has stopped.
                stopped = e;
                reply.completeExceptionally(new Halt());
            }
        }

        private GatewayReply invokeNow(Invoke call) {
            charge(call.statements());
            String id = call.capabilityId();
            if (!CAPABILITY_ID.matcher(id).matches()) {
                return new GatewayReply.Denied(Table.clean(Table.fit(id, 60)) + " is not a capability id (dotted lower-case"
                        + " words such as net.http)");
            }
            String refusal = refusal(ctx.state(), ctx.subject(), id);
            if (refusal != null) {
                ObjectNode denied = LedgerVerifyCommand.JSON.createObjectNode();
                denied.put("capability", Table.fit(id, 128));
                denied.put("reason", refusal);
                ctx.emit("python_denied", CanonicalJson.of(denied));
                String shown = Table.clean(Table.fit(id, 128));
                return new GatewayReply.Denied("capability " + shown + " is not available to " + ctx.subject() + " ("
                        + refusal.replace('_', ' ') + (refusal.equals("not_registered") ? "" : "; `os2 cap-grant " + shown + " "
                        + ctx.subject() + "` grants it") + ")");
            }
            CanonicalJson invokeArgs;
            try {
                invokeArgs = CanonicalJson.parse(call.argsJson());
            } catch (RuntimeException e) {
                return new GatewayReply.Failed("the arguments are not valid JSON: " + e.getMessage());
            }
            try {
                return new GatewayReply.Allowed(ctx.invoke(id, invokeArgs).text());
            } catch (InvocationFailedException e) {
                return new GatewayReply.Failed(e.error());
            } catch (InvalidInputException e) {
                return new GatewayReply.Failed(e.getMessage());
            }
        }

        private Optional<ModuleSource> moduleNow(String name) {
            if (attachment.isEmpty()) {
                return Optional.empty();
            }
            Optional<WorkspacePython.Found> found = WorkspacePython.find(attachment.get().workspace(), name);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            ModuleSource module;
            try {
                module = WorkspacePython.read(found.get());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + found.get().file() + ": " + e.getMessage(), e);
            }
            byte[] bytes = module.source().getBytes(StandardCharsets.UTF_8);
            ObjectNode event = LedgerVerifyCommand.JSON.createObjectNode();
            event.put("module", name);
            event.put("origin", module.origin());
            event.put("bytes", bytes.length);
            event.put("sha256", sha256(bytes));
            ctx.emit("python_module", CanonicalJson.of(event));
            return Optional.of(module);
        }

        /** Charges the statements executed since the last charge; on the kernel thread. */
        void charge(long statements) {
            if (statements > charged) {
                long delta = statements - charged;
                charged = statements;
                ctx.chargeTokens(delta);
            }
        }

        // ---- the gateway, on the script's thread ----------------------------------------------------

        @Override
        public GatewayReply invoke(String capabilityId, String argsJson) {
            return invoke(capabilityId, argsJson, 0);
        }

        @Override
        public GatewayReply invoke(String capabilityId, String argsJson, long statementsUsed) {
            return await(new Invoke(capabilityId, argsJson, statementsUsed, new CompletableFuture<>()), Invoke::reply);
        }

        @Override
        public List<String> capabilities() {
            return await(new Capabilities(new CompletableFuture<>()), Capabilities::reply);
        }

        @Override
        public Optional<ModuleSource> module(String name) {
            return await(new Module(name, new CompletableFuture<>()), Module::reply);
        }

        private <C extends Call, T> T await(C call, java.util.function.Function<C, CompletableFuture<T>> reply) {
            CompletableFuture<T> future = reply.apply(call);
            calls.add(call);
            try {
                return future.get();
            } catch (InterruptedException e) {
                // The run is being cancelled; the kernel thread skips the call if it has not served it.
                future.cancel(false);
                Thread.currentThread().interrupt();
                throw new Halt();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new Halt();
            }
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The argv array of a {@code python.exec} invocation. */
    static ArrayNode argv(List<String> args) {
        ArrayNode a = LedgerVerifyCommand.JSON.createArrayNode();
        args.forEach(a::add);
        return a;
    }
}
