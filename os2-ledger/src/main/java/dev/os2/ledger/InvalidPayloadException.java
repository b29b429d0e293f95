package dev.os2.ledger;

/**
 * Input that cannot be recorded as it is: JSON that cannot be canonical, or a field outside its
 * limits. Thrown before anything is written, so the ledger is unchanged.
 */
public final class InvalidPayloadException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Why the input was refused. */
    public enum Reason {
        /** The text is not JSON (syntax error, trailing data, empty). */
        INVALID_JSON,
        /** An object has the same key twice; canonical JSON has one value per key. */
        DUPLICATE_KEY,
        /** NaN or an infinity: JSON has no such numbers. */
        NON_FINITE_NUMBER,
        /**
         * A number outside IEEE-754 double (overflow, or underflow of a non-zero number to zero), an
         * integer literal beyond 2^53 that a double cannot hold, or a number literal longer than
         * 1000 characters.
         */
        NUMBER_OUT_OF_RANGE,
        /** A string holds an unpaired UTF-16 surrogate, which has no UTF-8 encoding. */
        LONE_SURROGATE,
        /** Nesting deeper than the limit. */
        TOO_DEEP,
        /** The payload is larger than the configured limit, or a string in it exceeds the parser's limit. */
        TOO_LARGE,
        /** A required value is null. */
        NULL,
        /** An envelope field (kind, event id, capability id, time) is malformed. */
        INVALID_FIELD
    }

    private final Reason reason;

    /** Creates an exception with a reason and a message a user can act on. */
    public InvalidPayloadException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Creates an exception with a reason, a message and the parser's own error. */
    public InvalidPayloadException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the input was refused. */
    public Reason reason() {
        return reason;
    }
}
