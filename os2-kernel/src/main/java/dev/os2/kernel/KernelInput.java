package dev.os2.kernel;

import dev.os2.ledger.CanonicalJson;
import java.util.List;
import java.util.Objects;

/**
 * The protocol verbs: everything that can change a kernel comes in as one of these, is sequenced,
 * recorded in the ledger, and only then applied (see {@link Kernel}). Each is answered by a
 * {@link KernelResponse}.
 *
 * <p>The record constructors check everything that does not depend on the kernel's state and
 * throw {@link InvalidInputException} (or {@link NullPointerException}) for misuse. What depends
 * on state (is the capability registered? is the grant known?) is checked when the input is
 * applied, still before anything is recorded.
 *
 * <p><b>Snapshot seam.</b> {@link CreateSnapshot}, {@link RestoreSnapshot} and {@link ReadyFlag}
 * change what the ledger says about snapshots and are recorded like the other inputs; the snapshot
 * module ({@code os2-snapshot}) builds on them. Listing and replaying snapshots read and change
 * nothing, so they are that module's calls rather than inputs, as {@code StreamEvents} is
 * {@link Kernel#subscribe}.
 */
public sealed interface KernelInput {

    /** The protocol verb, which is also the kind of the ledger event that records the input, for example {@code submit_token}. */
    String verb();

    /**
     * Submit a unit of work: invoke {@code capabilityId}'s handler with {@code args} on behalf of
     * {@code subject}, once its dependencies have completed, within {@code budget}. Answered with
     * {@link KernelResponse.Disposition#QUEUED} and the new token's id, or rejected (recorded)
     * when the subject holds no grant in force, the budget exceeds the policy or the grant's
     * ceiling, the rate or invocation limit is reached, the arguments do not fit the invocation
     * shape, a dependency is unknown, or the kernel holds its maximum of live tokens.
     *
     * @param subject the agent or principal the work runs for
     * @param capabilityId the capability to invoke
     * @param args the invocation arguments: a JSON object fitting the capability's shape
     * @param budget the resource envelope, or null for the policy's limits for the capability
     *     ({@link KernelConfig#limits()})
     * @param priority from {@link #MIN_PRIORITY} to {@link #MAX_PRIORITY}; higher runs first
     * @param kind an optional label such as {@code Plan}, or null
     * @param dependencies tokens that must complete first; if one fails or is cancelled, this one
     *     is cancelled. {@link TokenRef.Batch} references are allowed only inside {@link SubmitTokens}.
     * @param grant the grant to invoke under, or null for the subject's newest grant in force for
     *     the capability
     */
    record SubmitToken(String subject, String capabilityId, CanonicalJson args, Budget budget, int priority,
            String kind, List<TokenRef> dependencies, GrantId grant) implements KernelInput {

        /** Lowest priority. */
        public static final int MIN_PRIORITY = -32768;
        /** Highest priority. */
        public static final int MAX_PRIORITY = 32767;

        /**
         * Validates the fields and copies the dependency list.
         *
         * @throws NullPointerException if subject, capabilityId, args or dependencies is null
         * @throws InvalidInputException if a value is malformed or out of range
         */
        public SubmitToken {
            Names.subject(subject);
            Names.capabilityId(capabilityId);
            Names.require(args, "args");
            if (!args.isObject()) {
                throw Names.invalid("token arguments are a JSON object, got " + Names.quote(args.text()));
            }
            if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
                throw Names.invalid("priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY + ", got " + priority);
            }
            Names.kind(kind);
            Names.require(dependencies, "dependencies");
            dependencies = List.copyOf(dependencies);
        }

        /** A token with the policy budget, priority 0, no kind, no dependencies and the newest grant. */
        public static SubmitToken of(String subject, String capabilityId, CanonicalJson args) {
            return new SubmitToken(subject, capabilityId, args, null, 0, null, List.of(), null);
        }

        /** This submission with another budget. */
        public SubmitToken withBudget(Budget value) {
            return new SubmitToken(subject, capabilityId, args, value, priority, kind, dependencies, grant);
        }

        /** This submission with another priority. */
        public SubmitToken withPriority(int value) {
            return new SubmitToken(subject, capabilityId, args, budget, value, kind, dependencies, grant);
        }

        /** This submission with another kind label. */
        public SubmitToken withKind(String value) {
            return new SubmitToken(subject, capabilityId, args, budget, priority, value, dependencies, grant);
        }

        /** This submission with other dependencies. */
        public SubmitToken withDependencies(List<? extends TokenRef> value) {
            return new SubmitToken(subject, capabilityId, args, budget, priority, kind, List.copyOf(value), grant);
        }

        /** This submission with other dependencies. */
        public SubmitToken withDependencies(TokenRef... value) {
            return withDependencies(List.of(value));
        }

        /** This submission under a named grant. */
        public SubmitToken withGrant(GrantId value) {
            return new SubmitToken(subject, capabilityId, args, budget, priority, kind, dependencies, value);
        }

        @Override
        public String verb() {
            return "submit_token";
        }
    }

    /**
     * Submit several tokens at once, all or none: their ids are consecutive in list order, and a
     * member may depend on another by {@link TokenRef#batch(int)}. A batch whose references form a
     * cycle, or in which any member would be rejected, is rejected as a whole.
     *
     * @param tokens the members, 1 to {@link KernelConfig#maxBatchTokens()}
     */
    record SubmitTokens(List<SubmitToken> tokens) implements KernelInput {
        /**
         * Validates and copies the list.
         *
         * @throws NullPointerException if the list or a member is null
         * @throws InvalidInputException if the list is empty or a batch reference is out of range
         */
        public SubmitTokens {
            Names.require(tokens, "tokens");
            tokens = List.copyOf(tokens);
            if (tokens.isEmpty()) {
                throw Names.invalid("a batch has at least one token");
            }
            for (SubmitToken t : tokens) {
                for (TokenRef ref : t.dependencies()) {
                    if (ref instanceof TokenRef.Batch b && b.index() >= tokens.size()) {
                        throw Names.invalid("batch reference " + b.index() + " is beyond the batch of " + tokens.size());
                    }
                }
            }
        }

        @Override
        public String verb() {
            return "submit_tokens";
        }
    }

    /**
     * Cancel a token that has not finished: a waiting or ready token never runs; a running one is
     * halted at its handler's next call into the kernel. Its dependents are cancelled too. A token
     * that has already finished is answered with {@code rejected} (recorded).
     *
     * @param token the token
     */
    record CancelToken(TokenId token) implements KernelInput {
        /**
         * Checks for null.
         *
         * @throws NullPointerException if token is null
         */
        public CancelToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String verb() {
            return "cancel_token";
        }
    }

    /**
     * Register a capability with the Java code that implements it. The descriptor is recorded;
     * the handler is code, held by the kernel but not part of its state.
     *
     * @param descriptor what the capability is
     * @param handler what runs when it is invoked
     */
    record RegisterCapability(CapabilityDescriptor descriptor, CapabilityHandler handler) implements KernelInput {
        /**
         * Checks for null.
         *
         * @throws NullPointerException if either is null
         */
        public RegisterCapability {
            Objects.requireNonNull(descriptor, "descriptor");
            Objects.requireNonNull(handler, "handler");
        }

        @Override
        public String verb() {
            return "register_capability";
        }
    }

    /**
     * Grant a capability to a subject. Answered with the new grant's id; rejected (recorded) when
     * a term is wider than the capability's descriptor allows.
     *
     * @param subject who receives the grant
     * @param capabilityId the capability
     * @param terms the grant's limits and scope
     */
    record GrantCapability(String subject, String capabilityId, GrantTerms terms) implements KernelInput {
        /**
         * Validates the names.
         *
         * @throws NullPointerException if a field is null
         * @throws InvalidInputException if a name is malformed
         */
        public GrantCapability {
            Names.subject(subject);
            Names.capabilityId(capabilityId);
            Objects.requireNonNull(terms, "terms");
        }

        @Override
        public String verb() {
            return "grant_capability";
        }
    }

    /**
     * Derive a narrower grant from {@code from} and hand it to {@code subject}. Rejected (recorded)
     * when a term would widen the parent, the parent is revoked or expired, or the chain of
     * derivations is already {@link KernelConfig#maxDeriveDepth()} deep.
     *
     * @param from the grant to narrow
     * @param subject who receives the derived grant (may be the holder itself)
     * @param terms the narrowed terms
     */
    record DeriveCapability(GrantId from, String subject, GrantTerms terms) implements KernelInput {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if a field is null
         * @throws InvalidInputException if the subject is malformed
         */
        public DeriveCapability {
            Objects.requireNonNull(from, "from");
            Names.subject(subject);
            Objects.requireNonNull(terms, "terms");
        }

        @Override
        public String verb() {
            return "derive_capability";
        }
    }

    /**
     * Revoke a grant and, with it, every grant derived from it. New submissions under them are
     * rejected at once; a queued or running token's next invocation under them is a
     * {@code capability_violation}. Revoking a grant that is no longer in force is rejected (recorded).
     *
     * @param grant the grant
     */
    record RevokeCapability(GrantId grant) implements KernelInput {
        /**
         * Checks for null.
         *
         * @throws NullPointerException if grant is null
         */
        public RevokeCapability {
            Objects.requireNonNull(grant, "grant");
        }

        @Override
        public String verb() {
            return "revoke_capability";
        }
    }

    /**
     * Advance the virtual clock. Grants whose expiry the clock reaches expire (each with an event).
     *
     * @param ticks how far, 1 to 2^32
     */
    record Tick(long ticks) implements KernelInput {
        /**
         * Validates the distance.
         *
         * @throws InvalidInputException if ticks is not between 1 and 2^32
         */
        public Tick {
            if (ticks < 1 || ticks > (1L << 32)) {
                throw Names.invalid("a tick advances the clock by 1 to 2^32 ticks, got " + ticks);
            }
        }

        @Override
        public String verb() {
            return "tick";
        }
    }

    /**
     * Mark the current state as a snapshot: records {@code create_snapshot}, then
     * {@link KernelEvents#SNAPSHOT_CREATED} with the label and the state hash. The state does not
     * change. Between steps the event follows the input at once (disposition {@code ACCEPTED});
     * when the input arrives while a token runs (offered, and applied at one of its handler's
     * actions) and has not been halted, the event is recorded as soon as that run has ended
     * (disposition {@code QUEUED}), because a state taken in the middle of a run cannot be
     * replayed from. The snapshot's id is
     * {@code s<position>} of its {@code snapshot_created} entry; whoever keeps snapshots listens
     * for that entry and takes {@link Kernel#state()} there, in O(1).
     *
     * @param label a name for people, 1 to 128 characters
     */
    record CreateSnapshot(String label) implements KernelInput {
        /**
         * Validates the label.
         *
         * @throws NullPointerException if label is null
         * @throws InvalidInputException if the label is empty or longer than 128 characters
         */
        public CreateSnapshot {
            Names.label(label);
        }

        @Override
        public String verb() {
            return "create_snapshot";
        }
    }

    /**
     * Roll back: the kernel continues from {@code state}, a snapshot this ledger recorded. The
     * ledger stays append-only: it records {@code restore_snapshot} naming the snapshot (its id,
     * position and state hash), and everything after it starts from that state. Tokens live in
     * the state become live again; tokens live before the restore but not in the state are gone
     * (the entry explains why). Replay finds the state again by the snapshot's position: one it
     * replayed through, or one a {@link ReplayOptions#resolver() resolver} supplies.
     *
     * <p>Refused as misuse (nothing recorded) while a token runs (offered, and applied at one of its
     * handler's actions; once the token is halted its run can change nothing more, and the restore
     * applies), or when the state's seed is not the kernel's. Whether the snapshot really belongs to this ledger is the caller's check (the
     * snapshot module verifies it before it asks).
     *
     * @param snapshotId the snapshot's id, {@code s<position>}
     * @param position the position of the snapshot's {@code snapshot_created} entry
     * @param state the snapshot's state
     */
    record RestoreSnapshot(String snapshotId, long position, KernelState state) implements KernelInput {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if snapshotId or state is null
         * @throws InvalidInputException if the id is not {@code s<position>}
         */
        public RestoreSnapshot {
            Names.require(snapshotId, "snapshot id");
            Objects.requireNonNull(state, "state");
            if (position < 0 || !snapshotId.equals(snapshotId(position))) {
                throw Names.invalid("a snapshot id is s<position of its snapshot_created entry>; got "
                        + Names.quote(snapshotId) + " for position " + position);
            }
        }

        /** The id of the snapshot recorded at {@code position}: {@code s<position>}. */
        public static String snapshotId(long position) {
            return "s" + position;
        }

        @Override
        public String verb() {
            return "restore_snapshot";
        }
    }

    /**
     * Replace the kernel's resource policy ({@link KernelConfig#limits()} until now) with
     * {@code limits}: from here on, submissions are admitted against it. Recorded as
     * {@code policy_loaded} with the policy's JSON form, so replay and recovery apply the same
     * policy at the same position; the policy becomes part of the state (and its hash). Tokens
     * already admitted keep their budgets.
     *
     * @param limits the new policy, already validated ({@link CapabilityLimits#parse})
     * @param source a name for people: the file it came from, 1 to 256 characters, one line
     */
    record LoadPolicy(CapabilityLimits limits, String source) implements KernelInput {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if a field is null
         * @throws InvalidInputException if the source name is empty, too long or spans lines
         */
        public LoadPolicy {
            Objects.requireNonNull(limits, "limits");
            Names.require(source, "source");
            if (source.isEmpty() || source.length() > 256 || source.indexOf('\n') >= 0 || source.indexOf('\r') >= 0) {
                throw Names.invalid("a policy's source name is one line of 1 to 256 characters, got " + Names.quote(source));
            }
        }

        @Override
        public String verb() {
            return "policy_loaded";
        }
    }

    /**
     * Record that a verified snapshot is ready for release {@code version}, or, with a null
     * {@code snapshotId}, that no snapshot is. The state does not change; the ledger's latest
     * {@code ready_flag} entry for a version is the flag's value.
     *
     * @param version the release, 1 to 64 characters from {@code [A-Za-z0-9._+-]}
     * @param snapshotId the snapshot's id ({@code s<position>}), or null to clear the flag
     */
    record ReadyFlag(String version, String snapshotId) implements KernelInput {
        private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("[A-Za-z0-9._+-]{1,64}");
        private static final java.util.regex.Pattern SNAPSHOT = java.util.regex.Pattern.compile("s(0|[1-9][0-9]{0,15})");

        /**
         * Validates the fields.
         *
         * @throws NullPointerException if version is null
         * @throws InvalidInputException if the version or the snapshot id is malformed
         */
        public ReadyFlag {
            Names.require(version, "version");
            if (!VERSION.matcher(version).matches()) {
                throw Names.invalid("a release version is 1 to 64 characters from [A-Za-z0-9._+-], got " + Names.quote(version));
            }
            if (snapshotId != null && !SNAPSHOT.matcher(snapshotId).matches()) {
                throw Names.invalid("a snapshot id is s<position>, got " + Names.quote(snapshotId));
            }
        }

        @Override
        public String verb() {
            return "ready_flag";
        }
    }
}
