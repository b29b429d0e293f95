package dev.os2.shell.bench;

import dev.os2.shell.ShellServices;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a {@link Scenario} run gets: its seed and size, an empty scratch folder, the shell's
 * services (for the Python sandbox), the latencies to record into, a progress sink, and a stopwatch
 * around the part of the run that counts for throughput (everything but opening and closing the
 * ledger). Not thread-safe: one scenario run on one thread.
 */
final class ScenarioContext {

    /** Receives progress; called on the scenario's thread. */
    @FunctionalInterface
    public interface Progress {
        /** {@code done} of {@code total} units of the run are done. */
        void at(long done, long total);

        /** A sink that ignores progress. */
        Progress NONE = (done, total) -> {
        };
    }

    private final long seed;
    private final Size size;
    private final Path scratch;
    private final ShellServices services;
    private final Latencies latencies;
    private final Progress progress;
    private final SortedMap<String, Long> measured = new TreeMap<>();
    private long startNanos = -1;
    private long elapsedNanos = -1;

    /**
     * Creates a context.
     *
     * @param seed the workload seed
     * @param size the workload size
     * @param scratch an empty folder the run may fill
     * @param services the shell's services
     * @param latencies where to record operation latencies
     * @param progress where to report progress
     */
    public ScenarioContext(long seed, Size size, Path scratch, ShellServices services, Latencies latencies, Progress progress) {
        this.seed = seed;
        this.size = Objects.requireNonNull(size, "size");
        this.scratch = Objects.requireNonNull(scratch, "scratch");
        this.services = Objects.requireNonNull(services, "services");
        this.latencies = Objects.requireNonNull(latencies, "latencies");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** The workload seed. */
    public long seed() {
        return seed;
    }

    /** The workload size. */
    public Size size() {
        return size;
    }

    /** The run's scratch folder. */
    public Path scratch() {
        return scratch;
    }

    /** The shell's services. */
    public ShellServices services() {
        return services;
    }

    /** Where the run records latencies. */
    public Latencies latencies() {
        return latencies;
    }

    /** Reports progress: {@code done} of {@code total}. */
    public void progress(long done, long total) {
        progress.at(done, total);
    }

    /**
     * Notes a figure measured on the side that is not part of the deterministic result, for
     * example the Python engine's warm-up time.
     */
    public void measured(String name, long value) {
        measured.put(Objects.requireNonNull(name, "name"), value);
    }

    /** The figures noted with {@link #measured}, sorted by name; a read-only view. */
    public SortedMap<String, Long> measured() {
        return Collections.unmodifiableSortedMap(measured);
    }

    /** Starts the stopwatch: the measured part of the run begins (after the kernel and ledger are open). */
    public void startClock() {
        startNanos = System.nanoTime();
    }

    /**
     * Stops the stopwatch.
     *
     * @throws IllegalStateException if it was not started
     */
    public void stopClock() {
        if (startNanos < 0) {
            throw new IllegalStateException("the stopwatch was not started");
        }
        elapsedNanos = System.nanoTime() - startNanos;
    }

    /**
     * The measured time, in nanoseconds.
     *
     * @throws IllegalStateException if the stopwatch was not started and stopped
     */
    public long elapsedNanos() {
        if (elapsedNanos < 0) {
            throw new IllegalStateException("the scenario did not start and stop its stopwatch");
        }
        return elapsedNanos;
    }
}
