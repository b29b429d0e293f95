package dev.os2.shell.python;

import java.util.List;
import java.util.Objects;

/**
 * One script to run: its source, the seed of its randomness, its fuel, the start of its virtual
 * clock and its way to the kernel. An immutable value; {@link #of} gives the defaults and the
 * {@code with} methods change one field at a time.
 *
 * <p>Same source, arguments, seed, budget, clock start and gateway answers ⇒ the same
 * {@link RunResult} (output bytes, hash, statements used), unless the watchdog stopped the run.
 *
 * @param sourceName the script's file name as Python sees it ({@code __file__}, {@code sys.argv[0]},
 *     tracebacks); must not look like an internal source ({@code <frozen …>}, {@code <os2…>})
 * @param source the script's text
 * @param args the script's arguments, {@code sys.argv[1:]}
 * @param seed seeds {@code random} (as {@code random.seed(seed)}) and, mixed, the stream behind
 *     {@code os.urandom}, {@code uuid4}, {@code secrets} and unseeded {@code random.Random()}; the
 *     kernel derives it from its own seed and the token id
 * @param statementBudget the fuel: line events of the script's own code it may execute, at least 1
 * @param clockEpochNanos the virtual wall-clock time when the run starts, in nanoseconds since
 *     1970-01-01T00:00Z; {@code time.time()} is this plus the virtual time the run has used
 * @param gateway the kernel, as the script's {@code os2} module sees it
 * @param timeoutMillis a wall-clock fuse for this run tighter than the sandbox's
 *     {@link SandboxConfig#timeoutMillis()}, or 0 for the sandbox's; a fuse, not a budget
 */
public record RunRequest(
        String sourceName,
        String source,
        List<String> args,
        long seed,
        long statementBudget,
        long clockEpochNanos,
        CapabilityGateway gateway,
        long timeoutMillis) {

    /** The largest budget: the meter counts in a long and must not overflow while it overshoots. */
    public static final long STATEMENT_BUDGET_MAX = 1L << 62;

    /**
     * Validates the request.
     *
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if the name is empty, spans lines or looks internal, or the
     *     budget or clock start is out of range
     */
    public RunRequest {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(source, "source");
        args = List.copyOf(args);
        Objects.requireNonNull(gateway, "gateway");
        if (sourceName.isEmpty() || sourceName.indexOf('\n') >= 0 || sourceName.indexOf('\r') >= 0
                || sourceName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("sourceName must be one non-empty line, was " + sourceName);
        }
        if (sourceName.startsWith("<frozen") || sourceName.startsWith("<os2")) {
            throw new IllegalArgumentException("sourceName must not look like an internal source: " + sourceName);
        }
        if (statementBudget < 1 || statementBudget > STATEMENT_BUDGET_MAX) {
            throw new IllegalArgumentException("statementBudget must be within 1..2^62, was " + statementBudget);
        }
        if (clockEpochNanos < 0) {
            throw new IllegalArgumentException("clockEpochNanos must not be negative, was " + clockEpochNanos);
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeoutMillis must not be negative, was " + timeoutMillis);
        }
    }

    /**
     * A request with no arguments, seed 0, a budget of one million statements, the clock at
     * 2026-01-01T00:00Z, a gateway that grants nothing and the sandbox's wall-clock fuse.
     *
     * @param sourceName see the record
     * @param source see the record
     * @return the request
     */
    public static RunRequest of(String sourceName, String source) {
        return new RunRequest(sourceName, source, List.of(), 0, 1_000_000, 1_767_225_600_000_000_000L,
                CapabilityGateway.DENY_ALL, 0);
    }

    /**
     * This request with other script arguments.
     *
     * @param value the new value
     * @return the changed copy
     */
    public RunRequest withArgs(List<String> value) {
        return new RunRequest(sourceName, source, value, seed, statementBudget, clockEpochNanos, gateway, timeoutMillis);
    }

    /**
     * This request with another seed.
     *
     * @param value the new value
     * @return the changed copy
     */
    public RunRequest withSeed(long value) {
        return new RunRequest(sourceName, source, args, value, statementBudget, clockEpochNanos, gateway, timeoutMillis);
    }

    /**
     * This request with another budget.
     *
     * @param value the new value
     * @return the changed copy
     */
    public RunRequest withStatementBudget(long value) {
        return new RunRequest(sourceName, source, args, seed, value, clockEpochNanos, gateway, timeoutMillis);
    }

    /**
     * This request with another clock start.
     *
     * @param value the new value
     * @return the changed copy
     */
    public RunRequest withClockEpochNanos(long value) {
        return new RunRequest(sourceName, source, args, seed, statementBudget, value, gateway, timeoutMillis);
    }

    /**
     * This request with another wall-clock fuse (0: the sandbox's).
     *
     * @param value the new value
     * @return the changed copy
     */
    public RunRequest withTimeoutMillis(long value) {
        return new RunRequest(sourceName, source, args, seed, statementBudget, clockEpochNanos, gateway, value);
    }

    /**
     * This request with another gateway.
     *
     * @param value the new value
     * @return the changed copy
     */
    public RunRequest withGateway(CapabilityGateway value) {
        return new RunRequest(sourceName, source, args, seed, statementBudget, clockEpochNanos, value, timeoutMillis);
    }
}
