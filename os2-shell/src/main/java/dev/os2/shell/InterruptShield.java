package dev.os2.shell;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keeps thread interrupts away from ledger I/O. Interrupting a thread while it is inside a
 * {@link java.nio.channels.FileChannel} operation closes the channel, which would fault the
 * shell's shared ledger and stop its kernel for every job. So the shell interrupts its jobs
 * through {@link #interrupt}, and the shared ledger runs each of its calls {@link #shielded}: an
 * interrupt aimed at a thread inside a shielded call is held back until the thread leaves it, and
 * an interrupt status the thread already had is cleared for the call and restored after it.
 *
 * <p>Thread-safe. A thread may nest shielded calls; the interrupt is delivered when it leaves the
 * outermost one.
 */
final class InterruptShield {

    private final Object lock = new Object();
    // Looked up by thread only, never iterated, so identity hashing does not matter here.
    private final Map<Thread, Integer> depth = new HashMap<>();
    private final Set<Thread> held = new HashSet<>();

    /**
     * Runs {@code io} with interrupts of the calling thread held back.
     *
     * @param io the ledger call
     * @param <T> what it returns
     * @return what it returned
     */
    <T> T shielded(Supplier<T> io) {
        Thread me = Thread.currentThread();
        boolean interrupted;
        synchronized (lock) {
            depth.merge(me, 1, Integer::sum);
            interrupted = Thread.interrupted();
        }
        try {
            return io.get();
        } finally {
            synchronized (lock) {
                int d = depth.merge(me, -1, Integer::sum);
                if (d == 0) {
                    depth.remove(me);
                    interrupted |= held.remove(me);
                }
            }
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    /** {@link #shielded(Supplier)} for a call without a result. */
    void shieldedRun(Runnable io) {
        shielded(() -> {
            io.run();
            return null;
        });
    }

    /**
     * Interrupts {@code thread} now, or when it leaves its shielded call if it is inside one.
     *
     * @param thread the thread to interrupt
     */
    void interrupt(Thread thread) {
        synchronized (lock) {
            if (depth.containsKey(thread)) {
                held.add(thread);
                return;
            }
        }
        thread.interrupt();
    }
}
