package dev.os2.kernel;

/**
 * Thrown by a {@link HandlerContext} action when the kernel has halted the token (over budget,
 * capability violation, cancelled). The halt is already recorded; the exception only unwinds the
 * handler. A handler should let it propagate: whatever it does after catching it is ignored, and
 * every later action throws it again.
 */
public final class TokenHaltedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The event kind that halted the token. */
    private final String outcome;

    TokenHaltedException(String outcome, String message) {
        super(message, null, false, false);
        this.outcome = outcome;
    }

    /** The event kind that halted the token, for example {@code resource_budget_exceeded}. */
    public String outcome() {
        return outcome;
    }
}
