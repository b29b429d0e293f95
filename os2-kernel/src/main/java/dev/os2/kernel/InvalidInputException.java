package dev.os2.kernel;

/**
 * API misuse: an input or argument the kernel refuses before recording anything. Thrown on the
 * caller's thread by record constructors and {@link Kernel#execute}, or delivered through the
 * future of {@link Kernel#offer}. The ledger and the state are unchanged when it is thrown.
 *
 * <p>Contrast with a policy refusal (no grant, over budget, rate limited), which is an expected
 * outcome: it is recorded and returned as a {@link KernelResponse} with disposition
 * {@link KernelResponse.Disposition#REJECTED}.
 */
public final class InvalidInputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the input. */
    public enum Reason {
        /** A value is outside its documented range or format. */
        INVALID_VALUE,
        /** The input names a capability that is not registered. */
        UNKNOWN_CAPABILITY,
        /** The input names a grant the kernel never issued. */
        UNKNOWN_GRANT,
        /** The input names a token id the kernel never assigned. */
        UNKNOWN_TOKEN,
        /** A capability with this id is already registered. */
        DUPLICATE_CAPABILITY,
        /** JSON arguments or configuration are larger than {@link KernelConfig#maxPayloadBytes()}. */
        PAYLOAD_TOO_LARGE,
        /** The input is not allowed in this context (for example a batch reference outside a batch). */
        NOT_ALLOWED
    }

    /** What is wrong with the input. */
    private final Reason reason;

    /** Creates an exception with a reason and a message that says what to change. */
    public InvalidInputException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** What is wrong with the input. */
    public Reason reason() {
        return reason;
    }
}
