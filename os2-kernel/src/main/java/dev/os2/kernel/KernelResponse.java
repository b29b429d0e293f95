package dev.os2.kernel;

import dev.os2.ledger.Hash;

/**
 * The kernel's answer to one {@link KernelInput}: what it decided and which ledger entry recorded
 * the input, for audit correlation.
 *
 * @param disposition what the kernel decided
 * @param reason a lower snake case code when rejected (for example {@code not_granted},
 *     {@code over_budget}, {@code rate_limit}, {@code queue_full}), else null
 * @param detail a sentence for people when rejected, else null
 * @param position the ledger position of the entry that recorded the input, or -1 when the input
 *     was never recorded ({@code queue_full})
 * @param hash that entry's hash, or null when not recorded
 * @param token for a submission, the (first) assigned token id, even when rejected; else null.
 *     A batch's tokens have consecutive ids from this one.
 * @param grant for a grant or derivation, the new grant's id when accepted; else null
 */
public record KernelResponse(Disposition disposition, String reason, String detail, long position, Hash hash,
        TokenId token, GrantId grant) {

    /** What the kernel decided about an input. */
    public enum Disposition {
        /** Applied: the change it asked for has happened. */
        ACCEPTED,
        /** Refused by policy; recorded (unless the reason is {@code queue_full}) and otherwise without effect. */
        REJECTED,
        /** A submission that was accepted and waits in the scheduler to run. */
        QUEUED
    }

    /** True unless rejected. */
    public boolean ok() {
        return disposition != Disposition.REJECTED;
    }

    /**
     * The token id, for a submission.
     *
     * @throws IllegalStateException if this response carries no token id
     */
    public TokenId tokenId() {
        if (token == null) {
            throw new IllegalStateException("this response carries no token id: " + this);
        }
        return token;
    }

    /**
     * The grant id, for an accepted grant or derivation.
     *
     * @throws IllegalStateException if this response carries no grant id
     */
    public GrantId grantId() {
        if (grant == null) {
            throw new IllegalStateException("this response carries no grant id: " + this);
        }
        return grant;
    }

    static KernelResponse queueFull(int capacity) {
        return new KernelResponse(Disposition.REJECTED, "queue_full",
                "the input queue holds its maximum of " + capacity + " inputs; retry after the kernel drains it",
                -1, null, null, null);
    }
}
