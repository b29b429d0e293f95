package dev.os2.bench.snapshot;

import dev.os2.bench.kernel.DiscardingLedger;
import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.KernelToken;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.Ledger;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel and the states the snapshot benchmarks use: one capability with a one-field
 * invocation shape and a handler that does nothing, granted without restriction to one subject,
 * and tokens that invoke it with a small budget. A state of n entries is a kernel with n live
 * (submitted, not yet run) tokens: the live tokens are the collection that grows with the work a
 * kernel holds, and each one is a full record (subject, capability, grant, arguments, budget,
 * status, usage), as in a kernel under load.
 */
final class StateFixture {

    static final String SUBJECT = "agent-1";
    static final String CAPABILITY = "bench.tool";
    static final CanonicalJson ARGS = CanonicalJson.parse("{\"query\":\"os2\"}");
    static final Budget BUDGET = Budget.ofTokens(16);
    static final CapabilityHandler NO_OP = (context, args) -> CanonicalJson.NULL;
    /** Tokens per {@code SubmitTokens} when filling a state. */
    static final int BATCH = 1024;

    private StateFixture() {
    }

    /** The configuration, with room for {@code maxLiveTokens} live tokens. */
    static KernelConfig config(int maxLiveTokens) {
        CapabilityDescriptor descriptor = CapabilityDescriptor.builder(CAPABILITY)
                .description("a benchmark tool")
                .field("query", CapabilityDescriptor.JsonType.STRING)
                .tokenCeiling(1_000)
                .build();
        return KernelConfig.builder().seed(42).maxLiveTokens(Math.max(1, maxLiveTokens)).maxBatchTokens(BATCH)
                .capability(descriptor, NO_OP).build();
    }

    /** A token of the fixture. */
    static KernelInput.SubmitToken token() {
        return KernelInput.SubmitToken.of(SUBJECT, CAPABILITY, ARGS).withBudget(BUDGET);
    }

    /**
     * A kernel on {@code ledger} (empty; the caller closes both) with the capability granted to
     * {@link #SUBJECT}.
     */
    static Kernel start(KernelConfig config, Ledger ledger) {
        Kernel kernel = Kernel.create(config, ledger);
        require(kernel.execute(new KernelInput.GrantCapability(SUBJECT, CAPABILITY, GrantTerms.UNRESTRICTED)), KernelResponse.Disposition.ACCEPTED);
        return kernel;
    }

    /** Submits {@code count} tokens to {@code kernel} in batches, without running them. */
    static void submit(Kernel kernel, int count) {
        List<KernelInput.SubmitToken> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(token());
        }
        KernelInput.SubmitTokens full = new KernelInput.SubmitTokens(batch);
        for (int left = count; left > 0; left -= BATCH) {
            KernelInput.SubmitTokens next = left >= BATCH ? full : new KernelInput.SubmitTokens(batch.subList(0, left));
            require(kernel.execute(next), KernelResponse.Disposition.QUEUED);
        }
    }

    /**
     * The state of a kernel holding {@code liveTokens} live tokens, built on a ledger that keeps
     * nothing (recording a million submissions would only cost memory here).
     */
    static KernelState stateWithLiveTokens(int liveTokens) {
        try (DiscardingLedger ledger = new DiscardingLedger(); Kernel kernel = start(config(liveTokens), ledger)) {
            submit(kernel, liveTokens);
            KernelState state = kernel.state();
            if (state.liveTokenCount() != liveTokens) {
                throw new IllegalStateException("the state holds " + state.liveTokenCount() + " live tokens, expected " + liveTokens);
            }
            return state;
        }
    }

    /** A live token as the kernel holds it, to build the peers' equivalent states from. */
    static KernelToken templateToken() {
        return stateWithLiveTokens(1).liveTokens().getFirst();
    }

    /**
     * The peers' equivalent of {@link #stateWithLiveTokens}: {@code liveTokens} tokens like the
     * kernel's in a HashMap, after checking on a 1,000-token kernel that the replicas are exactly
     * what the kernel holds.
     */
    static HashMapState hashMapStateWithLiveTokens(int liveTokens) {
        int sample = 1_000;
        if (!HashMapState.replicate(templateToken(), sample).sameAs(HashMapState.of(stateWithLiveTokens(sample)))) {
            throw new IllegalStateException("the HashMap state does not hold the tokens a kernel holds");
        }
        HashMapState state = HashMapState.replicate(templateToken(), liveTokens);
        if (state.tokens.size() != liveTokens) {
            throw new IllegalStateException("the HashMap state holds " + state.tokens.size() + " tokens, expected " + liveTokens);
        }
        return state;
    }

    /** Throws unless {@code r} has disposition {@code expected}: a benchmark must not time refusals. */
    static KernelResponse require(KernelResponse r, KernelResponse.Disposition expected) {
        if (r.disposition() != expected) {
            throw new IllegalStateException("the kernel answered " + r + ", expected " + expected);
        }
        return r;
    }
}
