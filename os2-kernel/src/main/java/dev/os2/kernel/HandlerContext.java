package dev.os2.kernel;

import dev.os2.ledger.CanonicalJson;
import java.util.random.RandomGenerator;

/**
 * A handler's view of the kernel during one invocation. Every method must be called on the
 * thread that called the handler, before the handler returns; afterwards they throw
 * {@link IllegalStateException}.
 *
 * <p>Each charge, emit, invoke and checkpoint request is an <em>action</em>: recorded in the
 * ledger, counted against {@link KernelConfig#maxActionsPerInvocation()}, and a point where the
 * kernel applies inputs that arrived meanwhile (so a cancel or revoke takes effect during a long
 * handler) and may halt the token. A halted token's actions throw {@link TokenHaltedException}.
 */
public interface HandlerContext {

    /** The token this invocation belongs to. */
    TokenId token();

    /** The subject the token runs for. */
    String subject();

    /** The capability being invoked. */
    String capabilityId();

    /** The grant the invocation runs under. */
    GrantId grant();

    /** 0 for a token's own invocation, 1 for a capability it invokes, and so on. */
    int depth();

    /** The grant's effective scope (a JSON object of restrictions; empty when unrestricted). */
    CanonicalJson scope();

    /** The capability's scoped configuration from its descriptor. */
    CanonicalJson configuration();

    /** The virtual clock, in ticks. */
    long now();

    /**
     * The kernel's state as it is now, in the middle of this invocation (O(1)); for example to see
     * which grants the subject holds before {@link #invoke invoking} a capability it may not hold.
     * Reading it is not an action: it records nothing, so whatever the handler decides from it
     * must show in its actions or result (replay does not call the handler again).
     *
     * @throws TokenHaltedException if the token was halted
     */
    KernelState state();

    /**
     * A random source seeded from the kernel's seed, the token and the invocation: the same run
     * gives the same numbers. Not recorded; only what the handler does with them is.
     */
    RandomGenerator random();

    /** What is left of the token's budget (the deadline as ticks remaining). */
    Budget remaining();

    /**
     * Charges cost units. Each also advances the virtual clock by one tick.
     *
     * @throws IllegalArgumentException if {@code tokens} is negative
     * @throws TokenHaltedException if the charge would exceed the token's budget, the invocation's
     *     ceiling, the grant's budget or the deadline (the charge is not applied), or the token was halted
     */
    void chargeTokens(long tokens);

    /**
     * Charges declared memory.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     * @throws TokenHaltedException if it would exceed the token's memory budget, or the token was halted
     */
    void chargeMemory(long bytes);

    /**
     * Charges declared network traffic.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     * @throws TokenHaltedException if it would exceed the token's network budget, or the token was halted
     */
    void chargeNetwork(long bytes);

    /**
     * Records a custom event of kind {@code custom.<name>} with {@code data}.
     *
     * @throws InvalidInputException if the name is malformed or the data is larger than
     *     {@link KernelConfig#maxPayloadBytes()}
     * @throws TokenHaltedException if the token was halted
     */
    void emit(String name, CanonicalJson data);

    /**
     * Invokes another capability under the subject's newest grant in force for it, checked and
     * charged like the token's own invocation (grant, shape, rate and invocation limits, ceiling),
     * against the same token budget.
     *
     * @return the other handler's result
     * @throws InvocationFailedException if the other handler failed; the token goes on
     * @throws TokenHaltedException if the invocation is a capability violation (the whole token
     *     halts), the nested handler overspent, or the token was halted
     */
    CanonicalJson invoke(String capabilityId, CanonicalJson args);

    /**
     * Records a {@code checkpoint_requested} event: the point at which a snapshot of the kernel
     * state may be taken.
     *
     * @throws TokenHaltedException if the token was halted
     */
    void requestCheckpoint(String label);
}
