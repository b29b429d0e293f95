package dev.os2.kernel;

/**
 * Thrown by {@link HandlerContext#invoke} when the invoked capability's handler failed. The failure
 * is recorded as {@code invocation_failed}; the calling handler may catch this and go on.
 */
public final class InvocationFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The capability whose handler failed. */
    private final String capabilityId;
    /** The recorded error text. */
    private final String error;

    InvocationFailedException(String capabilityId, String error) {
        super(capabilityId + " failed: " + error, null, false, false);
        this.capabilityId = capabilityId;
        this.error = error;
    }

    /** The capability whose handler failed. */
    public String capabilityId() {
        return capabilityId;
    }

    /** The recorded error text. */
    public String error() {
        return error;
    }
}
