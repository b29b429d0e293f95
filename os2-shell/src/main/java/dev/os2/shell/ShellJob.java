package dev.os2.shell;

import dev.os2.shell.line.Script;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One job of the shell: a list of pipelines typed on one line ({@code a | b && c}), run on threads
 * of its own, in the foreground (the prompt waits for it) or in the background ({@code &}).
 *
 * <p><b>Output.</b> The job's standard output and error reach the {@link ShellConsole} through
 * {@link #stdout()} and {@link #stderr()}: directly while the job is in the foreground; line by
 * line above the prompt while it is in the background; and not at all while it is stopped (Ctrl-Z):
 * a stopped job's commands wait at their next output until {@code fg} or {@code bg} resumes
 * them. Threads cannot be suspended safely in Java, so a stopped job that computes without
 * printing goes on computing; {@code jobs} says so ("stopped at its next output").
 *
 * <p><b>Interrupt.</b> {@link #interrupt()} interrupts every thread of the job (through the
 * services, which hold the interrupt back during ledger I/O) and makes its commands' next output
 * throw {@link CommandInterruptedException}; the job ends with exit status
 * {@link Os2#EXIT_INTERRUPTED} and runs no further pipeline of its list.
 *
 * <p>Thread-safe: the shell, the job's threads and signal handlers call it concurrently.
 */
final class ShellJob {

    /** Where a job is in its life. */
    enum State {
        /** Its commands are running. */
        RUNNING,
        /** Stopped with Ctrl-Z: its commands wait at their next output. */
        STOPPED,
        /** Finished; {@link #status()} is final. */
        DONE
    }

    private final ShellServices services;
    private final ShellConsole console;
    private final Script.AndOrList list;
    private final Set<Thread> threads = new LinkedHashSet<>();
    private final ByteArrayOutputStream pendingOut = new ByteArrayOutputStream();
    private final ByteArrayOutputStream pendingErr = new ByteArrayOutputStream();
    private final OutputStream stdout = new Sink(false);
    private final OutputStream stderr = new Sink(true);

    // Guarded by this.
    private int number;
    private State state = State.RUNNING;
    private boolean foreground;
    private boolean interrupted;
    private boolean reported;
    private int status = -1;
    private ShellJob adopted;

    ShellJob(ShellServices services, ShellConsole console, Script.AndOrList list, boolean foreground) {
        this.services = Objects.requireNonNull(services, "services");
        this.console = Objects.requireNonNull(console, "console");
        this.list = Objects.requireNonNull(list, "list");
        this.foreground = foreground;
    }

    /** The list of pipelines it runs. */
    Script.AndOrList list() {
        return list;
    }

    /** The text of the list, as typed. */
    String text() {
        return list.text();
    }

    /** Its job number ({@code %N}), or 0 while it has none (a foreground job that was never stopped). */
    synchronized int number() {
        return number;
    }

    synchronized void number(int value) {
        number = value;
    }

    synchronized State state() {
        return state;
    }

    synchronized boolean foreground() {
        return foreground;
    }

    synchronized boolean interrupted() {
        return interrupted;
    }

    /** Its exit status once {@link State#DONE}, else -1. */
    synchronized int status() {
        return status;
    }

    /** Whether its end was reported to the user (the "Done" notice), so the job table can forget it. */
    synchronized boolean reported() {
        return reported;
    }

    synchronized void markReported() {
        reported = true;
    }

    /** The standard output of its last command. */
    OutputStream stdout() {
        return stdout;
    }

    /** The standard error of all its commands. */
    OutputStream stderr() {
        return stderr;
    }

    /** Registers a thread that runs one of its commands; it is interrupted with the job. */
    void enter(Thread thread) {
        boolean late;
        synchronized (this) {
            threads.add(thread);
            late = interrupted;
        }
        if (late) {
            services.interrupt(thread);
        }
    }

    synchronized void leave(Thread thread) {
        threads.remove(thread);
    }

    /** The threads running its commands now. */
    synchronized List<Thread> threads() {
        return new ArrayList<>(threads);
    }

    /** A job that this one ({@code fg}) waits for in the foreground, or null. */
    synchronized ShellJob adopted() {
        return adopted;
    }

    synchronized void adopt(ShellJob job) {
        adopted = job;
    }

    /**
     * Interrupts the job: its threads, the token each of its commands annotated (cancelled through
     * {@code cancelToken}), and its commands' next output.
     *
     * @param cancelToken cancels a kernel token by id, best effort; called for each annotated token
     */
    void interrupt(java.util.function.LongConsumer cancelToken) {
        List<Thread> targets;
        synchronized (this) {
            if (state == State.DONE) {
                return;
            }
            interrupted = true;
            if (state == State.STOPPED) {
                state = State.RUNNING;
            }
            targets = new ArrayList<>(threads);
            notifyAll();
        }
        for (Thread t : targets) {
            Object token = services.peekAnnotations(t).get("token");
            if (token instanceof Number n) {
                cancelToken.accept(n.longValue());
            } else if (token instanceof String s && s.matches("[0-9]{1,18}")) {
                cancelToken.accept(Long.parseLong(s));
            }
            services.interrupt(t);
        }
    }

    /** Stops the job (Ctrl-Z): its commands wait at their next output. False if it had finished. */
    synchronized boolean stop() {
        if (state != State.RUNNING) {
            return false;
        }
        state = State.STOPPED;
        foreground = false;
        notifyAll();
        return true;
    }

    /** Resumes it in the foreground ({@code fg}) or the background ({@code bg}). False if it had finished. */
    boolean resume(boolean inForeground) {
        synchronized (this) {
            if (state == State.DONE) {
                return false;
            }
            state = State.RUNNING;
            foreground = inForeground;
            notifyAll();
        }
        if (inForeground) {
            flushPending();
        }
        return true;
    }

    /** Records the job's end and wakes whoever waits for it. */
    void finish(int exitStatus) {
        synchronized (this) {
            status = exitStatus;
            state = State.DONE;
            notifyAll();
        }
        flushPending();
    }

    /**
     * Waits until the job is done or no longer in the foreground (stopped). Not interruptible:
     * the shell's own thread is never interrupted; a signal handler interrupts the job instead.
     *
     * @return the exit status, or -1 if it left the foreground before finishing
     */
    synchronized int awaitForeground() {
        boolean wasInterrupted = false;
        while (state != State.DONE && foreground) {
            try {
                wait();
            } catch (InterruptedException e) {
                wasInterrupted = true;
            }
        }
        if (wasInterrupted) {
            Thread.currentThread().interrupt();
        }
        return state == State.DONE ? status : -1;
    }

    /**
     * Waits until the job is done; interruptible.
     *
     * @return its exit status
     * @throws InterruptedException if the waiting thread is interrupted
     */
    synchronized int awaitDone() throws InterruptedException {
        while (state != State.DONE) {
            wait();
        }
        return status;
    }

    /** Waits for the job to be done or stopped; interruptible. Returns its status, or -1 if stopped. */
    synchronized int awaitDoneOrStopped() throws InterruptedException {
        while (state == State.RUNNING) {
            wait();
        }
        return state == State.DONE ? status : -1;
    }

    /** Blocks a writer while the job is stopped; throws once the job was interrupted. */
    private synchronized boolean admit() {
        while (state == State.STOPPED && !interrupted) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandInterruptedException();
            }
        }
        if (interrupted && threads.contains(Thread.currentThread())) {
            throw new CommandInterruptedException();
        }
        return foreground;
    }

    private void flushPending() {
        for (boolean error : new boolean[] {false, true}) {
            ByteArrayOutputStream pending = error ? pendingErr : pendingOut;
            byte[] rest;
            synchronized (pending) {
                rest = pending.toByteArray();
                pending.reset();
            }
            if (rest.length > 0) {
                console.printAbove(error, new String(rest, StandardCharsets.UTF_8).stripTrailing());
            }
        }
    }

    /** The job's standard output or error. */
    private final class Sink extends OutputStream {
        private final boolean error;

        Sink(boolean error) {
            this.error = error;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            // Errors are let through while stopped, so that an interrupted command can say so.
            boolean direct = error ? !stateStopped() && foreground() : admit();
            if (direct) {
                console.write(error, b, off, len);
                return;
            }
            ByteArrayOutputStream pending = error ? pendingErr : pendingOut;
            List<String> lines = new ArrayList<>();
            synchronized (pending) {
                pending.write(b, off, len);
                byte[] all = pending.toByteArray();
                int start = 0;
                for (int i = 0; i < all.length; i++) {
                    if (all[i] == '\n') {
                        lines.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                        start = i + 1;
                    }
                }
                pending.reset();
                pending.write(all, start, all.length - start);
            }
            for (String line : lines) {
                console.printAbove(error, line);
            }
        }

        private boolean stateStopped() {
            return state() == State.STOPPED;
        }
    }
}
