package dev.os2.bench.report;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One benchmark's primary result from a JMH run: the score, JMH's error (the half-width of its
 * 99.9% confidence interval, NaN when the run had too few iterations to estimate one) and the
 * unit, either operations per time ({@code ops/s}) or time per operation ({@code ns/op}).
 *
 * @param benchmark the fully qualified benchmark name
 * @param params the run's parameter values
 * @param mode JMH's mode ({@code thrpt}, {@code avgt}, {@code sample}, {@code ss})
 * @param score the score, in {@code unit}
 * @param error the score's error, in {@code unit}, or NaN
 * @param unit JMH's score unit
 */
public record Score(String benchmark, Map<String, String> params, String mode, double score, double error, String unit) {

    /**
     * Validates the unit.
     *
     * @throws IllegalArgumentException if the unit is neither {@code ops/<time>} nor {@code <time>/op},
     *     or the score is not positive
     * @throws NullPointerException if a component is null
     */
    public Score {
        Objects.requireNonNull(benchmark, "benchmark");
        params = Map.copyOf(params);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(unit, "unit");
        secondsPerUnit(unit);
        if (!(score > 0)) {
            throw new IllegalArgumentException(benchmark + " has score " + score + "; a rate or a time must be positive");
        }
    }

    /** The score as operations per second (a time per operation is inverted). */
    public double opsPerSecond() {
        double seconds = secondsPerUnit(unit);
        return isRate(unit) ? score / seconds : 1.0 / (score * seconds);
    }

    /** The error relative to the score (the same for a rate and its inverse, to first order), or NaN. */
    public double relativeError() {
        return error / score;
    }

    /** {@code 41.7 ± 2.1 ns/op}. */
    public String text() {
        return Figures.withError(score, error) + " " + unit;
    }

    private static boolean isRate(String unit) {
        return unit.startsWith("ops/");
    }

    /** Seconds in the time unit of {@code ops/<time>} or {@code <time>/op}. */
    private static double secondsPerUnit(String unit) {
        String time;
        if (unit.startsWith("ops/")) {
            time = unit.substring(4);
        } else if (unit.endsWith("/op")) {
            time = unit.substring(0, unit.length() - 3);
        } else {
            throw new IllegalArgumentException("unknown score unit " + unit + "; expected ops/<time> or <time>/op");
        }
        return switch (time.toLowerCase(Locale.ROOT)) {
            case "ns" -> 1e-9;
            case "us", "µs" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            case "hr" -> 3600;
            case "day" -> 86400;
            default -> throw new IllegalArgumentException("unknown time unit " + time + " in score unit " + unit);
        };
    }
}
