package dev.os2.bench.kernel;

import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.Ledger;

/**
 * The kernel the benchmarks drive: one capability with a one-field invocation shape, granted
 * without restriction to one subject, and tokens that invoke it with a small budget. Also
 * temporary directories for the Chronicle ledger.
 */
final class KernelFixture {

    static final String SUBJECT = "agent-1";
    static final String CAPABILITY = "bench.tool";
    /** The arguments of every token: one string field, checked against the shape on admission. */
    static final CanonicalJson ARGS = CanonicalJson.parse("{\"query\":\"os2\"}");
    /** A token's budget: enough for the one-unit charge of {@link #CHARGE_ONE}, checked on admission and on every charge. */
    static final Budget BUDGET = Budget.ofTokens(16);

    /** A handler that does nothing and returns JSON null. */
    static final CapabilityHandler NO_OP = (context, args) -> CanonicalJson.NULL;

    /** A handler that charges one cost unit (one charge event, budget, ceiling, grant and deadline checks, one clock tick). */
    static final CapabilityHandler CHARGE_ONE = (context, args) -> {
        context.chargeTokens(1);
        return CanonicalJson.NULL;
    };

    private KernelFixture() {
    }

    /** The configuration with {@code handler} behind the capability; default limits (batches of up to 1024). */
    static KernelConfig config(CapabilityHandler handler) {
        CapabilityDescriptor descriptor = CapabilityDescriptor.builder(CAPABILITY)
                .description("a benchmark tool")
                .field("query", CapabilityDescriptor.JsonType.STRING)
                .tokenCeiling(1_000)
                .build();
        return KernelConfig.builder().seed(42).capability(descriptor, handler).build();
    }

    /**
     * A kernel on {@code ledger} (which must be empty; the caller closes it) with the capability
     * granted to {@link #SUBJECT}.
     *
     * @throws IllegalStateException if the grant is refused
     */
    static Kernel start(CapabilityHandler handler, Ledger ledger) {
        Kernel kernel = Kernel.create(config(handler), ledger);
        KernelResponse granted = kernel.execute(new KernelInput.GrantCapability(SUBJECT, CAPABILITY, GrantTerms.UNRESTRICTED));
        if (!granted.ok()) {
            throw new IllegalStateException("the benchmark grant was refused: " + granted);
        }
        return kernel;
    }

    /** A token of the fixture with {@code priority}. */
    static KernelInput.SubmitToken token(int priority) {
        return KernelInput.SubmitToken.of(SUBJECT, CAPABILITY, ARGS).withBudget(BUDGET).withPriority(priority);
    }

    /** Throws unless {@code r} queued its token(s): a benchmark must not time refusals. */
    static KernelResponse requireQueued(KernelResponse r) {
        if (r.disposition() != KernelResponse.Disposition.QUEUED) {
            throw new IllegalStateException("the kernel did not queue the benchmark's submission: " + r);
        }
        return r;
    }

    /** Throws unless the kernel ran {@code expected} tokens. */
    static long requireRan(long ran, long expected) {
        if (ran != expected) {
            throw new IllegalStateException("the kernel ran " + ran + " tokens, expected " + expected);
        }
        return ran;
    }
}
