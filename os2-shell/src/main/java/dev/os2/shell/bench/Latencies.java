package dev.os2.shell.bench;

import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Latencies of one scenario run, one HdrHistogram per kind of operation ({@code token},
 * {@code grant}, {@code emit}, …), in nanoseconds with three significant digits.
 *
 * <p>These are measurements of the machine, taken with {@link System#nanoTime()} around
 * operations; nothing the kernel records depends on them, and the workload never looks at them.
 * Not thread-safe: a scenario records from the thread that drives it (handlers run on it too).
 */
final class Latencies {

    private static final int SIGNIFICANT_DIGITS = 3;

    private final SortedMap<String, Histogram> byKind = new TreeMap<>();

    /** An empty set of histograms. */
    public Latencies() {
    }

    /** The current monotonic time, in nanoseconds, to pass to {@link #since}. */
    public static long now() {
        return System.nanoTime();
    }

    /**
     * Records one operation of {@code kind} that started at {@code startNanos} (from {@link #now()}) and has just ended.
     *
     * @return the time now, so that a run of operations can chain their measurements
     */
    public long since(String kind, long startNanos) {
        long end = System.nanoTime();
        record(kind, end - startNanos);
        return end;
    }

    /**
     * Records one operation of {@code kind} that took {@code nanos}.
     *
     * @throws NullPointerException if kind is null
     */
    public void record(String kind, long nanos) {
        Objects.requireNonNull(kind, "kind");
        byKind.computeIfAbsent(kind, k -> new Histogram(SIGNIFICANT_DIGITS)).recordValue(Math.max(0, nanos));
    }

    /** The histograms by kind, sorted by kind; a read-only view. */
    public SortedMap<String, Histogram> byKind() {
        return Collections.unmodifiableSortedMap(byKind);
    }

    /** One histogram of every operation of the given kinds (an empty histogram if none was recorded). */
    public Histogram combined(Collection<String> kinds) {
        Histogram all = new Histogram(SIGNIFICANT_DIGITS);
        for (String k : kinds) {
            Histogram h = byKind.get(k);
            if (h != null) {
                all.add(h);
            }
        }
        return all;
    }

    /** Operations recorded of the given kinds. */
    public long count(Collection<String> kinds) {
        long n = 0;
        for (String k : kinds) {
            Histogram h = byKind.get(k);
            if (h != null) {
                n += h.getTotalCount();
            }
        }
        return n;
    }
}
