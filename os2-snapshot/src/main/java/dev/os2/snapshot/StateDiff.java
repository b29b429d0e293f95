package dev.os2.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one kernel state differs from another: the scalars that changed (clock, id counters, token
 * counts) and one {@link Delta} per capability, grant, live token or finished outcome that was
 * added, removed or changed.
 *
 * <p>{@link #between} walks the states' persistent maps with {@link KernelState#diff}, which skips
 * every subtree the two states share: for two snapshots of one running kernel, k changes apart,
 * it costs O(k log n) whatever the states' size n. States read from two bundles share nothing, and
 * comparing them is linear.
 *
 * @param scalars the scalars that differ, in a fixed order
 * @param deltas the entries that differ, by section, then by key (ids numerically)
 */
public record StateDiff(List<ScalarChange> scalars, List<Delta> deltas) {

    // Set.of is used for membership only (containsAll), never iterated, so its JVM-dependent
    // iteration order cannot reach any output.
    /** Capability members that only count usage. */
    private static final Set<String> CAPABILITY_USAGE = Set.of("invocations", "tokens", "violations");
    /** Grant members that only count usage. */
    private static final Set<String> GRANT_USAGE = Set.of("invocations", "tokens", "window_index", "window_count");
    /** Token members that only count usage. */
    private static final Set<String> TOKEN_USAGE = Set.of("tokens_used", "memory_used", "network_used");

    /** Copies the lists. */
    public StateDiff {
        scalars = List.copyOf(scalars);
        deltas = List.copyOf(deltas);
    }

    /**
     * A scalar of the state that differs.
     *
     * @param name {@code clock}, {@code next_token}, {@code next_grant}, {@code registry_version},
     *     {@code seed} or {@code counts.<outcome>}
     * @param before its value in the first state
     * @param after its value in the second
     */
    public record ScalarChange(String name, long before, long after) {
    }

    /** What happened to an entry. */
    public enum Change {
        /** Only in the second state. */
        ADDED,
        /** Only in the first state. */
        REMOVED,
        /** In both, with different values. */
        CHANGED
    }

    /** What kind of change a delta is, for people. */
    public enum Aspect {
        /** The entry appeared or disappeared. */
        PRESENCE,
        /** Only usage counters changed (invocations, tokens charged, violations, rate window, resources used). */
        USAGE,
        /** Something other than usage changed (a status, terms, a descriptor). */
        DEFINITION
    }

    /**
     * One entry that differs.
     *
     * @param section which collection
     * @param key the capability id, or the grant or token id in decimal
     * @param change added, removed or changed
     * @param before the entry in the first state as canonical JSON, or null when added
     * @param after the entry in the second state, or null when removed
     * @param fields for a change, the top-level members that differ, sorted; else empty
     */
    public record Delta(KernelState.Section section, String key, Change change, CanonicalJson before, CanonicalJson after,
            List<String> fields) {

        /** Copies the field list. */
        public Delta {
            Objects.requireNonNull(section, "section");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(change, "change");
            fields = List.copyOf(fields);
        }

        /** Whether this is a usage change, a definition change, or an entry appearing or disappearing. */
        public Aspect aspect() {
            if (change != Change.CHANGED) {
                return Aspect.PRESENCE;
            }
            Set<String> usage = switch (section) {
                case CAPABILITIES -> CAPABILITY_USAGE;
                case GRANTS -> GRANT_USAGE;
                case TOKENS -> TOKEN_USAGE;
                case FINISHED -> Set.of();
            };
            return usage.containsAll(fields) ? Aspect.USAGE : Aspect.DEFINITION;
        }
    }

    /**
     * The differences from {@code a} to {@code b}.
     *
     * @throws NullPointerException if a state is null
     */
    public static StateDiff between(KernelState a, KernelState b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        List<ScalarChange> scalars = new ArrayList<>();
        scalar(scalars, "seed", a.seed(), b.seed());
        scalar(scalars, "clock", a.clock(), b.clock());
        scalar(scalars, "next_token", a.nextTokenId().value(), b.nextTokenId().value());
        scalar(scalars, "next_grant", a.nextGrantId().value(), b.nextGrantId().value());
        scalar(scalars, "registry_version", a.registryVersion(), b.registryVersion());
        KernelState.TokenCounts ca = a.counts();
        KernelState.TokenCounts cb = b.counts();
        scalar(scalars, "counts.submitted", ca.submitted(), cb.submitted());
        scalar(scalars, "counts.completed", ca.completed(), cb.completed());
        scalar(scalars, "counts.failed", ca.failed(), cb.failed());
        scalar(scalars, "counts.cancelled", ca.cancelled(), cb.cancelled());
        scalar(scalars, "counts.rejected", ca.rejected(), cb.rejected());
        scalar(scalars, "counts.budget_exceeded", ca.budgetExceeded(), cb.budgetExceeded());
        scalar(scalars, "counts.violations", ca.violations(), cb.violations());
        List<Delta> deltas = new ArrayList<>();
        a.diff(b, (section, key, before, after) -> {
            Change change = before == null ? Change.ADDED : after == null ? Change.REMOVED : Change.CHANGED;
            deltas.add(new Delta(section, key, change, before, after, change == Change.CHANGED ? fields(before, after) : List.of()));
        });
        deltas.sort(Comparator.comparing(Delta::section).thenComparing(Delta::key, StateDiff::compareKeys));
        return new StateDiff(scalars, deltas);
    }

    private static void scalar(List<ScalarChange> out, String name, long before, long after) {
        if (before != after) {
            out.add(new ScalarChange(name, before, after));
        }
    }

    /** Numeric ids numerically, capability ids alphabetically. */
    private static int compareKeys(String x, String y) {
        boolean nx = !x.isEmpty() && x.chars().allMatch(Character::isDigit);
        boolean ny = !y.isEmpty() && y.chars().allMatch(Character::isDigit);
        if (nx && ny) {
            return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
        }
        return x.compareTo(y);
    }

    private static List<String> fields(CanonicalJson before, CanonicalJson after) {
        JsonNode b = before.toJsonNode();
        JsonNode a = after.toJsonNode();
        if (!b.isObject() || !a.isObject()) {
            return List.of();
        }
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!Objects.equals(b.get(n), a.get(n))) {
                out.add(n);
            }
        }
        return out;
    }

    /** True when the states are equal. */
    public boolean isEmpty() {
        return scalars.isEmpty() && deltas.isEmpty();
    }

    /** The number of deltas per section and change, for summaries. */
    public Map<KernelState.Section, Map<Change, Integer>> counts() {
        Map<KernelState.Section, Map<Change, Integer>> out = new EnumMap<>(KernelState.Section.class);
        for (Delta d : deltas) {
            out.computeIfAbsent(d.section(), k -> new EnumMap<>(Change.class)).merge(d.change(), 1, Integer::sum);
        }
        return out;
    }

    /**
     * The diff as canonical JSON: {@code {"scalars":[{"name","before","after"}…],
     * "deltas":[{"section","key","change","aspect","fields","before","after"}…]}}, sections and
     * changes in lower case, absent sides as null.
     */
    public CanonicalJson toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        ArrayNode sc = o.putArray("scalars");
        for (ScalarChange s : scalars) {
            ObjectNode n = sc.addObject();
            n.put("name", s.name());
            n.put("before", s.before());
            n.put("after", s.after());
        }
        ArrayNode ds = o.putArray("deltas");
        for (Delta d : deltas) {
            ObjectNode n = ds.addObject();
            n.put("section", d.section().name().toLowerCase(java.util.Locale.ROOT));
            n.put("key", d.key());
            n.put("change", d.change().name().toLowerCase(java.util.Locale.ROOT));
            n.put("aspect", d.aspect().name().toLowerCase(java.util.Locale.ROOT));
            ArrayNode fs = n.putArray("fields");
            d.fields().forEach(fs::add);
            n.set("before", d.before() == null ? f.nullNode() : d.before().toJsonNode());
            n.set("after", d.after() == null ? f.nullNode() : d.after().toJsonNode());
        }
        return CanonicalJson.of(o);
    }
}
