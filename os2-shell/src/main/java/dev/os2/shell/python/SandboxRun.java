package dev.os2.shell.python;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * One run of one script: its thread, its context, its meter, its output channels and its stop.
 *
 * <p>Threads: {@link #run()} is called by the caller, which waits while a thread of the run's own
 * (with the configured stack) executes the script and calls the bridges (meter, clock, gateway).
 * The watchdog's timer calls {@link #check()}; a canceller thread calls {@link #cancel()}. A stop
 * is decided once (the first {@link #requestStop} wins) and shuts the output and the gateway at
 * that moment, on the thread that decided it; the cancel that follows only has to end the
 * execution. If the script's thread has not ended {@link SandboxConfig#cancelGraceMillis()} after
 * the stop (it is inside a built-in that does not poll for cancellation), the caller gets the
 * result without it. After handing the result over, the script's thread closes the context and
 * prepares the next run's ({@link ContextPool#refill()}), while no one waits for it.
 */
final class SandboxRun {

    /** Why a run was stopped, with what the meter said at that moment. */
    private record Stop(Kind kind, long statements, long virtualNanos, long decidedNanos, long elapsedMillis,
            String file, int line, RuntimeException fault) {
        enum Kind { BUDGET, WALL_CLOCK, MEMORY, INTERRUPTED, GATEWAY_FAULT }
    }

    private static final AtomicLong RUN_THREADS = new AtomicLong();

    private static final com.sun.management.ThreadMXBean THREADS = threadBean();

    private final SandboxConfig config;
    private final RunRequest request;
    private final ContextPool pool;
    private final Watchdog watchdog;
    private final OutputChannel.Limit limit;
    private final OutputChannel stdout;
    private final OutputChannel stderr;
    private final AtomicReference<Stop> stop = new AtomicReference<>();

    // Written only by the script's thread; volatile for the result of an abandoned run.
    private volatile long statements;
    private long sleptNanos;

    private final Object lock = new Object();
    private boolean finished;
    private boolean cancelling;
    private final CountDownLatch cancelDone = new CountDownLatch(1);

    private volatile Context context;
    private long startNanos;
    private long threadId;
    private volatile long allocatedAtStart = -1;
    // The live heap when the run started; read and (once) written by the watchdog's timer.
    private long liveAtStart = -1;
    private ScheduledFuture<?> checks;

    SandboxRun(SandboxConfig config, RunRequest request, ContextPool pool, Watchdog watchdog,
            OutputStream stdoutSink, OutputStream stderrSink) {
        this.config = config;
        this.request = request;
        this.pool = pool;
        this.watchdog = watchdog;
        this.limit = new OutputChannel.Limit(config.outputBytesMax());
        this.stdout = new OutputChannel(stdoutSink, limit);
        this.stderr = new OutputChannel(stderrSink, limit);
    }

    /** Runs the script on a thread of its own and waits for its result; called by the caller. */
    RunResult run() {
        CompletableFuture<RunResult> done = new CompletableFuture<>();
        Thread thread = new Thread(null, () -> {
            RunResult result = null;
            Throwable failure = null;
            try {
                result = execute();
            } catch (Throwable t) {
                failure = t;
            }
            // The next run's context, made while no one waits for this thread; announced before
            // the result is handed over, so that whoever waits for idle spares sees it coming.
            pool.announceRefill();
            if (failure == null) {
                done.complete(result);
            } else {
                done.completeExceptionally(failure);
            }
            close();
            pool.refill();
        }, "os2-python-run-" + RUN_THREADS.incrementAndGet(), config.stackBytes());
        thread.setDaemon(true);
        threadId = thread.threadId();
        liveAtStart = HeapWatch.liveBytes();
        startNanos = System.nanoTime();
        checks = watchdog.every(config.watchdogPeriodMillis(), this::check);
        thread.start();
        return await(done);
    }

    private RunResult await(CompletableFuture<RunResult> done) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get(config.watchdogPeriodMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    Stop stopped = stop.get();
                    if (stopped != null && System.nanoTime() - stopped.decidedNanos() > config.cancelGraceMillis() * 1_000_000L) {
                        checks.cancel(false);
                        return result(null, true);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    requestStop(Stop.Kind.INTERRUPTED, null, 0, null);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException("the script's thread failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Executes the script; runs on the script's thread. */
    private RunResult execute() {
        allocatedAtStart = allocatedBytes();
        Outcome outcome;
        try {
            ContextPool.Claimed claimed = pool.claim(stdout, stderr, made -> context = made);
            outcome = runScript(claimed);
        } catch (PolyglotException e) {
            outcome = Outcome.of(e, config.recursionLimitMax());
        } finally {
            checks.cancel(false);
            finish();
        }
        return result(outcome, false);
    }

    private Outcome runScript(ContextPool.Claimed claimed) {
        claimed.bind().execute(request.seed(), new Meter(), (ProxyExecutable) this::clock, (ProxyExecutable) this::gateway);
        List<Object> argv = new ArrayList<>();
        argv.add(request.sourceName());
        argv.addAll(request.args());
        // A proxy: with no host access, Python cannot see into a Java array or list.
        Value ended = claimed.run().execute(request.source(), request.sourceName(), ProxyArray.fromList(argv));
        claimed.exitHandlers().executeVoid();
        String kind = ended.getArrayElement(0).asString();
        if (kind.equals("completed")) {
            return Outcome.COMPLETED;
        }
        List<String> traceback = new ArrayList<>();
        Value lines = ended.getArrayElement(3);
        for (long i = 0; i < lines.getArraySize(); i++) {
            traceback.add(lines.getArrayElement(i).asString());
        }
        return new Outcome(ended.getArrayElement(1).asString(), ended.getArrayElement(2).asString(), traceback);
    }

    /** How the script ended as far as the context could tell; null type for a normal end. */
    private record Outcome(String type, String message, List<String> traceback) {
        private static final int TRACEBACK_ENDS = 10;

        static final Outcome COMPLETED = new Outcome(null, "", List.of());

        /** An exception that left the context: a denial below Python, an exit, or a cancel. */
        static Outcome of(PolyglotException e, int framesMax) {
            if (e.isExit()) {
                return e.getExitStatus() == 0 ? COMPLETED
                        : new Outcome("SystemExit", Integer.toString(e.getExitStatus()), List.of());
            }
            List<String> frames = new ArrayList<>();
            for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
                if (frame.isGuestFrame() && frame.getSourceLocation() != null
                        && !frame.getSourceLocation().getSource().getName().equals("<os2-prelude>")) {
                    frames.add("  File \"" + frame.getSourceLocation().getSource().getName() + "\", line "
                            + frame.getSourceLocation().getStartLine() + ", in " + frame.getRootName());
                }
            }
            // Outermost first, as Python prints it; a deep stack keeps its two ends.
            Collections.reverse(frames);
            List<String> traceback = new ArrayList<>();
            traceback.add("Traceback (most recent call last):");
            if (frames.size() > 2 * TRACEBACK_ENDS) {
                traceback.addAll(frames.subList(0, TRACEBACK_ENDS));
                traceback.add("  [" + (frames.size() - 2 * TRACEBACK_ENDS) + " more frames]");
                traceback.addAll(frames.subList(frames.size() - TRACEBACK_ENDS, frames.size()));
            } else {
                traceback.addAll(frames);
            }
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            if (e.isResourceExhausted()) {
                // The only limit set on the context is the frame limit.
                message = "maximum recursion depth exceeded (the sandbox allows " + framesMax + " frames)";
                traceback.add("RecursionError: " + message);
                return new Outcome("RecursionError", message, traceback);
            }
            String type = e.isCancelled() ? "Cancelled"
                    : e.isInternalError() || e.isHostException() ? (denial(message) ? "SandboxDenied" : "InternalError")
                    : "Error";
            traceback.add(type + ": " + message);
            return new Outcome(type, message, traceback);
        }

        /** Whether a host-side error is the sandbox policy refusing something. */
        private static boolean denial(String message) {
            String lower = message.toLowerCase(Locale.ROOT);
            return lower.contains("security") || lower.contains("not allowed");
        }
    }

    /**
     * The result, from the stop if there was one, else from the outcome. {@code abandoned}: the
     * script's thread is still running (output is frozen by the stop, so it is read safely).
     */
    private RunResult result(Outcome outcome, boolean abandoned) {
        Stop stopped = stop.get();
        RunOutput output = new RunOutput(stdout.captured(), stderr.captured(), stdout.written(), stderr.written(),
                limit.truncated());
        if (stopped != null) {
            return switch (stopped.kind()) {
                case BUDGET -> new RunResult.BudgetExceeded(stopped.statements(), request.statementBudget(),
                        stopped.file(), stopped.line(), stopped.virtualNanos(), output);
                case WALL_CLOCK -> new RunResult.WatchdogStopped(RunResult.WatchdogStopped.Cause.WALL_CLOCK,
                        stopped.elapsedMillis(), statements, abandoned, output);
                case MEMORY -> new RunResult.WatchdogStopped(RunResult.WatchdogStopped.Cause.MEMORY,
                        stopped.elapsedMillis(), statements, abandoned, output);
                case INTERRUPTED -> new RunResult.WatchdogStopped(RunResult.WatchdogStopped.Cause.INTERRUPTED,
                        stopped.elapsedMillis(), statements, abandoned, output);
                case GATEWAY_FAULT -> throw stopped.fault();
            };
        }
        if (outcome.type() == null) {
            return new RunResult.Completed(statements, virtualNanos(), output);
        }
        return new RunResult.Failed(outcome.type(), outcome.message(), outcome.traceback(), statements,
                virtualNanos(), output);
    }

    // ---- The stop. -------------------------------------------------------------------------------

    /** The watchdog's periodic check of the fuses; runs on the timer thread. */
    void check() {
        long elapsedNanos = System.nanoTime() - startNanos;
        long timeoutMillis = request.timeoutMillis() > 0 ? Math.min(request.timeoutMillis(), config.timeoutMillis())
                : config.timeoutMillis();
        if (elapsedNanos > timeoutMillis * 1_000_000L) {
            requestStop(Stop.Kind.WALL_CLOCK, null, 0, null);
            return;
        }
        // The memory fuse needs both: this run's thread allocated more than the cap (so it is the
        // one to blame), and the live heap grew by more than the cap (so it is not just churn).
        long atStart = allocatedAtStart;
        long allocated = allocatedBytes();
        long live = HeapWatch.liveBytes();
        if (liveAtStart < 0) {
            // No collection had happened when the run started: the first one is the baseline.
            liveAtStart = live;
            return;
        }
        if (allocated >= 0 && atStart >= 0 && allocated - atStart > config.memoryBytesMax()
                && live - liveAtStart > config.memoryBytesMax()) {
            requestStop(Stop.Kind.MEMORY, null, 0, null);
        }
    }

    /**
     * Decides the stop if none was decided: shuts output (and with it the gateway) now, then has a
     * canceller thread end the execution.
     */
    private void requestStop(Stop.Kind kind, String file, int line, RuntimeException fault) {
        long now = System.nanoTime();
        // statements and sleptNanos are exact only on the script's own thread (budget, gateway); a
        // fuse's result reads the (volatile) count when it is built.
        boolean own = Thread.currentThread().threadId() == threadId;
        Stop decided = new Stop(kind, own ? statements : 0, own ? virtualNanos() : 0, now,
                (now - startNanos) / 1_000_000L, file, line, fault);
        if (stop.compareAndSet(null, decided)) {
            limit.close();
            watchdog.cancel(this::cancel);
        }
    }

    /** Ends the execution; runs on a canceller thread and blocks until the script's thread has left. */
    private void cancel() {
        try {
            synchronized (lock) {
                if (finished) {
                    return;
                }
                cancelling = true;
            }
            Context running = context;
            if (running != null) {
                running.close(true);
            }
        } catch (PolyglotException | IllegalStateException e) {
            // The context is closed either way; the script's thread reports the result.
        } finally {
            cancelDone.countDown();
        }
    }

    /** Called by the script's thread when the execution has ended, normally or not. */
    private void finish() {
        boolean waitForCancel;
        synchronized (lock) {
            finished = true;
            waitForCancel = cancelling;
        }
        if (waitForCancel) {
            boolean interrupted = false;
            while (true) {
                try {
                    cancelDone.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Closes the context; called by the script's thread after the result was handed over (the
     * prelude ran the exit handlers inside the run, so closing runs nothing of the script's).
     * Output is shut first: nothing written while closing reaches the caller's sinks any more.
     */
    private void close() {
        limit.close();
        try {
            if (context != null) {
                context.close();
            }
        } catch (PolyglotException | IllegalStateException e) {
            // Closing a cancelled context reports the cancel again.
        }
    }

    // ---- The bridges the prelude hands to Python. ----------------------------------------------

    /** The host half of the fuel meter: Python's local trace function for the user's frames. */
    private final class Meter implements ProxyExecutable {
        @Override
        public Object execute(Value... args) {
            if (args.length == 3 && args[1].isString() && args[1].asString().equals("line")) {
                if (statements < request.statementBudget()) {
                    statements++;
                } else if (stop.get() == null) {
                    // This line would be one too many: it is where the run stops, and is not counted.
                    Value frame = args[0];
                    requestStop(Stop.Kind.BUDGET, frame.getMember("f_code").getMember("co_filename").asString(),
                            frame.getMember("f_lineno").asInt(), null);
                }
            }
            return this;
        }
    }

    /** {@code clock(0, _)}: wall ns; {@code clock(1, _)}: monotonic ns; {@code clock(2, ns)}: sleep. */
    private Object clock(Value... args) {
        int kind = args[0].asInt();
        if (kind == 2) {
            long nanos = args[1].fitsInLong() ? args[1].asLong() : Long.MAX_VALUE;
            sleptNanos = saturatingAdd(sleptNanos, Math.max(0, nanos));
            return 0;
        }
        long used = virtualNanos();
        return kind == 0 ? saturatingAdd(request.clockEpochNanos(), used) : used;
    }

    /**
     * {@code gateway(0, id, argsJson)}: invoke, answered {@code A<json>}, {@code D<reason>},
     * {@code F<reason>} (the handler failed) or {@code S<message>} (stopped); {@code gateway(1, _, _)}:
     * the sorted ids as a JSON array; {@code gateway(2, name, _)}: a module's source, answered
     * {@code M<json {origin, source, package}>} or {@code N} (no such module).
     */
    private Object gateway(Value... args) {
        if (stop.get() != null) {
            return "Sthe run has been stopped";
        }
        CapabilityGateway target = request.gateway();
        try {
            if (args[0].asInt() == 1) {
                List<String> ids = new ArrayList<>(target.capabilities());
                ids.sort(null);
                StringBuilder json = new StringBuilder("[");
                for (String id : ids) {
                    json.append(json.length() > 1 ? "," : "").append(quote(id));
                }
                return json.append(']').toString();
            }
            if (args[0].asInt() == 2) {
                java.util.Optional<ModuleSource> module = target.module(args[1].asString());
                if (module.isEmpty()) {
                    return "N";
                }
                ModuleSource m = module.get();
                return "M{\"origin\":" + quote(m.origin()) + ",\"package\":" + m.isPackage() + ",\"source\":"
                        + quote(m.source()) + "}";
            }
            GatewayReply reply = target.invoke(args[1].asString(), args[2].asString(), statements);
            return switch (reply) {
                case GatewayReply.Allowed allowed -> "A" + allowed.resultJson();
                case GatewayReply.Denied denied -> "D" + denied.reason();
                case GatewayReply.Failed failed -> "F" + failed.reason();
            };
        } catch (RuntimeException e) {
            requestStop(Stop.Kind.GATEWAY_FAULT, null, 0, e);
            return "Sthe kernel failed; the run has been stopped";
        }
    }

    // ---- Helpers. ------------------------------------------------------------------------------

    private long virtualNanos() {
        long perStatement = config.nanosPerStatement();
        long metered = statements > Long.MAX_VALUE / Math.max(1, perStatement) ? Long.MAX_VALUE : statements * perStatement;
        return saturatingAdd(metered, sleptNanos);
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private long allocatedBytes() {
        if (THREADS == null) {
            return -1;
        }
        try {
            return THREADS.getThreadAllocatedBytes(threadId);
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    private static com.sun.management.ThreadMXBean threadBean() {
        try {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                    && bean.isThreadAllocatedMemorySupported()) {
                if (!bean.isThreadAllocatedMemoryEnabled()) {
                    bean.setThreadAllocatedMemoryEnabled(true);
                }
                return bean;
            }
        } catch (UnsupportedOperationException | SecurityException e) {
            // No allocation counts on this JVM: the memory fuse is off.
        }
        return null;
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
