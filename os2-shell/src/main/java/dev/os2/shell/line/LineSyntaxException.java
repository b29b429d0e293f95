package dev.os2.shell.line;

/**
 * A line that is not valid in the shell's line language. Carries the column of the problem and
 * whether the line is merely incomplete (an open quote, a trailing {@code |}, {@code &&},
 * {@code ||} or backslash), in which case more input could make it valid.
 */
public final class LineSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int column;
    private final boolean incomplete;

    /**
     * Creates the exception.
     *
     * @param problem what is wrong, as a sentence without the final full stop
     * @param column the 1-based column where the problem is
     * @param incomplete whether more input could complete the line
     */
    public LineSyntaxException(String problem, int column, boolean incomplete) {
        super(problem);
        this.column = column;
        this.incomplete = incomplete;
    }

    /** The 1-based column where the problem is. */
    public int column() {
        return column;
    }

    /** Whether more input could complete the line (an open quote, a trailing operator or backslash). */
    public boolean incomplete() {
        return incomplete;
    }
}
