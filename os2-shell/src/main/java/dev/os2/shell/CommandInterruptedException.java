package dev.os2.shell;

/**
 * Thrown into a command, at its next output or input, when the shell interrupted it (Ctrl-C,
 * {@code kill %JOB}, or the shell leaving). It ends the command with exit status
 * {@link Os2#EXIT_INTERRUPTED} and the one-line message {@code os2: interrupted.}. A command that
 * wants to stop sooner checks {@link Thread#isInterrupted()} itself.
 */
public final class CommandInterruptedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public CommandInterruptedException() {
        super("interrupted");
    }
}
