package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Canonical form beyond the reference vectors: key order, escapes, and fixed-point properties. */
class CanonicalJsonTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void sortsKeysByUtf16CodeUnitsNotCodePoints() {
        // U+E000 is a smaller code point than U+1F602 but a larger first UTF-16 unit (0xE000 > 0xD83D).
        String json = "{\"\uE000\":1,\"\uD83D\uDE02\":2,\"z\":3,\"Z\":4,\"\":5,\"aa\":6,\"a\":7,\"\u00e9\":8}";
        assertEquals("{\"\":5,\"Z\":4,\"a\":7,\"aa\":6,\"z\":3,\"\u00e9\":8,\"\uD83D\uDE02\":2,\"\uE000\":1}",
                CanonicalJson.canonicalize(json));
        // Keys sort by their unescaped form.
        assertEquals("{\"\\n\":1,\"A\":2,\"b\":3}", CanonicalJson.canonicalize("{\"b\":3,\"\\u0041\":2,\"\\n\":1}"));
    }

    @Test
    void escapesExactlyWhatRfc8785Escapes() {
        StringBuilder raw = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            raw.append(c);
        }
        raw.append("\"\\/\u007f\u0080\u2028\u2029\uFEFF\uD83D\uDE02<>&'");
        String expected = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
                + "\\\"\\\\/\u007f\u0080\u2028\u2029\uFEFF\uD83D\uDE02<>&'\"";
        assertEquals(expected, CanonicalJson.ofString(raw.toString()).text());
        assertEquals(expected, CanonicalJson.of(NODES.textNode(raw.toString())).text());
        // The same string written with every escape JSON allows reads to the same canonical text.
        StringBuilder escaped = new StringBuilder("\"");
        raw.toString().chars().forEach(c -> escaped.append(String.format("\\u%04X", c)));
        escaped.append('"');
        assertEquals(expected, CanonicalJson.canonicalize(escaped.toString()));
    }

    @Test
    void dropsInsignificantWhiteSpaceOnly() {
        assertEquals("{\"a b\":[1,\" x \",{}]}", CanonicalJson.canonicalize(" \r\n\t{ \"a b\" :\n[ 1 ,\t\" x \" , { } ] }\n"));
        assertEquals("true", CanonicalJson.canonicalize(" true "));
        assertEquals("\"\"", CanonicalJson.canonicalize("\"\""));
        assertEquals("[]", CanonicalJson.canonicalize("[ ]"));
    }

    @Test
    void valuesAndConstants() {
        assertEquals("null", CanonicalJson.NULL.text());
        assertEquals("{}", CanonicalJson.EMPTY_OBJECT.text());
        assertEquals(CanonicalJson.EMPTY_OBJECT, CanonicalJson.parse("{ }"));
        CanonicalJson a = CanonicalJson.parse("{\"b\":1,\"a\":2}");
        CanonicalJson b = CanonicalJson.parse("{\"a\":2.0,\"b\":1e0}");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a.text(), a.toString());
        assertNotEquals(a, CanonicalJson.parse("{\"a\":2,\"b\":1,\"c\":null}"));
        // toUtf8 hands out a copy.
        byte[] bytes = a.toUtf8();
        bytes[0] = 'X';
        assertEquals('{', a.toUtf8()[0]);
        assertEquals(a.text().getBytes(StandardCharsets.UTF_8).length, a.utf8Length());
        CanonicalJson unicode = CanonicalJson.ofString("\u00e9\u20ac\uD83D\uDE02");
        assertEquals(2 + 2 + 3 + 4, unicode.utf8Length());
    }

    /**
     * Doubles whose canonical form is an integer literal beyond 2^53 (1e20 prints as
     * 100000000000000000000) must parse back to themselves; otherwise a stored payload would not
     * decode.
     */
    @Test
    void canonicalTextOfLargeDoublesParsesBack() {
        for (double d : new double[] {1e17, 1e20, 123456789012345678e3, Math.pow(2, 64), 999999999999999900000.0, -4e20}) {
            CanonicalJson c = CanonicalJson.of(DoubleNode.valueOf(d));
            assertEquals(c, CanonicalJson.parse(c.text()), () -> "for " + d);
            assertEquals(c, CanonicalJson.of(c.toJsonNode()), () -> "for " + d);
            assertEquals(d, Double.parseDouble(c.text()), 0.0);
        }
        // An integer literal that names a representable double exactly is fine; one that would
        // lose a digit is not.
        assertEquals("18446744073709552000", CanonicalJson.canonicalize("18446744073709551616"));
        assertEquals("1e+21", CanonicalJson.canonicalize("1000000000000000000000"));
    }

    /**
     * For random JSON trees (nested objects and arrays; strings with controls, quotes, non-ASCII
     * and surrogate pairs; integers; random doubles): canonical text is a fixed point, the Jackson
     * tree and the UTF-8 bytes both give the same value back, keys come out sorted, and the text
     * holds no insignificant white space.
     */
    @Test
    void randomTreesAreFixedPoints() {
        long seed = 8785;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2_000; i++) {
            JsonNode tree = randomValue(random, 0);
            try {
                CanonicalJson c = CanonicalJson.of(tree);
                assertEquals(c, CanonicalJson.parse(c.text()));
                assertEquals(c, CanonicalJson.parse(c.toUtf8()));
                assertEquals(c, CanonicalJson.of(c.toJsonNode()));
                assertEquals(c, CanonicalJson.parse(tree.toPrettyString()));
                assertSortedAndCompact(c.toJsonNode(), c.text());
            } catch (AssertionError | RuntimeException e) {
                fail("seed " + seed + ", tree " + i + ": " + tree, e);
            }
        }
    }

    private static void assertSortedAndCompact(JsonNode node, String text) {
        if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            node.properties().forEach(field -> keys.add(field.getKey()));
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(null);
            assertEquals(sorted, keys, () -> "keys not sorted in " + text);
        }
        for (JsonNode child : node) {
            assertSortedAndCompact(child, text);
        }
        if (!node.isContainerNode()) {
            return;
        }
        // Outside strings there is no white space: removing the strings leaves none.
        String withoutStrings = text.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
        assertTrue(withoutStrings.chars().noneMatch(Character::isWhitespace), () -> "white space in " + text);
    }

    static JsonNode randomValue(SplittableRandom random, int depth) {
        int kind = random.nextInt(depth > 4 ? 5 : 7);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextLong(-(1L << 53), (1L << 53) + 1));
            case 3 -> NODES.numberNode(randomFiniteDouble(random));
            case 4 -> NODES.textNode(randomString(random, 12));
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    a.add(randomValue(random, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                int n = random.nextInt(6);
                for (int i = 0; i < n; i++) {
                    o.set(randomString(random, 4), randomValue(random, depth + 1));
                }
                yield o;
            }
        };
    }

    static double randomFiniteDouble(SplittableRandom random) {
        return switch (random.nextInt(3)) {
            case 0 -> random.nextDouble(-1e6, 1e6);
            case 1 -> random.nextInt(-1000, 1000) / 8.0;
            default -> {
                double d;
                do {
                    d = Double.longBitsToDouble(random.nextLong());
                } while (!Double.isFinite(d));
                yield d;
            }
        };
    }

    /** Strings from a palette that exercises every escape rule and UTF-8 length. */
    static String randomString(SplittableRandom random, int maxLength) {
        String[] palette = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u0000", "\u001f", "\u007f", "\u00e9",
            "\u20ac", "\u2028", "\uFFFD", "\uD83D\uDE02", "\uD800\uDC00", "\uDBFF\uDFFF", "<", "'"};
        int n = random.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(palette[random.nextInt(palette.length)]);
        }
        return s.toString();
    }

    @Test
    void utf8BytesAreTheTextEncoded() {
        CanonicalJson c = CanonicalJson.parse("{\"\u20ac\":\"\uD83D\uDE02\"}");
        assertArrayEquals(c.text().getBytes(StandardCharsets.UTF_8), c.toUtf8());
    }
}
