package dev.os2.shell.python;

import java.util.List;
import java.util.Objects;

/**
 * How a run ended. Every variant but {@link WatchdogStopped} is deterministic: the same
 * {@link RunRequest} gives an equal result, output and hash included.
 *
 * <p>{@code statementsUsed} counts metered statements (line events of the script's own code);
 * {@code virtualNanos} is the virtual time the run used (statements times the sandbox's rate,
 * plus {@code time.sleep}), for the kernel's clock.
 */
public sealed interface RunResult {

    /**
     * What the script wrote.
     *
     * @return what the script wrote
     */
    RunOutput output();

    /**
     * The metered statements the script executed.
     *
     * @return the metered statements the script executed
     */
    long statementsUsed();

    /**
     * Whether an identical request gives an equal result; false only for a watchdog stop.
     *
     * @return whether an identical request gives an equal result; false only for a watchdog stop
     */
    default boolean deterministic() {
        return !(this instanceof WatchdogStopped);
    }

    /**
     * The script ran to its end (or called {@code sys.exit()} with status 0 or None).
     *
     * @param statementsUsed metered statements executed
     * @param virtualNanos virtual time used
     * @param output what it wrote
     */
    record Completed(long statementsUsed, long virtualNanos, RunOutput output) implements RunResult {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if {@code output} is null
         */
        public Completed {
            Objects.requireNonNull(output, "output");
        }
    }

    /**
     * The fuel ran out: the statement at {@code file:line} would have been number
     * {@code statementBudget + 1}. Output ends with what the script wrote before that statement.
     *
     * @param statementsUsed metered statements executed, equal to the budget
     * @param statementBudget the budget of the request
     * @param file the file name of the statement that was not run
     * @param line its line number
     * @param virtualNanos virtual time used
     * @param output what the script wrote before the stop
     */
    record BudgetExceeded(long statementsUsed, long statementBudget, String file, int line, long virtualNanos,
            RunOutput output) implements RunResult {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if {@code file} or {@code output} is null
         */
        public BudgetExceeded {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(output, "output");
        }
    }

    /**
     * The script failed: a syntax error, an uncaught exception, a non-zero {@code sys.exit}, or an
     * operation the sandbox denies below Python ({@code exceptionType} {@code "SandboxDenied"}, for
     * example starting a thread).
     *
     * @param exceptionType the Python exception's qualified name, e.g. {@code ZeroDivisionError},
     *     {@code os2.CapabilityDenied}
     * @param message {@code str()} of the exception
     * @param traceback the formatted traceback, one line per element, without the sandbox's own
     *     frames
     * @param statementsUsed metered statements executed
     * @param virtualNanos virtual time used
     * @param output what the script wrote
     */
    record Failed(String exceptionType, String message, List<String> traceback, long statementsUsed,
            long virtualNanos, RunOutput output) implements RunResult {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if a field is null
         */
        public Failed {
            Objects.requireNonNull(exceptionType, "exceptionType");
            Objects.requireNonNull(message, "message");
            traceback = List.copyOf(traceback);
            Objects.requireNonNull(output, "output");
        }
    }

    /**
     * A safety fuse stopped the run: not reproducible, since where it stopped depends on the
     * machine's speed, the JVM's heap or the caller. Recorded as its own kind so that no one
     * mistakes it for a budget stop.
     *
     * @param cause which fuse
     * @param elapsedMillis wall-clock time from the start of the run to the stop
     * @param statementsUsed metered statements executed before the stop (varies from run to run)
     * @param abandoned true if the script's thread was still inside a built-in that does not poll
     *     for cancellation when the grace period ended: it goes on using a CPU until the built-in
     *     returns, and then ends; its output after the stop is discarded
     * @param output what the script wrote before the stop
     */
    record WatchdogStopped(Cause cause, long elapsedMillis, long statementsUsed, boolean abandoned, RunOutput output)
            implements RunResult {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if {@code cause} or {@code output} is null
         */
        public WatchdogStopped {
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(output, "output");
        }

        /** Which fuse stopped the run. */
        public enum Cause {
            /** The run exceeded {@link SandboxConfig#timeoutMillis()}. */
            WALL_CLOCK,
            /** The run grew the live heap past {@link SandboxConfig#memoryBytesMax()}. */
            MEMORY,
            /** The thread waiting in {@link PythonSandbox#run} was interrupted (a user's Ctrl-C). */
            INTERRUPTED
        }
    }

    /**
     * The request was refused before any of it ran (source too large or nested too deeply).
     *
     * @param reason what was wrong and the limit, one line
     */
    record Refused(String reason) implements RunResult {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }

        /**
         * A refused run wrote nothing.
         *
         * @return {@link RunOutput#EMPTY}
         */
        @Override
        public RunOutput output() {
            return RunOutput.EMPTY;
        }

        /**
         * A refused run executed nothing.
         *
         * @return 0
         */
        @Override
        public long statementsUsed() {
            return 0;
        }
    }
}
