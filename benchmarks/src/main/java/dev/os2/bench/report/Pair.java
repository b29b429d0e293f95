package dev.os2.bench.report;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of the summary: an OS2 benchmark beside its peer, measured in the same run, and the
 * goal the issue that asked for it names.
 *
 * @param name what the pair compares, for people
 * @param issue the issue that asked for the benchmark
 * @param os2 the OS2 benchmark
 * @param peer the peer benchmark (another OS2 benchmark for the pairs that test scaling)
 * @param goal the goal, or empty when the issue names none (the figures are reported all the same)
 * @param pending true while the benchmarks are being written elsewhere: their absence from the
 *     benchmark jar is expected, and the pair is reported as not run
 */
public record Pair(String name, int issue, BenchmarkRef os2, BenchmarkRef peer, Optional<Goal> goal, boolean pending) {

    /**
     * Checks for null.
     *
     * @throws NullPointerException if a component is null
     */
    public Pair {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(os2, "os2");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(goal, "goal");
    }
}
