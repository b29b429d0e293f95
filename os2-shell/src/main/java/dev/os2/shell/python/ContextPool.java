package dev.os2.shell.python;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.io.IOAccess;

/**
 * Makes the sandbox's contexts, and keeps up to {@link #SPARES_MAX} initialised spares so that a
 * run does not wait for the interpreter's start-up. A spare has run nothing but that start-up, which reads no entropy and
 * no time that a script can see, so a run in a spare is the same as a run in a new context. Each
 * context serves one run and is closed after it.
 *
 * <p>Thread-safe. Spares are made by the thread of the run that just ended, after its result was
 * handed over: the same work a run would do, moved off the caller's wait.
 */
final class ContextPool implements AutoCloseable {

    /** Spares kept: enough for a run that follows another at once, few enough to cost little memory. */
    static final int SPARES_MAX = 2;

    /** Nothing of the host is visible; unlike {@link HostAccess#NONE}, also no mutable mappings. */
    private static final HostAccess NO_HOST_ACCESS = HostAccess.newBuilder().allowMutableTargetMappings().build();

    /** A context and the streams its output goes to, set when it is claimed. */
    private record Pooled(Context context, Redirect out, Redirect err) {
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
    private final ConcurrentLinkedQueue<Pooled> spares = new ConcurrentLinkedQueue<>();
    private final AtomicInteger spareCount = new AtomicInteger();
    private volatile boolean closed;

    ContextPool(Engine engine, SandboxConfig config) {
        this.engine = engine;
        this.config = config;
    }

    /**
     * @return a context for one run, writing to {@code out} and {@code err}: the spare if there is
     *     one, else a new one (initialised by its first use)
     */
    Context claim(OutputStream out, OutputStream err) {
        Pooled pooled = spares.poll();
        if (pooled != null) {
            spareCount.decrementAndGet();
        } else {
            pooled = create();
        }
        pooled.out().target = out;
        pooled.err().target = err;
        return pooled.context();
    }

    /** Makes spares until there are {@link #SPARES_MAX}; best effort, on the calling thread. */
    void refill() {
        while (!closed && spareCount.get() < SPARES_MAX) {
            Pooled pooled;
            try {
                pooled = create();
                pooled.context().initialize("python");
            } catch (RuntimeException e) {
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

    private Pooled create() {
        Redirect out = new Redirect();
        Redirect err = new Redirect();
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
        return new Pooled(context, out, err);
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
