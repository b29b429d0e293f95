package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import dev.os2.ledger.InvalidPayloadException.Reason;

/**
 * Every payload that has no canonical form is refused with the right {@link Reason}, whether it
 * arrives as JSON text, UTF-8 bytes or a Jackson tree; and the limits accept their boundary.
 */
class CanonicalJsonRefusalTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static Stream<Arguments> badText() {
        return Stream.of(
                Arguments.of("NaN", Reason.NON_FINITE_NUMBER),
                Arguments.of("[NaN]", Reason.NON_FINITE_NUMBER),
                Arguments.of("{\"x\":NaN}", Reason.NON_FINITE_NUMBER),
                Arguments.of("Infinity", Reason.NON_FINITE_NUMBER),
                Arguments.of("[1,Infinity]", Reason.NON_FINITE_NUMBER),
                Arguments.of("-Infinity", Reason.NON_FINITE_NUMBER),
                Arguments.of("{\"x\":[-Infinity]}", Reason.NON_FINITE_NUMBER),
                Arguments.of("\"\\ud800\"", Reason.LONE_SURROGATE),
                Arguments.of("\"\\udc00\"", Reason.LONE_SURROGATE),
                Arguments.of("\"a\\ud800b\"", Reason.LONE_SURROGATE),
                Arguments.of("\"\\ude02\\ud83d\"", Reason.LONE_SURROGATE),
                Arguments.of("[\"ok\",\"\\ud83d\"]", Reason.LONE_SURROGATE),
                Arguments.of("{\"k\":\"\\udfff\"}", Reason.LONE_SURROGATE),
                Arguments.of("{\"\\ud800\":1}", Reason.LONE_SURROGATE),
                Arguments.of("{\"\\udc00\":1}", Reason.LONE_SURROGATE),
                Arguments.of("{\"a\\ud800\":1}", Reason.LONE_SURROGATE),
                Arguments.of("{\"a\":{\"\\udbff\":true}}", Reason.LONE_SURROGATE),
                Arguments.of("{\"a\":1,\"a\":2}", Reason.DUPLICATE_KEY),
                Arguments.of("{\"a\":1,\"b\":2,\"a\":1}", Reason.DUPLICATE_KEY),
                Arguments.of("{\"x\":{\"a\":1,\"a\":2}}", Reason.DUPLICATE_KEY),
                Arguments.of("[{\"y\":[{\"k\":null,\"k\":null}]}]", Reason.DUPLICATE_KEY),
                Arguments.of("{\"\\u0061\":1,\"a\":2}", Reason.DUPLICATE_KEY),
                Arguments.of("1e400", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("[-1e400]", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("{\"tiny\":1e-400}", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("-1e-400", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("1.8e308", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("2e-324", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("9007199254740993", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("-9007199254740993", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("[12345678901234567890]", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("{\"id\":9223372036854775807}", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("1" + "0".repeat(400), Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("1" + "0".repeat(CanonicalJson.MAX_NUMBER_LENGTH), Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("0." + "0".repeat(CanonicalJson.MAX_NUMBER_LENGTH) + "1", Reason.NUMBER_OUT_OF_RANGE),
                Arguments.of("", Reason.INVALID_JSON),
                Arguments.of("   \n\t ", Reason.INVALID_JSON),
                Arguments.of("{", Reason.INVALID_JSON),
                Arguments.of("[1,]", Reason.INVALID_JSON),
                Arguments.of("{'a':1}", Reason.INVALID_JSON),
                Arguments.of("{a:1}", Reason.INVALID_JSON),
                Arguments.of("[01]", Reason.INVALID_JSON),
                Arguments.of("+1", Reason.INVALID_JSON),
                Arguments.of(".5", Reason.INVALID_JSON),
                Arguments.of("\"tab\there\"", Reason.INVALID_JSON),
                Arguments.of("// comment\n1", Reason.INVALID_JSON),
                Arguments.of("undefined", Reason.INVALID_JSON),
                Arguments.of("nul", Reason.INVALID_JSON),
                Arguments.of("1 2", Reason.INVALID_JSON),
                Arguments.of("{} x", Reason.INVALID_JSON),
                Arguments.of("[1]]", Reason.INVALID_JSON),
                Arguments.of("{}{}", Reason.INVALID_JSON),
                Arguments.of("null null", Reason.INVALID_JSON),
                Arguments.of("\"unterminated", Reason.INVALID_JSON),
                Arguments.of("[".repeat(CanonicalJson.MAX_DEPTH + 1) + "]".repeat(CanonicalJson.MAX_DEPTH + 1), Reason.TOO_DEEP),
                Arguments.of("{\"a\":".repeat(CanonicalJson.MAX_DEPTH + 1) + "1" + "}".repeat(CanonicalJson.MAX_DEPTH + 1), Reason.TOO_DEEP),
                Arguments.of("[".repeat(100_000), Reason.TOO_DEEP));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badText")
    void refusesBadText(String json, Reason reason) {
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> CanonicalJson.parse(json));
        assertEquals(reason, e.reason(), e::getMessage);
        assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "an empty message");
        InvalidPayloadException fromBytes = assertThrows(InvalidPayloadException.class,
                () -> CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(reason, fromBytes.reason(), fromBytes::getMessage);
    }

    @Test
    void refusesNull() {
        assertEquals(Reason.NULL, assertThrows(InvalidPayloadException.class, () -> CanonicalJson.parse((String) null)).reason());
        assertEquals(Reason.NULL, assertThrows(InvalidPayloadException.class, () -> CanonicalJson.parse((byte[]) null)).reason());
        assertEquals(Reason.NULL, assertThrows(InvalidPayloadException.class, () -> CanonicalJson.of(null)).reason());
        assertThrows(NullPointerException.class, () -> CanonicalJson.ofString(null));
        // The JSON literal null is a value, not a missing one.
        assertEquals(CanonicalJson.NULL, CanonicalJson.parse("null"));
    }

    @Test
    void refusesMalformedUtf8() {
        byte[][] bad = {
            {'"', (byte) 0xff, '"'},
            {'"', (byte) 0xc3, '"'},                                   // a lead byte without its continuation
            {'"', (byte) 0xc0, (byte) 0xaf, '"'},                      // overlong '/'
            {'"', (byte) 0xe0, (byte) 0x80, (byte) 0xaf, '"'},         // overlong '/' in three bytes
            {'"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // beyond U+10FFFF
            {'[', '"', 'a', '"', ',', (byte) 0x80, ']'},               // a continuation byte alone
        };
        for (byte[] b : bad) {
            InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> CanonicalJson.parse(b));
            assertEquals(Reason.INVALID_JSON, e.reason(), e::getMessage);
        }
        // A surrogate encoded on its own in UTF-8 (CESU-8 style) is a lone surrogate.
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class,
                () -> CanonicalJson.parse(new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}));
        assertEquals(Reason.LONE_SURROGATE, e.reason(), e::getMessage);
    }

    @Test
    void loneSurrogatesInJavaStrings() {
        // Raw (unescaped) lone surrogates in a Java string, in values and in keys.
        for (String json : new String[] {"\"\uD800\"", "[\"x\uDC00\"]", "{\"\uD83D\":1}", "{\"k\":{\"\uDE02x\":[]}}"}) {
            InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> CanonicalJson.parse(json));
            assertEquals(Reason.LONE_SURROGATE, e.reason(), () -> json + ": " + e.getMessage());
        }
        assertEquals(Reason.LONE_SURROGATE, assertThrows(InvalidPayloadException.class, () -> CanonicalJson.ofString("a\uD800")).reason());
        assertEquals(Reason.LONE_SURROGATE, assertThrows(InvalidPayloadException.class, () -> CanonicalJson.ofString("\uDFFF")).reason());
        // A well-formed pair is fine, escaped or not.
        assertEquals("\"\uD83D\uDE02\"", CanonicalJson.canonicalize("\"\\ud83d\\ude02\""));
        assertEquals("\"\uD83D\uDE02\"", CanonicalJson.ofString("\uD83D\uDE02").text());
    }

    static Stream<Arguments> badTrees() {
        return Stream.<Arguments>of(
                tree("NaN double", () -> DoubleNode.valueOf(Double.NaN), Reason.NON_FINITE_NUMBER),
                tree("+Infinity double", () -> DoubleNode.valueOf(Double.POSITIVE_INFINITY), Reason.NON_FINITE_NUMBER),
                tree("-Infinity in an array", () -> NODES.arrayNode().add(1).add(Double.NEGATIVE_INFINITY), Reason.NON_FINITE_NUMBER),
                tree("NaN float", () -> FloatNode.valueOf(Float.NaN), Reason.NON_FINITE_NUMBER),
                tree("lone high surrogate value", () -> TextNode.valueOf("\uD800"), Reason.LONE_SURROGATE),
                tree("lone low surrogate value", () -> NODES.objectNode().put("k", "x\uDC00"), Reason.LONE_SURROGATE),
                tree("lone high surrogate key", () -> NODES.objectNode().put("\uD800", 1), Reason.LONE_SURROGATE),
                tree("lone low surrogate nested key", () -> {
                    ObjectNode o = NODES.objectNode();
                    o.putObject("a").putArray("b").addObject().put("\uDC00z", true);
                    return o;
                }, Reason.LONE_SURROGATE),
                tree("long beyond 2^53", () -> LongNode.valueOf((1L << 53) + 1), Reason.NUMBER_OUT_OF_RANGE),
                tree("Long.MIN_VALUE", () -> LongNode.valueOf(Long.MIN_VALUE + 1), Reason.NUMBER_OUT_OF_RANGE),
                tree("huge BigInteger", () -> BigIntegerNode.valueOf(BigInteger.TEN.pow(400)), Reason.NUMBER_OUT_OF_RANGE),
                tree("decimal 1e400", () -> DecimalNode.valueOf(new BigDecimal("1e400")), Reason.NUMBER_OUT_OF_RANGE),
                tree("decimal -1e400", () -> DecimalNode.valueOf(new BigDecimal("-1e400")), Reason.NUMBER_OUT_OF_RANGE),
                tree("decimal 1e-400", () -> DecimalNode.valueOf(new BigDecimal("1e-400")), Reason.NUMBER_OUT_OF_RANGE),
                tree("binary node", () -> BinaryNode.valueOf(new byte[] {1, 2}), Reason.INVALID_JSON),
                tree("POJO node", () -> new POJONode(new Object()), Reason.INVALID_JSON),
                tree("missing node", MissingNode::getInstance, Reason.INVALID_JSON),
                tree("arrays too deep", () -> nestedArrays(CanonicalJson.MAX_DEPTH + 1), Reason.TOO_DEEP),
                tree("objects too deep", () -> nestedObjects(CanonicalJson.MAX_DEPTH + 1), Reason.TOO_DEEP));
    }

    private static Arguments tree(String name, Supplier<JsonNode> node, Reason reason) {
        return Arguments.of(name, node, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTrees")
    void refusesBadTrees(String name, Supplier<JsonNode> node, Reason reason) {
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> CanonicalJson.of(node.get()));
        assertEquals(reason, e.reason(), e::getMessage);
    }

    @Test
    void limitsAcceptTheirBoundary() {
        // 2^53 is the largest integer every double neighbourhood holds exactly; it is accepted.
        assertEquals("9007199254740992", CanonicalJson.canonicalize("9007199254740992"));
        assertEquals("-9007199254740992", CanonicalJson.canonicalize("-9007199254740992"));
        assertEquals("9007199254740992", CanonicalJson.of(LongNode.valueOf(1L << 53)).text());
        assertEquals("-9007199254740992", CanonicalJson.of(LongNode.valueOf(-(1L << 53))).text());
        // Exactly MAX_DEPTH levels of arrays, of objects, and of both mixed.
        int max = CanonicalJson.MAX_DEPTH;
        String arrays = "[".repeat(max) + "]".repeat(max);
        assertEquals(arrays, CanonicalJson.canonicalize(arrays));
        String objects = "{\"a\":".repeat(max - 1) + "{}" + "}".repeat(max - 1);
        assertEquals(objects, CanonicalJson.canonicalize(objects));
        String scalarAtBottom = "[".repeat(max) + "\"deep\"" + "]".repeat(max);
        assertEquals(scalarAtBottom, CanonicalJson.canonicalize(scalarAtBottom));
        assertEquals(arrays, CanonicalJson.of(nestedArrays(max)).text());
        assertEquals(objects, CanonicalJson.of(nestedObjects(max)).text());
        // The largest and smallest magnitudes a double has.
        assertEquals("1.7976931348623157e+308", CanonicalJson.canonicalize("1.7976931348623157e308"));
        assertEquals("5e-324", CanonicalJson.canonicalize("5e-324"));
        // A number literal of exactly the length limit is read (and, here, is a fine double).
        String longLiteral = "0." + "1".repeat(CanonicalJson.MAX_NUMBER_LENGTH - 2);
        assertEquals("0.1111111111111111", CanonicalJson.canonicalize(longLiteral));
    }

    /** {@code depth} arrays, each holding the next; the innermost empty. */
    static ArrayNode nestedArrays(int depth) {
        ArrayNode root = NODES.arrayNode();
        ArrayNode cur = root;
        for (int i = 1; i < depth; i++) {
            cur = cur.addArray();
        }
        return root;
    }

    /** {@code depth} objects, each holding the next under "a"; the innermost empty. */
    static ObjectNode nestedObjects(int depth) {
        ObjectNode root = NODES.objectNode();
        ObjectNode cur = root;
        for (int i = 1; i < depth; i++) {
            cur = cur.putObject("a");
        }
        return root;
    }
}
