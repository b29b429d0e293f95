package dev.os2.kernel;

/**
 * The terms of a grant: what a {@link KernelInput.GrantCapability} gives or a
 * {@link KernelInput.DeriveCapability} narrows. Every term may only narrow what it derives from
 * (the capability's descriptor for a grant, the parent grant for a derivation); a term that would
 * widen is refused with reason {@code widening}. {@link Budget#UNLIMITED} (or null) means "as
 * wide as what it derives from".
 *
 * @param scope restrictions handed to the handler ({@link HandlerContext#scope()}), or null for
 *     the parent's. A scope narrows another when every key of the other is present with a value
 *     that narrows the other's value: arrays narrow to subsets, objects recursively, other values
 *     only to themselves. So a derived scope may add restrictions but never drop one.
 * @param tokenCeiling most cost units one invocation under the grant may charge
 * @param maxInvocations most invocations under the grant, counting its derived grants' invocations
 * @param rateLimit most invocations per window under the grant, or null for the parent's
 * @param expiresAtTick the virtual time at which the grant expires; {@link Budget#UNLIMITED} for never
 * @param budgetTokens most cost units all invocations under the grant may charge in total
 */
public record GrantTerms(dev.os2.ledger.CanonicalJson scope, long tokenCeiling, long maxInvocations,
        CapabilityDescriptor.RateLimit rateLimit, long expiresAtTick, long budgetTokens) {

    /** Terms that narrow nothing. */
    public static final GrantTerms UNRESTRICTED = new GrantTerms(null, Budget.UNLIMITED, Budget.UNLIMITED, null,
            Budget.UNLIMITED, Budget.UNLIMITED);

    /**
     * Validates the terms.
     *
     * @throws InvalidInputException if a limit is negative or between 2^53 and {@link Budget#UNLIMITED},
     *     or the scope is not a JSON object
     */
    public GrantTerms {
        if (scope != null && !scope.text().startsWith("{")) {
            throw Names.invalid("a grant scope is a JSON object, got " + Names.quote(scope.text()));
        }
        Budget.check("tokenCeiling", tokenCeiling);
        Budget.check("maxInvocations", maxInvocations);
        Budget.check("expiresAtTick", expiresAtTick);
        Budget.check("budgetTokens", budgetTokens);
    }

    /** These terms with another scope. */
    public GrantTerms withScope(dev.os2.ledger.CanonicalJson value) {
        return new GrantTerms(value, tokenCeiling, maxInvocations, rateLimit, expiresAtTick, budgetTokens);
    }

    /** These terms with another per-invocation token ceiling. */
    public GrantTerms withTokenCeiling(long value) {
        return new GrantTerms(scope, value, maxInvocations, rateLimit, expiresAtTick, budgetTokens);
    }

    /** These terms with another invocation limit. */
    public GrantTerms withMaxInvocations(long value) {
        return new GrantTerms(scope, tokenCeiling, value, rateLimit, expiresAtTick, budgetTokens);
    }

    /** These terms with a rate limit of {@code invocations} per {@code windowTicks}. */
    public GrantTerms withRateLimit(long invocations, long windowTicks) {
        return new GrantTerms(scope, tokenCeiling, maxInvocations, new CapabilityDescriptor.RateLimit(invocations, windowTicks),
                expiresAtTick, budgetTokens);
    }

    /** These terms with another expiry time. */
    public GrantTerms withExpiresAtTick(long value) {
        return new GrantTerms(scope, tokenCeiling, maxInvocations, rateLimit, value, budgetTokens);
    }

    /** These terms with another total token budget. */
    public GrantTerms withBudgetTokens(long value) {
        return new GrantTerms(scope, tokenCeiling, maxInvocations, rateLimit, expiresAtTick, value);
    }
}
