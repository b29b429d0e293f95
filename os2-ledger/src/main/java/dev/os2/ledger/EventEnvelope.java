package dev.os2.ledger;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the ledger: an event, its place in the chain, and the hash that seals it.
 *
 * <p><b>Format, version 1.</b> The canonical bytes of an envelope are the RFC 8785 canonical JSON
 * (UTF-8) of the object with the members {@code capability_id} (string or null), {@code event_id},
 * {@code format} (the number 1), {@code kind}, {@code payload}, {@code position}, {@code prev_hash}
 * (64 lowercase hex digits) and {@code virtual_time} &mdash; every field but the hash. The hash is
 * <pre>  hash = SHA-256( "os2.ledger.v1" 0x00 ‖ prev_hash (32 bytes) ‖ canonical bytes )</pre>
 * and the {@code prev_hash} of position 0 is {@link Hash#GENESIS} (32 zero bytes). The domain tag
 * keeps ledger hashes from being confused with any other SHA-256 use. This class is the one place
 * the format is defined (the package summary repeats it); {@link #toJson()} adds the {@code hash}
 * member for export. Stores keep an entry as a record of a version byte (1), the 32-byte hash
 * and the canonical bytes.
 *
 * @param format the format version, {@link #FORMAT}
 * @param position OS2's sequence number for the entry, from 0, with no gaps
 * @param eventId the event's id
 * @param kind what happened
 * @param capabilityId the capability the event concerns, or null
 * @param virtualTime the virtual clock at the event, in ticks
 * @param payload the event's data
 * @param prevHash the hash of the entry at {@code position - 1}, or {@link Hash#GENESIS} at 0
 * @param hash this entry's hash, as computed above
 */
public record EventEnvelope(int format, long position, String eventId, String kind, String capabilityId,
        long virtualTime, CanonicalJson payload, Hash prevHash, Hash hash) {

    /** The envelope format version this code writes and reads. */
    public static final int FORMAT = 1;

    /** The domain tag that starts every hashed message: {@code "os2.ledger.v1"} and a zero byte. */
    static final byte[] DOMAIN_TAG = "os2.ledger.v1\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * Validates the fields (not the hash: {@link Ledger#verify()} checks that). Allocates nothing
     * for valid fields.
     *
     * @throws InvalidPayloadException if a field is malformed, or eventId or payload is null
     * @throws NullPointerException if prevHash or hash is null
     */
    public EventEnvelope {
        if (format != FORMAT) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                    "envelope format " + format + " is not supported; this version reads format " + FORMAT);
        }
        if (position < 0 || position > EventDraft.MAX_SAFE_INTEGER) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD, "position out of range: " + position);
        }
        // A draft may leave the event id to the ledger; a sealed envelope always has one.
        if (eventId == null) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NULL, "an envelope's event id is null");
        }
        // The draft's field rules, so that an envelope holds nothing a draft could not. For an
        // envelope sealed from a draft they cost next to nothing: the kind and capability id are
        // the strings the draft's check has just remembered (see EventDraft.check).
        EventDraft.check(kind, capabilityId, virtualTime, payload, eventId);
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
    }

    /**
     * Seals a draft at {@code position} after the entry whose hash is {@code prevHash}: fills in
     * the event id ({@code ev-<position>} when the draft has none) and computes the hash. Pure:
     * the same arguments give the same envelope on every JVM. Thread-safe.
     *
     * @throws NullPointerException if {@code prevHash} or {@code draft} is null
     * @throws InvalidPayloadException if {@code position} is negative or beyond 2^53
     */
    public static EventEnvelope seal(long position, Hash prevHash, EventDraft draft) {
        Objects.requireNonNull(draft, "draft");
        Objects.requireNonNull(prevHash, "prevHash");
        return RecordCodec.sealInto(new CanonicalBuffer(0), DIGEST.get(), position, prevHash, draft);
    }

    /**
     * True when sealing {@code draft} at {@code position} after {@code prevHash} gives this
     * envelope: what comparing {@code seal(position, prevHash, draft).hash()} with {@link #hash()}
     * tells, for an envelope whose hash was checked against its content (as every envelope a
     * ledger hands out was), decided by comparing the fields instead of encoding and hashing.
     * The hash covers exactly the position, the previous hash and the canonical bytes of the
     * other fields, and canonical bytes are equal exactly when the fields are; so equal fields
     * give equal hashes, and unequal fields give unequal hashes unless SHA-256 collides.
     * Thread-safe.
     *
     * @throws NullPointerException if prevHash or draft is null
     */
    public boolean isSealOf(long position, Hash prevHash, EventDraft draft) {
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(draft, "draft");
        return this.position == position && this.virtualTime == draft.virtualTime() && this.prevHash.equals(prevHash)
                && kind.equals(draft.kind()) && Objects.equals(capabilityId, draft.capabilityId())
                && (draft.eventId() == null ? isGeneratedEventId(eventId, position) : eventId.equals(draft.eventId()))
                && payload.equals(draft.payload());
    }

    /** Whether {@code id} is {@code ev-<position>}, the id a ledger gives a draft without one. */
    private static boolean isGeneratedEventId(String id, long position) {
        int digits = decimalDigits(position);
        if (id.length() != 3 + digits || !id.startsWith("ev-")) {
            return false;
        }
        long value = 0;
        for (int i = 3; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return value == position;
    }

    /** The canonical bytes of this envelope without its hash: what the hash covers. */
    public byte[] canonicalBytes() {
        CanonicalBuffer out = new CanonicalBuffer(0);
        writeCanonical(out, position, eventId, kind, capabilityId, virtualTime, payload, prevHash, null);
        return out.toArray();
    }

    /** The hash this envelope's content should have; equal to {@link #hash()} when intact. */
    public Hash recomputeHash() {
        return computeHash(prevHash, canonicalBytes());
    }

    /** The envelope as one line of canonical JSON including its {@code hash} member, for export and {@code --json} output. */
    public String toJson() {
        CanonicalBuffer out = new CanonicalBuffer(0);
        writeCanonical(out, position, eventId, kind, capabilityId, virtualTime, payload, prevHash, hash);
        return new String(out.bytes(), 0, out.length(), StandardCharsets.UTF_8);
    }

    /** {@code SHA-256(domain tag ‖ prevHash ‖ canonicalBytes)}. */
    public static Hash computeHash(Hash prevHash, byte[] canonicalBytes) {
        MessageDigest sha = DIGEST.get();
        sha.update(DOMAIN_TAG);
        prevHash.updateDigest(sha);
        sha.update(canonicalBytes);
        return Hash.wrap(sha.digest());
    }

    // A MessageDigest per thread: creating one costs more than hashing a small entry.
    static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Hash::newSha256);

    // The constant parts of the canonical form, members in RFC 8785 order (UTF-16 code-unit order
    // of the names: capability_id < event_id < format < hash < kind < payload < position <
    // prev_hash < virtual_time), merged so that each stretch between two variable parts is one
    // copy. The last three members come after the payload and hold only digits and hex, which is
    // what lets RecordCodec read them from the end of a record without a parse.
    static final byte[] OPEN_CAPABILITY_STRING = ascii("{\"capability_id\":\"");
    static final byte[] OPEN_CAPABILITY_NULL = ascii("{\"capability_id\":null,\"event_id\":\"");
    static final byte[] EVENT_ID = ascii("\",\"event_id\":\"");
    private static final byte[] GENERATED_ID_PREFIX = ascii("ev-");
    private static final byte[] OPEN_CAPABILITY_NULL_GENERATED_ID = ascii("{\"capability_id\":null,\"event_id\":\"ev-");
    static final byte[] FORMAT_KIND = ascii("\",\"format\":" + FORMAT + ",\"kind\":\"");
    private static final byte[] FORMAT_HASH = ascii("\",\"format\":" + FORMAT + ",\"hash\":\"");
    private static final byte[] KIND = ascii("\",\"kind\":\"");
    static final byte[] PAYLOAD = ascii("\",\"payload\":");
    static final byte[] POSITION = ascii(",\"position\":");
    static final byte[] PREV_HASH = ascii(",\"prev_hash\":\"");
    static final byte[] VIRTUAL_TIME = ascii("\",\"virtual_time\":");
    /** More than all the constant parts, the two hashes' hex and the numbers' digits together. */
    private static final int FIXED_BYTES_MAX = 512;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Writes the canonical form of an envelope into {@code out} after what it holds: without the
     * {@code hash} member when {@code hash} is null (the canonical bytes the hash covers), with it
     * for export. A null {@code eventId} writes the id a ledger gives a draft without one,
     * {@code ev-<position>}. This is the one encoder of the format; every field must already be
     * valid. It writes bytes straight into the buffer's array: the names, hex and digits are
     * ASCII, kinds and event ids are ASCII that needs no escape, the payload is already canonical
     * UTF-8, and only a capability id may need encoding.
     */
    static void writeCanonical(CanonicalBuffer out, long position, String eventId, String kind, String capabilityId,
            long virtualTime, CanonicalJson payload, Hash prevHash, Hash hash) {
        byte[] payloadBytes = payload.utf8Unsafe();
        // Every character of a string takes at most 6 bytes (an escape), a surrogate pair 4.
        int stringsMax = 6 * ((eventId == null ? 0 : eventId.length()) + kind.length()
                + (capabilityId == null ? 0 : capabilityId.length()));
        byte[] b = out.reserve(FIXED_BYTES_MAX + stringsMax + payloadBytes.length);
        int at = out.length();
        boolean generatedId = eventId == null;
        if (capabilityId == null) {
            at = put(b, at, generatedId ? OPEN_CAPABILITY_NULL_GENERATED_ID : OPEN_CAPABILITY_NULL);
        } else if (capabilityId == out.headCapabilityId) {
            // The same capability id (the same string object) as the last entry: its whole head,
            // {"capability_id":"<id>","event_id":" (and "ev-" for a generated id), in one copy.
            at = put(b, at, generatedId ? out.headGenerated : out.head);
        } else {
            int start = at;
            at = put(b, at, OPEN_CAPABILITY_STRING);
            int idAt = at;
            at = putStringContent(b, at, capabilityId);
            boolean plain = at - idAt == capabilityId.length(); // copied as it is: no escape, all ASCII
            at = put(b, at, EVENT_ID);
            if (plain) {
                out.rememberHead(capabilityId, b, start, at);
            }
            if (generatedId) {
                at = put(b, at, GENERATED_ID_PREFIX);
            }
        }
        int positionDigitsAt = -1;
        int positionDigits = 0;
        if (generatedId) {
            positionDigitsAt = at;
            at = putDigits(b, at, position);
            positionDigits = at - positionDigitsAt;
            out.generatedIdFrom = positionDigitsAt - GENERATED_ID_PREFIX.length;
            out.generatedIdTo = at;
        } else {
            at = putAscii(b, at, eventId);
        }
        if (hash != null) {
            at = put(b, at, FORMAT_HASH);
            at = putHex(b, at, hash);
            at = put(b, at, KIND);
            at = putAscii(b, at, kind);
            at = put(b, at, PAYLOAD);
        } else if (kind == out.middleKind) {
            // The same kind (the same string object) as the last entry: ","format":1,"kind":"<kind>","payload": in one copy.
            at = put(b, at, out.middle);
        } else {
            int start = at;
            at = put(b, at, FORMAT_KIND);
            at = putAscii(b, at, kind);
            at = put(b, at, PAYLOAD);
            out.rememberMiddle(kind, b, start, at);
        }
        at = put(b, at, payloadBytes);
        at = put(b, at, POSITION);
        if (positionDigitsAt >= 0) {
            // The generated event id ends in the same digits.
            for (int i = 0; i < positionDigits; i++) {
                b[at + i] = b[positionDigitsAt + i];
            }
            at += positionDigits;
        } else {
            at = putDigits(b, at, position);
        }
        at = put(b, at, PREV_HASH);
        at = putHex(b, at, prevHash);
        at = put(b, at, VIRTUAL_TIME);
        at = putDigits(b, at, virtualTime);
        b[at++] = '}';
        out.setLength(at);
    }

    private static final byte[] DIGIT_PAIRS = new byte[200];
    /** The two lowercase hex digits of each byte value as ASCII, the first in the high byte. */
    private static final int[] HEX_PAIRS = new int[256];
    /** Writes 8 bytes into a byte array, the most significant first. */
    private static final VarHandle LONG_BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        for (int v = 0; v < 100; v++) {
            DIGIT_PAIRS[2 * v] = (byte) ('0' + v / 10);
            DIGIT_PAIRS[2 * v + 1] = (byte) ('0' + v % 10);
        }
        byte[] hex = ascii("0123456789abcdef");
        for (int v = 0; v < 256; v++) {
            HEX_PAIRS[v] = hex[v >> 4] << 8 | hex[v & 0xF];
        }
    }

    /**
     * Copies {@code bytes} to {@code b[at]}. The constant pieces are short, and for them eight
     * bytes at a time beats a call to the general copy routine, which the long payload still takes.
     */
    private static int put(byte[] b, int at, byte[] bytes) {
        int n = bytes.length;
        if (n > 48) {
            System.arraycopy(bytes, 0, b, at, n);
            return at + n;
        }
        int k = 0;
        for (; k + 8 <= n; k += 8) {
            LONG_LE.set(b, at + k, (long) LONG_LE.get(bytes, k));
        }
        for (; k < n; k++) {
            b[at + k] = bytes[k];
        }
        return at + n;
    }

    /** Powers of ten from 10^0 to 10^18. */
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        long p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++, p *= 10) {
            POWERS_OF_TEN[i] = p;
        }
    }

    /** Number of decimal digits of {@code value}, which is not negative: 1 for 0. */
    static int decimalDigits(long value) {
        // floor(log10) from the bit length (1233 / 4096 is just above log10(2)), at most one too
        // low, which the comparison with the power of ten corrects.
        int guess = ((64 - Long.numberOfLeadingZeros(value | 1)) * 1233) >>> 12;
        return Math.max(1, guess + (guess < POWERS_OF_TEN.length && value >= POWERS_OF_TEN[guess] ? 1 : 0));
    }

    /** A non-negative integer in decimal, as canonical JSON writes it, two digits at a time. */
    static int putDigits(byte[] b, int at, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative: " + value);
        }
        int end = at + decimalDigits(value);
        int i = end;
        long v = value;
        while (v > Integer.MAX_VALUE) {
            long q = v / 100;
            int pair = (int) (v - q * 100);
            v = q;
            b[--i] = DIGIT_PAIRS[2 * pair + 1];
            b[--i] = DIGIT_PAIRS[2 * pair];
        }
        // Positions and virtual times mostly fit in an int, whose division is cheaper.
        int w = (int) v;
        while (w >= 100) {
            int q = w / 100;
            int pair = w - q * 100;
            w = q;
            b[--i] = DIGIT_PAIRS[2 * pair + 1];
            b[--i] = DIGIT_PAIRS[2 * pair];
        }
        if (w >= 10) {
            b[--i] = DIGIT_PAIRS[2 * w + 1];
            b[--i] = DIGIT_PAIRS[2 * w];
        } else {
            b[--i] = (byte) ('0' + w);
        }
        return end;
    }

    /** 64 lowercase hex digits: two per table lookup, eight per store. */
    private static int putHex(byte[] b, int at, Hash hash) {
        byte[] scratch = hash.bytesUnsafe();
        for (int i = 0; i < Hash.LENGTH_BYTES; i += 4) {
            long eight = (long) HEX_PAIRS[scratch[i] & 0xFF] << 48 | (long) HEX_PAIRS[scratch[i + 1] & 0xFF] << 32
                    | (long) HEX_PAIRS[scratch[i + 2] & 0xFF] << 16 | HEX_PAIRS[scratch[i + 3] & 0xFF];
            LONG_BIG_ENDIAN.set(b, at, eight);
            at += 8;
        }
        return at;
    }

    /**
     * The characters of a string known to need neither escapes nor UTF-8 encoding: the kinds and
     * event ids that pass {@link EventDraft}'s rules hold only ASCII letters, digits and
     * {@code ._:-}.
     */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) keeps the low byte of each char: exact for ASCII
    static int putAscii(byte[] b, int at, String s) {
        s.getBytes(0, s.length(), b, at);
        return at + s.length();
    }

    /**
     * The characters of {@code s} as inside a JSON string, in UTF-8 with RFC 8785's escapes, byte
     * for byte what {@link CanonicalJson#writeString} writes as text, without the quotes. A string
     * of printable ASCII other than the quote and the backslash (most capability ids) is copied
     * at once; from the first other character on, {@link #putStringRest} encodes a character at
     * a time.
     *
     * @throws InvalidPayloadException if {@code s} holds an unpaired surrogate
     */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) keeps the low byte of each char: exact for ASCII
    static int putStringContent(byte[] b, int at, String s) {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                s.getBytes(0, i, b, at);
                return putStringRest(b, at + i, s, i);
            }
        }
        return putAscii(b, at, s);
    }

    private static final byte[] HEX_DIGITS = ascii("0123456789abcdef");

    private static int putStringRest(byte[] b, int at, String s, int from) {
        int len = s.length();
        for (int i = from; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80) {
                if (c == '"' || c == '\\') {
                    b[at++] = '\\';
                }
                b[at++] = (byte) c;
            } else if (c < 0x20) {
                b[at++] = '\\';
                switch (c) {
                    case '\b' -> b[at++] = 'b';
                    case '\f' -> b[at++] = 'f';
                    case '\n' -> b[at++] = 'n';
                    case '\r' -> b[at++] = 'r';
                    case '\t' -> b[at++] = 't';
                    default -> {
                        b[at++] = 'u';
                        b[at++] = '0';
                        b[at++] = '0';
                        b[at++] = HEX_DIGITS[c >> 4];
                        b[at++] = HEX_DIGITS[c & 0xF];
                    }
                }
            } else if (c < 0x800) {
                b[at++] = (byte) (0xC0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (!Character.isSurrogate(c)) {
                b[at++] = (byte) (0xE0 | (c >> 12));
                b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[at++] = (byte) (0xF0 | (cp >> 18));
                b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.LONE_SURROGATE,
                        String.format("string has an unpaired surrogate U+%04X at index %d; it has no UTF-8 form", (int) c, i));
            }
        }
        return at;
    }

    /**
     * A growable byte buffer the canonical form is written into, reused from append to append by
     * a ledger's writer so that sealing allocates no intermediate text. Not thread-safe.
     */
    static final class CanonicalBuffer {
        private byte[] bytes;
        private int length;
        /**
         * The last capability id written that needed no escape and held only ASCII, with the
         * canonical head it begins ({@code {"capability_id":"<id>","event_id":"}, and with
         * {@code ev-} after it): the same string (the same object: strings are immutable)
         * gets the same head, copied whole. Entries in a row mostly share their capability.
         */
        String headCapabilityId;
        byte[] head;
        byte[] headGenerated;
        /** The last kind written and its stretch {@code ","format":1,"kind":"<kind>","payload":}, likewise. */
        String middleKind;
        byte[] middle;
        /**
         * Where the last envelope written with a generated event id holds that id,
         * {@code ev-<position>}: bytes {@code [generatedIdFrom, generatedIdTo)}, ASCII.
         */
        int generatedIdFrom;
        int generatedIdTo;

        void rememberHead(String capabilityId, byte[] b, int from, int to) {
            head = Arrays.copyOfRange(b, from, to);
            headGenerated = Arrays.copyOf(head, head.length + GENERATED_ID_PREFIX.length);
            System.arraycopy(GENERATED_ID_PREFIX, 0, headGenerated, head.length, GENERATED_ID_PREFIX.length);
            headCapabilityId = capabilityId;
        }

        void rememberMiddle(String kind, byte[] b, int from, int to) {
            middle = Arrays.copyOfRange(b, from, to);
            middleKind = kind;
        }

        /** A buffer of {@code capacity} bytes; 0 lets the first write allocate just what it needs. */
        CanonicalBuffer(int capacity) {
            bytes = new byte[capacity];
        }

        /** The backing array; bytes {@code [0, length())} are written. */
        byte[] bytes() {
            return bytes;
        }

        int length() {
            return length;
        }

        int capacity() {
            return bytes.length;
        }

        /** Sets the write position: 0 to start over, or past a prefix the caller fills in. */
        void setLength(int newLength) {
            reserve(newLength - length);
            length = newLength;
        }

        /** Makes room for {@code more} bytes after the written ones; the backing array, which may be new. */
        byte[] reserve(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + more));
            }
            return bytes;
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, length);
        }

        /**
         * The generated event id of the envelope just written, as a string made straight from its
         * ASCII bytes: cheaper than building {@code "ev-" + position} again.
         */
        @SuppressWarnings("deprecation") // String(byte[], int hibyte, int, int): exact for ASCII, without a decoder
        String generatedId() {
            return new String(bytes, 0, generatedIdFrom, generatedIdTo - generatedIdFrom);
        }
    }
}
