package dev.os2.shell.python;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyArray;

/**
 * Makes the sandbox's contexts, and keeps up to {@link #SPARES_MAX} prepared spares so that a run
 * does not wait for the interpreter's start-up or the prelude. Every context, spare or made on
 * demand, is prepared the same way before it is handed out: the interpreter's start-up, then the
 * prelude and its run-independent part ({@code _os2_prepare}), none of which reads entropy or time
 * that a script can see; what depends on the run (its seed, its bridges, the tracer on its thread)
 * is left to the run. So a run in a spare is the same as a run in a new context. Each context
 * serves one run and is closed after it.
 *
 * <p>Thread-safe. Spares are made by the thread of the run that just ended, after its result was
 * handed over: the same work a run would do, moved off the caller's wait.
 */
final class ContextPool implements AutoCloseable {

    /** Spares kept: enough for a run that follows another at once, few enough to cost little memory. */
    static final int SPARES_MAX = 2;

    /** Nothing of the host is visible; unlike {@link HostAccess#NONE}, also no mutable mappings. */
    private static final HostAccess NO_HOST_ACCESS = HostAccess.newBuilder().allowMutableTargetMappings().build();

    /** A prepared context, its run entries and the streams its output goes to, set when it is claimed. */
    private record Pooled(Context context, Claimed claimed, Redirect out, Redirect err) {
    }

    /**
     * A context claimed for one run, with the prelude's entries, which the run calls in this order
     * on its own thread.
     *
     * @param context the context, which the run closes
     * @param bind {@code bind(seed, tracer, clock, gateway)}: seeds the entropy, binds the bridges,
     *     installs the tracer on the calling thread
     * @param run {@code run(source, name, argv)}: runs the source as {@code __main__}; returns
     *     {@code ('completed',)} or {@code ('failed', type, message, traceback lines)}
     * @param exitHandlers {@code exit_handlers()}: runs what the script registered with
     *     {@code atexit}
     */
    record Claimed(Context context, Value bind, Value run, Value exitHandlers) {
    }

    /** An output stream whose destination is chosen after the context was built. */
    private static final class Redirect extends OutputStream {
        private volatile OutputStream target = OutputStream.nullOutputStream();

        @Override
        public void write(int b) throws java.io.IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            target.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            target.flush();
        }
    }

    private final Engine engine;
    private final SandboxConfig config;
    private final Source prelude;
    private final ConcurrentLinkedQueue<Pooled> spares = new ConcurrentLinkedQueue<>();
    private final AtomicInteger spareCount = new AtomicInteger();
    private volatile boolean closed;
    /** Guards {@link #refilling}. */
    private final Object idle = new Object();
    /** Refills announced and not yet finished; guarded by {@link #idle}. */
    private int refilling;

    ContextPool(Engine engine, SandboxConfig config, Source prelude) {
        this.engine = engine;
        this.config = config;
        this.prelude = prelude;
    }

    /**
     * A prepared context for one run, writing to {@code out} and {@code err}: a spare if there is
     * one, else one made and prepared now, on the calling thread.
     *
     * @param out where the context's stdout goes
     * @param err where its stderr goes
     * @param made receives the context as soon as it exists (before it is prepared), so that a stop
     *     can close it while it is being prepared
     * @return the context and its run entry
     * @throws org.graalvm.polyglot.PolyglotException if preparing a new context failed or was cancelled
     */
    Claimed claim(OutputStream out, OutputStream err, Consumer<Context> made) {
        Pooled pooled = spares.poll();
        if (pooled != null) {
            spareCount.decrementAndGet();
            pooled.out().target = out;
            pooled.err().target = err;
            made.accept(pooled.context());
        } else {
            Redirect o = new Redirect();
            Redirect e = new Redirect();
            o.target = out;
            e.target = err;
            Context context = create(o, e);
            made.accept(context);
            pooled = prepare(context, o, e);
        }
        return pooled.claimed();
    }

    /**
     * Announces a {@link #refill()} that the calling thread is about to make, so that
     * {@link #awaitSpares()} waits for it; every call must be followed by one {@code refill()}.
     */
    void announceRefill() {
        synchronized (idle) {
            refilling++;
        }
    }

    /**
     * Makes spares until there are {@link #SPARES_MAX}; best effort, on the calling thread, after
     * {@link #announceRefill()}.
     */
    void refill() {
        try {
            fill();
        } finally {
            synchronized (idle) {
                refilling--;
                idle.notifyAll();
            }
        }
    }

    /**
     * Waits until no other thread is making spares, then makes any still missing on the calling
     * thread: afterwards the pool is full and idle, unless a run claimed a spare meanwhile.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void awaitSpares() throws InterruptedException {
        synchronized (idle) {
            while (refilling > 0) {
                idle.wait();
            }
            refilling++;
        }
        refill();
    }

    private void fill() {
        while (!closed && spareCount.get() < SPARES_MAX) {
            Pooled pooled;
            Context context = null;
            try {
                Redirect out = new Redirect();
                Redirect err = new Redirect();
                context = create(out, err);
                pooled = prepare(context, out, err);
            } catch (RuntimeException e) {
                if (context != null) {
                    try {
                        context.close(true);
                    } catch (RuntimeException closing) {
                        // Already closing with the engine.
                    }
                }
                // The engine is closing, or the JVM is short of something: runs make their own.
                return;
            }
            if (spareCount.incrementAndGet() > SPARES_MAX || closed) {
                spareCount.decrementAndGet();
                pooled.context().close();
                return;
            }
            spares.add(pooled);
            if (closed) {
                close();
            }
        }
    }

    /** Runs the interpreter's start-up and the run-independent part of the prelude in {@code context}. */
    private Pooled prepare(Context context, Redirect out, Redirect err) {
        context.eval(prelude);
        Value bindings = context.getBindings("python");
        Value prepare = bindings.getMember("_os2_prepare");
        bindings.removeMember("_os2_prepare");
        Value entries = prepare.execute(config.recursionLimitMax(), config.intDigitsMax(),
                ProxyArray.fromList(new ArrayList<Object>(ModuleSource.METERED_ORIGINS)));
        return new Pooled(context, new Claimed(context, entries.getArrayElement(0), entries.getArrayElement(1),
                entries.getArrayElement(2)), out, err);
    }

    private Context create(Redirect out, Redirect err) {
        Context context = Context.newBuilder("python")
                .engine(engine)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(out)
                .err(err)
                .in(InputStream.nullInputStream())
                .allowHostAccess(NO_HOST_ACCESS)
                .allowHostClassLookup(name -> false)
                .allowHostClassLoading(false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .timeZone(ZoneOffset.UTC)
                // Python's own recursion limit is not enforced on threads the context did not
                // start on; the frame limit is, exactly, and ends the run (see SandboxRun).
                .option("sandbox.MaxStackFrames", Integer.toString(config.recursionLimitMax()))
                .build();
        return context;
    }

    @Override
    public void close() {
        closed = true;
        for (Pooled pooled = spares.poll(); pooled != null; pooled = spares.poll()) {
            spareCount.decrementAndGet();
            try {
                pooled.context().close();
            } catch (RuntimeException e) {
                // The engine may be closing it already.
            }
        }
    }
}
