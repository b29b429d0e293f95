package dev.os2.kernel;

import dev.os2.ledger.CanonicalJson;
import java.util.List;

/**
 * A grant as the kernel sees it (a read-only view taken from a {@link KernelState}). Its limits are
 * the effective ones: already narrowed by the descriptor and every ancestor.
 *
 * @param id the kernel-assigned id
 * @param version 1 when issued; one more at each change of status
 * @param subject who holds it
 * @param capabilityId what it allows
 * @param parent the grant it was derived from, or null for a root grant
 * @param children the grants derived from it, in id order
 * @param scope its effective scope
 * @param tokenCeiling most cost units per invocation
 * @param maxInvocations most invocations under it (counting derived grants)
 * @param rateLimit most invocations per window, or null
 * @param expiresAtTick when it expires, or {@link Budget#UNLIMITED}
 * @param budgetTokens most cost units under it in total, or {@link Budget#UNLIMITED}
 * @param status whether it is in force
 * @param invocations invocations so far under it (counting derived grants)
 * @param tokensCharged cost units charged so far under it (counting derived grants)
 */
public record Grant(GrantId id, long version, String subject, String capabilityId, GrantId parent, List<GrantId> children,
        CanonicalJson scope, long tokenCeiling, long maxInvocations, CapabilityDescriptor.RateLimit rateLimit,
        long expiresAtTick, long budgetTokens, Status status, long invocations, long tokensCharged) {

    /** Creates the view; the kernel builds these. */
    public Grant {
        children = List.copyOf(children);
    }

    /** Whether a grant is in force. */
    public enum Status {
        /** In force. */
        ACTIVE,
        /** Revoked, directly or because an ancestor was. */
        REVOKED,
        /** The clock reached its expiry. */
        EXPIRED;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status ofWireName(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
