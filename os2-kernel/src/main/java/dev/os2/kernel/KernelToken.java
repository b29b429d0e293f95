package dev.os2.kernel;

import dev.os2.ledger.CanonicalJson;
import java.util.List;

/**
 * A unit of work as the kernel sees it (a read-only view taken from a {@link KernelState}).
 *
 * @param id the kernel-assigned id
 * @param subject the agent or principal it runs for
 * @param capabilityId the capability it invokes
 * @param grant the grant it runs under
 * @param priority higher runs first; FIFO by id within a priority
 * @param kind the optional label (Perception, Reason, Plan, Act, Reflect), or null
 * @param args the invocation arguments
 * @param dependencies tokens that must complete before it runs
 * @param budget its resource envelope
 * @param submittedAtTick the virtual time it was submitted
 * @param status where it is in its lifecycle
 * @param usage what its handlers have charged so far
 */
public record KernelToken(TokenId id, String subject, String capabilityId, GrantId grant, int priority, String kind,
        CanonicalJson args, List<TokenId> dependencies, Budget budget, long submittedAtTick, Status status, Usage usage) {

    /** Creates the view; the kernel builds these. */
    public KernelToken {
        dependencies = List.copyOf(dependencies);
    }

    /** The lifecycle of a token. The first three are live; the others are final. */
    public enum Status {
        /** Scheduled; waits for dependencies to complete. */
        WAITING,
        /** Scheduled; runs when it is the highest-priority, oldest ready token. */
        READY,
        /** Its handler is running. */
        RUNNING,
        /** Its handler returned a result. */
        COMPLETED,
        /** Its handler threw, or returned nothing usable. */
        FAILED,
        /** Cancelled by input, or because a dependency did not complete. */
        CANCELLED,
        /** Refused at submission. */
        REJECTED,
        /** Halted for exceeding its budget ({@code resource_budget_exceeded}). */
        BUDGET_EXCEEDED,
        /** Halted for a {@code capability_violation}. */
        VIOLATION;

        /** True for WAITING, READY and RUNNING. */
        public boolean live() {
            return this == WAITING || this == READY || this == RUNNING;
        }

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status ofWireName(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * What a token's handlers have charged.
     *
     * @param tokens cost units
     * @param memoryBytes declared allocation
     * @param networkBytes declared traffic
     */
    public record Usage(long tokens, long memoryBytes, long networkBytes) {
    }
}
