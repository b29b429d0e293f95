package dev.os2.ledger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON value in RFC 8785 canonical form (JSON Canonicalization Scheme): object keys sorted by
 * UTF-16 code units, no insignificant white space, numbers in ECMAScript shortest form, strings
 * with the minimal escapes. The same value always has the same bytes, so it hashes the same
 * everywhere.
 *
 * <p>Parsing is strict. It refuses, with an {@link InvalidPayloadException} naming the
 * {@link InvalidPayloadException.Reason}: text that is not JSON, duplicate keys, {@code NaN} and
 * infinities, numbers that overflow a double or underflow it to zero, integer literals beyond
 * &plusmn;2<sup>53</sup> (which a double cannot hold exactly; send such identifiers as strings),
 * unpaired surrogates, and nesting deeper than {@link #MAX_DEPTH}.
 *
 * <p>Instances are immutable and thread-safe; equality is equality of the canonical text.
 */
public final class CanonicalJson {

    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 256;

    /** The largest integer magnitude a double holds exactly: 2^53. */
    private static final BigInteger MAX_EXACT_INTEGER = BigInteger.ONE.shiftLeft(53);

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 1).build());
    }

    /** The JSON literal {@code null}. */
    public static final CanonicalJson NULL = new CanonicalJson("null");
    /** An empty object. */
    public static final CanonicalJson EMPTY_OBJECT = new CanonicalJson("{}");

    private final String text;
    private final byte[] utf8;

    private CanonicalJson(String text) {
        this.text = text;
        this.utf8 = text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses JSON text and brings it to canonical form.
     *
     * @throws InvalidPayloadException if the text is not JSON that has a canonical form
     * @throws NullPointerException never: a null argument is reported as {@link InvalidPayloadException.Reason#NULL}
     */
    public static CanonicalJson parse(String json) {
        if (json == null) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NULL, "payload is null; send the JSON literal null instead");
        }
        return of(readTree(json));
    }

    /**
     * Parses UTF-8 encoded JSON and brings it to canonical form. Malformed UTF-8 is refused.
     *
     * @throws InvalidPayloadException if the bytes are not JSON that has a canonical form
     */
    public static CanonicalJson parse(byte[] utf8Json) {
        if (utf8Json == null) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NULL, "payload is null; send the JSON literal null instead");
        }
        return of(readTree(utf8Json));
    }

    /**
     * Canonical form of a Jackson tree. Binary and POJO nodes are refused; decimal nodes are
     * converted to the nearest double, as RFC 8785 requires.
     *
     * @throws InvalidPayloadException if the tree has no canonical form
     */
    public static CanonicalJson of(JsonNode node) {
        if (node == null) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NULL, "payload is null; use NullNode for the JSON literal null");
        }
        StringBuilder out = new StringBuilder(64);
        write(node, out, 0);
        return new CanonicalJson(out.toString());
    }

    /** A JSON string value; refuses unpaired surrogates. */
    public static CanonicalJson ofString(String value) {
        Objects.requireNonNull(value, "value");
        StringBuilder out = new StringBuilder(value.length() + 2);
        writeString(value, out);
        return new CanonicalJson(out.toString());
    }

    /** Shorthand for {@code parse(json).text()}. */
    public static String canonicalize(String json) {
        return parse(json).text();
    }

    /** The canonical text. */
    public String text() {
        return text;
    }

    /** A copy of the canonical text in UTF-8. */
    public byte[] toUtf8() {
        return utf8.clone();
    }

    /** Length of the canonical UTF-8 bytes. */
    public int utf8Length() {
        return utf8.length;
    }

    /** The canonical bytes without copying; callers must not modify them. */
    byte[] utf8Unsafe() {
        return utf8;
    }

    /** A fresh, mutable Jackson tree of this value. */
    public JsonNode toJsonNode() {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("canonical text failed to parse: " + text, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanonicalJson c && text.equals(c.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The canonical text. */
    @Override
    public String toString() {
        return text;
    }

    // ---------------------------------------------------------------------------------------------

    private static JsonNode readTree(Object source) {
        try {
            JsonNode node = source instanceof String s ? MAPPER.readTree(s) : MAPPER.readTree((byte[]) source);
            if (node == null || node.isMissingNode()) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_JSON, "payload is empty: expected a JSON value");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.TOO_DEEP,
                    "JSON nests deeper than " + MAX_DEPTH + " levels", e);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Duplicate field")) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.DUPLICATE_KEY,
                        "JSON has a duplicate key: " + msg + location(e), e);
            }
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_JSON,
                    "not valid JSON: " + msg + location(e), e);
        } catch (IOException e) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_JSON, "not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static void write(JsonNode node, StringBuilder out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.TOO_DEEP, "JSON nests deeper than " + MAX_DEPTH + " levels");
        }
        switch (node.getNodeType()) {
            case NULL -> out.append("null");
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> writeNumber(node, out);
            case ARRAY -> {
                out.append('[');
                boolean first = true;
                for (JsonNode element : node) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    write(element, out, depth + 1);
                }
                out.append(']');
            }
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.size());
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    fields.add(it.next());
                }
                // String.compareTo compares UTF-16 code units, exactly the order RFC 8785 asks for.
                fields.sort(Map.Entry.comparingByKey());
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> field : fields) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    writeString(field.getKey(), out);
                    out.append(':');
                    write(field.getValue(), out, depth + 1);
                }
                out.append('}');
            }
            case BINARY, POJO, MISSING -> throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_JSON,
                    "a " + node.getNodeType() + " node is not a JSON value");
        }
    }

    private static void writeNumber(JsonNode node, StringBuilder out) {
        if (node.isIntegralNumber()) {
            BigInteger value = node.bigIntegerValue();
            if (value.abs().compareTo(MAX_EXACT_INTEGER) > 0) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.NUMBER_OUT_OF_RANGE,
                        "integer " + abbreviate(value.toString()) + " is beyond 2^53, which a double cannot hold exactly; send it as a string");
            }
            out.append(value.longValue());
            return;
        }
        double d;
        if (node.isBigDecimal()) {
            BigDecimal exact = node.decimalValue();
            d = Double.parseDouble(exact.toString());
            if (Double.isInfinite(d) || (d == 0.0 && exact.signum() != 0)) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.NUMBER_OUT_OF_RANGE,
                        "number " + abbreviate(exact.toString()) + " is outside the range of an IEEE-754 double");
            }
        } else {
            d = node.doubleValue();
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NON_FINITE_NUMBER,
                    "JSON has no " + d + "; send a string or null instead");
        }
        appendEcmaScriptNumber(d, out);
    }

    /**
     * Appends {@code d} formatted as ECMAScript's Number.prototype.toString does (ECMA-262
     * 7.1.12.1), which RFC 8785 adopts. Relies on {@link Double#toString(double)} producing the
     * shortest digits that round-trip, which holds from JDK 19 on.
     */
    static void appendEcmaScriptNumber(double d, StringBuilder out) {
        if (d == 0.0) {
            out.append('0'); // also -0
            return;
        }
        if (d < 0) {
            out.append('-');
            d = -d;
        }
        String s = Double.toString(d);
        String digits;
        int n; // value = 0.digits * 10^n
        int e = s.indexOf('E');
        if (e >= 0) {
            String mantissa = s.substring(0, e);
            int exp = Integer.parseInt(s.substring(e + 1));
            int dot = mantissa.indexOf('.');
            digits = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
            n = exp + dot;
        } else {
            int dot = s.indexOf('.');
            digits = s.substring(0, dot) + s.substring(dot + 1);
            n = dot;
        }
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        digits = digits.substring(lead);
        n -= lead;
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        digits = digits.substring(0, end);
        int k = digits.length();
        if (k <= n && n <= 21) {
            out.append(digits);
            out.append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int exp = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(exp < 0 ? '-' : '+').append(Math.abs(exp));
        }
    }

    /**
     * Appends {@code s} as a JSON string with RFC 8785's escapes: {@code \"}, {@code \\}, the
     * short escapes {@code \b \f \n \r \t}, <code>&#92;u00XX</code> (lowercase) for other control
     * characters, and every other character as it is.
     *
     * @throws InvalidPayloadException if {@code s} holds an unpaired surrogate
     */
    static void writeString(String s, StringBuilder out) {
        out.append('"');
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    } else if (Character.isSurrogate(c)) {
                        if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            throw new InvalidPayloadException(InvalidPayloadException.Reason.LONE_SURROGATE,
                                    String.format("string has an unpaired surrogate U+%04X at index %d; it has no UTF-8 form", (int) c, i));
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
