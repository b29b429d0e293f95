package dev.os2.kernel;

import dev.os2.ledger.CanonicalJson;

/**
 * The Java code behind a capability: an agent framework's tool, an LLM call, a file read.
 *
 * <p>Called on the kernel thread, one invocation at a time, with the invocation's arguments
 * (already checked against the capability's invocation shape). It charges what it spends through
 * the {@link HandlerContext}, may emit custom events and invoke other capabilities through it, and
 * returns its result. Its result, or the exception it throws, is recorded in the ledger; replay
 * substitutes those recorded outcomes instead of calling it again, so a handler may be
 * non-deterministic (an LLM call).
 *
 * <p>A handler must charge for its work: the kernel can halt a handler only when it calls into
 * the context, so a handler that loops without calling the context cannot be stopped. When the
 * token is halted (over budget, capability violation, cancelled) the next context call throws
 * {@link TokenHaltedException}; let it propagate.
 */
@FunctionalInterface
public interface CapabilityHandler {

    /**
     * Performs one invocation.
     *
     * @param context the invocation's view of the kernel; valid only during this call, on this thread
     * @param args the arguments, a JSON object fitting the capability's invocation shape
     * @return the result, any JSON value; null is recorded as a failure
     * @throws Exception any failure; it is recorded as {@code token_failed} (or
     *     {@code invocation_failed} for a nested invocation) and never changes other state
     */
    CanonicalJson handle(HandlerContext context, CanonicalJson args) throws Exception;
}
