package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.CanonicalWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON forms of the kernel's values, used by input records and events in the ledger and by
 * the state's canonical encoding. One place, so that what is written is exactly what is read back.
 *
 * <p>Limits equal to {@link Budget#UNLIMITED} are written as {@code null}: canonical JSON holds
 * integers only up to 2^53.
 *
 * <p><b>Writing</b> goes straight to canonical bytes through a {@link CanonicalWriter}: every
 * object's members are named in canonical order (sorted by UTF-16 code units, which for these
 * ASCII names is alphabetical order with {@code _} after the capital letters and before the
 * small ones), which the writer checks, and values that are canonical already (arguments,
 * results, scopes) are copied as they are rather than parsed and printed again. The bytes are
 * the ones building a Jackson tree and canonicalising it would give (the test suite keeps that
 * tree encoding as a reference and compares the two over random values). <b>Reading</b> of the
 * frequent inputs (submissions, cancels, ticks) goes straight over the canonical bytes, which
 * replay reads once per recorded input; the rare ones go through Jackson trees.
 */
final class Codec {

    private Codec() {
    }

    /** Writes {@code value}, or {@code null} for {@link Budget#UNLIMITED}, as the member {@code name}. */
    static void limit(CanonicalWriter w, String name, long value) {
        w.name(name);
        if (value == Budget.UNLIMITED) {
            w.nullValue();
        } else {
            w.value(value);
        }
    }

    static long limit(JsonNode node) {
        return node == null || node.isNull() ? Budget.UNLIMITED : node.asLong();
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    static CanonicalJson json(JsonNode node) {
        return node == null || node.isNull() ? null : CanonicalJson.of(node);
    }

    // --- values -------------------------------------------------------------------------------------

    /** <code>{"deadline_ticks","memory_bytes","network_bytes","tokens"}</code>, or null. */
    static void budget(CanonicalWriter w, Budget b) {
        if (b == null) {
            w.nullValue();
            return;
        }
        w.beginObject();
        limit(w, "deadline_ticks", b.deadlineTicks());
        limit(w, "memory_bytes", b.memoryBytes());
        limit(w, "network_bytes", b.networkBytes());
        limit(w, "tokens", b.tokens());
        w.endObject();
    }

    static Budget budget(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return new Budget(limit(n.get("tokens")), limit(n.get("memory_bytes")), limit(n.get("network_bytes")),
                limit(n.get("deadline_ticks")));
    }

    /** <code>{"invocations","window_ticks"}</code>, or null. */
    static void rateLimit(CanonicalWriter w, CapabilityDescriptor.RateLimit r) {
        if (r == null) {
            w.nullValue();
            return;
        }
        w.beginObject().name("invocations").value(r.invocations()).name("window_ticks").value(r.windowTicks()).endObject();
    }

    static CapabilityDescriptor.RateLimit rateLimit(JsonNode n) {
        return n == null || n.isNull() ? null
                : new CapabilityDescriptor.RateLimit(n.get("invocations").asLong(), n.get("window_ticks").asLong());
    }

    /**
     * <code>{"configuration","description","fields":[{"name","required","type"}],"id",
     * "max_invocations","rate_limit","token_ceiling"}</code>.
     */
    static void descriptor(CanonicalWriter w, CapabilityDescriptor d) {
        w.beginObject();
        w.name("configuration").value(d.configuration());
        w.name("description").value(d.description());
        w.name("fields").beginArray();
        for (CapabilityDescriptor.Field f : d.fields()) {
            w.beginObject().name("name").value(f.name()).name("required").value(f.required())
                    .name("type").value(f.type().wireName()).endObject();
        }
        w.endArray();
        w.name("id").value(d.id());
        limit(w, "max_invocations", d.maxInvocations());
        w.name("rate_limit");
        rateLimit(w, d.rateLimit());
        limit(w, "token_ceiling", d.tokenCeiling());
        w.endObject();
    }

    static CapabilityDescriptor descriptor(JsonNode n) {
        List<CapabilityDescriptor.Field> fields = new ArrayList<>();
        for (JsonNode f : n.get("fields")) {
            fields.add(new CapabilityDescriptor.Field(f.get("name").asText(),
                    CapabilityDescriptor.JsonType.ofWireName(f.get("type").asText()), f.get("required").asBoolean()));
        }
        return new CapabilityDescriptor(n.get("id").asText(), n.get("description").asText(), fields,
                limit(n.get("token_ceiling")), limit(n.get("max_invocations")), rateLimit(n.get("rate_limit")),
                CanonicalJson.of(n.get("configuration")));
    }

    /** <code>{"budget_tokens","expires_at_tick","max_invocations","rate_limit","scope","token_ceiling"}</code>. */
    static void terms(CanonicalWriter w, GrantTerms t) {
        w.beginObject();
        limit(w, "budget_tokens", t.budgetTokens());
        limit(w, "expires_at_tick", t.expiresAtTick());
        limit(w, "max_invocations", t.maxInvocations());
        w.name("rate_limit");
        rateLimit(w, t.rateLimit());
        w.name("scope").value(t.scope());
        limit(w, "token_ceiling", t.tokenCeiling());
        w.endObject();
    }

    static GrantTerms terms(JsonNode n) {
        return new GrantTerms(json(n.get("scope")), limit(n.get("token_ceiling")), limit(n.get("max_invocations")),
                rateLimit(n.get("rate_limit")), limit(n.get("expires_at_tick")), limit(n.get("budget_tokens")));
    }

    // --- inputs -------------------------------------------------------------------------------------

    /**
     * The payload of the ledger entry that records {@code input}, written with {@code w} (which
     * is reset first); {@code firstToken} is the id a submission gets (every submission gets ids,
     * even a rejected one). A grant's id is in the {@code capability_granted} or
     * {@code capability_derived} event, since a refused grant gets none.
     */
    static CanonicalJson input(CanonicalWriter w, KernelInput input, long firstToken) {
        w.reset().beginObject();
        switch (input) {
            case KernelInput.SubmitToken s -> {
                submitMembers(w, s, null);
                w.name("token").value(firstToken);
            }
            case KernelInput.SubmitTokens b -> {
                w.name("first").value(firstToken);
                w.name("tokens").beginArray();
                for (KernelInput.SubmitToken s : b.tokens()) {
                    w.beginObject();
                    submitMembers(w, s, s.capabilityId());
                    w.endObject();
                }
                w.endArray();
            }
            case KernelInput.CancelToken c -> w.name("token").value(c.token().value());
            case KernelInput.RegisterCapability r -> {
                w.name("descriptor");
                descriptor(w, r.descriptor());
            }
            case KernelInput.GrantCapability g -> {
                w.name("subject").value(g.subject());
                w.name("terms");
                terms(w, g.terms());
            }
            case KernelInput.DeriveCapability d -> {
                w.name("from").value(d.from().value());
                w.name("subject").value(d.subject());
                w.name("terms");
                terms(w, d.terms());
            }
            case KernelInput.RevokeCapability r -> w.name("grant").value(r.grant().value());
            case KernelInput.Tick t -> w.name("ticks").value(t.ticks());
            case KernelInput.CreateSnapshot c -> w.name("label").value(c.label());
            case KernelInput.RestoreSnapshot r -> w.name("position").value(r.position()).name("snapshot").value(r.snapshotId())
                    .name("state_hash").value(r.state().stateHash().toHex());
            case KernelInput.LoadPolicy l -> {
                w.name("limits");
                l.limits().writeTo(w);
                w.name("source").value(l.source());
            }
            case KernelInput.ReadyFlag f -> w.name("snapshot").value(f.snapshotId()).name("version").value(f.version());
        }
        return w.endObject().toCanonicalJson();
    }

    /** The capability id the envelope of {@code input}'s record carries, or null. */
    static String inputCapability(KernelInput input) {
        return switch (input) {
            case KernelInput.SubmitToken s -> s.capabilityId();
            case KernelInput.RegisterCapability r -> r.descriptor().id();
            case KernelInput.GrantCapability g -> g.capabilityId();
            case KernelInput.SubmitTokens b -> null;
            case KernelInput.CancelToken c -> null;
            case KernelInput.DeriveCapability d -> null;
            case KernelInput.RevokeCapability r -> null;
            case KernelInput.Tick t -> null;
            case KernelInput.CreateSnapshot c -> null;
            case KernelInput.RestoreSnapshot r -> null;
            case KernelInput.ReadyFlag f -> null;
            case KernelInput.LoadPolicy l -> null;
        };
    }

    /**
     * The members of a submission, in canonical order: {@code args, budget, capability} (a batch
     * member's; null leaves it out), {@code deps, grant} (if any), {@code kind} (if any),
     * {@code priority, subject}. A single submission's {@code token} sorts after them all.
     */
    private static void submitMembers(CanonicalWriter w, KernelInput.SubmitToken s, String capability) {
        w.name("args").value(s.args());
        w.name("budget");
        budget(w, s.budget());
        if (capability != null) {
            w.name("capability").value(capability);
        }
        w.name("deps").beginArray();
        for (TokenRef ref : s.dependencies()) {
            switch (ref) {
                case TokenId id -> w.value(id.value());
                case TokenRef.Batch b -> w.beginObject().name("batch").value(b.index()).endObject();
            }
        }
        w.endArray();
        if (s.grant() != null) {
            w.name("grant").value(s.grant().value());
        }
        if (s.kind() != null) {
            w.name("kind").value(s.kind());
        }
        w.name("priority").value(s.priority());
        w.name("subject").value(s.subject());
    }

    /**
     * A submission read back from its record's members (see {@link #submitMembers}), in one pass
     * over the canonical bytes: nothing but the arguments is copied out, and they are handed on as
     * the canonical value they are. {@code like} is the submission read before it (or null): a
     * subject, capability id or kind equal to its own is handed on as the same string, so that
     * the members of a batch share them (see {@link CanonicalJson.Members#getString}). {@code batch}
     * (null for a single submission) remembers the budget read before: a budget written in the
     * same bytes is that budget, and is not read again.
     */
    private static KernelInput.SubmitToken submit(CanonicalJson.Members m, String capability, KernelInput.SubmitToken like,
            BatchReader batch) {
        CanonicalJson args = m.get("args");
        CanonicalJson.Members budgetMembers = m.getObject("budget");
        Budget budget;
        if (batch != null && budgetMembers != null && batch.budgetMembers != null && budgetMembers.sameBytes(batch.budgetMembers)) {
            budget = batch.budget; // the same bytes as the member before's: the same budget
        } else {
            budget = budget(budgetMembers);
            if (batch != null) {
                batch.budgetMembers = budgetMembers;
                batch.budget = budget;
            }
        }
        String cap = capability;
        if (cap == null) {
            cap = m.getString("capability", like == null ? null : like.capabilityId());
            if (cap == null) {
                throw new IllegalStateException("a batch member has no capability");
            }
        }
        List<TokenRef> deps = new ArrayList<>();
        for (CanonicalJson d : m.elements("deps")) {
            deps.add(d.isObject() ? TokenRef.batch(Math.toIntExact(d.members().get("batch").longValue())) : new TokenId(d.longValue()));
        }
        long grant = m.getLong("grant", 0);
        String kind = m.getString("kind", like == null ? null : like.kind());
        int priority = Math.toIntExact(m.getLong("priority", Long.MIN_VALUE));
        String subject = m.getString("subject", like == null ? null : like.subject());
        if (subject == null) {
            throw new IllegalStateException("a submission has no subject");
        }
        return new KernelInput.SubmitToken(subject, cap, args, budget, priority, kind, deps, grant == 0 ? null : new GrantId(grant));
    }

    /** What {@link #submit} remembers of the member of a batch read before: its budget, if it had one, and where it was written. */
    private static final class BatchReader {
        CanonicalJson.Members budgetMembers;
        Budget budget;
    }

    /** A budget read back from its canonical form's members, or null for {@code null}. */
    private static Budget budget(CanonicalJson.Members m) {
        if (m == null) {
            return null;
        }
        // A limit written as null is unlimited; every limit is written, so none is absent.
        long deadline = m.getLong("deadline_ticks", Budget.UNLIMITED);
        long memory = m.getLong("memory_bytes", Budget.UNLIMITED);
        long network = m.getLong("network_bytes", Budget.UNLIMITED);
        long tokens = m.getLong("tokens", Budget.UNLIMITED);
        return new Budget(tokens, memory, network, deadline);
    }

    /** True when entries of this kind record inputs. */
    static boolean isInput(String kind) {
        return switch (kind) {
            case "submit_token", "submit_tokens", "cancel_token", "register_capability", "grant_capability",
                    "derive_capability", "revoke_capability", "tick", "create_snapshot", "restore_snapshot",
                    "ready_flag", "policy_loaded" -> true;
            default -> false;
        };
    }

    /**
     * The input a ledger entry records. A registration gets {@code handler}, since handlers are
     * code and not recorded. A {@code restore_snapshot} entry names a state it does not hold;
     * {@link Replay} resolves it and builds that input itself.
     */
    static KernelInput input(String kind, String capabilityId, CanonicalJson payload, CapabilityHandler handler) {
        // The frequent inputs are read off the canonical bytes; the rare ones through a tree.
        switch (kind) {
            case "submit_token" -> {
                return submit(payload.members(), capabilityId, null, null);
            }
            case "submit_tokens" -> {
                CanonicalJson.ObjectElements records = payload.members().getObjects("tokens");
                List<KernelInput.SubmitToken> members = new ArrayList<>();
                KernelInput.SubmitToken previous = null;
                BatchReader batch = new BatchReader();
                for (CanonicalJson.Members m = records.next(); m != null; m = records.next()) {
                    previous = submit(m, null, previous, batch);
                    members.add(previous);
                }
                return new KernelInput.SubmitTokens(members);
            }
            case "cancel_token" -> {
                return new KernelInput.CancelToken(new TokenId(payload.members().get("token").longValue()));
            }
            case "tick" -> {
                return new KernelInput.Tick(payload.members().get("ticks").longValue());
            }
            default -> {
            }
        }
        JsonNode n = payload.toJsonNode();
        return switch (kind) {
            case "register_capability" -> new KernelInput.RegisterCapability(descriptor(n.get("descriptor")), handler);
            case "grant_capability" -> new KernelInput.GrantCapability(n.get("subject").asText(), capabilityId, terms(n.get("terms")));
            case "derive_capability" -> new KernelInput.DeriveCapability(new GrantId(n.get("from").asLong()),
                    n.get("subject").asText(), terms(n.get("terms")));
            case "revoke_capability" -> new KernelInput.RevokeCapability(new GrantId(n.get("grant").asLong()));
            case "create_snapshot" -> new KernelInput.CreateSnapshot(n.get("label").asText());
            case "ready_flag" -> new KernelInput.ReadyFlag(n.get("version").asText(), text(n.get("snapshot")));
            case "policy_loaded" -> new KernelInput.LoadPolicy(CapabilityLimits.fromJson(n.get("limits")), n.get("source").asText());
            default -> throw new IllegalArgumentException("not an input record: " + kind);
        };
    }
}
