package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.StateRecords.CapabilityRecord;
import dev.os2.kernel.StateRecords.GrantRecord;
import dev.os2.kernel.StateRecords.TokenRecord;
import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel's encodings as they were first written: Jackson trees, made canonical by
 * {@link CanonicalJson#of}, which sorts the members. Kept as the reference that the direct
 * {@link dev.os2.ledger.CanonicalWriter} encodings in {@link Codec} and {@link KernelState} must
 * match byte for byte (see {@link EncodingEquivalenceTest}); nothing else uses it.
 */
final class TreeEncoding {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TreeEncoding() {
    }

    static JsonNode node(CanonicalJson json) {
        return json == null ? NullNode.instance : json.toJsonNode();
    }

    static JsonNode limit(long value) {
        return value == Budget.UNLIMITED ? NullNode.instance : F.numberNode(value);
    }

    static ObjectNode budget(Budget b) {
        ObjectNode o = F.objectNode();
        o.set("tokens", limit(b.tokens()));
        o.set("memory_bytes", limit(b.memoryBytes()));
        o.set("network_bytes", limit(b.networkBytes()));
        o.set("deadline_ticks", limit(b.deadlineTicks()));
        return o;
    }

    static JsonNode rateLimit(CapabilityDescriptor.RateLimit r) {
        if (r == null) {
            return NullNode.instance;
        }
        ObjectNode o = F.objectNode();
        o.put("invocations", r.invocations());
        o.put("window_ticks", r.windowTicks());
        return o;
    }

    static ObjectNode descriptor(CapabilityDescriptor d) {
        ObjectNode o = F.objectNode();
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

    static ObjectNode terms(GrantTerms t) {
        ObjectNode o = F.objectNode();
        o.set("scope", node(t.scope()));
        o.set("token_ceiling", limit(t.tokenCeiling()));
        o.set("max_invocations", limit(t.maxInvocations()));
        o.set("rate_limit", rateLimit(t.rateLimit()));
        o.set("expires_at_tick", limit(t.expiresAtTick()));
        o.set("budget_tokens", limit(t.budgetTokens()));
        return o;
    }

    static CanonicalJson input(KernelInput input, long firstToken) {
        return CanonicalJson.of(inputTree(input, firstToken));
    }

    private static ObjectNode inputTree(KernelInput input, long firstToken) {
        return switch (input) {
            case KernelInput.SubmitToken s -> {
                ObjectNode o = submit(s);
                o.put("token", firstToken);
                yield o;
            }
            case KernelInput.SubmitTokens b -> {
                ObjectNode o = F.objectNode();
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
                ObjectNode o = F.objectNode();
                o.put("token", c.token().value());
                yield o;
            }
            case KernelInput.RegisterCapability r -> {
                ObjectNode o = F.objectNode();
                o.set("descriptor", descriptor(r.descriptor()));
                yield o;
            }
            case KernelInput.GrantCapability g -> {
                ObjectNode o = F.objectNode();
                o.put("subject", g.subject());
                o.set("terms", terms(g.terms()));
                yield o;
            }
            case KernelInput.DeriveCapability d -> {
                ObjectNode o = F.objectNode();
                o.put("from", d.from().value());
                o.put("subject", d.subject());
                o.set("terms", terms(d.terms()));
                yield o;
            }
            case KernelInput.RevokeCapability r -> {
                ObjectNode o = F.objectNode();
                o.put("grant", r.grant().value());
                yield o;
            }
            case KernelInput.Tick t -> {
                ObjectNode o = F.objectNode();
                o.put("ticks", t.ticks());
                yield o;
            }
            case KernelInput.CreateSnapshot c -> {
                ObjectNode o = F.objectNode();
                o.put("label", c.label());
                yield o;
            }
            case KernelInput.RestoreSnapshot r -> {
                ObjectNode o = F.objectNode();
                o.put("snapshot", r.snapshotId());
                o.put("position", r.position());
                o.put("state_hash", r.state().stateHash().toHex());
                yield o;
            }
            case KernelInput.LoadPolicy l -> {
                ObjectNode o = F.objectNode();
                o.put("source", l.source());
                o.set("limits", limits(l.limits()));
                yield o;
            }
            case KernelInput.ReadyFlag f -> {
                ObjectNode o = F.objectNode();
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

    /** A policy's JSON form; its encoding predates the tree encodings, so it is the reference too. */
    private static JsonNode limits(CapabilityLimits limits) {
        dev.os2.ledger.CanonicalWriter w = new dev.os2.ledger.CanonicalWriter();
        limits.writeTo(w);
        return w.toCanonicalJson().toJsonNode();
    }

    private static ObjectNode submit(KernelInput.SubmitToken s) {
        ObjectNode o = F.objectNode();
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

    // --- the state -----------------------------------------------------------------------------------

    static CanonicalJson scalars(KernelState s) {
        return CanonicalJson.of(scalarsTree(s));
    }

    private static ObjectNode scalarsTree(KernelState s) {
        ObjectNode o = F.objectNode();
        o.put("format", KernelState.FORMAT);
        o.put("seed", Long.toString(s.seed));
        o.put("clock", s.clock);
        o.put("next_token", s.nextToken);
        o.put("next_grant", s.nextGrant);
        o.put("registry_version", s.registryVersion);
        if (s.policy != null) {
            o.set("policy", limits(s.policy));
        }
        ObjectNode c = o.putObject("counts");
        c.put("submitted", s.counts.submitted());
        c.put("completed", s.counts.completed());
        c.put("failed", s.counts.failed());
        c.put("cancelled", s.counts.cancelled());
        c.put("rejected", s.counts.rejected());
        c.put("budget_exceeded", s.counts.budgetExceeded());
        c.put("violations", s.counts.violations());
        return o;
    }

    static ObjectNode capabilityNode(CapabilityRecord r) {
        ObjectNode co = F.objectNode();
        co.set("descriptor", descriptor(r.descriptor()));
        co.put("invocations", r.invocations());
        co.put("tokens", r.tokensUsed());
        co.put("violations", r.violations());
        return co;
    }

    static ObjectNode grantNode(GrantRecord g) {
        ObjectNode go = F.objectNode();
        go.put("id", g.id());
        go.put("version", g.version());
        go.put("subject", g.subject());
        go.put("capability", g.capability());
        go.put("parent", g.parent());
        go.put("depth", g.depth());
        ArrayNode kids = go.putArray("children");
        g.children().forEach(kids::add);
        go.set("scope", node(g.scope()));
        go.set("token_ceiling", limit(g.tokenCeiling()));
        go.set("max_invocations", limit(g.maxInvocations()));
        go.set("rate_limit", rateLimit(g.rateLimit()));
        go.set("expires_at", limit(g.expiresAt()));
        go.set("budget_tokens", limit(g.budgetTokens()));
        go.put("status", g.status().wireName());
        go.put("invocations", g.invocations());
        go.put("tokens", g.tokensUsed());
        go.put("window_index", g.windowIndex());
        go.put("window_count", g.windowCount());
        return go;
    }

    static ObjectNode tokenNode(TokenRecord t) {
        ObjectNode to = F.objectNode();
        to.put("id", t.id());
        to.put("subject", t.subject());
        to.put("capability", t.capability());
        to.put("grant", t.grant());
        to.put("priority", t.priority());
        if (t.kind() != null) {
            to.put("kind", t.kind());
        }
        to.set("args", node(t.args()));
        ArrayNode deps = to.putArray("deps");
        t.deps().forEach(deps::add);
        to.set("budget", budget(t.budget()));
        to.put("submitted_at", t.submittedAt());
        to.set("deadline_at", limit(t.deadlineAt()));
        to.put("status", t.status().wireName());
        to.put("pending", t.pendingDeps());
        to.put("tokens_used", t.tokensUsed());
        to.put("memory_used", t.memoryUsed());
        to.put("network_used", t.networkUsed());
        return to;
    }

    static CanonicalJson toJson(KernelState s) {
        ObjectNode o = scalarsTree(s);
        ArrayNode caps = o.putArray("capabilities");
        List<Map.Entry<String, CapabilityRecord>> entries = new ArrayList<>();
        s.capabilities.forEach((k, v) -> entries.add(Map.entry(k, v)));
        entries.sort(Map.Entry.comparingByKey());
        for (Map.Entry<String, CapabilityRecord> e : entries) {
            caps.add(capabilityNode(e.getValue()));
        }
        ArrayNode gs = o.putArray("grants");
        for (GrantRecord g : KernelState.sortedValues(s.grants)) {
            gs.add(grantNode(g));
        }
        ArrayNode ts = o.putArray("tokens");
        for (TokenRecord t : KernelState.sortedValues(s.tokens)) {
            ts.add(tokenNode(t));
        }
        ArrayNode fs = o.putArray("finished");
        for (Map.Entry<Long, KernelToken.Status> e : KernelState.sortedEntries(s.finished)) {
            ArrayNode pair = fs.addArray();
            pair.add(e.getKey());
            pair.add(e.getValue().wireName());
        }
        return CanonicalJson.of(o);
    }

    static CanonicalJson config(KernelConfig c) {
        ObjectNode o = F.objectNode();
        o.put("seed", Long.toString(c.seed()));
        o.put("max_payload_bytes", c.maxPayloadBytes());
        o.put("max_live_tokens", c.maxLiveTokens());
        o.put("max_dependencies", c.maxDependencies());
        o.put("max_batch_tokens", c.maxBatchTokens());
        o.put("max_invocation_depth", c.maxInvocationDepth());
        o.put("max_derive_depth", c.maxDeriveDepth());
        o.put("max_actions_per_invocation", c.maxActionsPerInvocation());
        ObjectNode l = F.objectNode();
        CapabilityLimits limits = c.limits();
        l.set("default", budget(limits.defaults()));
        ObjectNode caps = l.putObject("capability");
        for (String id : limits.capabilityIds()) {
            caps.set(id, budget(limits.forCapability(id)));
        }
        ObjectNode p = l.putObject("profile");
        for (String name : limits.profileNames()) {
            p.set(name, budget(limits.profile(name).orElseThrow()));
        }
        o.set("limits", l);
        o.put("format", KernelEvents.FORMAT);
        return CanonicalJson.of(o);
    }
}
