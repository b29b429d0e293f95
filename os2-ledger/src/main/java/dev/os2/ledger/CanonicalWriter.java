package dev.os2.ledger;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Writes one JSON value directly in RFC 8785 canonical form, as UTF-8, for callers that know the
 * shape of what they write (event payloads, state records). It gives the same bytes as building a
 * Jackson tree and passing it to {@link CanonicalJson#of}, without the tree, the sort and the
 * text: a member, string, number or nested value costs a copy into one growing byte array.
 *
 * <p><b>Why the bytes are canonical.</b> Every piece is written the way {@link CanonicalJson}
 * writes it: strings with the same minimal escapes (and the same refusal of unpaired surrogates),
 * integers up to 2<sup>53</sup> in plain decimal and larger ones through the same conversion as
 * a tree's, doubles in the same ECMAScript form, no white space. The one thing a tree gets from
 * the sort, member order, is the caller's duty: members must be named in increasing order of
 * their names' UTF-16 code units ({@link String#compareTo}), which {@link #name} checks, so a
 * writer cannot produce an unsorted or duplicate member. Values embedded with
 * {@link #value(CanonicalJson)} are canonical already and are copied as they are. Nesting deeper
 * than {@link CanonicalJson#MAX_DEPTH}, counting the depth of embedded values, is refused as
 * {@link CanonicalJson#of} refuses it.
 *
 * <pre>{@code
 * CanonicalJson payload = new CanonicalWriter()
 *         .beginObject().name("grant").value(7).name("token").value(42).endObject()
 *         .toCanonicalJson();   // {"grant":7,"token":42}
 * }</pre>
 *
 * <p>A writer is reusable: {@link #toCanonicalJson()} hands out the value and starts over. Not
 * thread-safe; one writer per thread.
 */
public final class CanonicalWriter {

    private static final byte OBJECT = 1;
    private static final byte ARRAY = 2;
    private static final long MAX_SAFE_INTEGER = 1L << 53;
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    /**
     * The largest buffer kept from one value to the next: large enough for the biggest values a
     * kernel writes often (a batch of a thousand submissions), so that they do not grow a new
     * buffer each time, and small enough to be no burden to keep.
     */
    private static final int KEPT_BUFFER_BYTES = 1 << 20;

    private byte[] bytes = new byte[128];
    private int length;
    /** Open containers: their kinds, member counts and, for objects, the last name written. */
    private byte[] kinds = new byte[8];
    private int[] counts = new int[8];
    private String[] lastNames = new String[8];
    private int depth;
    /** The deepest nesting reached, counting embedded values: the finished value's depth. */
    private int maxDepth;
    /** True between {@link #name} and the member's value. */
    private boolean named;
    /** True once the top-level value is complete. */
    private boolean complete;

    /**
     * Strings this writer has encoded before, remembered by identity in small direct-mapped
     * tables (slot: the string's hash), because a writer meets the same few string objects over
     * and over (member names are constants; subjects and capability ids recur): a member name's
     * encoding ({@code "name":}) is copied, and a string known to need no escape and to be ASCII
     * is copied without being scanned again. A string never changes, so a remembered encoding
     * stays right; a slot that holds another string only costs the full encoding.
     */
    private static final int REMEMBERED_SLOTS = 256;
    private final String[] rememberedNames = new String[REMEMBERED_SLOTS];
    private final byte[][] encodedNames = new byte[REMEMBERED_SLOTS][];
    private final String[] plainStrings = new String[REMEMBERED_SLOTS];

    /** An empty writer. */
    public CanonicalWriter() {
    }

    /**
     * Opens an object; its members follow, each a {@link #name} and a value.
     *
     * @throws IllegalStateException if a value cannot go here (see {@link #name})
     * @throws InvalidPayloadException if the object would nest deeper than {@link CanonicalJson#MAX_DEPTH}
     */
    public CanonicalWriter beginObject() {
        open(OBJECT, (byte) '{');
        return this;
    }

    /**
     * Closes the innermost object.
     *
     * @throws IllegalStateException if the innermost open value is not an object, or a name waits for its value
     */
    public CanonicalWriter endObject() {
        close(OBJECT, (byte) '}');
        return this;
    }

    /**
     * Opens an array; its elements follow.
     *
     * @throws IllegalStateException if a value cannot go here
     * @throws InvalidPayloadException if the array would nest deeper than {@link CanonicalJson#MAX_DEPTH}
     */
    public CanonicalWriter beginArray() {
        open(ARRAY, (byte) '[');
        return this;
    }

    /**
     * Closes the innermost array.
     *
     * @throws IllegalStateException if the innermost open value is not an array
     */
    public CanonicalWriter endArray() {
        close(ARRAY, (byte) ']');
        return this;
    }

    /**
     * Names the next member of the innermost object. Names must come in canonical order: each
     * after the previous one of the same object by {@link String#compareTo} (UTF-16 code units).
     *
     * @throws IllegalStateException if no object is open, a name waits for its value, or
     *     {@code name} does not sort after the previous name (or equals it)
     * @throws NullPointerException if name is null
     * @throws InvalidPayloadException if name holds an unpaired surrogate
     */
    public CanonicalWriter name(String name) {
        int top = depth - 1;
        if (top < 0 || kinds[top] != OBJECT || named) {
            throw misplacedName();
        }
        String last = lastNames[top];
        if (last != null && !sortsBefore(last, name)) {
            throw outOfOrder(last, name);
        }
        byte[] encoded = encodedName(name);
        int n = encoded.length;
        byte[] b = reserve(n + 1);
        int at = length;
        if (counts[top]++ > 0) {
            b[at++] = ',';
        }
        for (int i = 0; i < n; i++) {
            b[at + i] = encoded[i];
        }
        length = at + n;
        lastNames[top] = name;
        named = true;
        return this;
    }

    private IllegalStateException misplacedName() {
        return new IllegalStateException(named ? "member \"" + lastNames[depth - 1] + "\" has no value yet"
                : "a member name belongs inside an object");
    }

    private static IllegalStateException outOfOrder(String last, String name) {
        return new IllegalStateException("member \"" + name + "\" is not after \"" + last
                + "\": canonical JSON orders members by their names' UTF-16 code units");
    }

    /**
     * Writes a string, or {@code null} for a null {@code value}.
     *
     * @throws IllegalStateException if a value cannot go here
     * @throws InvalidPayloadException if value holds an unpaired surrogate
     */
    public CanonicalWriter value(String value) {
        if (value == null) {
            return nullValue();
        }
        beforeValue();
        putString(value);
        afterValue();
        return this;
    }

    /**
     * Writes an integer: in plain decimal up to 2<sup>53</sup> in magnitude; beyond that as
     * {@link CanonicalJson#of} writes such an integer (its double, when that is exact or the
     * integer is that double's canonical form), or refused.
     *
     * @throws IllegalStateException if a value cannot go here
     * @throws InvalidPayloadException if a double cannot hold the integer
     */
    public CanonicalWriter value(long value) {
        if (value < -MAX_SAFE_INTEGER || value > MAX_SAFE_INTEGER) {
            StringBuilder text = new StringBuilder(24);
            CanonicalJson.appendInteger(BigInteger.valueOf(value), text);
            beforeValue();
            putAscii(text);
        } else {
            beforeValue();
            byte[] b = reserve(17);
            int at = length;
            if (value < 0) {
                b[at++] = '-';
                value = -value;
            }
            length = EventEnvelope.putDigits(b, at, value);
        }
        afterValue();
        return this;
    }

    /**
     * Writes a finite double in ECMAScript's shortest form (as {@link CanonicalJson} does).
     *
     * @throws IllegalStateException if a value cannot go here
     * @throws InvalidPayloadException if value is NaN or infinite
     */
    public CanonicalWriter value(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NON_FINITE_NUMBER,
                    "JSON has no " + value + "; send a string or null instead");
        }
        StringBuilder text = new StringBuilder(24);
        CanonicalJson.appendEcmaScriptNumber(value, text);
        beforeValue();
        putAscii(text);
        afterValue();
        return this;
    }

    /**
     * Writes {@code true} or {@code false}.
     *
     * @throws IllegalStateException if a value cannot go here
     */
    public CanonicalWriter value(boolean value) {
        beforeValue();
        put(value ? TRUE : FALSE);
        afterValue();
        return this;
    }

    /**
     * Writes {@code null}.
     *
     * @throws IllegalStateException if a value cannot go here
     */
    public CanonicalWriter nullValue() {
        beforeValue();
        put(NULL);
        afterValue();
        return this;
    }

    /**
     * Embeds a canonical value as it is (its bytes are canonical already), or {@code null} for a
     * null {@code value}.
     *
     * @throws IllegalStateException if a value cannot go here
     * @throws InvalidPayloadException if the value's nesting, added to the open containers, is
     *     deeper than {@link CanonicalJson#MAX_DEPTH}
     */
    public CanonicalWriter value(CanonicalJson value) {
        if (value == null) {
            return nullValue();
        }
        // A container at depth d (d containers around it) may not reach MAX_DEPTH, as in CanonicalJson.of.
        int nesting = depth + value.nestingDepth();
        if (nesting > CanonicalJson.MAX_DEPTH) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.TOO_DEEP,
                    "JSON nests deeper than " + CanonicalJson.MAX_DEPTH + " levels");
        }
        beforeValue();
        maxDepth = Math.max(maxDepth, nesting);
        put(value.utf8Unsafe());
        afterValue();
        return this;
    }

    /**
     * The value written, and a fresh start for the next one.
     *
     * @throws IllegalStateException if no complete value has been written
     */
    public CanonicalJson toCanonicalJson() {
        if (!complete) {
            throw new IllegalStateException(depth > 0 ? depth + " arrays or objects are still open" : "nothing was written");
        }
        CanonicalJson json = CanonicalJson.ofCanonicalUtf8(Arrays.copyOf(bytes, length), maxDepth);
        reset();
        return json;
    }

    /** Forgets what was written, so that the next value starts afresh. */
    public CanonicalWriter reset() {
        length = 0;
        depth = 0;
        maxDepth = 0;
        named = false;
        complete = false;
        if (bytes.length > KEPT_BUFFER_BYTES) {
            bytes = new byte[128]; // a very big value passed through: let its buffer go
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------

    private void open(byte kind, byte bracket) {
        // A container with depth containers around it, as CanonicalJson.of counts them.
        if (depth >= CanonicalJson.MAX_DEPTH) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.TOO_DEEP,
                    "JSON nests deeper than " + CanonicalJson.MAX_DEPTH + " levels");
        }
        beforeValue();
        if (depth == kinds.length) {
            kinds = Arrays.copyOf(kinds, 2 * depth);
            counts = Arrays.copyOf(counts, 2 * depth);
            lastNames = Arrays.copyOf(lastNames, 2 * depth);
        }
        kinds[depth] = kind;
        counts[depth] = 0;
        lastNames[depth] = null;
        depth++;
        maxDepth = Math.max(maxDepth, depth);
        put(bracket);
    }

    private void close(byte kind, byte bracket) {
        if (depth == 0 || kinds[depth - 1] != kind || named) {
            throw new IllegalStateException(named ? "member \"" + lastNames[depth - 1] + "\" has no value yet"
                    : "no " + (kind == OBJECT ? "object" : "array") + " is open here");
        }
        lastNames[depth - 1] = null;
        depth--;
        put(bracket);
        afterValue();
    }

    private void beforeValue() {
        if (depth == 0) {
            if (complete) {
                throw new IllegalStateException("the writer holds a complete value; take it with toCanonicalJson() first");
            }
        } else if (kinds[depth - 1] == OBJECT) {
            if (!named) {
                throw new IllegalStateException("an object member needs a name before its value");
            }
            named = false;
        } else if (counts[depth - 1]++ > 0) {
            put((byte) ',');
        }
    }

    private void afterValue() {
        if (depth == 0) {
            complete = true;
        }
    }

    private byte[] reserve(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + more));
        }
        return bytes;
    }

    private void put(byte b) {
        reserve(1)[length++] = b;
    }

    private void put(byte[] src) {
        int n = src.length;
        byte[] b = reserve(n);
        if (n <= 16) {
            // Most pieces are a few bytes: a loop is cheaper than the call to the copy routine.
            for (int i = 0; i < n; i++) {
                b[length + i] = src[i];
            }
        } else {
            System.arraycopy(src, 0, b, length, n);
        }
        length += n;
    }

    private void putAscii(CharSequence s) {
        byte[] b = reserve(s.length());
        for (int i = 0; i < s.length(); i++) {
            b[length++] = (byte) s.charAt(i);
        }
    }

    /**
     * {@code a.compareTo(b) < 0}, decided by the first characters when they differ (as they mostly
     * do between neighbouring member names), which is cheaper than a full comparison.
     */
    private static boolean sortsBefore(String a, String b) {
        if (!a.isEmpty() && !b.isEmpty()) {
            char x = a.charAt(0);
            char y = b.charAt(0);
            if (x != y) {
                return x < y;
            }
        }
        return a.compareTo(b) < 0;
    }

    /** The slot of {@code s} in the remembered tables: its hash, spread so that similar names part. */
    private static int slot(String s) {
        int h = s.hashCode();
        return (h ^ (h >>> 7) ^ (h >>> 16)) & (REMEMBERED_SLOTS - 1);
    }

    /** {@code "name":} in UTF-8, remembered (see {@link #rememberedNames}). */
    private byte[] encodedName(String name) {
        int slot = slot(name);
        if (rememberedNames[slot] == name) {
            return encodedNames[slot];
        }
        byte[] b = new byte[6 * name.length() + 3];
        b[0] = '"';
        int at = EventEnvelope.putStringContent(b, 1, name);
        b[at++] = '"';
        b[at++] = ':';
        byte[] encoded = Arrays.copyOf(b, at);
        rememberedNames[slot] = name;
        encodedNames[slot] = encoded;
        return encoded;
    }

    /** A JSON string: quotes, and the characters with {@link CanonicalJson}'s escapes, in UTF-8. */
    private void putString(String s) {
        // Each character takes at most 6 bytes (an escape); a surrogate pair takes 4 for 2.
        byte[] b = reserve(6 * s.length() + 2);
        b[length] = '"';
        int slot = slot(s);
        int at;
        if (plainStrings[slot] == s) {
            at = EventEnvelope.putAscii(b, length + 1, s);
        } else {
            at = EventEnvelope.putStringContent(b, length + 1, s);
            if (at - length - 1 == s.length()) {
                plainStrings[slot] = s; // copied as it is: printable ASCII with nothing to escape
            }
        }
        b[at] = '"';
        length = at + 1;
    }
}
