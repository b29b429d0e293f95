package dev.os2.kernel;

import dev.os2.ledger.EventListener;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.Subscription;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An OS2 kernel: decides what may run (capabilities), how much it may spend (budgets) and in what
 * order (a deterministic scheduler on a virtual clock), and records everything in a hash-chained
 * {@link Ledger}. The entry point of the embedding API.
 *
 * <pre>{@code
 * try (Kernel kernel = Kernel.create(KernelConfig.builder().seed(42).capability(descriptor, handler).build())) {
 *     kernel.execute(new KernelInput.GrantCapability("agent-1", "tool.echo", GrantTerms.UNRESTRICTED));
 *     KernelResponse r = kernel.execute(KernelInput.SubmitToken.of("agent-1", "tool.echo", args).withBudget(Budget.ofTokens(100)));
 *     kernel.runUntilIdle();
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A kernel starts no threads. Inputs may come from any thread: {@link #offer}
 * puts one in a bounded sequencer and returns at once; {@link #execute} applies one and returns
 * its response. One thread at a time is the <em>kernel thread</em>: the host's thread inside
 * {@link #step}, {@link #runUntilIdle} or {@link #execute}, or the thread the host dedicates to
 * {@link #runLoop}. It records each input in the ledger first, then applies it; then runs tokens,
 * one at a time, calling their handlers on itself. Handlers, and ledger listeners, run on the
 * kernel thread and must not call {@link #execute}, {@link #step} or {@link #runUntilIdle}
 * ({@link IllegalStateException}); they may call {@link #offer}.
 *
 * <p><b>Errors.</b> Misuse (null, malformed or oversized input, an unknown capability, grant or
 * token, a closed kernel) throws and records nothing. A policy refusal is an answer: a
 * {@link KernelResponse} with disposition {@code REJECTED}, recorded. A storage fault
 * ({@link dev.os2.ledger.LedgerException}) is thrown to the caller and closes the kernel: the
 * ledger is the truth, so a kernel that could not record must not go on.
 *
 * <p>No global state: many kernels may live in one JVM.
 */
public final class Kernel implements AutoCloseable {

    private record Pending(KernelInput input, CompletableFuture<KernelResponse> future) {
    }

    private final KernelConfig config;
    private final Ledger ledger;
    private final boolean ownsLedger;
    private final Machine machine;
    private final ArrayBlockingQueue<Pending> queue;
    private final ReentrantLock writer = new ReentrantLock();
    private volatile KernelState published;
    private volatile boolean closed;
    private volatile Throwable closedBy;
    private volatile Thread loopThread;

    private Kernel(KernelConfig config, Ledger ledger, boolean ownsLedger, Machine machine) {
        this.config = config;
        this.ledger = ledger;
        this.ownsLedger = ownsLedger;
        this.machine = machine;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        machine.setPump(this::pump);
    }

    /**
     * A kernel on a new in-memory ledger, which it closes with itself.
     *
     * @throws NullPointerException if config is null
     */
    public static Kernel create(KernelConfig config) {
        Objects.requireNonNull(config, "config");
        return start(config, InMemoryLedger.create(), true);
    }

    /**
     * A kernel on an empty ledger the caller owns (for example a {@code ChronicleLedger}); the
     * kernel does not close it. Records {@code kernel_started} and the configured capabilities.
     *
     * @throws IllegalArgumentException if the ledger is not empty (use {@link #recover})
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be written
     */
    public static Kernel create(KernelConfig config, Ledger ledger) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ledger, "ledger");
        if (ledger.size() != 0) {
            throw new IllegalArgumentException("the ledger already holds " + ledger.size()
                    + " entries; use Kernel.recover to continue it");
        }
        return start(config, ledger, false);
    }

    private static Kernel start(KernelConfig config, Ledger ledger, boolean owns) {
        Machine m = new Machine(config, ledger::append, KernelState.initial(config.seed()));
        Kernel k = new Kernel(config, ledger, owns, m);
        k.writer.lock();
        try {
            m.recordStart();
            for (KernelInput.RegisterCapability r : config.capabilities()) {
                m.apply(r);
            }
        } finally {
            k.published = m.snapshot();
            k.writer.unlock();
        }
        return k;
    }

    /**
     * A kernel that goes on from {@code state}, appending to {@code ledger} (which the caller owns).
     * The state's seed wins over the configuration's. Configured capabilities already in the state
     * get their handlers bound (their descriptors must be equal); new ones are registered. A token
     * that was running when the state was taken runs again from its start.
     *
     * @throws InvalidInputException if a configured capability differs from the registered one
     */
    public static Kernel fromState(KernelConfig config, KernelState state, Ledger ledger) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(ledger, "ledger");
        Machine m = new Machine(config, ledger::append, state);
        return bind(new Kernel(config, ledger, false, m), config);
    }

    /**
     * A kernel that continues a ledger written by an earlier kernel (after a restart or a crash):
     * replays it to rebuild the state, checking every entry, then appends to it. A token whose
     * handler was running when the earlier kernel stopped is recorded as failed. An empty ledger
     * gets a fresh kernel, as {@link #create(KernelConfig, Ledger)} would.
     *
     * @throws ReplayDivergenceException if the ledger was not written by a kernel with this configuration
     */
    public static Kernel recover(KernelConfig config, Ledger ledger) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ledger, "ledger");
        if (ledger.size() == 0) {
            return create(config, ledger);
        }
        Machine m = Replay.run(config, ledger, null, 0, true);
        m.clearHandlers();
        return bind(new Kernel(config, ledger, false, m), config);
    }

    /**
     * Replays {@code ledger} without calling any handler, substituting their recorded actions and
     * results, and checks that every entry comes out byte for byte the same. Starts from genesis
     * when {@code from} is null, else from {@code from} (a state taken between steps) at ledger
     * position {@code fromPosition}. The ledger is only read.
     *
     * @return the state after the last entry
     * @throws ReplayDivergenceException at the first entry that comes out differently
     */
    public static KernelState replay(KernelConfig config, Ledger ledger, KernelState from, long fromPosition) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ledger, "ledger");
        if (from == null && fromPosition != 0) {
            throw new IllegalArgumentException("a replay from genesis starts at position 0");
        }
        return Replay.run(config, ledger, from, fromPosition, false).snapshot();
    }

    /**
     * {@link #replay(KernelConfig, Ledger, KernelState, long)} with options: stop after a position
     * ({@link ReplayOptions#untilPosition()}), call some handlers again instead of repeating their
     * recorded outcomes (strict replay), report every step boundary, and find the states that
     * recorded rollbacks name. The ledger is only read; nothing else is touched.
     *
     * @return the state after the last entry replayed; when the replay stopped at a position in the
     *     middle of a token's run, the state there (with that token running)
     * @throws ReplayDivergenceException at the first entry that comes out differently, or when a
     *     rollback names a state that cannot be found
     * @throws KernelClosedException if a re-executed handler swallowed a divergence and went on;
     *     its cause is the divergence
     */
    public static KernelState replay(KernelConfig config, Ledger ledger, KernelState from, long fromPosition,
            ReplayOptions options) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(options, "options");
        if (from == null && fromPosition != 0) {
            throw new IllegalArgumentException("a replay from genesis starts at position 0");
        }
        return Replay.run(config, ledger, from, fromPosition, false, options).snapshot();
    }

    private static Kernel bind(Kernel k, KernelConfig config) {
        k.writer.lock();
        try {
            for (KernelInput.RegisterCapability r : config.capabilities()) {
                CapabilityDescriptor existing = k.machine.descriptor(r.descriptor().id());
                if (existing == null) {
                    k.machine.apply(r);
                } else if (existing.equals(r.descriptor())) {
                    k.machine.bindHandler(existing.id(), r.handler());
                } else {
                    throw new InvalidInputException(InvalidInputException.Reason.DUPLICATE_CAPABILITY, "capability "
                            + existing.id() + " is registered with another descriptor than the configured one");
                }
            }
        } finally {
            k.published = k.machine.snapshot();
            k.writer.unlock();
        }
        return k;
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Applies an input and returns the kernel's answer, after recording it. Drains inputs offered
     * before it first, so inputs apply in the order they arrived. When a {@link #runLoop} owns the
     * kernel, hands the input to it and waits.
     *
     * @throws InvalidInputException for misuse (nothing is recorded)
     * @throws KernelClosedException if the kernel is closed
     * @throws IllegalStateException if called from a handler or ledger listener
     * @throws dev.os2.ledger.LedgerException if the ledger cannot record (the kernel closes)
     */
    public KernelResponse execute(KernelInput input) {
        Objects.requireNonNull(input, "input");
        checkOpen();
        Machine.precheck(config, input);
        if (writer.isHeldByCurrentThread()) {
            throw new IllegalStateException("execute() was called on the kernel thread (from a handler or a ledger listener);"
                    + " use the HandlerContext or offer()");
        }
        Thread loop = loopThread;
        if (loop != null && loop != Thread.currentThread()) {
            Pending p = new Pending(input, new CompletableFuture<>());
            try {
                queue.put(p);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for room in the input queue", e);
            }
            LockSupport.unpark(loop);
            return await(p.future);
        }
        writer.lock();
        try {
            checkOpen();
            drainQueue();
            return machine.apply(input);
        } catch (RuntimeException e) {
            throw failIfFaulted(e);
        } finally {
            release();
        }
    }

    private static KernelResponse await(CompletableFuture<KernelResponse> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the kernel", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new CompletionException(e.getCause());
        }
    }

    /**
     * Puts an input in the sequencer and returns at once; the kernel thread records and applies it
     * at its next {@link #step}, {@link #runUntilIdle}, {@link #execute}, loop turn, or at the next
     * action of a running handler. Thread-safe. When the sequencer is full, the future is already
     * complete with a {@code REJECTED} response, reason {@code queue_full}, that was not recorded.
     *
     * @return the response, or the misuse exception the input turned out to be
     * @throws InvalidInputException for misuse that does not depend on the kernel's state
     * @throws KernelClosedException if the kernel is closed
     */
    public CompletableFuture<KernelResponse> offer(KernelInput input) {
        Objects.requireNonNull(input, "input");
        checkOpen();
        Machine.precheck(config, input);
        Pending p = new Pending(input, new CompletableFuture<>());
        if (!queue.offer(p)) {
            return CompletableFuture.completedFuture(KernelResponse.queueFull(config.queueCapacity()));
        }
        if (closed) {
            failPending();
        }
        Thread loop = loopThread;
        if (loop != null) {
            LockSupport.unpark(loop);
        }
        return p.future;
    }

    /**
     * Applies the inputs waiting in the sequencer, then runs the next ready token (the highest
     * priority, then the oldest) to its end, on the calling thread.
     *
     * @return true if it applied an input or ran a token
     * @throws KernelClosedException if the kernel is closed
     * @throws IllegalStateException if a {@link #runLoop} owns the kernel, or called from a handler
     */
    public boolean step() {
        enterPassive();
        writer.lock();
        try {
            checkOpen();
            int applied = drainQueue();
            return machine.runNext() || applied > 0;
        } catch (RuntimeException e) {
            throw failIfFaulted(e);
        } finally {
            release();
        }
    }

    /**
     * Steps until no input waits and no token is ready, on the calling thread.
     *
     * @return the number of tokens run
     * @throws KernelClosedException if the kernel is closed
     * @throws IllegalStateException if a {@link #runLoop} owns the kernel, or called from a handler
     */
    public long runUntilIdle() {
        enterPassive();
        writer.lock();
        try {
            long ran = 0;
            while (true) {
                checkOpen();
                drainQueue();
                if (machine.runNext()) {
                    ran++;
                } else if (queue.isEmpty()) {
                    return ran;
                }
            }
        } catch (RuntimeException e) {
            throw failIfFaulted(e);
        } finally {
            release();
        }
    }

    /**
     * Makes the calling thread the kernel's dedicated loop until {@link #close()}: it applies
     * inputs as they arrive and runs ready tokens, and parks when there is nothing to do. For hosts
     * that do not want to drive the kernel themselves: {@code new Thread(kernel::runLoop).start()}.
     * While it runs, other threads use {@link #offer} or {@link #execute}.
     *
     * @throws IllegalStateException if another thread already runs the loop
     * @throws dev.os2.ledger.LedgerException if the ledger fails (the kernel closes and the loop ends)
     */
    public void runLoop() {
        checkOpen();
        synchronized (this) {
            if (loopThread != null) {
                throw new IllegalStateException("another thread already runs this kernel's loop: " + loopThread.getName());
            }
            loopThread = Thread.currentThread();
        }
        try {
            while (!closed) {
                boolean worked;
                writer.lock();
                try {
                    if (closed) {
                        break;
                    }
                    int applied = drainQueue();
                    worked = machine.runNext() || applied > 0;
                } catch (RuntimeException e) {
                    throw failIfFaulted(e);
                } finally {
                    release();
                }
                if (!worked && queue.isEmpty() && !closed) {
                    // Woken by offer(), execute() or close(); spurious wake-ups just go round again.
                    LockSupport.park(this);
                }
            }
        } finally {
            loopThread = null;
        }
    }

    private void enterPassive() {
        checkOpen();
        if (writer.isHeldByCurrentThread()) {
            throw new IllegalStateException("the kernel cannot be stepped from a handler or a ledger listener");
        }
        Thread loop = loopThread;
        if (loop != null && loop != Thread.currentThread()) {
            throw new IllegalStateException("a dedicated loop owns this kernel; use offer() or execute()");
        }
    }

    /** Applies what waits in the sequencer (at most its capacity, so producers cannot starve the caller). */
    private int drainQueue() {
        int applied = 0;
        int limit = config.queueCapacity();
        Pending p;
        while (applied < limit && (p = queue.poll()) != null) {
            applied++;
            try {
                p.future.complete(machine.apply(p.input));
            } catch (InvalidInputException | IllegalStateException misuse) {
                p.future.completeExceptionally(misuse);
                if (machine.fault() != null) {
                    throw misuse;
                }
            } catch (RuntimeException e) {
                p.future.completeExceptionally(e);
                throw e;
            }
        }
        return applied;
    }

    /** The pump a running handler's actions call: inputs that arrived meanwhile apply now. */
    private void pump() {
        if (!queue.isEmpty()) {
            drainQueue();
        }
    }

    private void release() {
        try {
            if (machine.fault() == null) {
                published = machine.snapshot();
            }
        } finally {
            writer.unlock();
        }
    }

    private RuntimeException failIfFaulted(RuntimeException e) {
        RuntimeException fault = machine.fault();
        if (fault != null && !closed) {
            closedBy = fault;
            closed = true;
            failPending();
        }
        return e;
    }

    private void failPending() {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.future.completeExceptionally(new KernelClosedException("the kernel closed before applying this input", closedBy));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new KernelClosedException(closedBy == null ? "the kernel is closed"
                    : "the kernel stopped after a fault: " + closedBy.getMessage(), closedBy);
        }
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The current state, in O(1). On the kernel thread (in a handler or listener) it includes
     * everything recorded so far; on other threads, everything up to the last completed input or
     * token run. Thread-safe.
     */
    public KernelState state() {
        return writer.isHeldByCurrentThread() ? machine.snapshot() : published;
    }

    /** The ledger this kernel records into. */
    public Ledger ledger() {
        return ledger;
    }

    /** The configuration it was built with. */
    public KernelConfig config() {
        return config;
    }

    /**
     * StreamEvents: delivers every ledger entry from {@code fromPosition} on, first those already
     * recorded, then each new one as it is recorded, on the kernel thread (see {@link EventListener}).
     *
     * @throws java.util.NoSuchElementException if {@code fromPosition} is beyond the ledger
     */
    public Subscription subscribe(long fromPosition, EventListener listener) {
        checkOpen();
        return ledger.subscribe(fromPosition, listener);
    }

    /** True once closed, by {@link #close()} or a fault. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the kernel: later inputs throw {@link KernelClosedException}, inputs still waiting in
     * the sequencer fail with it, a {@link #runLoop} ends, and a ledger the kernel created is
     * closed. Waits for a step in progress on another thread to finish. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closeCalled) {
                return;
            }
            closeCalled = true;
        }
        closed = true;
        Thread loop = loopThread;
        if (loop != null) {
            LockSupport.unpark(loop);
        }
        writer.lock();
        try {
            failPending();
            if (ownsLedger) {
                ledger.close();
            }
        } finally {
            writer.unlock();
        }
    }

    private boolean closeCalled;

    @Override
    public String toString() {
        return "Kernel[seed=" + config.seed() + ", ledger=" + ledger.size() + " entries, " + published + "]";
    }
}
