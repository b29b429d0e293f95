package dev.os2.shell.python;

/**
 * The limits and fuses of a {@link PythonSandbox}, fixed for its lifetime. An immutable value:
 * start from {@link #defaults()} and change one setting at a time with the {@code with} methods;
 * each validates at once.
 *
 * @param timeoutMillis wall-clock time after which the watchdog cancels a run (a non-deterministic
 *     fuse, not a budget)
 * @param memoryBytesMax how much the JVM's live heap (as measured after garbage collections) may
 *     grow during a run whose thread allocated at least as much, before the watchdog cancels it; a
 *     coarse fuse against memory bombs that spares scripts which only churn through garbage,
 *     checked every {@code watchdogPeriodMillis}, and off on JVMs without allocation counts or
 *     collection notifications
 * @param watchdogPeriodMillis how often the watchdog checks a running script
 * @param outputBytesMax bytes of stdout and stderr together that a run may produce; the rest is
 *     cut, with a marker, and neither streamed nor captured
 * @param sourceBytesMax UTF-8 bytes of source a request may carry; larger ones are refused
 * @param nestingMax brackets a source may nest; deeper ones are refused before parsing
 * @param recursionLimitMax the most Python frames a script may have on its stack (two of them the
 *     sandbox's); deeper recursion ends the run with a {@code RecursionError}, always at the same
 *     depth; {@code sys.setrecursionlimit} is clamped to it
 * @param intDigitsMax the most decimal digits a script may let {@code int}/{@code str} convert
 *     ({@code sys.set_int_max_str_digits} is clamped to it), so a conversion stays short
 * @param nanosPerStatement how far the virtual clock advances per metered statement
 * @param stackBytes the JVM stack of the thread that runs a script; it must hold
 *     {@code recursionLimitMax} Python frames, so that the frame limit, not the stack, ends a deep
 *     recursion
 * @param cancelGraceMillis how long a run may take to end after a stop before it is abandoned: a
 *     built-in that does not poll for cancellation (a huge {@code pow}, {@code sum(range(10**15))})
 *     keeps its thread busy until it returns; the run's result is reported without waiting for it
 */
public record SandboxConfig(
        long timeoutMillis,
        long memoryBytesMax,
        long watchdogPeriodMillis,
        long outputBytesMax,
        int sourceBytesMax,
        int nestingMax,
        int recursionLimitMax,
        int intDigitsMax,
        long nanosPerStatement,
        long stackBytes,
        long cancelGraceMillis) {

    /**
     * Validates every setting.
     *
     * @throws IllegalArgumentException if a setting is out of its range
     */
    public SandboxConfig {
        positive("timeoutMillis", timeoutMillis);
        positive("memoryBytesMax", memoryBytesMax);
        positive("watchdogPeriodMillis", watchdogPeriodMillis);
        positive("outputBytesMax", outputBytesMax);
        positive("sourceBytesMax", sourceBytesMax);
        positive("nestingMax", nestingMax);
        if (recursionLimitMax < 50) {
            throw new IllegalArgumentException("recursionLimitMax must be at least 50, was " + recursionLimitMax);
        }
        if (intDigitsMax < 640) {
            throw new IllegalArgumentException("intDigitsMax must be at least 640 (Python's minimum), was " + intDigitsMax);
        }
        if (nanosPerStatement < 0 || nanosPerStatement > 1_000_000_000L) {
            throw new IllegalArgumentException("nanosPerStatement must be within 0..1e9, was " + nanosPerStatement);
        }
        if (stackBytes < 1 << 20) {
            throw new IllegalArgumentException("stackBytes must be at least 1 MiB, was " + stackBytes);
        }
        positive("cancelGraceMillis", cancelGraceMillis);
    }

    /**
     * The defaults: 60 s wall clock, 1 GiB of allocation, 1 MiB of output, 1 MiB of source, 100
     * nested brackets, Python's recursion limit of 1000, 100,000 digits, 1 µs of virtual time per
     * statement, a 64 MiB stack, 2 s of grace after a stop.
     *
     * @return the default configuration
     */
    public static SandboxConfig defaults() {
        // The wall-clock fuse sits far above what the default budget of 1,000,000 statements takes
        // (about 1 s on a warm JVM, up to 6 s on a cold, loaded one), so that the budget, which is
        // deterministic, is what stops a budgeted run, not this fuse, which is not.
        return new SandboxConfig(60_000, 1L << 30, 20, 1 << 20, 1 << 20, 100, 1000, 100_000, 1_000, 64L << 20, 2_000);
    }

    /**
     * This configuration with another wall-clock fuse.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withTimeoutMillis(long value) {
        return new SandboxConfig(value, memoryBytesMax, watchdogPeriodMillis, outputBytesMax, sourceBytesMax,
                nestingMax, recursionLimitMax, intDigitsMax, nanosPerStatement, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another memory fuse.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withMemoryBytesMax(long value) {
        return new SandboxConfig(timeoutMillis, value, watchdogPeriodMillis, outputBytesMax, sourceBytesMax,
                nestingMax, recursionLimitMax, intDigitsMax, nanosPerStatement, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another watchdog period.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withWatchdogPeriodMillis(long value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, value, outputBytesMax, sourceBytesMax,
                nestingMax, recursionLimitMax, intDigitsMax, nanosPerStatement, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another output limit.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withOutputBytesMax(long value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, watchdogPeriodMillis, value, sourceBytesMax,
                nestingMax, recursionLimitMax, intDigitsMax, nanosPerStatement, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another source size limit.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withSourceBytesMax(int value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, watchdogPeriodMillis, outputBytesMax, value,
                nestingMax, recursionLimitMax, intDigitsMax, nanosPerStatement, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another nesting limit.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withNestingMax(int value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, watchdogPeriodMillis, outputBytesMax, sourceBytesMax,
                value, recursionLimitMax, intDigitsMax, nanosPerStatement, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another recursion limit ceiling.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withRecursionLimitMax(int value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, watchdogPeriodMillis, outputBytesMax, sourceBytesMax,
                nestingMax, value, intDigitsMax, nanosPerStatement, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another integer conversion ceiling.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withIntDigitsMax(int value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, watchdogPeriodMillis, outputBytesMax, sourceBytesMax,
                nestingMax, recursionLimitMax, value, nanosPerStatement, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another virtual clock rate.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withNanosPerStatement(long value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, watchdogPeriodMillis, outputBytesMax, sourceBytesMax,
                nestingMax, recursionLimitMax, intDigitsMax, value, stackBytes, cancelGraceMillis);
    }

    /**
     * This configuration with another script thread stack size.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withStackBytes(long value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, watchdogPeriodMillis, outputBytesMax, sourceBytesMax,
                nestingMax, recursionLimitMax, intDigitsMax, nanosPerStatement, value, cancelGraceMillis);
    }

    /**
     * This configuration with another grace period after a stop.
     *
     * @param value the new value
     * @return the changed copy
     */
    public SandboxConfig withCancelGraceMillis(long value) {
        return new SandboxConfig(timeoutMillis, memoryBytesMax, watchdogPeriodMillis, outputBytesMax, sourceBytesMax,
                nestingMax, recursionLimitMax, intDigitsMax, nanosPerStatement, stackBytes, value);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
