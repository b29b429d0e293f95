package dev.os2.shell;

/**
 * Thrown into a command of a shell pipeline when it writes after the next command has finished
 * reading (as {@code head -n 1} does): it ends the command quietly, with exit status
 * {@link Os2#EXIT_BROKEN_PIPE}, as a POSIX shell's {@code SIGPIPE} would. It is unchecked so that
 * it passes through {@link java.io.PrintWriter}, which would swallow an {@link java.io.IOException}
 * and leave the command producing output no one reads.
 */
public final class BrokenPipeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public BrokenPipeException() {
        super("the next command of the pipeline has finished reading");
    }
}
