package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.KernelState.TokenCounts;
import dev.os2.kernel.StateRecords.CapabilityRecord;
import dev.os2.kernel.StateRecords.GrantRecord;
import dev.os2.kernel.StateRecords.TokenRecord;
import dev.os2.kernel.state.PersistentMap;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.CanonicalWriter;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The kernel's state machine: applies inputs and runs tokens, recording every effect through a
 * {@link Recorder} before applying it to the state. Owned by one thread at a time (the kernel
 * thread); nothing here is thread-safe.
 *
 * <p>The state lives in persistent maps held in fields; {@link #snapshot()} wraps them in a
 * {@link KernelState} in O(1). The ready queue and the expiry queue are mutable indexes derived
 * from the state, rebuilt when a machine is created from a state; they are caches, not state.
 *
 * <p>Order of work: each input is recorded first, then applied; each handler action (charge,
 * emit, invoke, checkpoint) is recorded, then checked and applied. The only non-determinism is in
 * handlers, and everything a handler does that matters is an action or its return value, so
 * feeding a machine the recorded inputs and a handler that repeats the recorded actions
 * ({@link Replay}) reproduces the run entry by entry.
 */
final class Machine {

    /** Where events go: the ledger in live mode, a comparison with the original in replay. */
    interface Recorder {
        EventEnvelope record(EventDraft draft);
    }

    /** Applies inputs that have arrived meanwhile; called at every sync point of a running token. */
    interface InputPump {
        void pump();
    }

    private static final long ID_MASK = (1L << 47) - 1;
    /** The resources, in declaration order (values() would copy the array on every call). */
    private static final Budget.Resource[] RESOURCES = Budget.Resource.values();

    final KernelConfig config;
    private final Recorder recorder;
    private InputPump pump = () -> { };
    private final Map<String, CapabilityHandler> handlers = new HashMap<>();
    private CapabilityHandler handlerOverride;

    // --- state: see KernelState ---
    private final long seed;
    private long clock;
    private long nextToken;
    private long nextGrant;
    private long registryVersion;
    private TokenCounts counts;
    private PersistentMap<String, CapabilityRecord> capabilities;
    private PersistentMap<Long, GrantRecord> grants;
    private PersistentMap<String, List<Long>> grantIndex;
    private PersistentMap<Long, TokenRecord> tokens;
    private PersistentMap<Long, List<Long>> dependents;
    private PersistentMap<Long, KernelToken.Status> finished;
    /** The loaded policy, or null for the configuration's (see {@link KernelState#policy}). */
    private CapabilityLimits policy;

    // --- indexes derived from the state ---
    private final LongHeap ready = new LongHeap();
    private final PriorityQueue<long[]> expiries = new PriorityQueue<>((a, b) -> a[0] != b[0]
            ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));

    private Run run;
    private RuntimeException fault;
    private final ArrayDeque<long[]> cascade = new ArrayDeque<>();
    /**
     * Writes every event payload, straight in canonical form (see {@link Codec}); reused, since
     * one payload is finished before the next is begun.
     */
    private final CanonicalWriter payload = new CanonicalWriter();
    /** Labels of snapshots requested during the current run, recorded when it ends. */
    private final List<String> pendingSnapshots = new ArrayList<>();

    Machine(KernelConfig config, Recorder recorder, KernelState state) {
        this.config = config;
        this.recorder = recorder;
        this.seed = state.seed;
        load(state);
    }

    /**
     * Makes {@code state} the machine's state and rebuilds the indexes derived from it: at
     * creation, and when a snapshot is restored (between steps, so no run is in progress).
     */
    private void load(KernelState state) {
        assert !runInProgress() && state.seed == seed;
        ready.clear();
        expiries.clear();
        cascade.clear();
        pendingSnapshots.clear();
        this.clock = state.clock;
        this.nextToken = state.nextToken;
        this.nextGrant = state.nextGrant;
        this.registryVersion = state.registryVersion;
        this.counts = state.counts;
        this.capabilities = state.capabilities;
        this.grants = state.grants;
        this.grantIndex = state.grantIndex;
        this.tokens = state.tokens;
        this.dependents = state.dependents;
        this.finished = state.finished;
        this.policy = state.policy;
        List<TokenRecord> restart = new ArrayList<>();
        tokens.forEach((id, t) -> {
            if (t.status() == KernelToken.Status.RUNNING) {
                restart.add(t);
            } else if (t.status() == KernelToken.Status.READY) {
                ready.add(key(t));
            }
        });
        // A state taken while a handler ran has no handler stack to resume: the token runs again from its start.
        for (TokenRecord t : restart) {
            tokens = tokens.put(t.id(), t.withStatus(KernelToken.Status.READY));
            ready.add(key(t));
        }
        grants.forEach((id, g) -> {
            if (g.active() && g.expiresAt() != Budget.UNLIMITED) {
                expiries.add(new long[] {g.expiresAt(), g.id()});
            }
        });
    }

    void setPump(InputPump value) {
        pump = value;
    }

    void bindHandler(String capabilityId, CapabilityHandler handler) {
        handlers.put(capabilityId, handler);
    }

    /** Forgets every handler (after a replay, whose registrations bound placeholders). */
    void clearHandlers() {
        handlers.clear();
    }

    /** Replay: every capability runs {@code handler} instead of its own. */
    void overrideHandlers(CapabilityHandler handler) {
        handlerOverride = handler;
    }

    boolean hasCapability(String id) {
        return capabilities.containsKey(id);
    }

    CapabilityDescriptor descriptor(String id) {
        CapabilityRecord r = capabilities.get(id);
        return r == null ? null : r.descriptor();
    }

    long clock() {
        return clock;
    }

    boolean running() {
        return run != null;
    }

    /**
     * True while a token runs and has not been halted. A halted token's handler may still be on
     * the stack, but it can record and change nothing more (every action throws), so the state is
     * already the one after its run: snapshots and restores need not wait for it to unwind.
     */
    boolean runInProgress() {
        return run != null && run.halted == null;
    }

    RuntimeException fault() {
        return fault;
    }

    /** The current state, in O(1). */
    KernelState snapshot() {
        return new KernelState(seed, clock, nextToken, nextGrant, registryVersion, counts, capabilities, grants,
                grantIndex, tokens, dependents, finished, policy);
    }

    // =============================================================================================
    // Recording
    // =============================================================================================

    private EventEnvelope emit(String kind, String capability, CanonicalJson payload) {
        if (fault != null) {
            throw new KernelClosedException("the kernel stopped after a fault: " + fault.getMessage(), fault);
        }
        try {
            return recorder.record(new EventDraft(kind, capability, clock, payload, null));
        } catch (RuntimeException e) {
            fault = e;
            throw e;
        }
    }

    /**
     * The payload writer, reset, with an object begun: its members must be named in canonical
     * order (see {@link Codec}); the caller ends the object and takes the value.
     */
    private CanonicalWriter payload() {
        return payload.reset().beginObject();
    }

    /** <code>{"attempted","remaining","resource","token"}</code>: the payload of {@code resource_budget_exceeded}. */
    private CanonicalJson overrun(long token, String resource, long attempted, long remaining) {
        return payload().name("attempted").value(attempted).name("remaining").value(remaining).name("resource").value(resource)
                .name("token").value(token).endObject().toCanonicalJson();
    }

    /** Records the {@code kernel_started} entry that opens a new ledger. */
    void recordStart() {
        emit(KernelEvents.KERNEL_STARTED, null, config.toJson(payload.reset(), KernelEvents.FORMAT));
    }

    // =============================================================================================
    // Inputs
    // =============================================================================================

    /** Checks what does not depend on state; throws for misuse. Safe on any thread. */
    static void precheck(KernelConfig config, KernelInput input) {
        switch (input) {
            case KernelInput.SubmitToken s -> precheckSubmit(config, s, false);
            case KernelInput.SubmitTokens b -> {
                if (b.tokens().size() > config.maxBatchTokens()) {
                    throw Names.invalid("a batch holds at most " + config.maxBatchTokens() + " tokens, got " + b.tokens().size());
                }
                long total = 0;
                for (KernelInput.SubmitToken s : b.tokens()) {
                    precheckSubmit(config, s, true);
                    total += s.args().utf8Length();
                }
                if (total > config.maxPayloadBytes()) {
                    throw new InvalidInputException(InvalidInputException.Reason.PAYLOAD_TOO_LARGE,
                            "a batch's arguments total " + total + " bytes; the limit is " + config.maxPayloadBytes());
                }
            }
            case KernelInput.RegisterCapability r -> checkSize(config, "configuration", r.descriptor().configuration());
            case KernelInput.GrantCapability g -> checkSize(config, "scope", g.terms().scope());
            case KernelInput.DeriveCapability d -> checkSize(config, "scope", d.terms().scope());
            case KernelInput.CancelToken c -> { }
            case KernelInput.RevokeCapability r -> { }
            case KernelInput.Tick t -> { }
            case KernelInput.CreateSnapshot c -> { }
            case KernelInput.RestoreSnapshot r -> { }
            case KernelInput.ReadyFlag f -> { }
            case KernelInput.LoadPolicy l -> { }
        }
    }

    private static void precheckSubmit(KernelConfig config, KernelInput.SubmitToken s, boolean inBatch) {
        checkSize(config, "arguments", s.args());
        if (s.dependencies().size() > config.maxDependencies()) {
            throw Names.invalid("a token has at most " + config.maxDependencies() + " dependencies, got " + s.dependencies().size());
        }
        if (!inBatch) {
            for (TokenRef ref : s.dependencies()) {
                if (ref instanceof TokenRef.Batch) {
                    throw new InvalidInputException(InvalidInputException.Reason.NOT_ALLOWED,
                            "a batch reference is allowed only inside SubmitTokens");
                }
            }
        }
    }

    private static void checkSize(KernelConfig config, String what, CanonicalJson json) {
        if (json != null && json.utf8Length() > config.maxPayloadBytes()) {
            throw new InvalidInputException(InvalidInputException.Reason.PAYLOAD_TOO_LARGE,
                    what + " are " + json.utf8Length() + " bytes; the limit is maxPayloadBytes " + config.maxPayloadBytes());
        }
    }

    /** Checks what depends on state; throws for misuse, before anything is recorded. */
    private void validate(KernelInput input) {
        switch (input) {
            case KernelInput.SubmitToken s -> validateSubmit(s);
            case KernelInput.SubmitTokens b -> b.tokens().forEach(this::validateSubmit);
            case KernelInput.CancelToken c -> {
                if (c.token().value() >= nextToken) {
                    throw new InvalidInputException(InvalidInputException.Reason.UNKNOWN_TOKEN, "no token " + c.token() + " was ever submitted");
                }
            }
            case KernelInput.RegisterCapability r -> {
                if (capabilities.containsKey(r.descriptor().id())) {
                    throw new InvalidInputException(InvalidInputException.Reason.DUPLICATE_CAPABILITY,
                            "capability " + r.descriptor().id() + " is already registered");
                }
            }
            case KernelInput.GrantCapability g -> requireCapability(g.capabilityId());
            case KernelInput.DeriveCapability d -> requireGrant(d.from());
            case KernelInput.RevokeCapability r -> requireGrant(r.grant());
            case KernelInput.Tick t -> {
                if (clock + t.ticks() > Budget.MAX_FINITE) {
                    throw Names.invalid("the clock would pass 2^53 ticks");
                }
            }
            case KernelInput.CreateSnapshot c -> { }
            case KernelInput.RestoreSnapshot r -> {
                if (runInProgress()) {
                    throw new InvalidInputException(InvalidInputException.Reason.NOT_ALLOWED,
                            "a snapshot cannot be restored while a token runs; execute the restore between steps");
                }
                if (r.state().seed != seed) {
                    throw Names.invalid("snapshot " + r.snapshotId() + " has seed " + r.state().seed + ", this kernel " + seed
                            + ": it belongs to another kernel");
                }
            }
            case KernelInput.ReadyFlag f -> { }
            case KernelInput.LoadPolicy l -> { }
        }
    }

    private void validateSubmit(KernelInput.SubmitToken s) {
        requireCapability(s.capabilityId());
        if (s.grant() != null) {
            requireGrant(s.grant());
        }
        if (nextToken + config.maxBatchTokens() >= TokenId.MAX_VALUE) {
            throw new IllegalStateException("token ids are exhausted");
        }
    }

    private void requireCapability(String id) {
        if (!capabilities.containsKey(id)) {
            throw new InvalidInputException(InvalidInputException.Reason.UNKNOWN_CAPABILITY, "capability " + id + " is not registered");
        }
    }

    private void requireGrant(GrantId id) {
        if (!grants.containsKey(id.value())) {
            throw new InvalidInputException(InvalidInputException.Reason.UNKNOWN_GRANT, "no grant " + id + " was ever issued");
        }
    }

    /**
     * Validates, records and applies one input.
     *
     * @throws InvalidInputException for misuse (nothing recorded)
     */
    KernelResponse apply(KernelInput input) {
        validate(input);
        EventEnvelope rec = emit(input.verb(), Codec.inputCapability(input), Codec.input(payload, input, nextToken));
        return switch (input) {
            case KernelInput.SubmitToken s -> submit(rec, s);
            case KernelInput.SubmitTokens b -> submitBatch(rec, b);
            case KernelInput.CancelToken c -> cancel(rec, c);
            case KernelInput.RegisterCapability r -> register(rec, r);
            case KernelInput.GrantCapability g -> grant(rec, g);
            case KernelInput.DeriveCapability d -> derive(rec, d);
            case KernelInput.RevokeCapability r -> revoke(rec, r);
            case KernelInput.Tick t -> tick(rec, t);
            case KernelInput.CreateSnapshot c -> createSnapshot(rec, c);
            case KernelInput.RestoreSnapshot r -> restoreSnapshot(rec, r);
            case KernelInput.ReadyFlag f -> accepted(rec);
            case KernelInput.LoadPolicy l -> {
                policy = l.limits();
                yield accepted(rec);
            }
        };
    }

    // --- snapshots -----------------------------------------------------------------------------------

    private KernelResponse createSnapshot(EventEnvelope rec, KernelInput.CreateSnapshot c) {
        if (runInProgress()) {
            // Offered and applied at a handler's action: the state is in the middle of a run, which
            // no replay can start from. The event waits for the run's end (flushSnapshots).
            pendingSnapshots.add(c.label());
            return new KernelResponse(KernelResponse.Disposition.QUEUED, null, null, rec.position(), rec.hash(), null, null);
        }
        recordSnapshot(c.label());
        return accepted(rec);
    }

    /** Records snapshot_created for the state as it is now (between steps); the state does not change. */
    private void recordSnapshot(String label) {
        emit(KernelEvents.SNAPSHOT_CREATED, null, payload().name("label").value(label)
                .name("state_hash").value(snapshot().stateHash().toHex()).endObject().toCanonicalJson());
    }

    /** Records the snapshots requested while the run that just ended was in progress. */
    private void flushSnapshots() {
        if (pendingSnapshots.isEmpty()) {
            return;
        }
        List<String> labels = new ArrayList<>(pendingSnapshots);
        pendingSnapshots.clear();
        for (String label : labels) {
            recordSnapshot(label);
        }
    }

    private KernelResponse restoreSnapshot(EventEnvelope rec, KernelInput.RestoreSnapshot r) {
        load(r.state());
        return accepted(rec);
    }

    private static KernelResponse accepted(EventEnvelope rec) {
        return new KernelResponse(KernelResponse.Disposition.ACCEPTED, null, null, rec.position(), rec.hash(), null, null);
    }

    private KernelResponse inputRejected(EventEnvelope rec, String input, String reason, String detail) {
        emit(KernelEvents.INPUT_REJECTED, null, payload().name("detail").value(detail).name("input").value(input)
                .name("reason").value(reason).endObject().toCanonicalJson());
        return new KernelResponse(KernelResponse.Disposition.REJECTED, reason, detail, rec.position(), rec.hash(), null, null);
    }

    // --- submission ---------------------------------------------------------------------------------

    /** What admission decided: a grant and budget, or a refusal. */
    private record Admission(GrantRecord grant, Budget budget, String reason, String detail) {
        static Admission refuse(String reason, String detail) {
            return new Admission(null, null, reason, detail);
        }
    }

    private Admission admit(KernelInput.SubmitToken s, long id, int liveAfter) {
        CapabilityRecord cap = capabilities.get(s.capabilityId());
        if (tokens.size() + liveAfter >= config.maxLiveTokens()) {
            return Admission.refuse("capacity", "the kernel holds its maximum of " + config.maxLiveTokens() + " live tokens");
        }
        Budget policy = (this.policy != null ? this.policy : config.limits()).forCapability(s.capabilityId());
        Budget budget = s.budget() == null ? policy : s.budget();
        for (Budget.Resource r : RESOURCES) {
            if (budget.limit(r) > policy.limit(r)) {
                return Admission.refuse("over_budget", r.wireName() + " " + show(budget.limit(r)) + " is above the policy limit "
                        + policy.limit(r) + " for " + s.capabilityId());
            }
        }
        GrantRecord g;
        if (s.grant() != null) {
            g = grants.get(s.grant().value());
            if (!g.subject().equals(s.subject()) || !g.capability().equals(s.capabilityId())) {
                return Admission.refuse("not_granted", "grant g" + g.id() + " is of " + g.capability() + " to " + g.subject()
                        + ", not of " + s.capabilityId() + " to " + s.subject());
            }
            if (!g.active()) {
                return Admission.refuse(g.status().wireName(), "grant g" + g.id() + " is " + g.status().wireName());
            }
        } else {
            Lookup found = findGrant(s.subject(), s.capabilityId());
            if (found.grant == null) {
                return Admission.refuse(found.reason, found.detail);
            }
            g = found.grant;
        }
        if (s.budget() == null) {
            budget = budget.withTokens(Math.min(budget.tokens(), g.tokenCeiling()));
        } else if (budget.tokens() > g.tokenCeiling()) {
            return Admission.refuse("ceiling", "a budget of " + show(budget.tokens()) + " tokens is above the ceiling of "
                    + g.tokenCeiling() + " per invocation of " + s.capabilityId());
        }
        String shape = cap.descriptor().shapeProblem(s.args());
        if (shape != null) {
            return Admission.refuse("invalid_shape", shape);
        }
        Refusal limit = limitRefusal(g);
        if (limit != null) {
            return Admission.refuse(limit.reason, limit.detail);
        }
        for (TokenRef ref : s.dependencies()) {
            if (ref instanceof TokenId dep) {
                long d = dep.value();
                if (d >= id) {
                    return Admission.refuse("unknown_dependency", "token " + dep + " does not exist before this one");
                }
                KernelToken.Status ended = tokens.containsKey(d) ? null : finished.get(d);
                if (ended != null) {
                    return Admission.refuse("dependency_failed", "dependency " + dep + " ended " + ended.wireName());
                }
            }
        }
        return new Admission(g, budget, null, null);
    }

    private static String show(long limit) {
        return limit == Budget.UNLIMITED ? "unlimited" : Long.toString(limit);
    }

    private KernelResponse submit(EventEnvelope rec, KernelInput.SubmitToken s) {
        long id = nextToken++;
        counts = counts.submittedPlus(1);
        Admission a = admit(s, id, 0);
        if (a.reason != null) {
            rejectToken(id, s.capabilityId(), a.reason, a.detail);
            return new KernelResponse(KernelResponse.Disposition.REJECTED, a.reason, a.detail, rec.position(), rec.hash(),
                    new TokenId(id), null);
        }
        schedule(s, id, a, 0, 0);
        return new KernelResponse(KernelResponse.Disposition.QUEUED, null, null, rec.position(), rec.hash(), new TokenId(id), null);
    }

    private KernelResponse submitBatch(EventEnvelope rec, KernelInput.SubmitTokens b) {
        int n = b.tokens().size();
        long first = nextToken;
        nextToken += n;
        counts = counts.submittedPlus(n);
        Admission[] admissions = new Admission[n];
        String reason = null;
        String detail = null;
        String cycle = cycle(b);
        if (cycle != null) {
            reason = "dependency_cycle";
            detail = cycle;
        }
        for (int i = 0; i < n && reason == null; i++) {
            admissions[i] = admit(b.tokens().get(i), first + i, i);
            if (admissions[i].reason != null) {
                reason = admissions[i].reason;
                detail = "member " + i + ": " + admissions[i].detail;
            }
        }
        if (reason != null) {
            for (int i = 0; i < n; i++) {
                rejectToken(first + i, b.tokens().get(i).capabilityId(), reason, detail);
            }
            return new KernelResponse(KernelResponse.Disposition.REJECTED, reason, detail, rec.position(), rec.hash(),
                    new TokenId(first), null);
        }
        for (int i = 0; i < n; i++) {
            schedule(b.tokens().get(i), first + i, admissions[i], first, n);
        }
        return new KernelResponse(KernelResponse.Disposition.QUEUED, null, null, rec.position(), rec.hash(), new TokenId(first), null);
    }

    /** A description of a cycle among batch references, or null (Kahn's algorithm). */
    private static String cycle(KernelInput.SubmitTokens b) {
        int n = b.tokens().size();
        int[] indegree = new int[n];
        List<List<Integer>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (TokenRef ref : b.tokens().get(i).dependencies()) {
                if (ref instanceof TokenRef.Batch dep) {
                    out.get(dep.index()).add(i);
                    indegree[i]++;
                }
            }
        }
        ArrayDeque<Integer> free = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            if (indegree[i] == 0) {
                free.add(i);
            }
        }
        int seen = 0;
        while (!free.isEmpty()) {
            int i = free.poll();
            seen++;
            for (int j : out.get(i)) {
                if (--indegree[j] == 0) {
                    free.add(j);
                }
            }
        }
        if (seen == n) {
            return null;
        }
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (indegree[i] > 0) {
                members.add(i);
            }
        }
        return "batch members " + members + " depend on each other in a cycle";
    }

    private void rejectToken(long id, String capability, String reason, String detail) {
        emit(KernelEvents.TOKEN_REJECTED, capability, payload().name("detail").value(detail).name("reason").value(reason)
                .name("token").value(id).endObject().toCanonicalJson());
        finished = finished.put(id, KernelToken.Status.REJECTED);
        counts = counts.ended(KernelToken.Status.REJECTED);
    }

    private void schedule(KernelInput.SubmitToken s, long id, Admission a, long batchFirst, int batchSize) {
        List<Long> deps = new ArrayList<>(s.dependencies().size());
        int pending = 0;
        for (TokenRef ref : s.dependencies()) {
            long d = switch (ref) {
                case TokenId t -> t.value();
                case TokenRef.Batch bt -> batchFirst + bt.index();
            };
            if (deps.contains(d)) {
                continue;
            }
            deps.add(d);
            boolean inBatch = batchSize > 0 && d >= batchFirst && d < batchFirst + batchSize;
            if (inBatch || tokens.containsKey(d)) {
                pending++;
            }
        }
        KernelToken.Status status = pending > 0 ? KernelToken.Status.WAITING : KernelToken.Status.READY;
        long deadlineAt = a.budget.deadlineTicks() == Budget.UNLIMITED ? Budget.UNLIMITED
                : Math.min(clock + a.budget.deadlineTicks(), Budget.MAX_FINITE);
        emit(KernelEvents.TOKEN_SCHEDULED, s.capabilityId(), payload().name("grant").value(a.grant.id()).name("token").value(id)
                .name("waiting").value(pending).endObject().toCanonicalJson());
        TokenRecord t = new TokenRecord(id, s.subject(), s.capabilityId(), a.grant.id(), s.priority(), s.kind(), s.args(),
                List.copyOf(deps), a.budget, clock, deadlineAt, status, pending, 0, 0, 0);
        tokens = tokens.put(id, t);
        for (Long d : deps) {
            boolean inBatch = batchSize > 0 && d >= batchFirst && d < batchFirst + batchSize;
            if (inBatch || tokens.containsKey(d)) {
                dependents = KernelState.appendTo(dependents, d, id);
            }
        }
        if (status == KernelToken.Status.READY) {
            ready.add(key(t));
        }
    }

    private static long key(TokenRecord t) {
        return ((long) (KernelInput.SubmitToken.MAX_PRIORITY - t.priority()) << 47) | t.id();
    }

    // --- cancellation and the end of tokens ----------------------------------------------------------

    private KernelResponse cancel(EventEnvelope rec, KernelInput.CancelToken c) {
        TokenRecord t = tokens.get(c.token().value());
        if (t == null) {
            KernelToken.Status ended = finished.getOrDefault(c.token().value(), KernelToken.Status.COMPLETED);
            return inputRejected(rec, "cancel_token", "finished", "token " + c.token() + " already ended " + ended.wireName());
        }
        endToken(t, KernelToken.Status.CANCELLED, KernelEvents.TOKEN_CANCELLED,
                payload().name("cause").value("input").name("token").value(t.id()).endObject().toCanonicalJson());
        return accepted(rec);
    }

    /**
     * Records {@code kind} and ends the token with {@code status}; then releases or cancels its
     * dependents (iteratively, so a long chain cannot overflow the stack).
     */
    private void endToken(TokenRecord t, KernelToken.Status status, String kind, CanonicalJson payload) {
        endToken(t, status, kind, payload, t.capability());
    }

    /** As above, with the event's capability named: a violation names the capability it concerns. */
    private void endToken(TokenRecord t, KernelToken.Status status, String kind, CanonicalJson payload, String capability) {
        finish(t, status, kind, payload, capability);
        while (!cascade.isEmpty()) {
            long[] next = cascade.poll();
            TokenRecord d = tokens.get(next[0]);
            if (d == null) {
                continue;
            }
            finish(d, KernelToken.Status.CANCELLED, KernelEvents.TOKEN_CANCELLED, payload().name("cause").value("dependency")
                    .name("dependency").value(next[1]).name("token").value(d.id()).endObject().toCanonicalJson(), d.capability());
        }
    }

    private void finish(TokenRecord t, KernelToken.Status status, String kind, CanonicalJson payload, String capability) {
        emit(kind, capability, payload);
        long id = t.id();
        tokens = tokens.remove(id);
        counts = counts.ended(status);
        if (status != KernelToken.Status.COMPLETED) {
            finished = finished.put(id, status);
        }
        if (run != null && run.tokenId == id) {
            run.halted = kind;
        }
        List<Long> waiting = dependents.get(id);
        if (waiting == null) {
            return;
        }
        dependents = dependents.remove(id);
        for (Long w : waiting) {
            TokenRecord d = tokens.get(w);
            if (d == null) {
                continue;
            }
            if (status == KernelToken.Status.COMPLETED) {
                int left = d.pendingDeps() - 1;
                TokenRecord updated = d.withPending(left, left == 0 ? KernelToken.Status.READY : KernelToken.Status.WAITING);
                tokens = tokens.put(w, updated);
                if (left == 0) {
                    ready.add(key(updated));
                }
            } else {
                cascade.add(new long[] {w, id});
            }
        }
    }

    // --- registry --------------------------------------------------------------------------------

    private KernelResponse register(EventEnvelope rec, KernelInput.RegisterCapability r) {
        emit(KernelEvents.CAPABILITY_REGISTERED, r.descriptor().id(),
                payload().name("registry_version").value(registryVersion + 1).endObject().toCanonicalJson());
        capabilities = capabilities.put(r.descriptor().id(), new CapabilityRecord(r.descriptor(), 0, 0, 0));
        registryVersion++;
        handlers.put(r.descriptor().id(), r.handler());
        return accepted(rec);
    }

    private KernelResponse grant(EventEnvelope rec, KernelInput.GrantCapability in) {
        long id = nextGrant;
        CapabilityDescriptor d = capabilities.get(in.capabilityId()).descriptor();
        GrantTerms t = in.terms();
        String widening = widening(t, null, d.tokenCeiling(), d.maxInvocations(), d.rateLimit(), Budget.UNLIMITED,
                Budget.UNLIMITED, "the descriptor of " + d.id());
        if (widening != null) {
            return inputRejected(rec, "grant_capability", "widening", widening);
        }
        if (t.expiresAtTick() <= clock) {
            return inputRejected(rec, "grant_capability", "expired", "expiry " + t.expiresAtTick() + " is not after the clock " + clock);
        }
        GrantRecord g = new GrantRecord(id, 1, in.subject(), in.capabilityId(), 0, 0, List.of(),
                t.scope() == null ? CanonicalJson.EMPTY_OBJECT : t.scope(), Math.min(t.tokenCeiling(), d.tokenCeiling()),
                Math.min(t.maxInvocations(), d.maxInvocations()), t.rateLimit() != null ? t.rateLimit() : d.rateLimit(),
                t.expiresAtTick(), t.budgetTokens(), Grant.Status.ACTIVE, 0, 0, 0, 0);
        emit(KernelEvents.CAPABILITY_GRANTED, in.capabilityId(), grantPayload(g));
        nextGrant++;
        addGrant(g);
        return new KernelResponse(KernelResponse.Disposition.ACCEPTED, null, null, rec.position(), rec.hash(), null, new GrantId(id));
    }

    private KernelResponse derive(EventEnvelope rec, KernelInput.DeriveCapability in) {
        long id = nextGrant;
        GrantRecord p = grants.get(in.from().value());
        if (!p.active()) {
            return inputRejected(rec, "derive_capability", p.status().wireName(), "grant g" + p.id() + " is " + p.status().wireName());
        }
        if (p.depth() + 1 > config.maxDeriveDepth()) {
            return inputRejected(rec, "derive_capability", "depth", "grant g" + p.id() + " is already " + p.depth()
                    + " derivations deep; the limit is " + config.maxDeriveDepth());
        }
        GrantTerms t = in.terms();
        long parentBudgetLeft = p.budgetTokens() == Budget.UNLIMITED ? Budget.UNLIMITED : p.budgetTokens() - p.tokensUsed();
        String widening = widening(t, p.scope(), p.tokenCeiling(), p.maxInvocations(), p.rateLimit(), p.expiresAt(),
                parentBudgetLeft, "grant g" + p.id());
        if (widening != null) {
            return inputRejected(rec, "derive_capability", "widening", widening);
        }
        long expiresAt = Math.min(t.expiresAtTick(), p.expiresAt());
        if (expiresAt <= clock) {
            return inputRejected(rec, "derive_capability", "expired", "expiry " + expiresAt + " is not after the clock " + clock);
        }
        GrantRecord g = new GrantRecord(id, 1, in.subject(), p.capability(), p.id(), p.depth() + 1, List.of(),
                t.scope() == null ? p.scope() : t.scope(), Math.min(t.tokenCeiling(), p.tokenCeiling()),
                Math.min(t.maxInvocations(), p.maxInvocations()), t.rateLimit() != null ? t.rateLimit() : p.rateLimit(),
                expiresAt, t.budgetTokens(), Grant.Status.ACTIVE, 0, 0, 0, 0);
        emit(KernelEvents.CAPABILITY_DERIVED, p.capability(), grantPayload(g));
        nextGrant++;
        grants = grants.put(p.id(), p.withChild(id));
        addGrant(g);
        return new KernelResponse(KernelResponse.Disposition.ACCEPTED, null, null, rec.position(), rec.hash(), null, new GrantId(id));
    }

    private void addGrant(GrantRecord g) {
        grants = grants.put(g.id(), g);
        grantIndex = KernelState.appendTo(grantIndex, KernelState.indexKey(g.subject(), g.capability()), g.id());
        registryVersion++;
        if (g.expiresAt() != Budget.UNLIMITED) {
            expiries.add(new long[] {g.expiresAt(), g.id()});
        }
    }

    /**
     * <code>{"budget_tokens","expires_at_tick","grant","max_invocations","parent" (derived
     * only),"rate_limit","scope","subject","token_ceiling"}</code>.
     */
    private CanonicalJson grantPayload(GrantRecord g) {
        CanonicalWriter w = payload();
        Codec.limit(w, "budget_tokens", g.budgetTokens());
        Codec.limit(w, "expires_at_tick", g.expiresAt());
        w.name("grant").value(g.id());
        Codec.limit(w, "max_invocations", g.maxInvocations());
        if (g.parent() != 0) {
            w.name("parent").value(g.parent());
        }
        w.name("rate_limit");
        Codec.rateLimit(w, g.rateLimit());
        w.name("scope").value(g.scope());
        w.name("subject").value(g.subject());
        Codec.limit(w, "token_ceiling", g.tokenCeiling());
        return w.endObject().toCanonicalJson();
    }

    /** Why {@code t} would widen what it derives from, or null when it only narrows. */
    private static String widening(GrantTerms t, CanonicalJson parentScope, long ceiling, long maxInvocations,
            CapabilityDescriptor.RateLimit rate, long expiresAt, long budgetLeft, String from) {
        if (t.tokenCeiling() != Budget.UNLIMITED && t.tokenCeiling() > ceiling) {
            return "token_ceiling " + t.tokenCeiling() + " is above the " + ceiling + " of " + from;
        }
        if (t.maxInvocations() != Budget.UNLIMITED && t.maxInvocations() > maxInvocations) {
            return "max_invocations " + t.maxInvocations() + " is above the " + maxInvocations + " of " + from;
        }
        if (t.rateLimit() != null && !t.rateLimit().atMost(rate)) {
            return "rate limit " + t.rateLimit().invocations() + " per " + t.rateLimit().windowTicks()
                    + " ticks is wider than the " + rate.invocations() + " per " + rate.windowTicks() + " of " + from;
        }
        if (t.expiresAtTick() != Budget.UNLIMITED && t.expiresAtTick() > expiresAt) {
            return "expiry " + t.expiresAtTick() + " is after the " + expiresAt + " of " + from;
        }
        if (t.budgetTokens() != Budget.UNLIMITED && t.budgetTokens() > budgetLeft) {
            return "budget_tokens " + t.budgetTokens() + " is above the " + budgetLeft + " left of " + from;
        }
        if (t.scope() != null && parentScope != null && !narrows(t.scope().toJsonNode(), parentScope.toJsonNode())) {
            return "scope " + t.scope() + " does not narrow the scope " + parentScope + " of " + from;
        }
        return null;
    }

    /** True when {@code child} keeps every restriction of {@code parent}; see {@link GrantTerms#scope()}. */
    static boolean narrows(JsonNode child, JsonNode parent) {
        if (parent.isObject()) {
            if (!child.isObject()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : parent.properties()) {
                JsonNode c = child.get(e.getKey());
                if (c == null || !narrows(c, e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (parent.isArray()) {
            if (!child.isArray()) {
                return false;
            }
            for (JsonNode c : child) {
                boolean found = false;
                for (JsonNode p : parent) {
                    if (p.equals(c)) {
                        found = true;
                        break;
                    }
                }
                if (!found) {
                    return false;
                }
            }
            return true;
        }
        return child.equals(parent);
    }

    private KernelResponse revoke(EventEnvelope rec, KernelInput.RevokeCapability in) {
        GrantRecord g = grants.get(in.grant().value());
        if (!g.active()) {
            return inputRejected(rec, "revoke_capability", "not_in_force", "grant g" + g.id() + " is already " + g.status().wireName());
        }
        ArrayDeque<Long> work = new ArrayDeque<>();
        work.add(g.id());
        while (!work.isEmpty()) {
            GrantRecord x = grants.get(work.poll());
            if (x.active()) {
                emit(KernelEvents.CAPABILITY_REVOKED, x.capability(), payload().name("cause").value(g.id())
                        .name("grant").value(x.id()).name("subject").value(x.subject()).endObject().toCanonicalJson());
                grants = grants.put(x.id(), x.withStatus(Grant.Status.REVOKED));
                registryVersion++;
            }
            work.addAll(x.children());
        }
        return accepted(rec);
    }

    private KernelResponse tick(EventEnvelope rec, KernelInput.Tick t) {
        clock += t.ticks();
        expireGrants();
        return accepted(rec);
    }

    private void expireGrants() {
        while (!expiries.isEmpty() && expiries.peek()[0] <= clock) {
            long[] e = expiries.poll();
            GrantRecord g = grants.get(e[1]);
            if (g != null && g.active() && g.expiresAt() == e[0]) {
                emit(KernelEvents.GRANT_EXPIRED, g.capability(), payload().name("grant").value(g.id())
                        .name("subject").value(g.subject()).endObject().toCanonicalJson());
                grants = grants.put(g.id(), g.withStatus(Grant.Status.EXPIRED));
                registryVersion++;
            }
        }
    }

    // --- grant checks ----------------------------------------------------------------------------

    private record Lookup(GrantRecord grant, String reason, String detail) {
    }

    private record Refusal(String reason, String detail) {
    }

    /**
     * The grant index key of the last lookup, with its parts: consecutive lookups are mostly for
     * the same subject and capability (a batch, an agent's run), and the key is then neither
     * built nor hashed again.
     */
    private String lastIndexSubject;
    private String lastIndexCapability;
    private String lastIndexKey;

    private String indexKey(String subject, String capability) {
        if (!subject.equals(lastIndexSubject) || !capability.equals(lastIndexCapability)) {
            lastIndexKey = KernelState.indexKey(subject, capability);
            lastIndexSubject = subject;
            lastIndexCapability = capability;
        }
        return lastIndexKey;
    }

    /** The subject's newest grant in force for the capability, or why there is none. */
    private Lookup findGrant(String subject, String capability) {
        List<Long> ids = grantIndex.get(indexKey(subject, capability));
        if (ids == null) {
            return new Lookup(null, "not_granted", subject + " holds no grant of " + capability);
        }
        GrantRecord newest = null;
        for (int i = ids.size() - 1; i >= 0; i--) {
            GrantRecord g = grants.get(ids.get(i));
            if (g.active()) {
                return new Lookup(g, null, null);
            }
            if (newest == null) {
                newest = g;
            }
        }
        return new Lookup(null, newest.status().wireName(), "grant g" + newest.id() + " of " + capability + " to " + subject
                + " is " + newest.status().wireName());
    }

    /** Why an invocation under {@code g} is refused (status, then each grant up the chain's limits), or null. */
    private Refusal invocationRefusal(GrantRecord g) {
        if (!g.active()) {
            return new Refusal(g.status().wireName(), "grant g" + g.id() + " is " + g.status().wireName());
        }
        return limitRefusal(g);
    }

    private Refusal limitRefusal(GrantRecord g) {
        for (GrantRecord x = g; x != null; x = x.parent() == 0 ? null : grants.get(x.parent())) {
            if (x.maxInvocations() != Budget.UNLIMITED && x.invocations() >= x.maxInvocations()) {
                return new Refusal("max_invocations", "grant g" + x.id() + " allows " + x.maxInvocations() + " invocations, all used");
            }
            if (x.rateLimit() != null && x.countInWindow(clock) >= x.rateLimit().invocations()) {
                return new Refusal("rate_limit", "grant g" + x.id() + " allows " + x.rateLimit().invocations() + " invocations per "
                        + x.rateLimit().windowTicks() + " ticks, all used in this window");
            }
        }
        return null;
    }

    /** Counts an invocation on {@code g}, its ancestors and the capability; returns {@code g} as counted. */
    private GrantRecord countInvocation(GrantRecord g, CapabilityRecord capability) {
        GrantRecord counted = g.invoked(clock);
        grants = grants.put(g.id(), counted);
        for (GrantRecord x = g.parent() == 0 ? null : grants.get(g.parent()); x != null;
                x = x.parent() == 0 ? null : grants.get(x.parent())) {
            grants = grants.put(x.id(), x.invoked(clock));
        }
        capabilities = capabilities.put(capability.descriptor().id(), capability.invoked());
        return counted;
    }

    // =============================================================================================
    // Running tokens
    // =============================================================================================

    /** One token's run: shared by its invocation frames. */
    private static final class Run {
        final long tokenId;
        final String subject;
        /** The event kind that halted the token, or null while it may go on. */
        String halted;
        int frames;

        Run(long tokenId, String subject) {
            this.tokenId = tokenId;
            this.subject = subject;
        }
    }

    /** True when a token is ready to run. */
    boolean hasReady() {
        return peekReady() != null;
    }

    /** The ready token that runs next, left on the queue, or null; drops stale keys on the way. */
    private TokenRecord peekReady() {
        while (!ready.isEmpty()) {
            TokenRecord t = tokens.get(ready.peek() & ID_MASK);
            if (t != null && t.status() == KernelToken.Status.READY) {
                return t;
            }
            ready.poll();
        }
        return null;
    }

    /** Runs the highest-priority, oldest ready token to its end; false when none is ready. */
    boolean runNext() {
        TokenRecord next = peekReady();
        if (next == null) {
            return false;
        }
        ready.poll();
        runToken(next);
        flushSnapshots();
        return true;
    }

    private void runToken(TokenRecord t) {
        if (t.deadlineAt() != Budget.UNLIMITED && clock > t.deadlineAt()) {
            endToken(t, KernelToken.Status.BUDGET_EXCEEDED, KernelEvents.RESOURCE_BUDGET_EXCEEDED,
                    overrun(t.id(), Budget.Resource.DEADLINE_TICKS.wireName(), clock - t.submittedAt(), 0));
            return;
        }
        GrantRecord g = grants.get(t.grant());
        Refusal refusal = invocationRefusal(g);
        if (refusal != null) {
            violation(t, t.capability(), g.id(), refusal.reason, refusal.detail);
            return;
        }
        emit(KernelEvents.TOKEN_STARTED, t.capability(), payload().name("grant").value(g.id()).name("token").value(t.id())
                .endObject().toCanonicalJson());
        CapabilityRecord cap = capabilities.get(t.capability());
        GrantRecord counted = countInvocation(g, cap);
        tokens = tokens.put(t.id(), t.withStatus(KernelToken.Status.RUNNING));
        run = new Run(t.id(), t.subject());
        try {
            Frame f = new Frame(run, t.capability(), counted, 0, cap.descriptor().configuration());
            Outcome out = call(f, t.args());
            if (run.halted == null) {
                pump.pump();
            }
            if (run.halted == null) {
                TokenRecord now = tokens.get(t.id());
                if (out.error == null) {
                    endToken(now, KernelToken.Status.COMPLETED, KernelEvents.TOKEN_COMPLETED,
                            payload().name("result").value(out.result).name("token").value(t.id()).endObject().toCanonicalJson());
                } else {
                    endToken(now, KernelToken.Status.FAILED, KernelEvents.TOKEN_FAILED,
                            payload().name("error").value(out.error).name("token").value(t.id()).endObject().toCanonicalJson());
                }
            }
        } finally {
            run = null;
        }
    }

    /** What a handler call came to: a result or an error text (never both). */
    private record Outcome(CanonicalJson result, String error) {
    }

    /**
     * Calls the handler for {@code f}'s capability. A {@link TokenHaltedException} is expected
     * when the token was halted; anything else the handler throws is its failure. Errors the JVM
     * cannot recover from are rethrown after the kernel records nothing more.
     */
    private Outcome call(Frame f, CanonicalJson args) {
        CapabilityHandler h = handlerOverride != null ? handlerOverride : handlers.get(f.capability);
        try {
            if (h == null) {
                return new Outcome(null, "no handler is bound to capability " + f.capability);
            }
            CanonicalJson result = h.handle(f, args);
            if (result == null) {
                return new Outcome(null, "the handler returned null instead of a JSON value");
            }
            if (result.utf8Length() > config.maxPayloadBytes()) {
                return new Outcome(null, "the handler's result is " + result.utf8Length() + " bytes; the limit is "
                        + config.maxPayloadBytes());
            }
            return new Outcome(result, null);
        } catch (TokenHaltedException halted) {
            return new Outcome(null, "halted");
        } catch (StackOverflowError e) {
            return new Outcome(null, errorText(e));
        } catch (VirtualMachineError e) {
            fault = new IllegalStateException("a handler hit " + e, e);
            throw e;
        } catch (KernelClosedException | ReplayDivergenceException e) {
            throw e;
        } catch (Throwable e) {
            if (fault != null) {
                throw fault;
            }
            return new Outcome(null, errorText(e));
        } finally {
            f.closed = true;
        }
    }

    /** The recorded text of a handler failure: the class and message, at most 1000 characters. */
    static String errorText(Throwable e) {
        if (e instanceof Replay.RecordedFailure r) {
            return r.getMessage();
        }
        String s = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        s = s.length() > 1000 ? s.substring(0, 997) + "..." : s;
        StringBuilder clean = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // Keep the text encodable: drop unpaired surrogates, which canonical JSON refuses.
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                clean.append(c).append(s.charAt(++i));
            } else if (!Character.isSurrogate(c)) {
                clean.append(c);
            } else {
                clean.append('\ufffd');
            }
        }
        return clean.toString();
    }

    private void violation(TokenRecord t, String capability, long grantId, String reason, String detail) {
        CanonicalWriter w = payload().name("detail").value(detail);
        if (grantId != 0) {
            w.name("grant").value(grantId);
        }
        CanonicalJson o = w.name("reason").value(reason).name("token").value(t.id()).endObject().toCanonicalJson();
        CapabilityRecord cap = capabilities.get(capability);
        endToken(t, KernelToken.Status.VIOLATION, KernelEvents.CAPABILITY_VIOLATION, o, capability);
        if (cap != null) {
            capabilities = capabilities.put(capability, capabilities.get(capability).violated());
        }
    }

    /** One invocation's context. */
    private final class Frame implements HandlerContext {
        final Run run;
        final String capability;
        final GrantRecord grantAtStart;
        final int depth;
        final CanonicalJson configuration;
        final Thread thread = Thread.currentThread();
        final int ordinal;
        long charged;
        int actions;
        boolean closed;
        private RandomGenerator random;

        Frame(Run run, String capability, GrantRecord grant, int depth, CanonicalJson configuration) {
            this.run = run;
            this.capability = capability;
            this.grantAtStart = grant;
            this.depth = depth;
            this.configuration = configuration;
            this.ordinal = run.frames++;
        }

        private void enter() {
            if (closed) {
                throw new IllegalStateException("this context belongs to an invocation that has returned");
            }
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("a handler context may be used only on the thread that called the handler");
            }
            haltIfHalted();
        }

        private void haltIfHalted() {
            if (fault != null) {
                throw new KernelClosedException("the kernel stopped after a fault: " + fault.getMessage(), fault);
            }
            if (run.halted != null) {
                throw new TokenHaltedException(run.halted, "token t" + run.tokenId + " was halted: " + run.halted);
            }
        }

        /** A sync point: apply inputs that arrived, then stop if they halted the token; then count the action. */
        private void beginAction() {
            pump.pump();
            haltIfHalted();
            if (++actions > config.maxActionsPerInvocation()) {
                halt(KernelToken.Status.BUDGET_EXCEEDED, KernelEvents.RESOURCE_BUDGET_EXCEEDED,
                        overrun(run.tokenId, "actions", actions, 0));
            }
        }

        private void halt(KernelToken.Status status, String kind, CanonicalJson payload) {
            endToken(tokens.get(run.tokenId), status, kind, payload);
            throw new TokenHaltedException(kind, "token t" + run.tokenId + " was halted: " + kind);
        }

        private void haltViolation(String onCapability, long grantId, String reason, String detail) {
            violation(tokens.get(run.tokenId), onCapability, grantId, reason, detail);
            throw new TokenHaltedException(KernelEvents.CAPABILITY_VIOLATION, "token t" + run.tokenId + ": capability_violation "
                    + reason + ": " + detail);
        }

        private void budgetExceeded(Budget.Resource resource, long attempted, long remaining) {
            halt(KernelToken.Status.BUDGET_EXCEEDED, KernelEvents.RESOURCE_BUDGET_EXCEEDED,
                    overrun(run.tokenId, resource.wireName(), attempted, remaining));
        }

        @Override
        public TokenId token() {
            return new TokenId(run.tokenId);
        }

        @Override
        public String subject() {
            return run.subject;
        }

        @Override
        public String capabilityId() {
            return capability;
        }

        @Override
        public GrantId grant() {
            return new GrantId(grantAtStart.id());
        }

        @Override
        public int depth() {
            return depth;
        }

        @Override
        public CanonicalJson scope() {
            return grantAtStart.scope();
        }

        @Override
        public CanonicalJson configuration() {
            return configuration;
        }

        @Override
        public long now() {
            return clock;
        }

        @Override
        public KernelState state() {
            enter();
            return snapshot();
        }

        @Override
        public RandomGenerator random() {
            if (random == null) {
                random = new SplittableRandom(mix(mix(seed ^ 0x6f73325f6b65726eL, run.tokenId), ordinal));
            }
            return random;
        }

        @Override
        public Budget remaining() {
            enter();
            TokenRecord t = tokens.get(run.tokenId);
            Budget b = t.budget();
            return new Budget(left(b.tokens(), t.tokensUsed()), left(b.memoryBytes(), t.memoryUsed()),
                    left(b.networkBytes(), t.networkUsed()), left(t.deadlineAt(), clock));
        }

        private static long left(long limit, long used) {
            return limit == Budget.UNLIMITED ? Budget.UNLIMITED : Math.max(0, limit - used);
        }

        @Override
        public void chargeTokens(long tokens) {
            charge(Budget.Resource.TOKENS, tokens);
        }

        @Override
        public void chargeMemory(long bytes) {
            charge(Budget.Resource.MEMORY_BYTES, bytes);
        }

        @Override
        public void chargeNetwork(long bytes) {
            charge(Budget.Resource.NETWORK_BYTES, bytes);
        }

        void charge(Budget.Resource resource, long amount) {
            enter();
            if (amount < 0 || amount > Budget.MAX_FINITE) {
                throw new IllegalArgumentException("a charge is between 0 and 2^53, got " + amount);
            }
            beginAction();
            CanonicalWriter p = payload().name("amount").value(amount);
            if (depth > 0) {
                p.name("depth").value(depth);
            }
            Machine.this.emit(KernelEvents.CHARGE, capability, p.name("resource").value(resource.wireName())
                    .name("token").value(run.tokenId).endObject().toCanonicalJson());
            TokenRecord t = tokens.get(run.tokenId);
            long limit = t.budget().limit(resource);
            long used = t.used(resource);
            if (limit != Budget.UNLIMITED && amount > limit - used) {
                budgetExceeded(resource, amount, limit - used);
            }
            if (resource == Budget.Resource.TOKENS) {
                long ceiling = grantAtStart.tokenCeiling();
                if (ceiling != Budget.UNLIMITED && charged + amount > ceiling) {
                    haltViolation(capability, grantAtStart.id(), "ceiling", "charging " + amount + " more than the "
                            + (ceiling - charged) + " left of the ceiling of " + ceiling + " tokens per invocation of " + capability);
                }
                for (GrantRecord x = grants.get(grantAtStart.id()); x != null; x = x.parent() == 0 ? null : grants.get(x.parent())) {
                    if (x.budgetTokens() != Budget.UNLIMITED && x.tokensUsed() + amount > x.budgetTokens()) {
                        haltViolation(capability, x.id(), "grant_budget", "charging " + amount + " more than the "
                                + (x.budgetTokens() - x.tokensUsed()) + " tokens left of grant g" + x.id());
                    }
                }
                long deadline = Math.min(t.deadlineAt(), Budget.MAX_FINITE);
                if (clock + amount > deadline) {
                    budgetExceeded(Budget.Resource.DEADLINE_TICKS, amount, deadline - clock);
                }
            }
            Machine.this.tokens = Machine.this.tokens.put(run.tokenId, t.charged(resource, amount));
            if (resource == Budget.Resource.TOKENS && amount > 0) {
                charged += amount;
                for (GrantRecord x = grants.get(grantAtStart.id()); x != null; x = x.parent() == 0 ? null : grants.get(x.parent())) {
                    grants = grants.put(x.id(), x.charged(amount));
                }
                capabilities = capabilities.put(capability, capabilities.get(capability).charged(amount));
                clock += amount;
                expireGrants();
            }
        }

        @Override
        public void emit(String name, CanonicalJson data) {
            enter();
            Names.eventName(name);
            Names.require(data, "data");
            checkSize(config, "event data", data);
            beginAction();
            Machine.this.emit(KernelEvents.CUSTOM_PREFIX + name, capability,
                    payload().name("data").value(data).name("token").value(run.tokenId).endObject().toCanonicalJson());
        }

        @Override
        public void requestCheckpoint(String label) {
            enter();
            Names.label(label);
            beginAction();
            Machine.this.emit(KernelEvents.CHECKPOINT_REQUESTED, capability,
                    payload().name("label").value(label).name("token").value(run.tokenId).endObject().toCanonicalJson());
        }

        @Override
        public CanonicalJson invoke(String capabilityId, CanonicalJson args) {
            enter();
            Names.capabilityId(capabilityId);
            Names.require(args, "args");
            checkSize(config, "arguments", args);
            beginAction();
            int inner = depth + 1;
            Machine.this.emit(KernelEvents.CAPABILITY_INVOKED, capabilityId, payload().name("args").value(args)
                    .name("depth").value(inner).name("token").value(run.tokenId).endObject().toCanonicalJson());
            if (inner > config.maxInvocationDepth()) {
                haltViolation(capabilityId, 0, "depth", "invocations nest deeper than " + config.maxInvocationDepth());
            }
            CapabilityRecord cap = capabilities.get(capabilityId);
            if (cap == null) {
                haltViolation(capability, 0, "not_registered", "capability " + capabilityId + " is not registered");
            }
            Lookup found = findGrant(run.subject, capabilityId);
            if (found.grant == null) {
                haltViolation(capabilityId, 0, found.reason, found.detail);
            }
            GrantRecord g = found.grant;
            String shape = cap.descriptor().shapeProblem(args);
            if (shape != null) {
                haltViolation(capabilityId, g.id(), "invalid_shape", shape);
            }
            Refusal refusal = limitRefusal(g);
            if (refusal != null) {
                haltViolation(capabilityId, g.id(), refusal.reason, refusal.detail);
            }
            GrantRecord counted = countInvocation(g, cap);
            Frame nested = new Frame(run, capabilityId, counted, inner, cap.descriptor().configuration());
            Outcome out = call(nested, args);
            haltIfHalted();
            pump.pump();
            haltIfHalted();
            if (out.error != null) {
                Machine.this.emit(KernelEvents.INVOCATION_FAILED, capabilityId, payload().name("depth").value(inner)
                        .name("error").value(out.error).name("token").value(run.tokenId).endObject().toCanonicalJson());
                throw new InvocationFailedException(capabilityId, out.error);
            }
            Machine.this.emit(KernelEvents.INVOCATION_COMPLETED, capabilityId, payload().name("depth").value(inner)
                    .name("result").value(out.result).name("token").value(run.tokenId).endObject().toCanonicalJson());
            return out.result;
        }
    }

    /** SplitMix64's finaliser over two values: a well-spread seed from (seed, token, ordinal). */
    static long mix(long a, long b) {
        long z = a + 0x9e3779b97f4a7c15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
