package dev.os2.bench.report;

import java.util.Locale;
import java.util.Objects;

/**
 * What an issue asks of a pair: a quantity, a direction and a threshold, such as "OS2 at least
 * 0.40 of the peer's speed" or "OS2 at most 1 µs per operation".
 *
 * @param quantity what is compared with the threshold
 * @param direction whether the quantity must reach the threshold or stay below it
 * @param threshold the threshold, in the quantity's unit
 */
public record Goal(Quantity quantity, Direction direction, double threshold) {

    /** What a goal constrains. */
    public enum Quantity {
        /** OS2's speed divided by the peer's (operations per second each; for times, their inverse). Dimensionless. */
        SPEED_RATIO,
        /** OS2's own throughput, in operations per second. */
        OS2_OPS_PER_SECOND,
        /** OS2's own time per operation, in nanoseconds. */
        OS2_NANOS_PER_OP
    }

    /** Which side of the threshold meets the goal. */
    public enum Direction {
        /** The quantity must be at least the threshold. */
        AT_LEAST,
        /** The quantity must be at most the threshold. */
        AT_MOST
    }

    /**
     * Validates the goal.
     *
     * @throws IllegalArgumentException if the threshold is not a positive finite number
     * @throws NullPointerException if quantity or direction is null
     */
    public Goal {
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(direction, "direction");
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("a goal's threshold is a positive number, got " + threshold);
        }
    }

    /** OS2 at least {@code ratio} of the peer's speed. */
    public static Goal speedRatioAtLeast(double ratio) {
        return new Goal(Quantity.SPEED_RATIO, Direction.AT_LEAST, ratio);
    }

    /** OS2 at least {@code opsPerSecond} operations per second. */
    public static Goal os2OpsPerSecondAtLeast(double opsPerSecond) {
        return new Goal(Quantity.OS2_OPS_PER_SECOND, Direction.AT_LEAST, opsPerSecond);
    }

    /** OS2 at most {@code nanos} nanoseconds per operation. */
    public static Goal os2NanosPerOpAtMost(double nanos) {
        return new Goal(Quantity.OS2_NANOS_PER_OP, Direction.AT_MOST, nanos);
    }

    /** Whether {@code value} (in the quantity's unit) meets the goal. */
    public boolean metBy(double value) {
        return switch (direction) {
            case AT_LEAST -> value >= threshold;
            case AT_MOST -> value <= threshold;
        };
    }

    /** The goal for people: {@code ratio ≥ 0.40}, {@code OS2 ≤ 1,000 ns/op}, {@code OS2 ≥ 100,000 ops/s}. */
    public String text() {
        String sign = direction == Direction.AT_LEAST ? "≥ " : "≤ ";
        return switch (quantity) {
            case SPEED_RATIO -> "ratio " + sign + Figures.number(threshold);
            case OS2_OPS_PER_SECOND -> "OS2 " + sign + Figures.number(threshold) + " ops/s";
            case OS2_NANOS_PER_OP -> "OS2 " + sign + Figures.number(threshold) + " ns/op";
        };
    }

    /** The quantity's name in JSON reports. */
    String quantityName() {
        return quantity.name().toLowerCase(Locale.ROOT);
    }

    /** The direction's name in JSON reports. */
    String directionName() {
        return direction.name().toLowerCase(Locale.ROOT);
    }
}
