package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CanonicalWriter} against {@link CanonicalJson#of}, the tree path it replaces on hot
 * paths: over random values, writing a value member by member in sorted order (sometimes
 * embedding a canonical sub-value) gives the same bytes as canonicalising its tree, and refuses
 * exactly what the tree path refuses, for the same reason.
 */
class CanonicalWriterTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int VALUES = 20_000;

    /** Characters strings are made of: ASCII, every escape, 2-, 3- and 4-byte UTF-8, BOM, line separators. */
    private static final String[] PIECES = {"a", "Z", "0", " ", "_", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000",
        "\u001f", "\u007f", "\u0080", "\u00e9", "\u07ff", "\u0800", "\u2028", "\uFEFF", "\uFFFF", "\uE000",
        "\uD83D\uDE02", "\uDBFF\uDFFF", "key", "payload"};

    @Test
    void writesWhatTheTreePathWritesOverRandomValues() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        CanonicalWriter w = new CanonicalWriter();
        for (int i = 0; i < VALUES; i++) {
            JsonNode tree = value(rnd, 0, rnd.nextInt(50) == 0);
            String expected;
            try {
                expected = CanonicalJson.of(tree).text();
            } catch (InvalidPayloadException e) {
                expected = "refused " + e.reason();
            }
            String actual;
            try {
                write(tree, w.reset(), rnd);
                CanonicalJson written = w.toCanonicalJson();
                actual = written.text();
                if (!expected.startsWith("refused ")) {
                    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), written.toUtf8(), "seed " + seed + ", value " + i);
                    assertEquals(CanonicalJson.parse(expected), written, "seed " + seed + ", value " + i);
                    assertEquals(CanonicalJson.parse(expected).hashCode(), written.hashCode(), "seed " + seed + ", value " + i);
                }
            } catch (InvalidPayloadException e) {
                actual = "refused " + e.reason();
            }
            if (!expected.equals(actual)) {
                fail("seed " + seed + ", value " + i + ": " + tree + "\n tree path: " + expected + "\n writer:    " + actual);
            }
        }
    }

    /** Writes {@code node} through the writer, members sorted; now and then embeds a sub-value canonicalised on its own. */
    private static void write(JsonNode node, CanonicalWriter w, SplittableRandom rnd) {
        if (rnd.nextInt(6) == 0) {
            CanonicalJson embedded;
            try {
                embedded = CanonicalJson.of(node);
            } catch (InvalidPayloadException refused) {
                embedded = null; // written piece by piece instead, where the writer must refuse it too
            }
            if (embedded != null) {
                w.value(embedded);
                return;
            }
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
                members.sort(Map.Entry.comparingByKey());
                w.beginObject();
                for (Map.Entry<String, JsonNode> m : members) {
                    w.name(m.getKey());
                    write(m.getValue(), w, rnd);
                }
                w.endObject();
            }
            case ARRAY -> {
                w.beginArray();
                for (JsonNode e : node) {
                    write(e, w, rnd);
                }
                w.endArray();
            }
            case STRING -> w.value(node.textValue());
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    w.value(node.longValue());
                } else {
                    w.value(node.doubleValue());
                }
            }
            case BOOLEAN -> w.value(node.booleanValue());
            case NULL -> w.nullValue();
            default -> throw new IllegalStateException("unexpected node " + node.getNodeType());
        }
    }

    private static JsonNode value(SplittableRandom rnd, int depth, boolean allowBad) {
        int kind = depth > 4 ? rnd.nextInt(5) : rnd.nextInt(7);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(rnd.nextBoolean());
            case 2 -> NODES.textNode(string(rnd, allowBad));
            case 3 -> NODES.numberNode(integer(rnd));
            case 4 -> rnd.nextInt(3) == 0 ? NODES.numberNode(number(rnd, allowBad)) : NODES.numberNode(rnd.nextInt(-5, 5));
            case 5 -> {
                ObjectNode o = NODES.objectNode();
                int n = rnd.nextInt(6);
                for (int i = 0; i < n; i++) {
                    o.set(string(rnd, allowBad && rnd.nextInt(4) == 0), value(rnd, depth + 1, allowBad));
                }
                yield o;
            }
            default -> {
                ArrayNode a = NODES.arrayNode();
                int n = rnd.nextInt(5);
                for (int i = 0; i < n; i++) {
                    a.add(value(rnd, depth + 1, allowBad));
                }
                yield a;
            }
        };
    }

    private static String string(SplittableRandom rnd, boolean allowBad) {
        StringBuilder s = new StringBuilder();
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            s.append(PIECES[rnd.nextInt(PIECES.length)]);
        }
        if (allowBad && rnd.nextInt(3) == 0) {
            s.insert(rnd.nextInt(s.length() + 1), rnd.nextBoolean() ? '\uD800' : '\uDC00'); // a lone surrogate
        }
        return s.toString();
    }

    private static long integer(SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextLong(-1000, 1000);
            case 1 -> rnd.nextLong();                                   // mostly beyond 2^53: often refused
            case 2 -> (rnd.nextBoolean() ? 1 : -1) * ((1L << 53) - rnd.nextInt(3) + rnd.nextInt(3)); // around 2^53
            case 3 -> (rnd.nextBoolean() ? 1 : -1) * (1L << (54 + rnd.nextInt(9))); // exact doubles beyond 2^53
            case 4 -> Long.MIN_VALUE + rnd.nextInt(2);
            default -> rnd.nextLong(1L << 40);
        };
    }

    private static double number(SplittableRandom rnd, boolean allowBad) {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextDouble() * Math.pow(10, rnd.nextInt(-30, 30));
            case 1 -> Double.longBitsToDouble(rnd.nextLong() & 0x7fefffffffffffffL); // any finite positive
            case 2 -> -Double.MIN_VALUE * rnd.nextInt(1, 100);                         // subnormal
            case 3 -> rnd.nextInt(-100, 100) / 8.0;
            case 4 -> allowBad ? (rnd.nextBoolean() ? Double.NaN : Double.NEGATIVE_INFINITY) : 1e21;
            default -> -0.0;
        };
    }

    @Test
    void refusesNestingAsTheTreePathDoes() {
        for (int depth : new int[] {255, 256, 257}) {
            JsonNode tree = NODES.arrayNode();
            for (int i = 1; i < depth; i++) {
                tree = NODES.arrayNode().add(tree);
            }
            String expected = outcome(tree, null);
            CanonicalWriter w = new CanonicalWriter();
            String direct;
            try {
                for (int i = 0; i < depth; i++) {
                    w.beginArray();
                }
                for (int i = 0; i < depth; i++) {
                    w.endArray();
                }
                direct = w.toCanonicalJson().text();
            } catch (InvalidPayloadException e) {
                direct = "refused " + e.reason();
            }
            assertEquals(expected, direct, "depth " + depth);
            // A value 250 deep embedded under `depth - 250` arrays nests `depth` deep in all.
            JsonNode inner = NODES.arrayNode();
            for (int i = 1; i < 250; i++) {
                inner = NODES.arrayNode().add(inner);
            }
            CanonicalJson embedded = CanonicalJson.of(inner);
            String viaEmbedding;
            try {
                w.reset();
                for (int i = 0; i < depth - 250; i++) {
                    w.beginArray();
                }
                w.value(embedded);
                for (int i = 0; i < depth - 250; i++) {
                    w.endArray();
                }
                viaEmbedding = w.toCanonicalJson().text();
            } catch (InvalidPayloadException e) {
                viaEmbedding = "refused " + e.reason();
            }
            assertEquals(expected, viaEmbedding, "depth " + depth + " with an embedded value");
        }
    }

    private static String outcome(JsonNode tree, String unused) {
        try {
            return CanonicalJson.of(tree).text();
        } catch (InvalidPayloadException e) {
            return "refused " + e.reason();
        }
    }

    @Test
    void countsTheNestingOfParsedValues() {
        assertEquals(0, CanonicalJson.parse("\"[{\\\"[\"").nestingDepth());
        assertEquals(1, CanonicalJson.parse("{\"a\":\"]]]\\\\\"}").nestingDepth());
        assertEquals(4, CanonicalJson.parse("[[],{\"a\":[{}]}]").nestingDepth());
        assertEquals(2, new CanonicalWriter().beginArray().value(CanonicalJson.parse("{}")).endArray().toCanonicalJson().nestingDepth());
    }

    @Test
    void refusesMembersOutOfCanonicalOrder() {
        CanonicalWriter w = new CanonicalWriter().beginObject().name("b").value(1);
        assertThrows(IllegalStateException.class, () -> w.name("a"));
        assertThrows(IllegalStateException.class, () -> w.name("b"));
        // UTF-16 code units, not code points: U+E000 sorts after the surrogate pair of U+1F602.
        new CanonicalWriter().beginObject().name("\uD83D\uDE02").value(1).name("\uE000").value(2).endObject().toCanonicalJson();
        CanonicalWriter code = new CanonicalWriter().beginObject().name("\uE000").value(1);
        assertThrows(IllegalStateException.class, () -> code.name("\uD83D\uDE02"));
    }

    @Test
    void refusesMisuse() {
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().toCanonicalJson());
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().beginObject().toCanonicalJson());
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().beginObject().value(1));
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().beginObject().name("a").endObject());
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().beginObject().endArray());
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().beginArray().name("a"));
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().value(1).value(2));
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().name("a"));
        assertThrows(NullPointerException.class, () -> new CanonicalWriter().beginObject().name(null));
    }

    @Test
    void isReusableAndWritesNullForNullValues() {
        CanonicalWriter w = new CanonicalWriter();
        assertEquals("{\"a\":null,\"b\":null}", w.beginObject().name("a").value((String) null).name("b").value((CanonicalJson) null)
                .endObject().toCanonicalJson().text());
        assertEquals("[true,false,-9007199254740992,1e+21,\"x\"]", w.beginArray().value(true).value(false).value(-(1L << 53))
                .value(1e21).value("x").endArray().toCanonicalJson().text());
        assertEquals("18446744073709552000", w.value(18446744073709552000.0).toCanonicalJson().text());
        assertThrows(InvalidPayloadException.class, () -> new CanonicalWriter().value((1L << 53) + 1));
    }
}
