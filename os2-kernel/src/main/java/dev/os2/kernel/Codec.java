package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON forms of the kernel's values, used by input records and events in the ledger and by
 * the state's canonical encoding. One place, so that what is written is exactly what is read back.
 *
 * <p>Limits equal to {@link Budget#UNLIMITED} are written as {@code null}: canonical JSON holds
 * integers only up to 2^53. Trees are built with Jackson and sealed with {@link CanonicalJson#of},
 * which sorts keys; that is several times cheaper than printing text and parsing it again.
 */
final class Codec {

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Codec() {
    }

    static ObjectNode obj() {
        return F.objectNode();
    }

    static CanonicalJson seal(JsonNode node) {
        return CanonicalJson.of(node);
    }

    /** A Jackson tree of a canonical value, without parsing the common small literals. */
    static JsonNode node(CanonicalJson json) {
        if (json == null) {
            return NullNode.instance;
        }
        String t = json.text();
        switch (t) {
            case "null":
                return NullNode.instance;
            case "{}":
                return F.objectNode();
            case "true":
                return BooleanNode.TRUE;
            case "false":
                return BooleanNode.FALSE;
            default:
                return json.toJsonNode();
        }
    }

    static JsonNode limit(long value) {
        return value == Budget.UNLIMITED ? NullNode.instance : F.numberNode(value);
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

    static ObjectNode budget(Budget b) {
        ObjectNode o = obj();
        o.set("tokens", limit(b.tokens()));
        o.set("memory_bytes", limit(b.memoryBytes()));
        o.set("network_bytes", limit(b.networkBytes()));
        o.set("deadline_ticks", limit(b.deadlineTicks()));
        return o;
    }

    static Budget budget(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return new Budget(limit(n.get("tokens")), limit(n.get("memory_bytes")), limit(n.get("network_bytes")),
                limit(n.get("deadline_ticks")));
    }

    static JsonNode rateLimit(CapabilityDescriptor.RateLimit r) {
        if (r == null) {
            return NullNode.instance;
        }
        ObjectNode o = obj();
        o.put("invocations", r.invocations());
        o.put("window_ticks", r.windowTicks());
        return o;
    }

    static CapabilityDescriptor.RateLimit rateLimit(JsonNode n) {
        return n == null || n.isNull() ? null
                : new CapabilityDescriptor.RateLimit(n.get("invocations").asLong(), n.get("window_ticks").asLong());
    }

    static ObjectNode descriptor(CapabilityDescriptor d) {
        ObjectNode o = obj();
        o.put("id", d.id());
        o.put("description", d.description());
        ArrayNode fields = o.putArray("fields");
        for (CapabilityDescriptor.Field f : d.fields()) {
            ObjectNode fo = fields.addObject();
            fo.put("name", f.name());
            fo.put("type", f.type().wireName());
            fo.put("required", f.required());
        }
        o.set("token_ceiling", limit(d.tokenCeiling()));
        o.set("max_invocations", limit(d.maxInvocations()));
        o.set("rate_limit", rateLimit(d.rateLimit()));
        o.set("configuration", node(d.configuration()));
        return o;
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

    static ObjectNode terms(GrantTerms t) {
        ObjectNode o = obj();
        o.set("scope", node(t.scope()));
        o.set("token_ceiling", limit(t.tokenCeiling()));
        o.set("max_invocations", limit(t.maxInvocations()));
        o.set("rate_limit", rateLimit(t.rateLimit()));
        o.set("expires_at_tick", limit(t.expiresAtTick()));
        o.set("budget_tokens", limit(t.budgetTokens()));
        return o;
    }

    static GrantTerms terms(JsonNode n) {
        return new GrantTerms(json(n.get("scope")), limit(n.get("token_ceiling")), limit(n.get("max_invocations")),
                rateLimit(n.get("rate_limit")), limit(n.get("expires_at_tick")), limit(n.get("budget_tokens")));
    }

    // --- inputs -------------------------------------------------------------------------------------

    /**
     * The payload of the ledger entry that records {@code input}; {@code firstToken} is the id a
     * submission gets (every submission gets ids, even a rejected one). A grant's id is in the
     * {@code capability_granted} or {@code capability_derived} event, since a refused grant gets none.
     */
    static ObjectNode input(KernelInput input, long firstToken) {
        return switch (input) {
            case KernelInput.SubmitToken s -> {
                ObjectNode o = submit(s);
                o.put("token", firstToken);
                yield o;
            }
            case KernelInput.SubmitTokens b -> {
                ObjectNode o = obj();
                o.put("first", firstToken);
                ArrayNode arr = o.putArray("tokens");
                for (KernelInput.SubmitToken s : b.tokens()) {
                    ObjectNode m = submit(s);
                    m.put("capability", s.capabilityId());
                    arr.add(m);
                }
                yield o;
            }
            case KernelInput.CancelToken c -> {
                ObjectNode o = obj();
                o.put("token", c.token().value());
                yield o;
            }
            case KernelInput.RegisterCapability r -> {
                ObjectNode o = obj();
                o.set("descriptor", descriptor(r.descriptor()));
                yield o;
            }
            case KernelInput.GrantCapability g -> {
                ObjectNode o = obj();
                o.put("subject", g.subject());
                o.set("terms", terms(g.terms()));
                yield o;
            }
            case KernelInput.DeriveCapability d -> {
                ObjectNode o = obj();
                o.put("from", d.from().value());
                o.put("subject", d.subject());
                o.set("terms", terms(d.terms()));
                yield o;
            }
            case KernelInput.RevokeCapability r -> {
                ObjectNode o = obj();
                o.put("grant", r.grant().value());
                yield o;
            }
            case KernelInput.Tick t -> {
                ObjectNode o = obj();
                o.put("ticks", t.ticks());
                yield o;
            }
            case KernelInput.CreateSnapshot c -> {
                ObjectNode o = obj();
                o.put("label", c.label());
                yield o;
            }
            case KernelInput.RestoreSnapshot r -> {
                ObjectNode o = obj();
                o.put("snapshot", r.snapshotId());
                o.put("position", r.position());
                o.put("state_hash", r.state().stateHash().toHex());
                yield o;
            }
            case KernelInput.LoadPolicy l -> {
                ObjectNode o = obj();
                o.put("source", l.source());
                o.set("limits", l.limits().toJson());
                yield o;
            }
            case KernelInput.ReadyFlag f -> {
                ObjectNode o = obj();
                o.put("version", f.version());
                if (f.snapshotId() == null) {
                    o.putNull("snapshot");
                } else {
                    o.put("snapshot", f.snapshotId());
                }
                yield o;
            }
        };
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

    private static ObjectNode submit(KernelInput.SubmitToken s) {
        ObjectNode o = obj();
        o.put("subject", s.subject());
        o.set("args", node(s.args()));
        o.set("budget", s.budget() == null ? NullNode.instance : budget(s.budget()));
        o.put("priority", s.priority());
        if (s.kind() != null) {
            o.put("kind", s.kind());
        }
        ArrayNode deps = o.putArray("deps");
        for (TokenRef ref : s.dependencies()) {
            switch (ref) {
                case TokenId id -> deps.add(id.value());
                case TokenRef.Batch b -> deps.addObject().put("batch", b.index());
            }
        }
        if (s.grant() != null) {
            o.put("grant", s.grant().value());
        }
        return o;
    }

    private static KernelInput.SubmitToken submit(JsonNode n, String capability) {
        List<TokenRef> deps = new ArrayList<>();
        for (JsonNode d : n.get("deps")) {
            deps.add(d.isObject() ? TokenRef.batch(d.get("batch").asInt()) : new TokenId(d.asLong()));
        }
        JsonNode grant = n.get("grant");
        return new KernelInput.SubmitToken(n.get("subject").asText(), capability, CanonicalJson.of(n.get("args")),
                budget(n.get("budget")), n.get("priority").asInt(), text(n.get("kind")), deps,
                grant == null ? null : new GrantId(grant.asLong()));
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
        JsonNode n = payload.toJsonNode();
        return switch (kind) {
            case "submit_token" -> submit(n, capabilityId);
            case "submit_tokens" -> {
                List<KernelInput.SubmitToken> members = new ArrayList<>();
                for (JsonNode m : n.get("tokens")) {
                    members.add(submit(m, m.get("capability").asText()));
                }
                yield new KernelInput.SubmitTokens(members);
            }
            case "cancel_token" -> new KernelInput.CancelToken(new TokenId(n.get("token").asLong()));
            case "register_capability" -> new KernelInput.RegisterCapability(descriptor(n.get("descriptor")), handler);
            case "grant_capability" -> new KernelInput.GrantCapability(n.get("subject").asText(), capabilityId, terms(n.get("terms")));
            case "derive_capability" -> new KernelInput.DeriveCapability(new GrantId(n.get("from").asLong()),
                    n.get("subject").asText(), terms(n.get("terms")));
            case "revoke_capability" -> new KernelInput.RevokeCapability(new GrantId(n.get("grant").asLong()));
            case "tick" -> new KernelInput.Tick(n.get("ticks").asLong());
            case "create_snapshot" -> new KernelInput.CreateSnapshot(n.get("label").asText());
            case "ready_flag" -> new KernelInput.ReadyFlag(n.get("version").asText(), text(n.get("snapshot")));
            case "policy_loaded" -> new KernelInput.LoadPolicy(CapabilityLimits.fromJson(n.get("limits")), n.get("source").asText());
            default -> throw new IllegalArgumentException("not an input record: " + kind);
        };
    }
}
