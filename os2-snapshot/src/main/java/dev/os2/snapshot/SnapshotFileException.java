package dev.os2.snapshot;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A snapshot file (a bundle or a token) cannot be used: it is missing, cannot be read or written,
 * was cut short by a torn write, is damaged, is not such a file, or is of a format this code does
 * not read. A storage fault or bad input, never a verdict on a snapshot's authenticity (that is a
 * {@link SnapshotVerification}). Nothing was changed when it is thrown.
 */
public final class SnapshotFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the file. */
    public enum Problem {
        /** No such file, or no snapshot with that id in the store. */
        MISSING,
        /** It exists but cannot be read (permissions, an I/O error, too large). */
        UNREADABLE,
        /** It cannot be written (permissions, a full or read-only disk). */
        UNWRITABLE,
        /** It ends before its end frame: a write that was cut short. */
        TORN,
        /** Its frames are complete but its content does not match its end frame's length or checksum: damaged. */
        CORRUPT,
        /** It is not a snapshot bundle or token, or a member is missing, extra or of the wrong form. */
        MALFORMED,
        /** A format version this code does not read. */
        UNSUPPORTED_FORMAT,
        /**
         * A well-framed bundle whose state does not hash to its header's state hash, or whose
         * header disagrees with its state: altered and re-framed.
         */
        STATE_MISMATCH,
        /** The store already holds a different snapshot under this id. */
        CONFLICT
    }

    private final transient Path file;
    private final Problem problem;

    /**
     * Creates an exception about {@code file}; the message names the file.
     *
     * @param file the file, or null when the content did not come from a file
     * @param problem what is wrong
     * @param detail what was found, as a sentence fragment
     */
    public SnapshotFileException(Path file, Problem problem, String detail) {
        this(file, problem, detail, null);
    }

    /** As {@link #SnapshotFileException(Path, Problem, String)}, with a cause. */
    public SnapshotFileException(Path file, Problem problem, String detail, Throwable cause) {
        super((file == null ? "the snapshot content" : file.toString()) + ": " + detail, cause);
        this.file = file;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The file, or null when the content did not come from a file. */
    public Path file() {
        return file;
    }

    /** What is wrong. */
    public Problem problem() {
        return problem;
    }
}
