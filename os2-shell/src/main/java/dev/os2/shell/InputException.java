package dev.os2.shell;

import java.util.Objects;

/**
 * A problem with what the user asked for or pointed at (an option value, a workspace, a file),
 * reported as one line, {@code os2: <problem>. <remedy>}, with exit status 2. Nothing was changed.
 */
public final class InputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String remedy;

    /**
     * Creates the exception.
     *
     * @param problem what was wrong, as a sentence without the final full stop
     * @param remedy what the user can do about it, as a sentence; may be empty
     */
    public InputException(String problem, String remedy) {
        super(Objects.requireNonNull(problem, "problem"));
        this.remedy = Objects.requireNonNull(remedy, "remedy");
    }

    /** What was wrong. */
    public String problem() {
        return getMessage();
    }

    /** What to do about it; empty when there is nothing to add. */
    public String remedy() {
        return remedy;
    }
}
