package dev.os2.ledger;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file of the signing layer (a signing key, a public key, a checkpoint) cannot be used: it is
 * missing, unreadable, not in its format, or inconsistent. The message names the file and says
 * what is wrong with it in words a user can act on; {@link #problem()} says which case it is.
 * Reading never changes the file; a failed write leaves no partial file under the target name.
 */
public final class SignatureFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the file. */
    public enum Problem {
        /** The file does not exist. */
        MISSING,
        /** The file exists but cannot be read (permissions, I/O error, a directory). */
        UNREADABLE,
        /** The content is not the expected format: not JSON, a wrong type, a missing or extra member, a bad value or length. */
        MALFORMED,
        /** The file declares a format version this code does not read. */
        UNSUPPORTED_FORMAT,
        /** The parts disagree: a key id that is not the key's, or a seed that does not give the stored public key. */
        KEY_MISMATCH,
        /** A file that must not be overwritten (a signing key) already exists. */
        ALREADY_EXISTS,
        /** The file or its directory cannot be written. */
        UNWRITABLE
    }

    private final transient Path file;
    private final Problem problem;

    /** Creates an exception for {@code file}; the message is prefixed with the file's path. */
    public SignatureFileException(Path file, Problem problem, String message) {
        this(file, problem, message, null);
    }

    /** Creates an exception for {@code file} with the underlying cause. */
    public SignatureFileException(Path file, Problem problem, String message, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + message, cause);
        this.file = file;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }

    /** What is wrong with it. */
    public Problem problem() {
        return problem;
    }
}
