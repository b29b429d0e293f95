package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Reading canonical values off their bytes ({@link CanonicalJson#member}, {@link CanonicalJson#members},
 * {@link CanonicalJson#elements}, {@link CanonicalJson#stringValue}, {@link CanonicalJson#longValue})
 * gives what a Jackson tree of the same value gives, over random values. Prints its seed.
 */
class CanonicalReadTest {

    private static final String[] NAMES = {"a", "b", "token", "tokens", "a\\nb", "\u00e9", "\uD83D\uDE02", "\uE000", "Z", "_"};
    private static final String[] SCALARS = {"null", "true", "false", "0", "-12", "9007199254740992", "1.5", "\"\"",
        "\"x\\\"y\\\\z\\u0001\\n\u00e9\uD83D\uDE02\"", "\"}]\""};

    @Test
    void readsWhatATreeReads() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            CanonicalJson v = CanonicalJson.parse(value(rnd, 0));
            JsonNode tree = v.toJsonNode();
            check(v, tree, seed, rnd);
        }
    }

    private static void check(CanonicalJson v, JsonNode tree, long seed, SplittableRandom rnd) {
        String where = "seed " + seed + ": " + v;
        if (tree.isObject()) {
            List<Map.Entry<String, JsonNode>> members = new ArrayList<>(tree.properties());
            members.sort(Map.Entry.comparingByKey());
            CanonicalJson.Members cursor = v.members();
            for (Map.Entry<String, JsonNode> m : members) {
                assertEquals(CanonicalJson.of(m.getValue()), v.member(m.getKey()), where);
                if (rnd.nextBoolean()) {
                    if (m.getValue().isArray() && rnd.nextBoolean()) {
                        assertEquals(CanonicalJson.of(m.getValue()).elements(), cursor.elements(m.getKey()), where);
                    } else {
                        assertEquals(CanonicalJson.of(m.getValue()), cursor.get(m.getKey()), where);
                    }
                }
                check(v.member(m.getKey()), m.getValue(), seed, rnd);
            }
            assertNull(v.member("absent"), where);
        } else if (tree.isArray()) {
            List<CanonicalJson> elements = v.elements();
            assertEquals(tree.size(), elements.size(), where);
            for (int k = 0; k < elements.size(); k++) {
                assertEquals(CanonicalJson.of(tree.get(k)), elements.get(k), where);
            }
        } else if (tree.isTextual()) {
            assertEquals(tree.textValue(), v.stringValue(), where);
        } else if (tree.isIntegralNumber()) {
            assertEquals(tree.longValue(), v.longValue(), where);
        } else if (tree.isNull()) {
            assertEquals(true, v.isNull(), where);
        }
    }

    private static String value(SplittableRandom rnd, int depth) {
        int kind = depth > 3 ? 0 : rnd.nextInt(3);
        StringBuilder s = new StringBuilder();
        switch (kind) {
            case 0 -> s.append(SCALARS[rnd.nextInt(SCALARS.length)]);
            case 1 -> {
                s.append('{');
                int n = rnd.nextInt(5);
                List<String> used = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    String name = NAMES[rnd.nextInt(NAMES.length)];
                    if (used.contains(name)) {
                        continue;
                    }
                    used.add(name);
                    s.append(used.size() > 1 ? "," : "").append('"').append(name).append("\":").append(value(rnd, depth + 1));
                }
                s.append('}');
            }
            default -> {
                s.append('[');
                int n = rnd.nextInt(4);
                for (int k = 0; k < n; k++) {
                    s.append(k > 0 ? "," : "").append(value(rnd, depth + 1));
                }
                s.append(']');
            }
        }
        return s.toString();
    }

    @Test
    void membersAreAskedForInOrder() {
        CanonicalJson.Members m = CanonicalJson.parse("{\"a\":1,\"b\":2,\"c\":3}").members();
        assertEquals(CanonicalJson.parse("2"), m.get("b"));
        assertThrows(IllegalStateException.class, () -> m.get("a"));
        assertNull(CanonicalJson.parse("{\"a\":1,\"c\":3}").members().get("b"));
        assertThrows(IllegalStateException.class, () -> CanonicalJson.parse("[1]").members());
        assertThrows(IllegalStateException.class, () -> CanonicalJson.parse("1.5").longValue());
        CanonicalJson.Members n = CanonicalJson.parse("{\"a\":null,\"b\":-7,\"d\":1}").members();
        assertEquals(-1, n.getLong("a", -1));
        assertEquals(-7, n.getLong("b", -1));
        assertEquals(-1, n.getLong("c", -1));
        assertEquals(1, n.getLong("d", -1));
    }
}
