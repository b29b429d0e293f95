package dev.os2.kernel;

/**
 * The kinds of ledger entries a kernel writes and what their payloads hold: the one place the
 * kernel's event format (version {@link #FORMAT}) is defined. Every payload that concerns a token
 * has {@code token} (its id as a number); the envelope's {@code capability_id} names the
 * capability concerned and its {@code virtual_time} is the clock when the event happened.
 *
 * <p><b>Inputs</b> are recorded before they are applied, with the input's own verb as kind:
 * {@code submit_token}, {@code submit_tokens}, {@code cancel_token}, {@code register_capability},
 * {@code grant_capability}, {@code derive_capability}, {@code revoke_capability}, {@code tick},
 * {@code create_snapshot} ({@code label}), {@code restore_snapshot} ({@code snapshot, position,
 * state_hash}: the rollback, after which the state is that snapshot's), {@code ready_flag}
 * ({@code version, snapshot}, the snapshot null when the flag is cleared) and {@code policy_loaded}
 * ({@code source, limits}: the resource policy in force from here on, as in {@code kernel_started}).
 * Their payloads hold the input's fields and, for submissions, the token ids the kernel assigns
 * ({@code token}, or {@code first} for a batch; rejected submissions get ids too). A new grant's
 * id is in its {@code capability_granted} or {@code capability_derived} event.
 *
 * <p><b>Handler actions</b> are recorded when the handler makes them, before the kernel checks
 * them: {@link #CHARGE}, {@link #CAPABILITY_INVOKED}, {@code custom.*} and
 * {@link #CHECKPOINT_REQUESTED}; and a handler's return is {@link #TOKEN_COMPLETED} /
 * {@link #INVOCATION_COMPLETED} with the result, or {@link #TOKEN_FAILED} /
 * {@link #INVOCATION_FAILED} with the error text. Replay substitutes these for the handlers.
 *
 * <p><b>Effects</b> are everything else, each written by the kernel as it happens.
 *
 * <p>A token's life: {@code token_scheduled → token_started → (charge, custom.*,
 * capability_invoked … invocation_completed, checkpoint_requested)* → token_completed}, or ends with
 * {@code token_failed}, {@code token_cancelled}, {@code resource_budget_exceeded},
 * {@code capability_violation}; or {@code token_rejected} instead of {@code token_scheduled}.
 */
public final class KernelEvents {

    /** The kernel event format version. */
    public static final int FORMAT = 1;

    /** First entry of a kernel's ledger: {@code format}, {@code seed} (decimal string), the limits and the policy. */
    public static final String KERNEL_STARTED = "kernel_started";

    /** A submission was refused: {@code token, reason, detail}. Reasons: {@code capacity, over_budget, not_granted,
     * revoked, expired, ceiling, invalid_shape, max_invocations, rate_limit, unknown_dependency, dependency_failed,
     * dependency_cycle}. */
    public static final String TOKEN_REJECTED = "token_rejected";
    /** A token was accepted: {@code token, grant, waiting} (dependencies not yet complete). */
    public static final String TOKEN_SCHEDULED = "token_scheduled";
    /** A token's handler is about to run: {@code token, grant}. */
    public static final String TOKEN_STARTED = "token_started";
    /** A handler charged: {@code token, resource} ({@code tokens, memory_bytes, network_bytes}), {@code amount},
     * and {@code depth} when nested. Applied unless a halt follows it directly. */
    public static final String CHARGE = "charge";
    /** A handler invoked another capability (the envelope's capability): {@code token, args, depth}. */
    public static final String CAPABILITY_INVOKED = "capability_invoked";
    /** A nested invocation returned: {@code token, depth, result}. */
    public static final String INVOCATION_COMPLETED = "invocation_completed";
    /** A nested invocation's handler failed: {@code token, depth, error}. */
    public static final String INVOCATION_FAILED = "invocation_failed";
    /** Prefix of a handler's custom events, {@code custom.<name>}: {@code token, data}. */
    public static final String CUSTOM_PREFIX = "custom.";
    /** A handler asked for a checkpoint: {@code token, label}. The snapshot module turns these into snapshots. */
    public static final String CHECKPOINT_REQUESTED = "checkpoint_requested";
    /** A token's handler returned: {@code token, result}. */
    public static final String TOKEN_COMPLETED = "token_completed";
    /** A token's handler failed: {@code token, error}. */
    public static final String TOKEN_FAILED = "token_failed";
    /** A token was cancelled: {@code token, cause} ({@code input} or {@code dependency}, then with {@code dependency}). */
    public static final String TOKEN_CANCELLED = "token_cancelled";
    /** A token was halted for overrunning: {@code token, resource} ({@code tokens, memory_bytes, network_bytes,
     * deadline_ticks, actions}), {@code attempted} (the charge), {@code remaining} (what was left before it). */
    public static final String RESOURCE_BUDGET_EXCEEDED = "resource_budget_exceeded";
    /** A token was halted for a capability violation: {@code token, reason, detail, grant?}. Reasons:
     * {@code revoked, expired, not_granted, not_registered, ceiling, grant_budget, rate_limit, max_invocations,
     * invalid_shape, depth}. */
    public static final String CAPABILITY_VIOLATION = "capability_violation";

    /** A capability was registered: {@code registry_version}. */
    public static final String CAPABILITY_REGISTERED = "capability_registered";
    /** A root grant was issued: {@code grant, subject} and its effective terms. */
    public static final String CAPABILITY_GRANTED = "capability_granted";
    /** A grant was derived: {@code grant, parent, subject} and its effective terms. */
    public static final String CAPABILITY_DERIVED = "capability_derived";
    /** A grant was revoked: {@code grant, cause} (the grant the revoke named), {@code subject}. */
    public static final String CAPABILITY_REVOKED = "capability_revoked";
    /** A grant expired: {@code grant, subject}. */
    public static final String GRANT_EXPIRED = "grant_expired";
    /** An input other than a submission was refused: {@code input, reason, detail}. */
    public static final String INPUT_REJECTED = "input_rejected";

    /** A snapshot was taken: {@code label, state_hash} (of the state here, which the event does not change).
     * Its id is {@code s<position>} of this entry. Follows {@code create_snapshot} at once, or the end of the
     * run during which it was requested. */
    public static final String SNAPSHOT_CREATED = "snapshot_created";

    private KernelEvents() {
    }
}
