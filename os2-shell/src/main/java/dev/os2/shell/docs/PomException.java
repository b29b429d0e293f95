package dev.os2.shell.docs;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@code pom.xml} (or another build file these tools read) that is missing, unreadable, not
 * well-formed XML, or lacks what the tool needs. The message names the file and the problem.
 */
public final class PomException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the file concerned
     * @param problem what is wrong with it, as a sentence without the final full stop
     * @param cause the underlying exception, or null
     */
    public PomException(Path file, String problem, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(problem, "problem"), cause);
        this.file = file;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }
}
