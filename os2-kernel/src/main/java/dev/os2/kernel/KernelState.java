package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.StateRecords.CapabilityRecord;
import dev.os2.kernel.StateRecords.GrantRecord;
import dev.os2.kernel.StateRecords.TokenRecord;
import dev.os2.kernel.state.PersistentMap;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.CanonicalWriter;
import dev.os2.ledger.Hash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything a kernel knows, as one immutable value: the virtual clock, the capability registry
 * with its usage counters, the grants, the live tokens, the outcomes of tokens that did not
 * complete, and the id counters. Built from persistent, structure-sharing maps, so taking the
 * current state ({@link Kernel#state()}) is O(1) and keeping old states costs memory only for what
 * changed since. A kernel can be created from a state ({@link Kernel#fromState}).
 *
 * <p>The handlers are not part of the state (they are code), nor is the ledger.
 *
 * <p><b>Canonical form, format 1.</b> {@link #toJson()} is the RFC 8785 canonical JSON of an
 * object with {@code format}, {@code seed} (decimal string), {@code clock}, {@code next_token},
 * {@code next_grant}, {@code registry_version}, {@code counts}, {@code policy} (only once a
 * {@link KernelInput.LoadPolicy} was applied: the policy's JSON form), and the arrays
 * {@code capabilities}, {@code grants}, {@code tokens} (live) and {@code finished}
 * ({@code [id, status]} of tokens that ended without completing), each sorted by id. Indexes the
 * kernel derives from these (grants by subject, dependents of a token) are rebuilt, not stored.
 *
 * <p><b>State hash, format 1.</b> {@link #stateHash()} is SHA-256 of {@code "os2.kernel.state.v1" 0x00}
 * followed by the canonical JSON of the scalars (everything above but the four collections), then
 * the {@link PersistentMap#merkleDigest Merkle digests} of the capabilities, grants, live tokens
 * and finished outcomes, each value encoded as its canonical JSON object (the same object as in
 * {@link #toJson()}; a finished outcome as its status name). The maps cache their node digests,
 * so hashing a state a few steps after a hashed one costs time proportional to what changed.
 * Tokens that completed are not kept: an id below {@code next_token} that is neither live nor in
 * {@code finished} completed.
 *
 * <p>Immutable and thread-safe.
 */
public final class KernelState {

    /** The canonical form's version. */
    public static final int FORMAT = 1;

    private static final byte[] DOMAIN_TAG = "os2.kernel.state.v1\0".getBytes(StandardCharsets.US_ASCII);

    final long seed;
    final long clock;
    final long nextToken;
    final long nextGrant;
    final long registryVersion;
    final TokenCounts counts;
    final PersistentMap<String, CapabilityRecord> capabilities;
    final PersistentMap<Long, GrantRecord> grants;
    /** "subject capability" to the ids of every grant of it to the subject, ascending. Derived from grants. */
    final PersistentMap<String, List<Long>> grantIndex;
    final PersistentMap<Long, TokenRecord> tokens;
    /** Token id to the live tokens waiting for it, ascending. Derived from tokens. */
    final PersistentMap<Long, List<Long>> dependents;
    final PersistentMap<Long, KernelToken.Status> finished;
    /** The policy a {@link KernelInput.LoadPolicy} put in force, or null while the configuration's applies. */
    final CapabilityLimits policy;

    private volatile Hash hash;

    KernelState(long seed, long clock, long nextToken, long nextGrant, long registryVersion, TokenCounts counts,
            PersistentMap<String, CapabilityRecord> capabilities, PersistentMap<Long, GrantRecord> grants,
            PersistentMap<String, List<Long>> grantIndex, PersistentMap<Long, TokenRecord> tokens,
            PersistentMap<Long, List<Long>> dependents, PersistentMap<Long, KernelToken.Status> finished) {
        this(seed, clock, nextToken, nextGrant, registryVersion, counts, capabilities, grants, grantIndex, tokens,
                dependents, finished, null);
    }

    KernelState(long seed, long clock, long nextToken, long nextGrant, long registryVersion, TokenCounts counts,
            PersistentMap<String, CapabilityRecord> capabilities, PersistentMap<Long, GrantRecord> grants,
            PersistentMap<String, List<Long>> grantIndex, PersistentMap<Long, TokenRecord> tokens,
            PersistentMap<Long, List<Long>> dependents, PersistentMap<Long, KernelToken.Status> finished,
            CapabilityLimits policy) {
        this.policy = policy;
        this.seed = seed;
        this.clock = clock;
        this.nextToken = nextToken;
        this.nextGrant = nextGrant;
        this.registryVersion = registryVersion;
        this.counts = counts;
        this.capabilities = capabilities;
        this.grants = grants;
        this.grantIndex = grantIndex;
        this.tokens = tokens;
        this.dependents = dependents;
        this.finished = finished;
    }

    /** The state of a kernel that has seen nothing, with {@code seed}. */
    public static KernelState initial(long seed) {
        return new KernelState(seed, 0, 1, 1, 0, TokenCounts.ZERO, PersistentMap.empty(), PersistentMap.empty(),
                PersistentMap.empty(), PersistentMap.empty(), PersistentMap.empty(), PersistentMap.empty());
    }

    /**
     * The resource policy recorded by the latest {@link KernelInput.LoadPolicy}, or empty when none
     * was loaded and the kernel's configured {@link KernelConfig#limits()} apply.
     */
    public java.util.Optional<CapabilityLimits> policy() {
        return java.util.Optional.ofNullable(policy);
    }

    /** The seed handlers' random sources derive from. */
    public long seed() {
        return seed;
    }

    /** The virtual clock, in ticks. */
    public long clock() {
        return clock;
    }

    /** Increases by one at every registry change (registration, grant, derivation, revocation, expiry). */
    public long registryVersion() {
        return registryVersion;
    }

    /** How many tokens were submitted and how they ended. */
    public TokenCounts counts() {
        return counts;
    }

    /** The id the next submitted token gets. */
    public TokenId nextTokenId() {
        return new TokenId(nextToken);
    }

    /** The id the next grant or derivation gets. */
    public GrantId nextGrantId() {
        return new GrantId(nextGrant);
    }

    /** Number of live (waiting, ready, running) tokens. */
    public int liveTokenCount() {
        return tokens.size();
    }

    /** A live token, or empty. */
    public Optional<KernelToken> token(TokenId id) {
        TokenRecord t = tokens.get(id.value());
        return t == null ? Optional.empty() : Optional.of(t.view());
    }

    /** The status of any token this state knows; empty for an id never assigned. */
    public Optional<KernelToken.Status> status(TokenId id) {
        if (id.value() >= nextToken) {
            return Optional.empty();
        }
        TokenRecord t = tokens.get(id.value());
        if (t != null) {
            return Optional.of(t.status());
        }
        return Optional.of(finished.getOrDefault(id.value(), KernelToken.Status.COMPLETED));
    }

    /** The live tokens in id order. */
    public List<KernelToken> liveTokens() {
        List<KernelToken> out = new ArrayList<>(tokens.size());
        for (TokenRecord t : sortedValues(tokens)) {
            out.add(t.view());
        }
        return out;
    }

    /** The registered capabilities in id order. */
    public List<CapabilityInfo> capabilities() {
        List<Map.Entry<String, CapabilityRecord>> entries = new ArrayList<>();
        capabilities.forEach((k, v) -> entries.add(Map.entry(k, v)));
        entries.sort(Map.Entry.comparingByKey());
        List<CapabilityInfo> out = new ArrayList<>(entries.size());
        for (Map.Entry<String, CapabilityRecord> e : entries) {
            out.add(info(e.getValue()));
        }
        return out;
    }

    /** A registered capability, or empty. */
    public Optional<CapabilityInfo> capability(String id) {
        CapabilityRecord r = capabilities.get(id);
        return r == null ? Optional.empty() : Optional.of(info(r));
    }

    /** Every grant ever issued, in id order. */
    public List<Grant> grants() {
        List<Grant> out = new ArrayList<>(grants.size());
        for (GrantRecord g : sortedValues(grants)) {
            out.add(g.view());
        }
        return out;
    }

    /** A grant, or empty. */
    public Optional<Grant> grant(GrantId id) {
        GrantRecord g = grants.get(id.value());
        return g == null ? Optional.empty() : Optional.of(g.view());
    }

    private static CapabilityInfo info(CapabilityRecord r) {
        return new CapabilityInfo(r.descriptor(), r.invocations(), r.tokensUsed(), r.violations());
    }

    /**
     * The state hash (see the class comment); computed once per state value, in time proportional
     * to what changed since a state that shares this one's maps was hashed.
     */
    public Hash stateHash() {
        Hash h = hash;
        if (h == null) {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JDK has no SHA-256", e);
            }
            sha.update(DOMAIN_TAG);
            CanonicalWriter w = new CanonicalWriter().beginObject();
            writeScalars(w);
            sha.update(w.endObject().toCanonicalJson().toUtf8());
            sha.update(capabilities.merkleDigest(CAPABILITY_BYTES));
            sha.update(grants.merkleDigest(GRANT_BYTES));
            sha.update(tokens.merkleDigest(TOKEN_BYTES));
            sha.update(finished.merkleDigest(STATUS_BYTES));
            h = Hash.of(sha.digest());
            hash = h;
        }
        return h;
    }

    // One function object each, so the maps' cached node digests are reused across states. Each
    // call writes with a writer of its own: a state may be hashed on any thread.
    private static final Function<CapabilityRecord, byte[]> CAPABILITY_BYTES = r -> capabilityJson(r).toUtf8();
    private static final Function<GrantRecord, byte[]> GRANT_BYTES = g -> grantJson(g).toUtf8();
    private static final Function<TokenRecord, byte[]> TOKEN_BYTES = t -> tokenJson(t).toUtf8();
    private static final Function<KernelToken.Status, byte[]> STATUS_BYTES = st -> st.wireName().getBytes(StandardCharsets.UTF_8);

    // The encoders below write each object's members in canonical order (see Codec); the names in
    // the class comment are listed in the order they were introduced, not in this order.

    /**
     * The scalars' members, into an open object: {@code clock, counts, format, next_grant,
     * next_token, policy, registry_version, seed}. {@link #toJson()} puts the four collections
     * between them where they sort.
     */
    private void writeScalars(CanonicalWriter w) {
        w.name("clock").value(clock);
        writeCounts(w);
        w.name("format").value(FORMAT);
        w.name("next_grant").value(nextGrant);
        w.name("next_token").value(nextToken);
        writePolicy(w);
        w.name("registry_version").value(registryVersion);
        w.name("seed").value(Long.toString(seed));
    }

    /**
     * The loaded policy, present only once one was loaded, so that the states (and hashes) of
     * ledgers without one stay what they were before policies could be loaded.
     */
    private void writePolicy(CanonicalWriter w) {
        if (policy != null) {
            w.name("policy");
            policy.writeTo(w);
        }
    }

    private void writeCounts(CanonicalWriter w) {
        w.name("counts").beginObject()
                .name("budget_exceeded").value(counts.budgetExceeded())
                .name("cancelled").value(counts.cancelled())
                .name("completed").value(counts.completed())
                .name("failed").value(counts.failed())
                .name("rejected").value(counts.rejected())
                .name("submitted").value(counts.submitted())
                .name("violations").value(counts.violations())
                .endObject();
    }

    private static CanonicalJson capabilityJson(CapabilityRecord r) {
        CanonicalWriter w = new CanonicalWriter();
        writeCapability(w, r);
        return w.toCanonicalJson();
    }

    /** <code>{"descriptor","invocations","tokens","violations"}</code>. */
    private static void writeCapability(CanonicalWriter w, CapabilityRecord r) {
        w.beginObject().name("descriptor");
        Codec.descriptor(w, r.descriptor());
        w.name("invocations").value(r.invocations())
                .name("tokens").value(r.tokensUsed())
                .name("violations").value(r.violations())
                .endObject();
    }

    private static CanonicalJson grantJson(GrantRecord g) {
        CanonicalWriter w = new CanonicalWriter();
        writeGrant(w, g);
        return w.toCanonicalJson();
    }

    /**
     * <code>{"budget_tokens","capability","children","depth","expires_at","id","invocations",
     * "max_invocations","parent","rate_limit","scope","status","subject","token_ceiling","tokens",
     * "version","window_count","window_index"}</code>.
     */
    private static void writeGrant(CanonicalWriter w, GrantRecord g) {
        w.beginObject();
        Codec.limit(w, "budget_tokens", g.budgetTokens());
        w.name("capability").value(g.capability());
        w.name("children").beginArray();
        for (Long child : g.children()) {
            w.value(child);
        }
        w.endArray();
        w.name("depth").value(g.depth());
        Codec.limit(w, "expires_at", g.expiresAt());
        w.name("id").value(g.id());
        w.name("invocations").value(g.invocations());
        Codec.limit(w, "max_invocations", g.maxInvocations());
        w.name("parent").value(g.parent());
        w.name("rate_limit");
        Codec.rateLimit(w, g.rateLimit());
        w.name("scope").value(g.scope());
        w.name("status").value(g.status().wireName());
        w.name("subject").value(g.subject());
        Codec.limit(w, "token_ceiling", g.tokenCeiling());
        w.name("tokens").value(g.tokensUsed());
        w.name("version").value(g.version());
        w.name("window_count").value(g.windowCount());
        w.name("window_index").value(g.windowIndex());
        w.endObject();
    }

    private static CanonicalJson tokenJson(TokenRecord t) {
        CanonicalWriter w = new CanonicalWriter();
        writeToken(w, t);
        return w.toCanonicalJson();
    }

    /**
     * <code>{"args","budget","capability","deadline_at","deps","grant","id","kind" (if any),
     * "memory_used","network_used","pending","priority","status","subject","submitted_at",
     * "tokens_used"}</code>.
     */
    private static void writeToken(CanonicalWriter w, TokenRecord t) {
        w.beginObject();
        w.name("args").value(t.args());
        w.name("budget");
        Codec.budget(w, t.budget());
        w.name("capability").value(t.capability());
        Codec.limit(w, "deadline_at", t.deadlineAt());
        w.name("deps").beginArray();
        for (Long d : t.deps()) {
            w.value(d);
        }
        w.endArray();
        w.name("grant").value(t.grant());
        w.name("id").value(t.id());
        if (t.kind() != null) {
            w.name("kind").value(t.kind());
        }
        w.name("memory_used").value(t.memoryUsed());
        w.name("network_used").value(t.networkUsed());
        w.name("pending").value(t.pendingDeps());
        w.name("priority").value(t.priority());
        w.name("status").value(t.status().wireName());
        w.name("subject").value(t.subject());
        w.name("submitted_at").value(t.submittedAt());
        w.name("tokens_used").value(t.tokensUsed());
        w.endObject();
    }

    /** The collections of a state that {@link #diff} compares entry by entry. */
    public enum Section {
        /** Registered capabilities with their usage counters; key: the capability id. */
        CAPABILITIES,
        /** Grants with their status and usage; key: the grant id in decimal. */
        GRANTS,
        /** Live tokens; key: the token id in decimal. */
        TOKENS,
        /** Outcomes of tokens that ended without completing; key: the token id in decimal. */
        FINISHED
    }

    /** Receives the differences {@link #diff} finds. */
    @FunctionalInterface
    public interface DiffVisitor {
        /**
         * One entry differs.
         *
         * @param section where
         * @param key the entry's key (see {@link Section})
         * @param before the entry in the first state, as in {@link #toJson()} (a finished outcome as
         *     its status name, a JSON string), or null when only the second state has it
         * @param after the entry in the second state, or null when only the first has it
         */
        void changed(Section section, String key, CanonicalJson before, CanonicalJson after);
    }

    /**
     * Reports how the collections of {@code other} differ from this state's, one call per differing
     * entry, section by section, in each section in the maps' fixed key order (not sorted), on the
     * calling thread. The scalars ({@link #clock()}, {@link #counts()}, the id counters) are the
     * caller's to compare. Subtrees the two states share are skipped without being read: for a
     * state derived from this one (or this from it) by k changes the cost is O(k log n); for
     * unrelated states (read from two files, say) it is linear in their sizes.
     *
     * @throws NullPointerException if an argument is null
     */
    public void diff(KernelState other, DiffVisitor visitor) {
        java.util.Objects.requireNonNull(other, "other");
        java.util.Objects.requireNonNull(visitor, "visitor");
        diffMap(capabilities, other.capabilities, Section.CAPABILITIES, KernelState::capabilityJson, visitor);
        diffMap(grants, other.grants, Section.GRANTS, KernelState::grantJson, visitor);
        diffMap(tokens, other.tokens, Section.TOKENS, KernelState::tokenJson, visitor);
        diffMap(finished, other.finished, Section.FINISHED, st -> CanonicalJson.ofString(st.wireName()), visitor);
    }

    private static <K, V> void diffMap(PersistentMap<K, V> a, PersistentMap<K, V> b, Section section,
            Function<V, CanonicalJson> encode, DiffVisitor visitor) {
        a.diff(b, new PersistentMap.DiffVisitor<K, V>() {
            @Override
            public void added(K key, V value) {
                visitor.changed(section, key.toString(), null, encode.apply(value));
            }

            @Override
            public void removed(K key, V value) {
                visitor.changed(section, key.toString(), encode.apply(value), null);
            }

            @Override
            public void changed(K key, V before, V after) {
                visitor.changed(section, key.toString(), encode.apply(before), encode.apply(after));
            }
        });
    }

    /** The canonical form (see the class comment). */
    public CanonicalJson toJson() {
        // The members in canonical order: capabilities, clock, counts, finished, format, grants,
        // next_grant, next_token, registry_version, seed, tokens.
        CanonicalWriter w = new CanonicalWriter().beginObject();
        w.name("capabilities").beginArray();
        List<Map.Entry<String, CapabilityRecord>> entries = new ArrayList<>();
        capabilities.forEach((k, v) -> entries.add(Map.entry(k, v)));
        entries.sort(Map.Entry.comparingByKey());
        for (Map.Entry<String, CapabilityRecord> e : entries) {
            writeCapability(w, e.getValue());
        }
        w.endArray();
        w.name("clock").value(clock);
        writeCounts(w);
        w.name("finished").beginArray();
        for (Map.Entry<Long, KernelToken.Status> e : sortedEntries(finished)) {
            w.beginArray().value(e.getKey()).value(e.getValue().wireName()).endArray();
        }
        w.endArray();
        w.name("format").value(FORMAT);
        w.name("grants").beginArray();
        for (GrantRecord g : sortedValues(grants)) {
            writeGrant(w, g);
        }
        w.endArray();
        w.name("next_grant").value(nextGrant);
        w.name("next_token").value(nextToken);
        writePolicy(w);
        w.name("registry_version").value(registryVersion);
        w.name("seed").value(Long.toString(seed));
        w.name("tokens").beginArray();
        for (TokenRecord t : sortedValues(tokens)) {
            writeToken(w, t);
        }
        w.endArray();
        return w.endObject().toCanonicalJson();
    }

    /**
     * Reads a state from its canonical form.
     *
     * @throws InvalidInputException if the JSON is not a format-1 kernel state
     */
    public static KernelState fromJson(CanonicalJson json) {
        try {
            JsonNode o = json.toJsonNode();
            if (o.path("format").asInt() != FORMAT) {
                throw Names.invalid("not a kernel state of format " + FORMAT + ": format " + o.path("format"));
            }
            JsonNode c = o.get("counts");
            TokenCounts counts = new TokenCounts(c.get("submitted").asLong(), c.get("completed").asLong(),
                    c.get("failed").asLong(), c.get("cancelled").asLong(), c.get("rejected").asLong(),
                    c.get("budget_exceeded").asLong(), c.get("violations").asLong());
            PersistentMap<String, CapabilityRecord> caps = PersistentMap.empty();
            for (JsonNode co : o.get("capabilities")) {
                CapabilityDescriptor d = Codec.descriptor(co.get("descriptor"));
                caps = caps.put(d.id(), new CapabilityRecord(d, co.get("invocations").asLong(), co.get("tokens").asLong(),
                        co.get("violations").asLong()));
            }
            PersistentMap<Long, GrantRecord> grants = PersistentMap.empty();
            PersistentMap<String, List<Long>> index = PersistentMap.empty();
            for (JsonNode g : o.get("grants")) {
                List<Long> children = new ArrayList<>();
                g.get("children").forEach(k -> children.add(k.asLong()));
                GrantRecord r = new GrantRecord(g.get("id").asLong(), g.get("version").asLong(), g.get("subject").asText(),
                        g.get("capability").asText(), g.get("parent").asLong(), g.get("depth").asInt(), List.copyOf(children),
                        Codec.json(g.get("scope")), Codec.limit(g.get("token_ceiling")), Codec.limit(g.get("max_invocations")),
                        Codec.rateLimit(g.get("rate_limit")), Codec.limit(g.get("expires_at")), Codec.limit(g.get("budget_tokens")),
                        Grant.Status.ofWireName(g.get("status").asText()), g.get("invocations").asLong(),
                        g.get("tokens").asLong(), g.get("window_index").asLong(), g.get("window_count").asLong());
                grants = grants.put(r.id(), r);
                index = appendTo(index, indexKey(r.subject(), r.capability()), r.id());
            }
            PersistentMap<Long, TokenRecord> tokens = PersistentMap.empty();
            List<TokenRecord> inOrder = new ArrayList<>();
            for (JsonNode t : o.get("tokens")) {
                List<Long> deps = new ArrayList<>();
                t.get("deps").forEach(d -> deps.add(d.asLong()));
                TokenRecord r = new TokenRecord(t.get("id").asLong(), t.get("subject").asText(), t.get("capability").asText(),
                        t.get("grant").asLong(), t.get("priority").asInt(), Codec.text(t.get("kind")),
                        CanonicalJson.of(t.get("args")), List.copyOf(deps), Codec.budget(t.get("budget")),
                        t.get("submitted_at").asLong(), Codec.limit(t.get("deadline_at")),
                        KernelToken.Status.ofWireName(t.get("status").asText()), t.get("pending").asInt(),
                        t.get("tokens_used").asLong(), t.get("memory_used").asLong(), t.get("network_used").asLong());
                tokens = tokens.put(r.id(), r);
                inOrder.add(r);
            }
            PersistentMap<Long, List<Long>> dependents = PersistentMap.empty();
            for (TokenRecord t : inOrder) {
                for (Long d : t.deps()) {
                    if (tokens.containsKey(d)) {
                        dependents = appendTo(dependents, d, t.id());
                    }
                }
            }
            PersistentMap<Long, KernelToken.Status> finished = PersistentMap.empty();
            for (JsonNode pair : o.get("finished")) {
                finished = finished.put(pair.get(0).asLong(), KernelToken.Status.ofWireName(pair.get(1).asText()));
            }
            return new KernelState(Long.parseLong(o.get("seed").asText()), o.get("clock").asLong(),
                    o.get("next_token").asLong(), o.get("next_grant").asLong(), o.get("registry_version").asLong(),
                    counts, caps, grants, index, tokens, dependents, finished,
                    o.hasNonNull("policy") ? CapabilityLimits.fromJson(o.get("policy")) : null);
        } catch (NullPointerException | IllegalArgumentException e) {
            if (e instanceof InvalidInputException iie) {
                throw iie;
            }
            throw Names.invalid("not a well-formed kernel state: " + e);
        }
    }

    static String indexKey(String subject, String capability) {
        return subject + ' ' + capability;
    }

    static <K> PersistentMap<K, List<Long>> appendTo(PersistentMap<K, List<Long>> map, K key, long id) {
        List<Long> old = map.get(key);
        if (old == null) {
            return map.put(key, List.of(id));
        }
        Long[] more = old.toArray(new Long[old.size() + 1]);
        more[old.size()] = id;
        return map.put(key, List.of(more));
    }

    static <V> List<V> sortedValues(PersistentMap<Long, V> map) {
        List<Map.Entry<Long, V>> entries = sortedEntries(map);
        List<V> out = new ArrayList<>(entries.size());
        for (Map.Entry<Long, V> e : entries) {
            out.add(e.getValue());
        }
        return out;
    }

    static <V> List<Map.Entry<Long, V>> sortedEntries(PersistentMap<Long, V> map) {
        List<Map.Entry<Long, V>> entries = new ArrayList<>(map.size());
        map.forEach((k, v) -> entries.add(Map.entry(k, v)));
        entries.sort(Comparator.comparingLong(Map.Entry::getKey));
        return entries;
    }

    /** Equal when the state hashes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KernelState s && stateHash().equals(s.stateHash());
    }

    @Override
    public int hashCode() {
        return stateHash().hashCode();
    }

    @Override
    public String toString() {
        return "KernelState[clock=" + clock + ", live=" + tokens.size() + ", grants=" + grants.size()
                + ", capabilities=" + capabilities.size() + ", next_token=" + nextToken + "]";
    }

    /**
     * A registered capability with its usage counters.
     *
     * @param descriptor what it is
     * @param invocations invocations so far (top-level and nested)
     * @param tokensCharged cost units charged by its handlers so far
     * @param violations capability violations involving it so far
     */
    public record CapabilityInfo(CapabilityDescriptor descriptor, long invocations, long tokensCharged, long violations) {
    }

    /**
     * How many tokens were submitted and how the finished ones ended.
     *
     * @param submitted every token id assigned, rejected ones included
     * @param completed handler returned a result
     * @param failed handler threw or returned nothing usable
     * @param cancelled by input or a failed dependency
     * @param rejected refused at submission
     * @param budgetExceeded halted by {@code resource_budget_exceeded}
     * @param violations halted by {@code capability_violation}
     */
    public record TokenCounts(long submitted, long completed, long failed, long cancelled, long rejected,
            long budgetExceeded, long violations) {

        static final TokenCounts ZERO = new TokenCounts(0, 0, 0, 0, 0, 0, 0);

        TokenCounts submittedPlus(long n) {
            return new TokenCounts(submitted + n, completed, failed, cancelled, rejected, budgetExceeded, violations);
        }

        TokenCounts ended(KernelToken.Status status) {
            return switch (status) {
                case COMPLETED -> new TokenCounts(submitted, completed + 1, failed, cancelled, rejected, budgetExceeded, violations);
                case FAILED -> new TokenCounts(submitted, completed, failed + 1, cancelled, rejected, budgetExceeded, violations);
                case CANCELLED -> new TokenCounts(submitted, completed, failed, cancelled + 1, rejected, budgetExceeded, violations);
                case REJECTED -> new TokenCounts(submitted, completed, failed, cancelled, rejected + 1, budgetExceeded, violations);
                case BUDGET_EXCEEDED -> new TokenCounts(submitted, completed, failed, cancelled, rejected, budgetExceeded + 1, violations);
                case VIOLATION -> new TokenCounts(submitted, completed, failed, cancelled, rejected, budgetExceeded, violations + 1);
                case WAITING, READY, RUNNING -> throw new IllegalArgumentException("not a final status: " + status);
            };
        }

        /** Tokens that have ended, however. */
        public long ended() {
            return completed + failed + cancelled + rejected + budgetExceeded + violations;
        }
    }
}
