package dev.os2.kernel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.os2.ledger.CanonicalWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A resource policy in OS2's {@code CapabilityLimits.toml} format: the most a token may ask for,
 * by default and per capability, plus named profiles a host can hand out as budgets.
 *
 * <pre>{@code
 * [default]                      # applies to every capability
 * cpu_time_ms   = 1000           # -> Budget.deadlineTicks (one tick is one virtual millisecond)
 * token_budget  = 10000          # -> Budget.tokens
 * memory_bytes  = 67108864       # -> Budget.memoryBytes
 * network_bytes = 0              # -> Budget.networkBytes
 *
 * [capability."net.fetch"]       # overrides [default] key by key for one capability
 * network_bytes = 1048576
 *
 * [profile."interactive"]        # a named budget; missing keys come from [default]
 * cpu_time_ms  = 200
 * token_budget = 2000
 * }</pre>
 *
 * <p>Every table and key is optional; a key that is absent everywhere means no limit. Values are
 * integers from 0 to 2^53. Any other table or key, or a value of another type, is an error that
 * names the file, the line and the key ({@link PolicyFileException}).
 *
 * <p><b>How the kernel uses it.</b> A {@link KernelInput.SubmitToken} without a budget gets
 * {@link #forCapability} of its capability as its budget; one with a budget is rejected with
 * {@code over_budget} when any of its limits is above the policy's. Immutable and thread-safe.
 */
public final class CapabilityLimits {

    /** No limits at all. */
    public static final CapabilityLimits NONE = new CapabilityLimits(Budget.UNLIMITED_BUDGET, Collections.emptySortedMap(),
            Collections.emptySortedMap());

    private static final List<String> KEYS = List.of("cpu_time_ms", "memory_bytes", "network_bytes", "token_budget");

    private final Budget defaults;
    private final SortedMap<String, Budget> capabilities;
    private final SortedMap<String, Budget> profiles;

    private CapabilityLimits(Budget defaults, SortedMap<String, Budget> capabilities, SortedMap<String, Budget> profiles) {
        this.defaults = defaults;
        this.capabilities = capabilities;
        this.profiles = profiles;
    }

    /**
     * Reads a policy file.
     *
     * @throws PolicyFileException if the file cannot be read or is not a valid policy
     */
    public static CapabilityLimits load(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyFileException(file.toString(), 0, null, "cannot read the file: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses policy text; {@code sourceName} names it in errors.
     *
     * @throws PolicyFileException if the text is not a valid policy
     */
    public static CapabilityLimits parse(String toml, String sourceName) {
        Objects.requireNonNull(toml, "toml");
        Objects.requireNonNull(sourceName, "sourceName");
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new PolicyFileException(sourceName, line, null, "not valid TOML: " + e.getOriginalMessage(), e);
        }
        Locator at = new Locator(toml, sourceName);
        Budget defaults = Budget.UNLIMITED_BUDGET;
        SortedMap<String, Budget> caps = new TreeMap<>();
        SortedMap<String, Budget> profiles = new TreeMap<>();
        if (root == null) {
            return NONE;
        }
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String table = e.getKey();
            switch (table) {
                case "default" -> defaults = limits(at, List.of("default"), e.getValue(), Budget.UNLIMITED_BUDGET);
                case "capability", "profile" -> {
                    if (!e.getValue().isObject()) {
                        throw at.error(List.of(table), null, "must be a table of quoted names, such as [" + table + ".\"name\"]");
                    }
                }
                default -> throw at.error(List.of(table), null, "unknown table or key; expected [default], [capability.\"<id>\"] or [profile.\"<name>\"]");
            }
        }
        Budget base = defaults;
        for (String table : List.of("capability", "profile")) {
            JsonNode t = root.get(table);
            if (t == null) {
                continue;
            }
            for (Map.Entry<String, JsonNode> e : t.properties()) {
                List<String> path = List.of(table, e.getKey());
                if (table.equals("capability")) {
                    try {
                        Names.capabilityId(e.getKey());
                    } catch (InvalidInputException bad) {
                        throw at.error(path, null, bad.getMessage());
                    }
                }
                // Keys missing from a capability or profile table come from [default].
                Budget b = limits(at, path, e.getValue(), base);
                (table.equals("capability") ? caps : profiles).put(e.getKey(), b);
            }
        }
        return new CapabilityLimits(defaults, Collections.unmodifiableSortedMap(caps), Collections.unmodifiableSortedMap(profiles));
    }

    private static Budget limits(Locator at, List<String> path, JsonNode table, Budget base) {
        if (!table.isObject()) {
            throw at.error(path, null, "must be a table of limits");
        }
        long cpu = base.deadlineTicks();
        long memory = base.memoryBytes();
        long network = base.networkBytes();
        long tokens = base.tokens();
        for (Map.Entry<String, JsonNode> e : table.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (!KEYS.contains(key)) {
                String hint = v.isObject() ? " (a capability id with dots must be quoted: [capability.\"fs.read\"])" : "";
                throw at.error(path, key, "unknown key; expected one of " + String.join(", ", KEYS) + hint);
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > Budget.MAX_FINITE) {
                throw at.error(path, key, "must be an integer from 0 to 2^53, got " + describe(v));
            }
            long n = v.asLong();
            switch (key) {
                case "cpu_time_ms" -> cpu = n;
                case "memory_bytes" -> memory = n;
                case "network_bytes" -> network = n;
                case "token_budget" -> tokens = n;
                default -> throw new IllegalStateException(key);
            }
        }
        return new Budget(tokens, memory, network, cpu);
    }

    private static String describe(JsonNode v) {
        String s = v.toString();
        return (s.length() > 40 ? s.substring(0, 37) + "..." : s) + " (" + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    /** The {@code [default]} limits ({@link Budget#UNLIMITED} where absent). */
    public Budget defaults() {
        return defaults;
    }

    /** The limits for a capability: {@code [default]} overridden key by key by its own table. */
    public Budget forCapability(String capabilityId) {
        return capabilities.getOrDefault(capabilityId, defaults);
    }

    /** A named profile as a budget (missing keys from {@code [default]}), or empty. */
    public Optional<Budget> profile(String name) {
        return Optional.ofNullable(profiles.get(name));
    }

    /** The capability ids with their own table, sorted. */
    public List<String> capabilityIds() {
        return new ArrayList<>(capabilities.keySet());
    }

    /** The profile names, sorted. */
    public List<String> profileNames() {
        return new ArrayList<>(profiles.keySet());
    }

    /**
     * Writes the JSON form for the ledger's {@code kernel_started} record:
     * <code>{"capability":{id:budget},"default":budget,"profile":{name:budget}}</code>. The sorted
     * maps iterate their keys in {@link String#compareTo} order, the canonical member order.
     */
    void writeTo(CanonicalWriter w) {
        w.beginObject().name("capability").beginObject();
        capabilities.forEach((k, v) -> {
            w.name(k);
            Codec.budget(w, v);
        });
        w.endObject().name("default");
        Codec.budget(w, defaults);
        w.name("profile").beginObject();
        profiles.forEach((k, v) -> {
            w.name(k);
            Codec.budget(w, v);
        });
        w.endObject().endObject();
    }

    /**
     * Reads the JSON form {@link #writeTo} writes (the {@code policy_loaded} record and the
     * state's canonical form).
     *
     * @throws NullPointerException or {@link IllegalArgumentException} if the JSON is not that form
     */
    static CapabilityLimits fromJson(JsonNode o) {
        Budget defaults = Codec.budget(o.get("default"));
        SortedMap<String, Budget> caps = new TreeMap<>();
        o.get("capability").properties().forEach(e -> caps.put(e.getKey(), Codec.budget(e.getValue())));
        SortedMap<String, Budget> profiles = new TreeMap<>();
        o.get("profile").properties().forEach(e -> profiles.put(e.getKey(), Codec.budget(e.getValue())));
        return new CapabilityLimits(defaults, Collections.unmodifiableSortedMap(caps), Collections.unmodifiableSortedMap(profiles));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapabilityLimits l && defaults.equals(l.defaults) && capabilities.equals(l.capabilities)
                && profiles.equals(l.profiles);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaults, capabilities, profiles);
    }

    @Override
    public String toString() {
        return "CapabilityLimits[default=" + defaults + ", capability=" + capabilities + ", profile=" + profiles + "]";
    }

    /**
     * Finds the line of a table or key in the source text, for error messages: Jackson's TOML
     * reader builds a tree without positions, so the text is scanned for the table header (or
     * dotted key) and then for the key within that table.
     */
    private record Locator(String text, String source) {

        PolicyFileException error(List<String> table, String key, String problem) {
            return new PolicyFileException(source, line(table, key), dotted(table, key), problem, null);
        }

        static String dotted(List<String> table, String key) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < table.size(); i++) {
                if (i > 0) {
                    b.append('.');
                }
                String part = table.get(i);
                b.append(i == 0 ? part : '"' + part + '"');
            }
            if (key != null) {
                b.append('.').append(key);
            }
            return b.toString();
        }

        int line(List<String> table, String key) {
            String[] lines = text.split("\r?\n", -1);
            List<String> current = List.of();
            List<String> wantedPath = new ArrayList<>(table);
            if (key != null) {
                wantedPath.add(key);
            }
            int headerLine = 0;
            for (int i = 0; i < lines.length; i++) {
                String l = stripComment(lines[i]).trim();
                if (l.startsWith("[")) {
                    current = headerPath(l);
                    if (key != null && current.size() >= wantedPath.size() && current.subList(0, wantedPath.size()).equals(wantedPath)) {
                        // The key is itself a table header, as in [capability.fs.read].
                        return i + 1;
                    }
                    if (current.equals(table)) {
                        headerLine = i + 1;
                        if (key == null) {
                            return headerLine;
                        }
                    }
                    continue;
                }
                int eq = l.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                List<String> keyPath = new ArrayList<>(current);
                keyPath.addAll(splitDotted(l.substring(0, eq)));
                List<String> wanted = new ArrayList<>(table);
                if (key != null) {
                    wanted.add(key);
                }
                // The key itself, or a dotted key or inline table that starts the wanted path.
                if (keyPath.equals(wanted) || (key == null && keyPath.size() > wanted.size()
                        && keyPath.subList(0, wanted.size()).equals(wanted))
                        || (keyPath.size() < wanted.size() && wanted.subList(0, keyPath.size()).equals(keyPath) && keyPath.size() > current.size())) {
                    return i + 1;
                }
            }
            return headerLine;
        }

        private static List<String> headerPath(String header) {
            String inner = header.replaceAll("^\\[+", "").replaceAll("]+$", "");
            return splitDotted(inner);
        }

        private static List<String> splitDotted(String s) {
            List<String> parts = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            char quote = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        cur.append(c);
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '.') {
                    parts.add(cur.toString().trim());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            parts.add(cur.toString().trim());
            return parts;
        }

        private static String stripComment(String line) {
            char quote = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '#') {
                    return line.substring(0, i);
                }
            }
            return line;
        }
    }
}
