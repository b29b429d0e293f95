package dev.os2.shell.python;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sandbox's own threads, outside the deterministic path: one timer that checks running
 * scripts against their fuses, and daemon threads that cancel contexts. A cancel blocks until the
 * script's thread has left the context, which can take as long as a built-in that does not poll
 * for cancellation, so it never runs on the timer.
 */
final class Watchdog implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemons("os2-python-watchdog"));
    private final ExecutorService cancellers = Executors.newCachedThreadPool(daemons("os2-python-cancel"));

    /** Runs {@code check} every {@code periodMillis} until the returned future is cancelled. */
    ScheduledFuture<?> every(long periodMillis, Runnable check) {
        return timer.scheduleAtFixedRate(check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Runs a (blocking) cancel on a canceller thread. */
    void cancel(Runnable cancel) {
        cancellers.execute(cancel);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        cancellers.shutdown();
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
