package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.Grant;
import dev.os2.kernel.KernelState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The capability registry of a {@link KernelState} as {@code cap-list} and {@code cap-show} print
 * it: the same words in the table and the same JSON object in both commands' {@code --json}.
 *
 * <p>JSON of one capability: {@code id}, {@code description}, {@code shape} (array of
 * {@code {name, type, required}}), {@code token_ceiling}, {@code max_invocations},
 * {@code rate_limit} ({@code {invocations, window_ticks}}), {@code configuration}, {@code usage}
 * ({@code {invocations, tokens_charged, violations}}) and {@code grants}, sorted by subject then
 * id, each {@code {id, subject, version, status, revoked, derived_from, expires_at_tick,
 * token_ceiling, max_invocations, rate_limit, budget_tokens, scope, usage}}. A limit that is not
 * set is {@code null}. Stateless.
 */
final class RegistryView {

    private RegistryView() {
    }

    /** The grants of capability {@code id}, sorted by subject, then by id. */
    static List<Grant> grantsOf(KernelState state, String id) {
        List<Grant> grants = new ArrayList<>();
        for (Grant g : state.grants()) {
            if (g.capabilityId().equals(id)) {
                grants.add(g);
            }
        }
        grants.sort(Comparator.comparing(Grant::subject).thenComparing(Grant::id));
        return grants;
    }

    /** One capability with its grants, as described in the class comment. */
    static ObjectNode toJson(KernelState.CapabilityInfo info, List<Grant> grants) {
        CapabilityDescriptor d = info.descriptor();
        ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
        o.put("id", d.id());
        o.put("description", d.description());
        ArrayNode shape = o.putArray("shape");
        for (CapabilityDescriptor.Field f : d.fields()) {
            shape.addObject().put("name", f.name()).put("type", f.type().wireName()).put("required", f.required());
        }
        putLimit(o, "token_ceiling", d.tokenCeiling());
        putLimit(o, "max_invocations", d.maxInvocations());
        putRate(o, d.rateLimit());
        o.set("configuration", d.configuration().toJsonNode());
        o.putObject("usage").put("invocations", info.invocations()).put("tokens_charged", info.tokensCharged())
                .put("violations", info.violations());
        ArrayNode gs = o.putArray("grants");
        for (Grant g : grants) {
            ObjectNode go = gs.addObject();
            go.put("id", g.id().value());
            go.put("subject", g.subject());
            go.put("version", g.version());
            go.put("status", status(g));
            go.put("revoked", g.status() == Grant.Status.REVOKED);
            if (g.parent() == null) {
                go.putNull("derived_from");
            } else {
                go.put("derived_from", g.parent().value());
            }
            putLimit(go, "expires_at_tick", g.expiresAtTick());
            putLimit(go, "token_ceiling", g.tokenCeiling());
            putLimit(go, "max_invocations", g.maxInvocations());
            putRate(go, g.rateLimit());
            putLimit(go, "budget_tokens", g.budgetTokens());
            go.set("scope", g.scope().toJsonNode());
            go.putObject("usage").put("invocations", g.invocations()).put("tokens_charged", g.tokensCharged());
        }
        return o;
    }

    private static void putLimit(ObjectNode o, String name, long value) {
        if (value == Budget.UNLIMITED) {
            o.putNull(name);
        } else {
            o.put(name, value);
        }
    }

    private static void putRate(ObjectNode o, CapabilityDescriptor.RateLimit rate) {
        if (rate == null) {
            o.putNull("rate_limit");
        } else {
            o.putObject("rate_limit").put("invocations", rate.invocations()).put("window_ticks", rate.windowTicks());
        }
    }

    /** {@code active}, {@code revoked} or {@code expired}. */
    static String status(Grant g) {
        return g.status().name().toLowerCase(Locale.ROOT);
    }

    /** The invocation shape for people: {@code path: string, follow_links?: boolean}; {@code any object} when empty. */
    static String shape(CapabilityDescriptor d) {
        if (d.fields().isEmpty()) {
            return "any object";
        }
        List<String> parts = new ArrayList<>();
        for (CapabilityDescriptor.Field f : d.fields()) {
            parts.add(f.name() + (f.required() ? "" : "?") + ": " + f.type().wireName());
        }
        return String.join(", ", parts);
    }

    /** A limit for people: the number, or {@code none}. */
    static String limit(long value) {
        return value == Budget.UNLIMITED ? "none" : Long.toString(value);
    }

    /** A rate limit for people: {@code 10/1000 ticks}, or {@code none}. */
    static String rate(CapabilityDescriptor.RateLimit rate) {
        return rate == null ? "none" : rate.invocations() + "/" + rate.windowTicks() + " ticks";
    }

    /** An expiry for people: {@code tick 500}, or {@code never}. */
    static String expiry(long expiresAtTick) {
        return expiresAtTick == Budget.UNLIMITED ? "never" : "tick " + expiresAtTick;
    }

    /** The grants column of cap-list: {@code 2 (1 active)}, {@code 1 active}, or {@code 0}. */
    static String grantCount(List<Grant> grants) {
        long active = grants.stream().filter(g -> g.status() == Grant.Status.ACTIVE).count();
        if (grants.isEmpty()) {
            return "0";
        }
        return active == grants.size() ? active + " active" : grants.size() + " (" + active + " active)";
    }
}
