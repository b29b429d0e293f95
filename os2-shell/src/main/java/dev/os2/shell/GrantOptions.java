package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantTerms;
import dev.os2.ledger.CanonicalJson;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The terms {@code cap-grant} gives and {@code cap-derive} narrows, as options: {@code --budget},
 * {@code --ceiling}, {@code --max-invocations}, {@code --rate N/TICKS}, {@code --scope JSON} and
 * {@code --expires-ticks N}. Mixed into both commands; an option not given leaves its term as wide
 * as what the grant derives from.
 */
final class GrantOptions {

    private static final Pattern RATE = Pattern.compile("(\\d{1,16})/(\\d{1,16})");

    @Option(names = "--budget", paramLabel = "N",
            description = "Most cost units all invocations under the grant may charge in total.")
    Long budget;

    @Option(names = "--ceiling", paramLabel = "N", description = "Most cost units one invocation may charge.")
    Long ceiling;

    @Option(names = "--max-invocations", paramLabel = "N", description = "Most invocations under the grant, its derived grants' included.")
    Long maxInvocations;

    @Option(names = "--rate", paramLabel = "N/TICKS", description = "Most N invocations per window of TICKS ticks, e.g. 10/1000.")
    String rate;

    @Option(names = "--scope", paramLabel = "JSON",
            description = "The grant's scope, a JSON object the capability's handler reads, e.g. '{\"hosts\":[\"example.org\"]}'.")
    String scope;

    @Option(names = "--expires-ticks", paramLabel = "N", description = "The grant expires N ticks of the virtual clock from now.")
    Long expiresTicks;

    /** Creates the options with nothing set; picocli fills them in. */
    GrantOptions() {
    }

    /**
     * The terms, with the expiry counted from {@code clock}.
     *
     * @throws InputException if a value is out of range or the scope is not a JSON object
     */
    GrantTerms terms(long clock) {
        GrantTerms t = GrantTerms.UNRESTRICTED;
        if (scope != null) {
            t = t.withScope(parseScope(scope));
        }
        if (budget != null) {
            t = t.withBudgetTokens(count("--budget", budget));
        }
        if (ceiling != null) {
            t = t.withTokenCeiling(count("--ceiling", ceiling));
        }
        if (maxInvocations != null) {
            t = t.withMaxInvocations(count("--max-invocations", maxInvocations));
        }
        if (rate != null) {
            Matcher m = RATE.matcher(rate.strip());
            if (!m.matches() || Long.parseLong(m.group(1)) < 1 || Long.parseLong(m.group(2)) < 1) {
                throw new InputException("--rate must be N/TICKS with positive numbers, got " + Table.clean(Table.fit(rate, 40)),
                        "For example --rate 10/1000: ten invocations per 1,000 ticks.");
            }
            t = t.withRateLimit(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        }
        if (expiresTicks != null) {
            long n = count("--expires-ticks", expiresTicks);
            if (n < 1 || clock + n > Budget.MAX_FINITE) {
                throw new InputException("--expires-ticks must be from 1 to 2^53 minus the clock (" + clock + ")",
                        "Give a positive number of ticks.");
            }
            t = t.withExpiresAtTick(clock + n);
        }
        return t;
    }

    /** The scope option's JSON, or null when not given. */
    CanonicalJson scopeOrNull() {
        return scope == null ? null : parseScope(scope);
    }

    static CanonicalJson parseScope(String text) {
        CanonicalJson json;
        try {
            json = CanonicalJson.parse(text);
        } catch (RuntimeException e) {
            throw new InputException("--scope is not valid JSON: " + Table.clean(Table.fit(String.valueOf(e.getMessage()), 200)),
                    "Give a JSON object in single quotes, e.g. --scope '{\"hosts\":[\"example.org\"]}'.");
        }
        if (!json.text().startsWith("{")) {
            throw new InputException("--scope must be a JSON object, got " + Table.clean(Table.fit(json.text(), 80)),
                    "Give a JSON object, e.g. --scope '{\"hosts\":[\"example.org\"]}'.");
        }
        return json;
    }

    private static long count(String option, long value) {
        if (value < 0 || value > Budget.MAX_FINITE) {
            throw new InputException(option + " must be from 0 to 2^53, got " + value, "Give a count in range.");
        }
        return value;
    }

    /** A grant's effective terms as one JSON object (as cap-show prints them), for --json. */
    static ObjectNode json(Grant g) {
        ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
        o.put("id", g.id().toString());
        o.put("capability", g.capabilityId());
        o.put("subject", g.subject());
        o.put("version", g.version());
        o.put("status", RegistryView.status(g));
        if (g.parent() == null) {
            o.putNull("derived_from");
        } else {
            o.put("derived_from", g.parent().toString());
        }
        limit(o, "budget_tokens", g.budgetTokens());
        limit(o, "token_ceiling", g.tokenCeiling());
        limit(o, "max_invocations", g.maxInvocations());
        limit(o, "expires_at_tick", g.expiresAtTick());
        if (g.rateLimit() == null) {
            o.putNull("rate_limit");
        } else {
            o.putObject("rate_limit").put("invocations", g.rateLimit().invocations()).put("window_ticks", g.rateLimit().windowTicks());
        }
        o.set("scope", g.scope().toJsonNode());
        return o;
    }

    private static void limit(ObjectNode o, String name, long value) {
        if (value == Budget.UNLIMITED) {
            o.putNull(name);
        } else {
            o.put(name, value);
        }
    }

    /** A grant's effective terms for people: {@code budget 500, ceiling none, …, scope {...}}. */
    static String describe(Grant g) {
        return "budget " + RegistryView.limit(g.budgetTokens()) + ", ceiling " + RegistryView.limit(g.tokenCeiling())
                + ", max invocations " + RegistryView.limit(g.maxInvocations()) + ", rate " + RegistryView.rate(g.rateLimit())
                + ", expires " + RegistryView.expiry(g.expiresAtTick()) + ", scope " + Table.clean(Table.fit(g.scope().text(), 200));
    }

    /** Parses {@code g12} or {@code 12}. */
    static dev.os2.kernel.GrantId grantId(String text, Session session) {
        String digits = text.startsWith("g") ? text.substring(1) : text;
        try {
            long v = Long.parseLong(digits);
            if (v >= 1) {
                return new dev.os2.kernel.GrantId(v);
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new InputException("not a grant id: " + Table.clean(Table.fit(text, 40)),
                "A grant id is g<number>, as `" + session.hint("cap-show CAPABILITY") + "` lists them.");
    }
}
