package dev.os2.shell.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;

/**
 * Runs Python scripts in deterministic GraalPy sandboxes: the entry point of this package.
 *
 * <p>One sandbox owns one GraalPy {@link Engine}, shared by all its runs, and gives each
 * {@link #run} a fresh context that is closed when the run ends. The engine is built and warmed
 * by {@link #warmUp()} on the thread that calls it (the first run calls it if no one has).
 *
 * <p>Threads: the sandbox starts daemon threads of its own and no others: the watchdog timer,
 * cancellers, and one thread per run that executes the script while {@link #run} waits (so that
 * every script gets the same stack, and a script stuck in a built-in that ignores cancellation
 * can be left behind; see {@link SandboxConfig#cancelGraceMillis()}).
 *
 * <p>Thread-safe: runs may proceed concurrently on different threads, each in its own context.
 */
public final class PythonSandbox implements AutoCloseable {

    private static final String WARM_UP_SCRIPT = """
            import random, time, datetime, json, re, math, collections, uuid, os2
            random.random(); uuid.uuid4(); datetime.datetime.now()
            total = 0
            for i in range(200):
                total += i
            print(json.dumps({'total': total}), re.sub('a', 'b', 'aaa'), math.sqrt(2))
            1 / 0
            """;

    private static final long WARM_UP_TIMEOUT_MILLIS = 300_000;

    private final SandboxConfig config;
    /** The sandbox whose engine this one runs on, or null when it builds and owns its own. */
    private final PythonSandbox engineOwner;
    private final Object lifecycle = new Object();
    private Engine engine;
    private ContextPool pool;
    private Watchdog watchdog;
    private volatile boolean warm;
    private boolean closed;
    private volatile long warmUpMillis = -1;

    private PythonSandbox(SandboxConfig config, PythonSandbox engineOwner) {
        this.config = Objects.requireNonNull(config, "config");
        this.engineOwner = engineOwner;
    }

    /**
     * Creates a sandbox; cheap, since the engine is built by {@link #warmUp()}.
     *
     * @param config its limits and fuses
     * @return the sandbox
     */
    public static PythonSandbox create(SandboxConfig config) {
        return new PythonSandbox(config, null);
    }

    /**
     * Another sandbox, with other limits, on this sandbox's engine: it builds no engine of its own,
     * so its {@link #warmUp()} (which warms this sandbox first) only prepares its own contexts.
     * Closing it closes its contexts and leaves the engine; closing this sandbox closes the engine
     * under both, after which the other's runs fail.
     *
     * @param other the other sandbox's limits and fuses
     * @return the other sandbox, not yet warm
     */
    public PythonSandbox withConfig(SandboxConfig other) {
        PythonSandbox owner = engineOwner != null ? engineOwner : this;
        return new PythonSandbox(other, owner);
    }

    /**
     * The configuration this sandbox was created with.
     *
     * @return the configuration this sandbox was created with
     */
    public SandboxConfig config() {
        return config;
    }

    /**
     * Builds the engine and runs a small script through it, so that later runs find the interpreter
     * and the common standard-library modules loaded. Idempotent: once warm it returns at once; if
     * another thread is warming up, it waits for it. This is the way to wait for a warm-up started
     * in the background: call it again.
     *
     * @throws IllegalStateException if the sandbox is closed
     */
    public void warmUp() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the Python sandbox is closed");
            }
            if (warm) {
                return;
            }
            long start = System.nanoTime();
            engine = engineOwner != null ? engineOwner.warmEngine() : Engine.newBuilder("python")
                    .sandbox(SandboxPolicy.CONSTRAINED)
                    .out(OutputStream.nullOutputStream())
                    .err(OutputStream.nullOutputStream())
                    .logHandler(OutputStream.nullOutputStream())
                    .option("engine.WarnInterpreterOnly", "false")
                    .build();
            Source prelude = Source.newBuilder("python", preludeText(), "<os2-prelude>").buildLiteral();
            watchdog = new Watchdog();
            pool = new ContextPool(engine, config, prelude);
            // The first context initialises the interpreter, which takes seconds: not a script's fault.
            SandboxConfig warmUpConfig = config.withTimeoutMillis(Math.max(config.timeoutMillis(), WARM_UP_TIMEOUT_MILLIS));
            RunResult result = new SandboxRun(warmUpConfig, RunRequest.of("warm-up.py", WARM_UP_SCRIPT), pool,
                    watchdog, null, null).run();
            // The script ends in an exception so that the traceback formatter is loaded too.
            if (!(result instanceof RunResult.Failed failed && failed.exceptionType().equals("ZeroDivisionError"))) {
                throw new IllegalStateException("the Python sandbox failed its warm-up script: " + result);
            }
            warmUpMillis = (System.nanoTime() - start) / 1_000_000L;
            warm = true;
        }
    }

    /** This sandbox's engine, once warm, for a sandbox made by {@link #withConfig}. */
    private Engine warmEngine() {
        warmUp();
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the Python sandbox whose engine this one shares is closed");
            }
            return engine;
        }
    }

    /**
     * Whether {@link #warmUp()} has finished.
     *
     * @return whether {@link #warmUp()} has finished
     */
    public boolean isWarm() {
        return warm;
    }

    /**
     * How long the warm-up took; informational, for the shell's boot display and benchmarks.
     *
     * @return how long the warm-up took (engine build plus the warm-up script), in milliseconds, or
     *     empty before it finished; informational
     */
    public Optional<Long> warmUpMillis() {
        long value = warmUpMillis;
        return value < 0 ? Optional.empty() : Optional.of(value);
    }

    /**
     * Runs one script to its end, its budget, or a fuse, on the calling thread. Warms up first if
     * needed. Output is written to the sinks as the script produces it (and captured in the result);
     * for a terminal, wrap the sink in a {@link TerminalSafeOutputStream}.
     *
     * <p>A script's own errors never throw: they are {@link RunResult.Failed}. The script runs on a
     * thread of the sandbox's own while the calling thread waits; interrupting the calling thread
     * stops the run ({@link RunResult.WatchdogStopped.Cause#INTERRUPTED}) and keeps the interrupt.
     *
     * @param request the script and its seed, budget, clock and gateway
     * @param stdoutSink receives stdout as written, or null to only capture it
     * @param stderrSink receives stderr as written, or null to only capture it
     * @return how the run ended
     * @throws IllegalStateException if the sandbox is closed
     * @throws RuntimeException whatever the request's {@link CapabilityGateway} threw, after the run
     *     was stopped
     */
    public RunResult run(RunRequest request, OutputStream stdoutSink, OutputStream stderrSink) {
        Objects.requireNonNull(request, "request");
        Optional<String> refusal = SourceCheck.refusal(request.source(), config);
        if (refusal.isPresent()) {
            return new RunResult.Refused(refusal.get());
        }
        warmUp();
        ContextPool runPool;
        Watchdog runWatchdog;
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the Python sandbox is closed");
            }
            runPool = pool;
            runWatchdog = watchdog;
        }
        return new SandboxRun(config, request, runPool, runWatchdog, stdoutSink, stderrSink).run();
    }

    /**
     * Waits until the sandbox is idle with its spare contexts made, as it is in a shell between two
     * commands: every run leaves making the next run's context to its own thread after its result
     * was handed over, and a run that starts while that is under way competes with it for the CPU.
     * For measuring one run as an operator at a prompt sees it. Warms up first if needed.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if the sandbox is closed
     */
    public void awaitSpares() throws InterruptedException {
        warmUp();
        ContextPool runPool;
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the Python sandbox is closed");
            }
            runPool = pool;
        }
        runPool.awaitSpares();
    }

    /**
     * Closes the engine and stops the watchdog. Runs still executing are cancelled by the engine's
     * close. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (engine != null && engineOwner != null) {
                // The engine is the owner's: only this sandbox's own contexts and threads go.
                pool.close();
                watchdog.close();
            } else if (engine != null) {
                pool.close();
                // A script thread abandoned inside a built-in keeps the engine's cancel waiting
                // until the built-in returns; the caller does not wait that long.
                Engine closing = engine;
                Thread closer = new Thread(() -> {
                    try {
                        closing.close(true);
                    } catch (RuntimeException e) {
                        // Closing is best effort once the sandbox is no longer used.
                    }
                }, "os2-python-close");
                closer.setDaemon(true);
                closer.start();
                try {
                    closer.join(config.cancelGraceMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                watchdog.close();
            }
        }
    }

    private static String preludeText() {
        try (InputStream in = PythonSandbox.class.getResourceAsStream("prelude.py")) {
            if (in == null) {
                throw new IllegalStateException("prelude.py is missing from the os2-shell jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prelude.py from the os2-shell jar", e);
        }
    }
}
