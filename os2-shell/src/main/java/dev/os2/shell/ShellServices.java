package dev.os2.shell;

import dev.os2.kernel.KernelInput;
import dev.os2.shell.python.PythonSandbox;
import dev.os2.shell.python.SandboxConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * What the commands of one program run share: the way to the workspace kernel, the Python sandbox
 * (one GraalPy engine for every run), the details each command adds to its transcript record, and
 * the standard input of the command running on a thread.
 *
 * <p><b>Two modes.</b> Run one-shot ({@code ./os2 <command>}, {@link #oneShot()}), a command opens
 * the workspace kernel for itself with {@link #withKernel} and it is closed when the work is done.
 * In the shell ({@link #shared()}), one kernel per workspace is opened at the first
 * {@link #withKernel} and stays open until {@link #close()}: background jobs and foreground
 * commands share it instead of fighting over the ledger's writer lock. Its ledger keeps thread
 * interrupts (the shell's way to stop a job) away from ledger I/O. A shared kernel that stopped
 * after a storage fault is opened again, from the ledger, by the next {@link #withKernel}.
 *
 * <p>Thread-safe.
 */
public final class ShellServices implements AutoCloseable {

    /**
     * The subject the shell's operator acts as: what {@code whoami} prints, and the subject of the
     * work the operator starts from the shell unless a command is told otherwise.
     */
    public static final String OPERATOR_SUBJECT = "operator";

    /** How long closing waits for commands still using a shared kernel, in milliseconds. */
    static final long CLOSE_WAIT_MILLIS = 10_000;

    private final boolean shared;
    private final Object lock = new Object();
    private final Map<Thread, Map<String, Object>> annotations = new ConcurrentHashMap<>();
    private final Map<Thread, LedgerTouch> touches = new ConcurrentHashMap<>();
    private final ThreadLocal<BufferedReader> inputs = new ThreadLocal<>();
    private final InterruptShield shield = new InterruptShield();
    // Guarded by lock. Insertion-ordered, so kernels close in the order they were opened.
    private final Map<Workspace, SharedKernel> kernels = new LinkedHashMap<>();
    private PythonSandbox python;
    private BufferedReader processInput;
    private volatile Shell shell;
    private boolean closed;

    private ShellServices(boolean shared) {
        this.shared = shared;
    }

    /**
     * Services for one command run one-shot: each {@link #withKernel} opens and closes the kernel.
     *
     * @return new services; close them when the program ends
     */
    public static ShellServices oneShot() {
        return new ShellServices(false);
    }

    /**
     * Services for the shell: each workspace's kernel, once opened by {@link #withKernel}, stays
     * open (with {@link ShellCapabilities} bound) until {@link #close()}.
     *
     * @return new services; close them when the shell ends
     */
    public static ShellServices shared() {
        return new ShellServices(true);
    }

    /** Whether workspace kernels stay open across commands (the shell) rather than per command. */
    public boolean isShared() {
        return shared;
    }

    /**
     * Runs {@code work} with the workspace's writable kernel, which has {@link ShellCapabilities}
     * bound (registered first if the ledger does not know them yet), and the operator's default
     * grants issued if they never were ({@link ShellCapabilities#grantOperatorDefaults}). The kernel is thread-safe
     * ({@link dev.os2.kernel.Kernel}); the {@link WorkspaceKernel} handed over is for this call
     * only, and its {@link WorkspaceKernel#sizeAtOpen()} is the ledger's size when the call began
     * (or, when the call opened the kernel, before opening recorded anything).
     *
     * @param workspace the workspace
     * @param work what to do with the kernel; it must not close it
     * @param <T> what the work returns
     * @return what {@code work} returned
     * @throws InputException and {@link dev.os2.ledger.LedgerException} as {@link WorkspaceKernel#open(Workspace, java.util.List)}
     */
    public <T> T withKernel(Workspace workspace, Function<WorkspaceKernel, T> work) {
        return withKernel(workspace, List.of(), work);
    }

    /**
     * {@link #withKernel(Workspace, Function)} with more capabilities bound than the shell's own:
     * those in {@code capabilities} are registered if the ledger does not know them, else their
     * handlers are bound. In the shell they stay bound for the rest of the session (the shared
     * kernel is opened again, from its ledger, to bind them; this waits for commands using it).
     *
     * @param workspace the workspace
     * @param capabilities more capabilities with their handlers, equal on every call
     * @param work what to do with the kernel; it must not close it
     * @param <T> what the work returns
     * @return what {@code work} returned
     * @throws InputException and {@link dev.os2.ledger.LedgerException} as {@link WorkspaceKernel#open(Workspace, java.util.List)}
     * @throws IllegalStateException if called with new capabilities from inside another
     *     {@code withKernel} of the same workspace on the same thread, or if the services are closed
     */
    public <T> T withKernel(Workspace workspace, List<KernelInput.RegisterCapability> capabilities,
            Function<WorkspaceKernel, T> work) {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(capabilities, "capabilities");
        Objects.requireNonNull(work, "work");
        if (!shared) {
            List<KernelInput.RegisterCapability> all = new ArrayList<>(ShellCapabilities.all(this));
            all.addAll(capabilities);
            try (WorkspaceKernel wk = WorkspaceKernel.open(workspace, all)) {
                ShellCapabilities.grantOperatorDefaults(wk.kernel());
                touch(workspace, wk.sizeAtOpen(), wk.ledger().size());
                try {
                    return work.apply(wk);
                } finally {
                    touch(workspace, wk.sizeAtOpen(), wk.ledger().size());
                }
            }
        }
        SharedKernel sk = entry(workspace);
        while (true) {
            boolean opened = sk.ensureOpen(workspace, capabilities);
            sk.lock.readLock().lock();
            try {
                WorkspaceKernel wk = sk.kernel;
                if (wk == null || wk.kernel().isClosed() || !sk.binds(capabilities)) {
                    continue; // Closed by a fault, or reopened without these: go round and open it.
                }
                long before = opened ? wk.sizeAtOpen() : wk.ledger().size();
                touch(workspace, before, wk.ledger().size());
                try (WorkspaceKernel view = wk.view(before, () -> { })) {
                    return work.apply(view);
                } finally {
                    touch(workspace, before, wk.ledger().size());
                }
            } finally {
                sk.lock.readLock().unlock();
            }
        }
    }

    /**
     * The workspace's kernel for looking only: in the shell, a read-only view of the shared kernel
     * when it is open (its state now, nothing replayed); otherwise
     * {@link WorkspaceKernel#openReadOnly}. The caller closes it.
     *
     * @param workspace the workspace, which has a ledger
     * @return the kernel, opened read-only
     * @throws InputException and {@link dev.os2.ledger.LedgerException} as {@link WorkspaceKernel#openReadOnly}
     */
    public WorkspaceKernel openForReading(Workspace workspace) {
        Objects.requireNonNull(workspace, "workspace");
        if (shared) {
            SharedKernel sk;
            synchronized (lock) {
                sk = kernels.get(workspace);
            }
            if (sk != null) {
                sk.lock.readLock().lock();
                WorkspaceKernel wk = sk.kernel;
                if (wk != null && !wk.kernel().isClosed()) {
                    AtomicBoolean released = new AtomicBoolean();
                    return wk.readOnlyView(() -> {
                        if (released.compareAndSet(false, true)) {
                            sk.lock.readLock().unlock();
                        }
                    });
                }
                sk.lock.readLock().unlock();
            }
        }
        return WorkspaceKernel.openReadOnly(workspace);
    }

    /**
     * The size of the workspace's ledger if the shell holds its kernel open, without touching the
     * disk; empty otherwise (one-shot, or not opened yet).
     *
     * @param workspace the workspace
     * @return the number of entries, or empty
     */
    public OptionalLong openLedgerSize(Workspace workspace) {
        if (!shared) {
            return OptionalLong.empty();
        }
        SharedKernel sk;
        synchronized (lock) {
            sk = kernels.get(workspace);
        }
        WorkspaceKernel wk = sk == null ? null : sk.kernel;
        return wk == null || wk.kernel().isClosed() ? OptionalLong.empty() : OptionalLong.of(wk.ledger().size());
    }

    /**
     * The shared Python sandbox, created on first use (not yet warm: {@link PythonSandbox#warmUp}
     * or its first run warms it).
     *
     * @return the sandbox, closed with these services
     * @throws IllegalStateException if the services are closed
     */
    public PythonSandbox python() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the shell's services are closed");
            }
            if (python == null) {
                python = PythonSandbox.create(SandboxConfig.defaults());
            }
            return python;
        }
    }

    /**
     * Adds a detail of the command running on this thread to its transcript record, for example
     * its seed, capability, budget, token id or the ledger positions it produced. A later value for
     * the same key replaces the earlier one. In the shell, {@code kill %JOB} also cancels the token
     * a job's command annotated as {@code token}.
     *
     * @param key the field's name, snake_case
     * @param value a string, number, boolean, or a list or map of those
     */
    public void annotate(String key, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Map<String, Object> mine = annotations.computeIfAbsent(Thread.currentThread(), t -> new LinkedHashMap<>());
        synchronized (mine) {
            mine.put(key, value);
        }
    }

    /**
     * The details {@link #annotate annotated} on this thread since the last call, in the order
     * they were first added; clears them.
     *
     * @return the details, a copy the caller owns
     */
    public Map<String, Object> takeAnnotations() {
        Map<String, Object> mine = annotations.remove(Thread.currentThread());
        if (mine == null) {
            return new LinkedHashMap<>();
        }
        synchronized (mine) {
            return new LinkedHashMap<>(mine);
        }
    }

    /** The details annotated so far on {@code thread}, without clearing them (for {@code kill} and {@code ps}). */
    Map<String, Object> peekAnnotations(Thread thread) {
        Map<String, Object> theirs = annotations.get(thread);
        if (theirs == null) {
            return Map.of();
        }
        synchronized (theirs) {
            return new LinkedHashMap<>(theirs);
        }
    }

    /**
     * The standard input of the command running on this thread, as UTF-8 text: in a shell
     * pipeline the output of the command before it; empty for the first command of a line typed
     * in the shell; the process's standard input for a command run one-shot. Not to be closed.
     *
     * @return the reader
     */
    public BufferedReader input() {
        BufferedReader mine = inputs.get();
        if (mine != null) {
            return mine;
        }
        synchronized (lock) {
            if (processInput == null) {
                processInput = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            }
            return processInput;
        }
    }

    /**
     * What this thread's command has set aside when it runs another command on the same thread
     * ({@code run-script} running its lines): its input, annotations and ledger positions.
     */
    record Outer(BufferedReader input, Map<String, Object> annotations, LedgerTouch touch) {
    }

    /** Takes this thread's input, annotations and ledger positions, leaving them empty. */
    Outer setAside() {
        Outer outer = new Outer(inputs.get(), takeAnnotations(), touches.remove(Thread.currentThread()));
        inputs.remove();
        return outer;
    }

    /**
     * Puts back what {@link #setAside()} took, after the inner command's were taken; the ledger
     * positions the inner command produced count for the outer one too.
     */
    void restore(Outer outer, LedgerTouch inner) {
        setInput(outer.input());
        outer.annotations().forEach(this::annotate);
        if (outer.touch() != null) {
            touches.put(Thread.currentThread(), outer.touch());
        }
        if (inner != null) {
            touch(inner.workspace(), inner.sizeBefore(), inner.sizeAfter());
        }
    }

    /** Sets (or with null, clears) the standard input of the command running on this thread. */
    void setInput(BufferedReader reader) {
        if (reader == null) {
            inputs.remove();
        } else {
            inputs.set(reader);
        }
    }

    /**
     * The ledger positions the command on this thread produced through {@link #withKernel}, since
     * the last call; clears them.
     */
    Optional<LedgerTouch> takeLedgerTouch() {
        return Optional.ofNullable(touches.remove(Thread.currentThread()));
    }

    /**
     * What a command did to a workspace's ledger.
     *
     * @param workspace the workspace
     * @param sizeBefore the ledger's size when the command first reached the kernel
     * @param sizeAfter its size when the command last left it
     */
    record LedgerTouch(Workspace workspace, long sizeBefore, long sizeAfter) {
    }

    private void touch(Workspace workspace, long before, long after) {
        touches.merge(Thread.currentThread(), new LedgerTouch(workspace, before, after),
                (old, now) -> old.workspace().equals(now.workspace())
                        ? new LedgerTouch(old.workspace(), old.sizeBefore(), now.sizeAfter()) : now);
    }

    /** The shell these services belong to, when they are a shell's. */
    Optional<Shell> shell() {
        return Optional.ofNullable(shell);
    }

    void attach(Shell value) {
        shell = value;
    }

    /** Interrupts a job's thread, holding the interrupt back while it is inside ledger I/O. */
    void interrupt(Thread thread) {
        shield.interrupt(thread);
    }

    private SharedKernel entry(Workspace workspace) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the shell's services are closed");
            }
            return kernels.computeIfAbsent(workspace, w -> new SharedKernel());
        }
    }

    /** One workspace's kernel in the shell: opened once, then shared by every command. */
    private final class SharedKernel {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        /** Guarded by lock (written under the write lock). */
        volatile WorkspaceKernel kernel;
        /** The capabilities bound besides the shell's own; guarded by lock. */
        final List<KernelInput.RegisterCapability> extra = new ArrayList<>();
        final Set<String> bound = new TreeSet<>();
        boolean closed;

        boolean binds(List<KernelInput.RegisterCapability> capabilities) {
            for (KernelInput.RegisterCapability r : capabilities) {
                if (!bound.contains(r.descriptor().id())) {
                    return false;
                }
            }
            return true;
        }

        /** Opens (or reopens) the kernel if it is not open with {@code capabilities}; true if it did. */
        boolean ensureOpen(Workspace workspace, List<KernelInput.RegisterCapability> capabilities) {
            lock.readLock().lock();
            try {
                WorkspaceKernel wk = kernel;
                if (wk != null && !wk.kernel().isClosed() && binds(capabilities)) {
                    return false;
                }
            } finally {
                lock.readLock().unlock();
            }
            if (lock.getReadHoldCount() > 0) {
                throw new IllegalStateException("withKernel with new capabilities was called inside another withKernel of "
                        + workspace + " on the same thread");
            }
            List<KernelInput.RegisterCapability> added = new ArrayList<>();
            try {
                lock.writeLock().lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the workspace kernel", e);
            }
            try {
                if (closed) {
                    throw new IllegalStateException("the shell's services are closed");
                }
                WorkspaceKernel wk = kernel;
                if (wk != null && !wk.kernel().isClosed() && binds(capabilities)) {
                    return false;
                }
                for (KernelInput.RegisterCapability r : capabilities) {
                    if (bound.add(r.descriptor().id())) {
                        extra.add(r);
                        added.add(r);
                    }
                }
                kernel = null;
                if (wk != null) {
                    wk.close();
                }
                List<KernelInput.RegisterCapability> all = new ArrayList<>(ShellCapabilities.all(ShellServices.this));
                all.addAll(extra);
                WorkspaceKernel opened = WorkspaceKernel.open(workspace, all, ledger -> new ShieldedLedger(ledger, shield));
                try {
                    ShellCapabilities.grantOperatorDefaults(opened.kernel());
                } catch (RuntimeException e) {
                    opened.close();
                    throw e;
                }
                kernel = opened;
                return true;
            } catch (RuntimeException e) {
                // Nothing is bound when the open failed; the next call tries again from scratch.
                for (KernelInput.RegisterCapability r : added) {
                    extra.remove(r);
                    bound.remove(r.descriptor().id());
                }
                throw e;
            } finally {
                lock.writeLock().unlock();
            }
        }

        void close() {
            try {
                if (!lock.writeLock().tryLock(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    // A command that ignores interrupts still uses the kernel. It is left open: the
                    // process is ending, and the ledger keeps every entry it acknowledged.
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                closed = true;
                WorkspaceKernel wk = kernel;
                kernel = null;
                if (wk != null) {
                    wk.close();
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /**
     * Closes the shared kernels (waiting up to {@link #CLOSE_WAIT_MILLIS} for commands that use
     * them) and the Python sandbox if one was made. Idempotent.
     */
    @Override
    public void close() {
        List<SharedKernel> open;
        PythonSandbox sandbox;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(kernels.values());
            sandbox = python;
        }
        RuntimeException first = null;
        for (SharedKernel sk : open) {
            try {
                sk.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (sandbox != null) {
            if (sandbox.isWarm()) {
                sandbox.close();
            } else {
                // A warm-up in progress holds the sandbox for seconds; leaving does not wait for it.
                Thread.ofPlatform().daemon().name("os2-python-close").start(sandbox::close);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
