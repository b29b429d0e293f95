package dev.os2.bench.snapshot;

import dev.os2.kernel.KernelState;
import dev.os2.kernel.KernelToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The peer's state: what a kernel built on mutable collections would hold, the same live tokens
 * as a {@link KernelState} in a {@link HashMap} from token id to a mutable token object. Because
 * such a kernel updates its tokens in place (status, usage), a snapshot of it must copy every
 * token, not only the map: {@link #deepCopy}.
 */
final class HashMapState {

    /** A live token as a mutable kernel keeps it: the fields of {@link KernelToken}, updatable in place. */
    static final class MutableToken {
        final long id;
        final String subject;
        final String capabilityId;
        final long grant;
        final int priority;
        final String kind;
        final String argsJson;
        final List<Long> dependencies;
        final long budgetTokens;
        final long submittedAtTick;
        KernelToken.Status status;
        long tokensUsed;
        long memoryBytesUsed;
        long networkBytesUsed;

        MutableToken(KernelToken t) {
            this(t.id().value(), t.subject(), t.capabilityId(), t.grant().value(), t.priority(), t.kind(), t.args().text(),
                    new ArrayList<>(t.dependencies().stream().map(d -> d.value()).toList()), t.budget().tokens(),
                    t.submittedAtTick(), t.status(), t.usage().tokens(), t.usage().memoryBytes(), t.usage().networkBytes());
        }

        private MutableToken(long id, String subject, String capabilityId, long grant, int priority, String kind, String argsJson,
                List<Long> dependencies, long budgetTokens, long submittedAtTick, KernelToken.Status status, long tokensUsed,
                long memoryBytesUsed, long networkBytesUsed) {
            this.id = id;
            this.subject = subject;
            this.capabilityId = capabilityId;
            this.grant = grant;
            this.priority = priority;
            this.kind = kind;
            this.argsJson = argsJson;
            this.dependencies = dependencies;
            this.budgetTokens = budgetTokens;
            this.submittedAtTick = submittedAtTick;
            this.status = status;
            this.tokensUsed = tokensUsed;
            this.memoryBytesUsed = memoryBytesUsed;
            this.networkBytesUsed = networkBytesUsed;
        }

        /** This token under another id. */
        MutableToken withId(long newId) {
            return new MutableToken(newId, subject, capabilityId, grant, priority, kind, argsJson, new ArrayList<>(dependencies),
                    budgetTokens, submittedAtTick, status, tokensUsed, memoryBytesUsed, networkBytesUsed);
        }

        /** A copy that shares nothing mutable with this token (strings are immutable and shared). */
        MutableToken copy() {
            return new MutableToken(id, subject, capabilityId, grant, priority, kind, argsJson, new ArrayList<>(dependencies),
                    budgetTokens, submittedAtTick, status, tokensUsed, memoryBytesUsed, networkBytesUsed);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MutableToken t && id == t.id && grant == t.grant && priority == t.priority
                    && budgetTokens == t.budgetTokens && submittedAtTick == t.submittedAtTick && tokensUsed == t.tokensUsed
                    && memoryBytesUsed == t.memoryBytesUsed && networkBytesUsed == t.networkBytesUsed && status == t.status
                    && subject.equals(t.subject) && capabilityId.equals(t.capabilityId) && Objects.equals(kind, t.kind)
                    && argsJson.equals(t.argsJson) && dependencies.equals(t.dependencies);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }
    }

    final HashMap<Long, MutableToken> tokens;

    private HashMapState(HashMap<Long, MutableToken> tokens) {
        this.tokens = tokens;
    }

    /** The live tokens of {@code state}, as mutable tokens in a HashMap. */
    static HashMapState of(KernelState state) {
        List<KernelToken> live = state.liveTokens();
        HashMap<Long, MutableToken> tokens = HashMap.newHashMap(live.size());
        for (KernelToken t : live) {
            tokens.put(t.id().value(), new MutableToken(t));
        }
        return new HashMapState(tokens);
    }

    /**
     * {@code count} tokens like {@code template} (a live token taken from a kernel), with the ids
     * {@code template.id()} to {@code template.id() + count - 1}: what {@link #of} gives for a
     * kernel that was submitted {@code count} such tokens, without building that kernel (for a
     * million tokens that takes seconds a benchmark fork would spend before every peer run).
     */
    static HashMapState replicate(KernelToken template, int count) {
        MutableToken first = new MutableToken(template);
        HashMap<Long, MutableToken> tokens = HashMap.newHashMap(count);
        for (int i = 0; i < count; i++) {
            MutableToken t = first.withId(first.id + i);
            tokens.put(t.id, t);
        }
        return new HashMapState(tokens);
    }

    /** Removes the tokens with the {@code count} lowest ids, as a kernel that ran them would. */
    HashMapState withoutOldest(int count) {
        HashMap<Long, MutableToken> rest = new HashMap<>(tokens);
        rest.keySet().stream().sorted().limit(count).toList().forEach(rest::remove);
        return new HashMapState(rest);
    }

    /** True when both hold equal tokens under equal ids. */
    boolean sameAs(HashMapState other) {
        return tokens.equals(other.tokens);
    }

    /** A snapshot of a mutable state: a new map holding a copy of every token. */
    HashMapState deepCopy() {
        HashMap<Long, MutableToken> copy = HashMap.newHashMap(tokens.size());
        for (Map.Entry<Long, MutableToken> e : tokens.entrySet()) {
            copy.put(e.getKey(), e.getValue().copy());
        }
        return new HashMapState(copy);
    }

    /**
     * The ids of the tokens that differ between this state and {@code other} (added, removed or
     * changed), in no particular order: every entry of both maps is looked at, since two mutable
     * maps share nothing that would let a comparison skip a part.
     */
    List<Long> diff(HashMapState other) {
        List<Long> changed = new ArrayList<>();
        for (Map.Entry<Long, MutableToken> e : tokens.entrySet()) {
            MutableToken theirs = other.tokens.get(e.getKey());
            if (theirs == null || !theirs.equals(e.getValue())) {
                changed.add(e.getKey());
            }
        }
        for (Long id : other.tokens.keySet()) {
            if (!tokens.containsKey(id)) {
                changed.add(id);
            }
        }
        return changed;
    }
}
