package dev.os2.ledger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * infinities, numbers that overflow a double or underflow it to zero, number literals longer
 * than 1000 characters, integer literals beyond &plusmn;2<sup>53</sup> that a double cannot hold
 * (9007199254740993 would silently become ...992; send such identifiers as strings), unpaired
 * surrogates, malformed UTF-8, and nesting of arrays and objects deeper than {@link #MAX_DEPTH}.
 * An integer literal beyond 2<sup>53</sup> is accepted when a double holds it exactly
 * (18446744073709551616) or when it is the canonical form of its nearest double
 * (999999999999999900000), so that canonical text always parses back to itself.
 *
 * <p>Instances are immutable and thread-safe; equality is equality of the canonical text.
 */
public final class CanonicalJson {

    /** Deepest nesting of arrays and objects accepted: {@code []} nests 1 deep, {@code [[]]} 2. */
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

    /** Longest number literal accepted, in characters (Jackson's default, kept explicit). */
    static final int MAX_NUMBER_LENGTH = 1000;

    static {
        // Jackson counts every array and object it enters, the way MAX_DEPTH does.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .build());
    }

    /** The JSON literal {@code null}. */
    public static final CanonicalJson NULL = new CanonicalJson("null");
    /** An empty object. */
    public static final CanonicalJson EMPTY_OBJECT = new CanonicalJson("{}");

    /**
     * The canonical text, made from {@link #utf8} when first asked for if the value was written
     * as bytes ({@link CanonicalWriter}, stored records). Written with a benign race: every
     * thread that makes it makes the same string.
     */
    private String text;
    private final byte[] utf8;
    /** How deeply arrays and objects nest in the value ({@code []} is 1, a scalar 0), or -1 until known. */
    private int nestingDepth = -1;

    private CanonicalJson(String text) {
        this.text = text;
        this.utf8 = text.getBytes(StandardCharsets.UTF_8);
    }

    private CanonicalJson(byte[] utf8, int nestingDepth) {
        this.utf8 = utf8;
        this.nestingDepth = nestingDepth;
    }

    /**
     * Wraps bytes that are canonical JSON already, without checking: the caller guarantees it
     * (a {@link CanonicalWriter}, or a checked stored record) and hands the array over.
     *
     * @param nestingDepth the value's nesting depth, or -1 if the caller does not know it
     */
    static CanonicalJson ofCanonicalUtf8(byte[] utf8, int nestingDepth) {
        return new CanonicalJson(utf8, nestingDepth);
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
        return of(readTree(decodeUtf8(utf8Json)));
    }

    /**
     * Strict UTF-8: Jackson's own decoder lets overlong forms (C0 AF for '/') and code points
     * beyond U+10FFFF through, which would give one value two byte forms.
     */
    private static String decodeUtf8(byte[] utf8) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            int at = in.position();
            // ED A0..BF xx is a surrogate encoded on its own (CESU-8 style).
            if (at + 1 < utf8.length && (utf8[at] & 0xff) == 0xED && (utf8[at + 1] & 0xE0) == 0xA0) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.LONE_SURROGATE,
                        "payload encodes a surrogate on its own at byte " + at + "; it has no UTF-8 form", e);
            }
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_JSON,
                    "payload is not valid UTF-8 at byte " + at, e);
        }
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

    /**
     * A JSON string value.
     *
     * @throws InvalidPayloadException with {@link InvalidPayloadException.Reason#LONE_SURROGATE}
     *     if {@code value} holds an unpaired surrogate
     * @throws NullPointerException if {@code value} is null (use {@link #NULL} for JSON null)
     */
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
        String t = text;
        if (t == null) {
            t = new String(utf8, StandardCharsets.UTF_8);
            text = t;
        }
        return t;
    }

    /**
     * The value of member {@code name} of this object, or null when it has no such member. The
     * value is read off the canonical bytes, not parsed: a part of a canonical value is canonical
     * as it stands, so it is handed out as it is. O(size of this object).
     *
     * @throws IllegalStateException if this value is not an object
     * @throws NullPointerException if name is null
     */
    public CanonicalJson member(String name) {
        Objects.requireNonNull(name, "name");
        byte[] b = utf8;
        if (b[0] != '{') {
            throw new IllegalStateException("not an object: " + abbreviate(text()));
        }
        int i = 1;
        while (b[i] == '"') {
            int nameEnd = stringEnd(b, i);
            int valueFrom = nameEnd + 1; // after the colon
            int valueTo = valueEnd(b, valueFrom);
            if (nameIs(b, i + 1, nameEnd - 1, name)) {
                return new CanonicalJson(Arrays.copyOfRange(b, valueFrom, valueTo), -1);
            }
            i = valueTo + 1; // past the comma, or past the closing brace
            if (i >= b.length) {
                break;
            }
        }
        return null;
    }

    /**
     * The string this JSON string holds, with its escapes undone.
     *
     * @throws IllegalStateException if this value is not a string
     */
    public String stringValue() {
        byte[] b = utf8;
        if (b[0] != '"') {
            throw new IllegalStateException("not a string: " + abbreviate(text()));
        }
        return stringAt(b, 0, b.length);
    }

    /** The string written at {@code b[from, to)}, quotes included, with its escapes undone. */
    private static String stringAt(byte[] b, int from, int to) {
        int end = to - 1;
        int escape = -1;
        for (int i = from + 1; i < end; i++) {
            if (b[i] == '\\') {
                escape = i;
                break;
            }
        }
        if (escape < 0) {
            return new String(b, from + 1, end - from - 1, StandardCharsets.UTF_8);
        }
        StringBuilder out = new StringBuilder(end - from);
        int start = from + 1;
        for (int i = escape; i < end; i++) {
            if (b[i] != '\\') {
                continue;
            }
            out.append(new String(b, start, i - start, StandardCharsets.UTF_8));
            char c = (char) b[i + 1];
            switch (c) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.US_ASCII), 16));
                    i += 4;
                }
                default -> out.append(c); // the quote or the backslash
            }
            i++;
            start = i + 1;
        }
        out.append(new String(b, start, end - start, StandardCharsets.UTF_8));
        return out.toString();
    }

    /** Whether the string written at {@code b[from, to)}, quotes included, is {@code s}; false when it has escapes or non-ASCII bytes. */
    private static boolean plainStringIs(byte[] b, int from, int to, String s) {
        int n = to - from - 2;
        if (n != s.length()) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            byte c = b[from + 1 + k];
            if (c < 0x20 || c == '\\' || c != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The integer this JSON number holds.
     *
     * @throws IllegalStateException if this value is not an integer within &plusmn;2<sup>53</sup>
     */
    public long longValue() {
        return integer(utf8, 0, utf8.length);
    }

    /** The integer written at {@code b[from, to)}. */
    private static long integer(byte[] b, int from, int to) {
        int i = b[from] == '-' ? from + 1 : from;
        if (i == to || to - i > 16) {
            throw notAnInteger(b, from, to);
        }
        long v = 0;
        for (; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw notAnInteger(b, from, to);
            }
            v = v * 10 + (b[i] - '0');
        }
        if (v > 1L << 53) {
            throw notAnInteger(b, from, to);
        }
        return b[from] == '-' ? -v : v;
    }

    private static IllegalStateException notAnInteger(byte[] b, int from, int to) {
        return new IllegalStateException("not an integer within 2^53: " + abbreviate(new String(b, from, to - from, StandardCharsets.UTF_8)));
    }

    /**
     * The elements of this array, each as the canonical value it is (read off the bytes, not parsed).
     *
     * @throws IllegalStateException if this value is not an array
     */
    public List<CanonicalJson> elements() {
        byte[] b = utf8;
        if (b[0] != '[') {
            throw new IllegalStateException("not an array: " + abbreviate(text()));
        }
        List<CanonicalJson> out = new ArrayList<>();
        elementsAt(b, 0, out);
        return out;
    }

    /** Adds the elements of the array that starts at {@code b[at]} to {@code out}, each copied out; the index after the array. */
    private static int elementsAt(byte[] b, int at, List<CanonicalJson> out) {
        int i = at + 1;
        while (b[i] != ']') {
            int end = valueEnd(b, i);
            out.add(new CanonicalJson(Arrays.copyOfRange(b, i, end), -1));
            i = b[end] == ',' ? end + 1 : end;
        }
        return i + 1;
    }

    /**
     * A reader of this object's members in canonical order: ask for members by name in increasing
     * order (as {@link String#compareTo} orders them, which is the order they are stored in), and
     * each is found by reading on from the last, so reading k members of an object costs one pass
     * over it, not k. The values are read off the bytes, not parsed.
     *
     * @throws IllegalStateException if this value is not an object
     */
    public Members members() {
        if (utf8[0] != '{') {
            throw new IllegalStateException("not an object: " + abbreviate(text()));
        }
        return new Members(utf8);
    }

    /** See {@link CanonicalJson#members()}. Not thread-safe. */
    public static final class Members {
        private final byte[] b;
        /** Where the next unread member's name starts (its opening quote), or the closing brace. */
        private int at = 1;
        private String lastAsked;

        private Members(byte[] b) {
            this(b, 0, -1);
        }

        /** Where the object starts (its opening brace), and the index just past its closing brace, or -1 if not known. */
        private final int from;
        private final int to;

        /** The members of the object whose opening brace is at {@code b[from]}, read in place. */
        private Members(byte[] b, int from) {
            this(b, from, -1);
        }

        private Members(byte[] b, int from, int to) {
            this.b = b;
            this.from = from;
            this.to = to;
            this.at = from + 1;
        }

        /**
         * Whether this object and {@code other}, both read by {@link #getObject}, are the same
         * canonical bytes (and so the same value): a reader of many records that repeat a value
         * (a batch's budgets) then reads it once.
         *
         * @throws IllegalStateException if either was not read by {@link #getObject}
         */
        public boolean sameBytes(Members other) {
            if (to < 0 || other.to < 0) {
                throw new IllegalStateException("only objects read by getObject are compared");
            }
            return Arrays.equals(b, from, to, other.b, other.from, other.to);
        }

        /**
         * The string value of member {@code name}, with its escapes undone, or null when the
         * object has none. When the value is {@code reuse} (which may be null), {@code reuse}
         * itself is returned: a reader of many records that repeat a string (a subject, a
         * capability id) then hands out one instance, whose hash code is computed once and
         * which identity caches recognise.
         *
         * @throws IllegalStateException if {@code name} does not sort after the name asked before,
         *     or the member is not a string
         */
        public String getString(String name, String reuse) {
            int valueFrom = find(name);
            if (valueFrom < 0) {
                return null;
            }
            if (b[valueFrom] != '"') {
                throw new IllegalStateException("member " + name + " is not a string");
            }
            int valueTo = stringEnd(b, valueFrom);
            at = b[valueTo] == ',' ? valueTo + 1 : valueTo;
            if (reuse != null && plainStringIs(b, valueFrom, valueTo, reuse)) {
                return reuse;
            }
            return stringAt(b, valueFrom, valueTo);
        }

        /**
         * The members of object member {@code name}, read in place (nothing is copied), or null
         * when the member is the literal {@code null}. The member must be present.
         *
         * @throws IllegalStateException if {@code name} does not sort after the name asked before,
         *     or the object has no such member, or it is neither an object nor {@code null}
         */
        public Members getObject(String name) {
            int valueFrom = find(name);
            if (valueFrom < 0) {
                throw new IllegalStateException("no member " + name);
            }
            int valueTo = valueEnd(b, valueFrom);
            at = b[valueTo] == ',' ? valueTo + 1 : valueTo;
            if (b[valueFrom] == 'n') {
                return null;
            }
            if (b[valueFrom] != '{') {
                throw new IllegalStateException("member " + name + " is not an object");
            }
            return new Members(b, valueFrom, valueTo);
        }

        /**
         * The value of member {@code name}, or null when the object has none; the next call must
         * name a member that sorts after this one.
         *
         * @throws IllegalStateException if {@code name} does not sort after the name asked before
         */
        public CanonicalJson get(String name) {
            int valueFrom = find(name);
            if (valueFrom < 0) {
                return null;
            }
            int valueTo = valueEnd(b, valueFrom);
            at = b[valueTo] == ',' ? valueTo + 1 : valueTo;
            return new CanonicalJson(Arrays.copyOfRange(b, valueFrom, valueTo), -1);
        }

        /**
         * The integer value of member {@code name}, or {@code absent} when the object has none or
         * the member is {@code null}: the same as {@code get(name).longValue()}, without making
         * the member a value of its own.
         *
         * @throws IllegalStateException if {@code name} does not sort after the name asked before,
         *     or the member is not an integer within &plusmn;2<sup>53</sup>
         */
        public long getLong(String name, long absent) {
            int valueFrom = find(name);
            if (valueFrom < 0) {
                return absent;
            }
            int valueTo = valueEnd(b, valueFrom);
            at = b[valueTo] == ',' ? valueTo + 1 : valueTo;
            if (b[valueFrom] == 'n') {
                return absent;
            }
            return integer(b, valueFrom, valueTo);
        }

        /**
         * The elements of array member {@code name}, or null when the object has none: the same as
         * {@code get(name).elements()}, in one pass over the array instead of two.
         *
         * @throws IllegalStateException if {@code name} does not sort after the name asked before,
         *     or the member is not an array
         */
        public List<CanonicalJson> elements(String name) {
            int valueFrom = find(name);
            if (valueFrom < 0) {
                return null;
            }
            if (b[valueFrom] != '[') {
                throw new IllegalStateException("member " + name + " is not an array");
            }
            List<CanonicalJson> out = new ArrayList<>();
            int valueTo = elementsAt(b, valueFrom, out);
            at = b[valueTo] == ',' ? valueTo + 1 : valueTo;
            return out;
        }

        /**
         * The elements of array member {@code name}, each an object read in place as it is asked
         * for (nothing is copied, and the array is read once: each element is read on from where
         * the reader of the one before stopped), or null when the object has none. While the
         * elements are read, this object's later members cannot be.
         *
         * @throws IllegalStateException if {@code name} does not sort after the name asked before,
         *     or the member is not an array
         */
        public ObjectElements getObjects(String name) {
            int valueFrom = find(name);
            if (valueFrom < 0) {
                return null;
            }
            if (b[valueFrom] != '[') {
                throw new IllegalStateException("member " + name + " is not an array");
            }
            return new ObjectElements(this, valueFrom + 1);
        }

        /** Reads past the members not asked for; the index just past the closing brace. */
        private int end() {
            while (b[at] == '"') {
                int valueTo = valueEnd(b, stringEnd(b, at) + 1);
                at = b[valueTo] == ',' ? valueTo + 1 : valueTo;
            }
            return at + 1;
        }

        /** Where member {@code name}'s value starts, having read past the members before it; -1 when absent. */
        private int find(String name) {
            if (lastAsked != null && lastAsked.compareTo(name) >= 0) {
                throw new IllegalStateException("members are read in canonical order; \"" + name + "\" comes before \""
                        + lastAsked + "\"");
            }
            lastAsked = name;
            while (b[at] == '"') {
                int nameEnd = stringEnd(b, at);
                int order = compareName(b, at + 1, nameEnd - 1, name);
                if (order > 0) {
                    return -1; // the member would have been before this one
                }
                int valueFrom = nameEnd + 1;
                if (order == 0) {
                    return valueFrom;
                }
                int valueTo = valueEnd(b, valueFrom);
                at = b[valueTo] == ',' ? valueTo + 1 : valueTo;
            }
            return -1;
        }
    }

    /** See {@link Members#getObjects}: the object elements of an array member, one after the other. Not thread-safe. */
    public static final class ObjectElements {
        private final Members parent;
        /** Where the next element starts, or the closing bracket; meaningful once {@link #current} is read past. */
        private int at;
        private Members current;
        private boolean done;

        private ObjectElements(Members parent, int at) {
            this.parent = parent;
            this.at = at;
        }

        /**
         * The members of the next element, or null past the last one (the parent object's later
         * members can then be read again).
         *
         * @throws IllegalStateException if the element is not an object
         */
        public Members next() {
            if (done) {
                return null;
            }
            byte[] b = parent.b;
            if (current != null) {
                int i = current.end();
                at = b[i] == ',' ? i + 1 : i;
                current = null;
            }
            if (b[at] == ']') {
                int valueTo = at + 1;
                parent.at = b[valueTo] == ',' ? valueTo + 1 : valueTo;
                done = true;
                return null;
            }
            if (b[at] != '{') {
                throw new IllegalStateException("an element is not an object");
            }
            current = new Members(b, at);
            return current;
        }
    }

    /** The member name at {@code b[from, to)} (without quotes) compared with {@code name}, in UTF-16 order. */
    private static int compareName(byte[] b, int from, int to, String name) {
        int n = to - from;
        int common = Math.min(n, name.length());
        for (int k = 0; k < common; k++) {
            byte c = b[from + k];
            if (c < 0x20 || c == '\\') { // not ASCII, or an escape: compare the decoded name
                return ofCanonicalUtf8(Arrays.copyOfRange(b, from - 1, to + 1), 0).stringValue().compareTo(name);
            }
            if (c != name.charAt(k)) {
                return c - name.charAt(k);
            }
        }
        for (int k = common; k < n; k++) {
            if (b[from + k] < 0x20 || b[from + k] == '\\') {
                return ofCanonicalUtf8(Arrays.copyOfRange(b, from - 1, to + 1), 0).stringValue().compareTo(name);
            }
        }
        return n - name.length();
    }

    /** Whether this is an object. */
    public boolean isObject() {
        return utf8[0] == '{';
    }

    /** Whether this is the literal {@code null}. */
    public boolean isNull() {
        return utf8.length == 4 && utf8[0] == 'n';
    }

    /** The index just past the quote that closes the string whose opening quote is at {@code at}. */
    private static int stringEnd(byte[] b, int at) {
        int i = at + 1;
        while (b[i] != '"') {
            i += b[i] == '\\' ? 2 : 1;
        }
        return i + 1;
    }

    /** The index just past the value that starts at {@code at}: a comma, or the closing bracket of its container, or the end. */
    private static int valueEnd(byte[] b, int at) {
        int depth = 0;
        int i = at;
        while (i < b.length) {
            byte c = b[i];
            if (c == '"') {
                i = stringEnd(b, i);
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
            i++;
        }
        return i;
    }

    /** Whether the member name written at {@code b[from, to)} (without quotes) is {@code name}. */
    private static boolean nameIs(byte[] b, int from, int to, String name) {
        int n = to - from;
        if (n == name.length()) {
            boolean plain = true;
            for (int k = 0; k < n; k++) {
                byte c = b[from + k];
                if (c < 0x20 || c == '\\') { // not ASCII, or an escape: compare the decoded name below
                    plain = false;
                    break;
                }
                if (c != name.charAt(k)) {
                    return false;
                }
            }
            if (plain) {
                return true;
            }
        }
        for (int k = from; k < to; k++) {
            if (b[k] < 0x20 || b[k] == '\\') {
                return ofCanonicalUtf8(Arrays.copyOfRange(b, from - 1, to + 1), 0).stringValue().equals(name);
            }
        }
        return false;
    }

    /**
     * How deeply arrays and objects nest in this value: 0 for a scalar, 1 for {@code []} or
     * <code>{"a":1}</code>, 2 for {@code [[]]}. Counted once, on the canonical bytes, where a
     * bracket outside a string always opens or closes a container.
     */
    int nestingDepth() {
        int d = nestingDepth;
        if (d < 0) {
            d = 0;
            int open = 0;
            boolean inString = false;
            for (int i = 0; i < utf8.length; i++) {
                byte b = utf8[i];
                if (inString) {
                    if (b == '\\') {
                        i++; // the escaped character: never a quote that ends the string
                    } else if (b == '"') {
                        inString = false;
                    }
                } else if (b == '"') {
                    inString = true;
                } else if (b == '[' || b == '{') {
                    d = Math.max(d, ++open);
                } else if (b == ']' || b == '}') {
                    open--;
                }
            }
            nestingDepth = d;
        }
        return d;
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
            return MAPPER.readTree(utf8);
        } catch (IOException e) {
            throw new IllegalStateException("canonical text failed to parse: " + text(), e);
        }
    }

    /** Equal canonical bytes; the same as equal canonical text, since UTF-8 encodes every valid string one way. */
    @Override
    public boolean equals(Object o) {
        return o instanceof CanonicalJson c && Arrays.equals(utf8, c.utf8);
    }

    /** The hash code of the canonical text. */
    @Override
    public int hashCode() {
        return text().hashCode();
    }

    /** The canonical text. */
    @Override
    public String toString() {
        return text();
    }

    // ---------------------------------------------------------------------------------------------

    private static JsonNode readTree(String source) {
        try {
            JsonNode node = MAPPER.readTree(source);
            if (node == null || node.isMissingNode()) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_JSON, "payload is empty: expected a JSON value");
            }
            return node;
        } catch (StreamConstraintsException e) {
            // Jackson reports every limit with this one exception; its message names the limit.
            String msg = String.valueOf(e.getOriginalMessage());
            if (msg.contains("nesting depth")) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.TOO_DEEP,
                        "JSON nests deeper than " + MAX_DEPTH + " levels" + location(e), e);
            }
            if (msg.startsWith("Number value length")) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.NUMBER_OUT_OF_RANGE,
                        "a number literal is longer than " + MAX_NUMBER_LENGTH + " characters" + location(e), e);
            }
            throw new InvalidPayloadException(InvalidPayloadException.Reason.TOO_LARGE,
                    "JSON exceeds a parser limit: " + msg + location(e), e);
        } catch (JsonProcessingException e) {
            String msg = String.valueOf(e.getOriginalMessage());
            if (msg.startsWith("Duplicate field")) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.DUPLICATE_KEY,
                        "JSON has a duplicate key: " + msg + location(e), e);
            }
            if (msg.toLowerCase(java.util.Locale.ROOT).contains("surrogate")) {
                // Jackson itself refuses some unpaired surrogates (in names, or encoded in UTF-8).
                throw new InvalidPayloadException(InvalidPayloadException.Reason.LONE_SURROGATE,
                        "JSON has an unpaired surrogate, which has no UTF-8 form: " + msg + location(e), e);
            }
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_JSON,
                    "not valid JSON: " + msg + location(e), e);
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    /** Writes {@code node}, which sits inside {@code depth} arrays and objects. */
    private static void write(JsonNode node, StringBuilder out, int depth) {
        if (node.isContainerNode() && depth >= MAX_DEPTH) {
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
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
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
            appendInteger(node.bigIntegerValue(), out);
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
     * Appends an integer as canonical JSON: plain decimal up to 2^53 in magnitude; beyond that
     * its nearest double's ECMAScript form when that is exactly the integer or reads back as it.
     *
     * @throws InvalidPayloadException if a double cannot hold the integer
     */
    static void appendInteger(BigInteger value, StringBuilder out) {
        if (value.abs().compareTo(MAX_EXACT_INTEGER) <= 0) {
            out.append(value.longValue());
            return;
        }
        // Beyond 2^53 a double holds only some integers. Accept the literal when it is exactly
        // its nearest double (2^64) or the canonical form of it (so canonical text such as
        // 999999999999999900000 parses again); refuse it when a digit would silently change,
        // as in 9007199254740993.
        double nearest = value.doubleValue();
        StringBuilder canonical = new StringBuilder(24);
        if (!Double.isInfinite(nearest)) {
            appendEcmaScriptNumber(nearest, canonical);
        }
        BigDecimal exact = new BigDecimal(value);
        if (Double.isInfinite(nearest) || (new BigDecimal(nearest).compareTo(exact) != 0
                && new BigDecimal(canonical.toString()).compareTo(exact) != 0)) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NUMBER_OUT_OF_RANGE,
                    "integer " + abbreviate(value.toString()) + " is beyond 2^53 and a double cannot hold it"
                            + (Double.isInfinite(nearest) ? "" : " (the nearest is " + canonical + ")")
                            + "; send it as a string");
        }
        out.append(canonical);
    }

    private static final RoundingMode[] ONE_DIGIT_MODES = {RoundingMode.FLOOR, RoundingMode.CEILING};

    /**
     * Appends {@code d}, a finite double, formatted as ECMAScript's Number::toString does
     * (ECMA-262 Number::toString, radix 10), which RFC 8785 adopts: the fewest significant digits
     * that read back as {@code d}, the closest such to {@code d} (ties to an even last digit),
     * plain notation for 1e-6 &le; |d| &lt; 1e21 and {@code e+}/{@code e-} exponents outside.
     * Starts from {@link Double#toString(double)}, which gives exactly those digits from JDK 19 on
     * except that it may print two where one suffices; that case is settled here.
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
        if (k == 2 && d < Double.MIN_NORMAL) {
            // Double.toString may print two digits where one also round-trips (4.9E-324 for
            // Double.MIN_VALUE); ECMAScript asks for the fewest digits, so look for one. Only
            // subnormals are coarse enough for that: a normal double's neighbours are closer than
            // any two 2-digit decimals, so a 1-digit decimal that reads back is also the closest.
            BigDecimal exact = new BigDecimal(d);
            BigDecimal best = null;
            for (RoundingMode mode : ONE_DIGIT_MODES) {
                BigDecimal candidate = exact.round(new MathContext(1, mode));
                if (Double.parseDouble(candidate.toString()) != d) {
                    continue;
                }
                if (best == null) {
                    best = candidate;
                } else {
                    int closer = candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs());
                    if (closer < 0 || (closer == 0 && !candidate.unscaledValue().testBit(0))) {
                        best = candidate;
                    }
                }
            }
            if (best != null) {
                digits = best.unscaledValue().toString();
                n = 1 - best.scale();
                k = 1;
            }
        }
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
