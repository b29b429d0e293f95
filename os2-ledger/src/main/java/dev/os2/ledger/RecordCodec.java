package dev.os2.ledger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The stored form of one entry, shared by every store:
 * <pre>  byte 0      record version (1)
 *   bytes 1-32  the entry's hash
 *   bytes 33-   the envelope's canonical bytes (see {@link EventEnvelope})</pre>
 * Decoding is strict: the canonical bytes must parse and re-encode to exactly themselves.
 *
 * <p>Besides encoding and decoding, this class holds the two fast paths over records: sealing a
 * draft straight into a reusable record buffer ({@link #sealInto}), and the chain check that
 * verifies a record's position, link and hash on its stored bytes without decoding it
 * ({@link ChainCheck}).
 */
final class RecordCodec {

    static final byte RECORD_VERSION = 1;
    static final int HEADER_BYTES = 1 + Hash.LENGTH_BYTES;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RecordCodec() {
    }

    static byte[] encode(EventEnvelope envelope) {
        return encode(envelope.hash(), envelope.canonicalBytes());
    }

    /**
     * Where {@link #sealInto} leaves the record in its buffer: after the domain tag and the
     * previous hash, less the record's header, which overwrites them once they are hashed.
     */
    static final int SEALED_RECORD_OFFSET = EventEnvelope.DOMAIN_TAG.length + Hash.LENGTH_BYTES - HEADER_BYTES;

    /**
     * Seals {@code draft} at {@code position} after {@code prevHash} in {@code buffer}, and
     * returns the envelope. The buffer first gets what the hash covers, contiguously: the domain
     * tag, the previous hash and the canonical bytes, so that one digest pass hashes them where
     * they lie. Then the record header (version byte and hash) is written over the tag and the
     * previous hash, just before the canonical bytes: the record is
     * {@code buffer.bytes()[SEALED_RECORD_OFFSET, buffer.length())}, built without a copy. The
     * draft was validated when it was made, and its kind and capability id are not scanned again
     * (see {@link EventDraft#check}).
     *
     * @throws InvalidPayloadException if {@code position} is negative or beyond 2^53
     */
    static EventEnvelope sealInto(EventEnvelope.CanonicalBuffer buffer, MessageDigest sha, long position, Hash prevHash,
            EventDraft draft) {
        if (position < 0 || position > EventDraft.MAX_SAFE_INTEGER) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD, "position out of range: " + position);
        }
        int tagBytes = EventEnvelope.DOMAIN_TAG.length;
        buffer.setLength(0);
        buffer.setLength(tagBytes + Hash.LENGTH_BYTES);
        System.arraycopy(EventEnvelope.DOMAIN_TAG, 0, buffer.bytes(), 0, tagBytes);
        prevHash.copyTo(buffer.bytes(), tagBytes);
        EventEnvelope.writeCanonical(buffer, position, draft.eventId(), draft.kind(), draft.capabilityId(),
                draft.virtualTime(), draft.payload(), prevHash, null);
        byte[] b = buffer.bytes();
        sha.update(b, 0, buffer.length());
        digestInto(sha, b, SEALED_RECORD_OFFSET + 1);
        b[SEALED_RECORD_OFFSET] = RECORD_VERSION;
        Hash hash = Hash.wrap(Arrays.copyOfRange(b, SEALED_RECORD_OFFSET + 1, SEALED_RECORD_OFFSET + HEADER_BYTES));
        String eventId = draft.eventId() != null ? draft.eventId() : buffer.generatedId();
        return new EventEnvelope(EventEnvelope.FORMAT, position, eventId, draft.kind(), draft.capabilityId(),
                draft.virtualTime(), draft.payload(), prevHash, hash);
    }

    /** Finishes {@code sha} into {@code target} at {@code offset} (32 bytes), allocating nothing. */
    private static void digestInto(MessageDigest sha, byte[] target, int offset) {
        try {
            sha.digest(target, offset, Hash.LENGTH_BYTES);
        } catch (DigestException e) {
            // Only thrown for a target too small, which 32 bytes never is for SHA-256.
            throw new IllegalStateException("SHA-256 refused a 32-byte output buffer", e);
        }
    }

    /**
     * True when the stored hash of {@code record}, a record that decoded, equals
     * {@code SHA-256(tag ‖ prevHash ‖ its canonical bytes)}: the hash checked again on read.
     * Thread-safe.
     */
    static boolean hashMatches(byte[] record, Hash prevHash) {
        MessageDigest sha = EventEnvelope.DIGEST.get();
        sha.update(EventEnvelope.DOMAIN_TAG);
        prevHash.updateDigest(sha);
        sha.update(record, HEADER_BYTES, record.length - HEADER_BYTES);
        byte[] actual = sha.digest();
        return Arrays.equals(record, 1, HEADER_BYTES, actual, 0, Hash.LENGTH_BYTES);
    }

    static byte[] encode(Hash hash, byte[] canonical) {
        byte[] record = new byte[HEADER_BYTES + canonical.length];
        record[0] = RECORD_VERSION;
        hash.copyTo(record, 1);
        System.arraycopy(canonical, 0, record, HEADER_BYTES, canonical.length);
        return record;
    }

    /** The result of decoding one record. */
    sealed interface Decoded {
    }

    /** The record decoded to this envelope (its hash not yet checked). */
    record Ok(EventEnvelope envelope) implements Decoded {
    }

    /** The record could not be decoded. */
    record Bad(VerifyResult.Problem problem, String detail) implements Decoded {
    }

    /** The record decoded: straight off its bytes when {@link #decodeDirect} can, else by {@link #decodeParsed}. */
    static Decoded decode(byte[] record) {
        if (record != null && record.length >= HEADER_BYTES + 2 && record[0] == RECORD_VERSION) {
            EventEnvelope direct = decodeDirect(record, Hash.wrap(Arrays.copyOfRange(record, 1, HEADER_BYTES)));
            if (direct != null) {
                return new Ok(direct);
            }
        }
        return decodeParsed(record);
    }

    /** The full decode: parse, check every field, and require the canonical encoding to be the stored bytes. */
    static Decoded decodeParsed(byte[] record) {
        if (record == null || record.length == 0) {
            return new Bad(VerifyResult.Problem.TRUNCATED_ENTRY, "the record is empty");
        }
        if (record[0] != RECORD_VERSION) {
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD,
                    "record version " + (record[0] & 0xff) + " is not " + RECORD_VERSION);
        }
        if (record.length < HEADER_BYTES + 2) {
            return new Bad(VerifyResult.Problem.TRUNCATED_ENTRY,
                    "the record has " + record.length + " bytes, fewer than a header and an envelope");
        }
        Hash stored = Hash.wrap(Arrays.copyOfRange(record, 1, HEADER_BYTES));
        byte[] canonical = Arrays.copyOfRange(record, HEADER_BYTES, record.length);
        JsonNode node;
        try {
            node = MAPPER.readTree(canonical);
        } catch (JsonProcessingException e) {
            // Jackson reports running out of input as JsonEOFException in some states only (a cut
            // inside "true" or after "0." is a plain parse error), so also look at the structure.
            String msg = String.valueOf(e.getOriginalMessage());
            if (e instanceof JsonEOFException || endsInsideValue(canonical)) {
                return new Bad(VerifyResult.Problem.TRUNCATED_ENTRY, "the envelope's JSON ends early: " + msg);
            }
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD, "the envelope is not valid JSON: " + msg);
        } catch (IOException e) {
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD, "the envelope cannot be read: " + e.getMessage());
        }
        EventEnvelope envelope;
        try {
            envelope = toEnvelope(node, stored);
        } catch (IllegalArgumentException e) { // includes InvalidPayloadException
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD, "the envelope has a bad field: " + e.getMessage());
        }
        if (!Arrays.equals(envelope.canonicalBytes(), canonical)) {
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD, "the envelope is not in canonical form");
        }
        return new Ok(envelope);
    }

    /**
     * The envelope of {@code record} read straight off its bytes, when they are exactly what
     * {@link EventEnvelope#writeCanonical} writes for valid fields; null when that is not shown,
     * and then the full decode below decides (it may still accept the record, or name its fault).
     *
     * <p><b>Why it gives what the full decode gives.</b> The full decode accepts a record only if
     * its bytes parse to an envelope whose canonical encoding is those very bytes, and returns
     * that envelope. This reads the bytes against that encoding, part by part: the fixed members
     * in their fixed order, the capability id, event id and kind as plain ASCII (no escape, so
     * their bytes are their characters), the position and virtual time as canonical digits, the
     * previous hash as 64 lowercase hex digits, and the payload between them only if
     * {@link CanonicalCheck} shows it canonical. An envelope built from those parts (whose
     * constructor checks the fields' rules) therefore encodes to exactly these bytes, which is
     * what the full decode would have found and returned. Anything else (escapes, non-ASCII,
     * numbers with exponents in the payload, damage) is left to the full decode.
     */
    static EventEnvelope decodeDirect(byte[] r, Hash stored) {
        int end = r.length;
        int i = HEADER_BYTES;
        String capabilityId = null;
        if (startsWith(r, i, EventEnvelope.OPEN_CAPABILITY_NULL)) {
            i += EventEnvelope.OPEN_CAPABILITY_NULL.length;
        } else if (startsWith(r, i, EventEnvelope.OPEN_CAPABILITY_STRING)) {
            i += EventEnvelope.OPEN_CAPABILITY_STRING.length;
            int from = i;
            i = plainAsciiEnd(r, i);
            if (i < 0) {
                return null;
            }
            capabilityId = knownAscii(r, from, i);
            if (!startsWith(r, i, EventEnvelope.EVENT_ID)) {
                return null;
            }
            i += EventEnvelope.EVENT_ID.length;
        } else {
            return null;
        }
        int idFrom = i;
        i = plainAsciiEnd(r, i);
        if (i < 0 || !startsWith(r, i, EventEnvelope.FORMAT_KIND)) {
            return null;
        }
        String eventId = ascii(r, idFrom, i);
        i += EventEnvelope.FORMAT_KIND.length;
        int kindFrom = i;
        i = plainAsciiEnd(r, i);
        if (i < 0 || !startsWith(r, i, EventEnvelope.PAYLOAD)) {
            return null;
        }
        String kind = knownAscii(r, kindFrom, i);
        int payloadFrom = i + EventEnvelope.PAYLOAD.length;
        // The suffix, from the end: ,"position":N,"prev_hash":"<64 hex>","virtual_time":T}
        if (r[end - 1] != '}') {
            return null;
        }
        int vtEnd = end - 1;
        int vtFrom = digitsBefore(r, vtEnd, payloadFrom);
        if (vtFrom < 0 || !endsWith(r, vtFrom, EventEnvelope.VIRTUAL_TIME, payloadFrom)) {
            return null;
        }
        // VIRTUAL_TIME begins with the quote that closes the hex, PREV_HASH ends with the one that opens it.
        int hexEnd = vtFrom - EventEnvelope.VIRTUAL_TIME.length;
        int hexFrom = hexEnd - 2 * Hash.LENGTH_BYTES;
        if (hexFrom < payloadFrom || !endsWith(r, hexFrom, EventEnvelope.PREV_HASH, payloadFrom)) {
            return null;
        }
        int positionEnd = hexFrom - EventEnvelope.PREV_HASH.length;
        int positionFrom = digitsBefore(r, positionEnd, payloadFrom);
        if (positionFrom < 0 || !endsWith(r, positionFrom, EventEnvelope.POSITION, payloadFrom)) {
            return null;
        }
        int payloadTo = positionFrom - EventEnvelope.POSITION.length;
        long virtualTime = canonicalNumber(r, vtFrom, vtEnd);
        long position = canonicalNumber(r, positionFrom, positionEnd);
        byte[] prev = lowercaseHex(r, hexFrom);
        if (virtualTime < 0 || position < 0 || prev == null || payloadTo <= payloadFrom) {
            return null;
        }
        int depth = CanonicalCheck.canonicalDepth(r, payloadFrom, payloadTo);
        if (depth < 0) {
            return null;
        }
        CanonicalJson payload = CanonicalJson.ofCanonicalUtf8(Arrays.copyOfRange(r, payloadFrom, payloadTo), depth);
        try {
            return new EventEnvelope(EventEnvelope.FORMAT, position, eventId, kind, capabilityId, virtualTime, payload,
                    Hash.wrap(prev), stored);
        } catch (IllegalArgumentException invalid) { // includes InvalidPayloadException: a field breaks its rule
            return null;
        }
    }

    /**
     * The kind of the envelope in {@code record}, read off its bytes as {@link #decodeDirect}
     * reads it (the capability id and event id as plain ASCII, the fixed members between them);
     * null when they are not that plain, and then only the full decode can say. For a record the
     * ledger sealed, it is the kind the full decode gives.
     */
    static String kindOf(byte[] r) {
        if (r == null || r.length < HEADER_BYTES + 2 || r[0] != RECORD_VERSION) {
            return null;
        }
        int i = HEADER_BYTES;
        if (startsWith(r, i, EventEnvelope.OPEN_CAPABILITY_NULL)) {
            i += EventEnvelope.OPEN_CAPABILITY_NULL.length;
        } else if (startsWith(r, i, EventEnvelope.OPEN_CAPABILITY_STRING)) {
            i = plainAsciiEnd(r, i + EventEnvelope.OPEN_CAPABILITY_STRING.length);
            if (i < 0 || !startsWith(r, i, EventEnvelope.EVENT_ID)) {
                return null;
            }
            i += EventEnvelope.EVENT_ID.length;
        } else {
            return null;
        }
        i = plainAsciiEnd(r, i);
        if (i < 0 || !startsWith(r, i, EventEnvelope.FORMAT_KIND)) {
            return null;
        }
        int kindFrom = i + EventEnvelope.FORMAT_KIND.length;
        i = plainAsciiEnd(r, kindFrom);
        if (i < 0 || !startsWith(r, i, EventEnvelope.PAYLOAD)) {
            return null;
        }
        return knownAscii(r, kindFrom, i);
    }

    private static boolean startsWith(byte[] r, int at, byte[] literal) {
        return at + literal.length <= r.length && sameBytes(r, at, literal);
    }

    /** Whether {@code literal} ends just before {@code at}, starting no earlier than {@code floor}. */
    private static boolean endsWith(byte[] r, int at, byte[] literal, int floor) {
        int start = at - literal.length;
        return start >= floor && sameBytes(r, start, literal);
    }

    /** Reads 8 bytes of a byte array as one long (the order does not matter for an equality test). */
    private static final VarHandle LONG_AT = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * {@code literal} at {@code r[at]}: eight bytes at a time, which for these short literals is
     * cheaper than a call to the library's comparison.
     */
    private static boolean sameBytes(byte[] r, int at, byte[] literal) {
        int n = literal.length;
        int k = 0;
        for (; k + 8 <= n; k += 8) {
            if ((long) LONG_AT.get(r, at + k) != (long) LONG_AT.get(literal, k)) {
                return false;
            }
        }
        for (; k < n; k++) {
            if (r[at + k] != literal[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The index of the quote that ends a string of printable ASCII without quote or backslash
     * starting at {@code at} (1 to 128 characters), or -1.
     */
    private static int plainAsciiEnd(byte[] r, int at) {
        int i = at;
        int limit = Math.min(r.length, at + 129);
        while (i < limit) {
            byte c = r[i];
            if (c == '"') {
                return i > at ? i : -1;
            }
            if (c < 0x21 || c > 0x7E || c == '\\') {
                return -1;
            }
            i++;
        }
        return -1;
    }

    @SuppressWarnings("deprecation") // String(byte[], int hibyte, int, int): exact for ASCII, without a decoder
    private static String ascii(byte[] r, int from, int to) {
        return new String(r, 0, from, to - from);
    }

    /**
     * Kinds and capability ids read before, in a small direct-mapped table (slot: a hash of the
     * bytes): a ledger holds a few of them over and over, and handing out the same string object
     * for the same bytes saves making it and lets {@link EventDraft#check} recognise it as checked.
     * Shared by all threads without synchronization: an entry is a whole, immutable string, and a
     * thread that sees another or none makes a new one.
     */
    private static final KnownName[] KNOWN_NAMES = new KnownName[256];

    /** A name read before and its ASCII bytes, compared in one call. */
    private record KnownName(String name, byte[] bytes) {
    }

    /** {@code r[from, to)} as a string, the one made before for the same bytes when the table has it. */
    private static String knownAscii(byte[] r, int from, int to) {
        // The slot from the length and three bytes: enough to part the few names a ledger holds;
        // the comparison below makes sure.
        int n = to - from;
        int h = n * 31 + r[from] * 7 + r[to - 1] * 131 + r[from + n / 2] * 17;
        int slot = (h ^ (h >>> 8)) & (KNOWN_NAMES.length - 1);
        // The string and its bytes are published together, as one immutable pair, so that a
        // thread never pairs a string with another string's bytes.
        KnownName known = KNOWN_NAMES[slot];
        if (known != null && Arrays.equals(known.bytes(), 0, known.bytes().length, r, from, to)) {
            return known.name();
        }
        String s = ascii(r, from, to);
        KNOWN_NAMES[slot] = new KnownName(s, Arrays.copyOfRange(r, from, to));
        return s;
    }

    /** The index where the run of 1 to 16 digits ending just before {@code end} starts, or -1. */
    private static int digitsBefore(byte[] r, int end, int floor) {
        int i = end;
        while (i > floor && end - i < 17 && r[i - 1] >= '0' && r[i - 1] <= '9') {
            i--;
        }
        return i == end || end - i > 16 ? -1 : i;
    }

    /** The canonical non-negative integer {@code r[from, to)} (no leading zero, at most 2^53), or -1. */
    private static long canonicalNumber(byte[] r, int from, int to) {
        if (r[from] == '0' && to - from > 1) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            v = v * 10 + (r[i] - '0');
        }
        return v <= EventDraft.MAX_SAFE_INTEGER ? v : -1;
    }

    /** The value of each byte as a lowercase hex digit, or -1 for any other byte. */
    private static final byte[] LOWER_HEX_VALUE = new byte[256];

    static {
        Arrays.fill(LOWER_HEX_VALUE, (byte) -1);
        for (int d = 0; d < 16; d++) {
            LOWER_HEX_VALUE["0123456789abcdef".charAt(d)] = (byte) d;
        }
    }

    /** The 32 bytes written as 64 lowercase hex digits at {@code at}, or null. */
    private static byte[] lowercaseHex(byte[] r, int at) {
        byte[] out = new byte[Hash.LENGTH_BYTES];
        int bad = 0;
        for (int k = 0; k < Hash.LENGTH_BYTES; k++) {
            int hi = LOWER_HEX_VALUE[r[at + 2 * k] & 0xFF];
            int lo = LOWER_HEX_VALUE[r[at + 2 * k + 1] & 0xFF];
            bad |= hi | lo; // negative once any digit is not lowercase hex
            out[k] = (byte) (hi << 4 | lo);
        }
        return bad < 0 ? null : out;
    }

    /**
     * True when {@code json} stops inside a string or an unclosed object or array: what a record
     * cut short looks like. A whole envelope closes its object at its last byte.
     */
    static boolean endsInsideValue(byte[] json) {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (byte b : json) {
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
                continue;
            }
            switch (b) {
                case '"' -> inString = true;
                case '{', '[' -> depth++;
                case '}', ']' -> depth--;
                default -> {
                }
            }
        }
        return inString || depth > 0;
    }

    private static EventEnvelope toEnvelope(JsonNode node, Hash hash) {
        if (!node.isObject() || node.size() != 8) {
            throw new IllegalArgumentException("expected an object with the 8 envelope members");
        }
        JsonNode cap = require(node, "capability_id");
        return new EventEnvelope(
                (int) integer(node, "format"),
                integer(node, "position"),
                text(node, "event_id"),
                text(node, "kind"),
                cap.isNull() ? null : text(node, "capability_id"),
                integer(node, "virtual_time"),
                CanonicalJson.of(require(node, "payload")),
                Hash.parse(text(node, "prev_hash")),
                hash);
    }

    private static JsonNode require(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing member " + name);
        }
        return value;
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = require(node, name);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return value.textValue();
    }

    private static long integer(JsonNode node, String name) {
        JsonNode value = require(node, name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(name + " is not an integer");
        }
        return value.longValue();
    }

    /**
     * The chain check on stored bytes, the default verification: for each record in order, that
     * it sits at the expected position, that its {@code prev_hash} is the hash of the record
     * before, and that {@code SHA-256(tag ‖ prev_hash ‖ canonical bytes)} computed on the stored
     * bytes equals its stored hash. It decodes nothing and allocates nothing per record: the
     * position and {@code prev_hash} are read from the end of the canonical bytes, the
     * {@code prev_hash} hex is compared with the previous hash digit by digit, and the digest goes
     * into a reused array.
     *
     * <p><b>Reading from the end.</b> The canonical form of every envelope ends with
     * <pre>  ,"position":N,"prev_hash":"&lt;64 hex&gt;","virtual_time":T}</pre>
     * because RFC 8785 sorts the members and no member name sorts after these three, and their
     * values are a digit string, 64 hex digits and a digit string. {@link #readSuffix} takes that
     * suffix apart from the last byte backwards: the closing brace, the longest run of digits, a
     * fixed literal, exactly 64 bytes between two quotes, a fixed literal, the longest run of
     * digits, a fixed literal. Each step is fixed by the bytes it has already consumed, and none
     * of them looks at a byte before the {@code ,"position":} literal. So for a record the ledger
     * sealed, the values read are the entry's own position and {@code prev_hash}, whatever its
     * payload holds (a payload whose text ends like the suffix still comes before the real one).
     *
     * <p><b>Why a record that passes is the record that was sealed.</b> A record passes only if
     * its stored bytes hash, behind the previous record's hash, to its stored hash. A change to
     * any stored byte &mdash; payload, suffix, header or hash &mdash; that was not re-sealed
     * (the hash recomputed over the changed bytes) therefore fails at that record, whatever the
     * suffix reads as: to pass, the changed bytes would have to collide with the stored hash
     * under SHA-256. That is the same first bad record the deep check names, since both accept
     * exactly the unchanged records before it. A record that fails is handed to the deep check,
     * which names the problem (so the reasons are the deep check's too).
     *
     * <p><b>What only the deep check adds.</b> Someone who rewrites a record and its hash (and
     * every later one) makes a chain that passes either check; only a trusted head (the sealed
     * head, a signed checkpoint) exposes that. Such a forged record may also be something the
     * ledger never writes &mdash; bytes that are not canonical, or not an envelope at all, but
     * end in a well-formed suffix. The chain check accepts it (its hash is right); the deep check
     * ({@link Ledger.VerifyMode#DEEP}) decodes every record and refuses it as unreadable.
     *
     * <p>Not thread-safe: one per verification.
     */
    static final class ChainCheck {
        private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        /** The most digits a position or virtual time has: 2^53 has 16. */
        private static final int MAX_DIGITS = 16;

        private final MessageDigest sha = Hash.newSha256();
        private final byte[] prev = new byte[Hash.LENGTH_BYTES];
        private final byte[] digest = new byte[Hash.LENGTH_BYTES];
        /** The {@code prev_hash} a record holds, for {@link #matchesUnlinked}. */
        private final byte[] linked = new byte[Hash.LENGTH_BYTES];
        /** Set by {@link #readSuffix}: the position read, and where the prev_hash hex starts. */
        private long suffixPosition;
        private int suffixPrevHexAt;

        /** A check whose first record must link to {@code start}. */
        ChainCheck(Hash start) {
            start.copyTo(prev, 0);
        }

        /**
         * True when {@code record} is at {@code position}, links to the current previous hash and
         * matches its stored hash; its hash then becomes the previous hash. False, changing
         * nothing, for anything else (the caller asks the deep check why).
         */
        boolean accept(byte[] record, long position) {
            if (record == null || record.length < HEADER_BYTES + 2 || record[0] != RECORD_VERSION) {
                return false;
            }
            if (!readSuffix(record) || suffixPosition != position || !prevHexMatches(record, suffixPrevHexAt)) {
                return false;
            }
            sha.update(EventEnvelope.DOMAIN_TAG);
            sha.update(prev);
            sha.update(record, HEADER_BYTES, record.length - HEADER_BYTES);
            digestInto(sha, digest, 0);
            if (!Arrays.equals(record, 1, HEADER_BYTES, digest, 0, Hash.LENGTH_BYTES)) {
                return false;
            }
            System.arraycopy(record, 1, prev, 0, Hash.LENGTH_BYTES);
            return true;
        }

        /**
         * True when {@code record} says it is at {@code position} and matches its stored hash,
         * computed behind the {@code prev_hash} the record itself holds: the checks
         * {@link Ledger#read(long)} makes, on the stored bytes, without the link to the record
         * before. False for anything else. Changes nothing the chain check keeps.
         */
        boolean matchesUnlinked(byte[] record, long position) {
            if (record == null || record.length < HEADER_BYTES + 2 || record[0] != RECORD_VERSION) {
                return false;
            }
            if (!readSuffix(record) || suffixPosition != position) {
                return false;
            }
            int at = suffixPrevHexAt;
            int bad = 0;
            for (int k = 0; k < Hash.LENGTH_BYTES; k++) {
                int hi = LOWER_HEX_VALUE[record[at + 2 * k] & 0xFF];
                int lo = LOWER_HEX_VALUE[record[at + 2 * k + 1] & 0xFF];
                bad |= hi | lo; // negative once any digit is not lowercase hex
                linked[k] = (byte) (hi << 4 | lo);
            }
            if (bad < 0) {
                return false;
            }
            sha.update(EventEnvelope.DOMAIN_TAG);
            sha.update(linked);
            sha.update(record, HEADER_BYTES, record.length - HEADER_BYTES);
            digestInto(sha, digest, 0);
            return Arrays.equals(record, 1, HEADER_BYTES, digest, 0, Hash.LENGTH_BYTES);
        }

        /** The position the last successful {@link #readSuffix} read. */
        long suffixPosition() {
            return suffixPosition;
        }

        /** Where the {@code prev_hash} hex the last successful {@link #readSuffix} found starts. */
        int suffixPrevHexAt() {
            return suffixPrevHexAt;
        }

        /** Makes {@code hash} the previous hash: after the deep check accepted a record. */
        void advance(Hash hash) {
            hash.copyTo(prev, 0);
        }

        /** The previous hash: that of the last record accepted, or the start. */
        Hash prev() {
            return Hash.of(prev);
        }

        /**
         * Reads the fixed suffix {@code ,"position":N,"prev_hash":"H","virtual_time":T}} from
         * the end of the record's canonical bytes; false if the record does not end that way.
         */
        boolean readSuffix(byte[] r) {
            int floor = HEADER_BYTES;
            int i = r.length - 1;
            if (r[i] != '}') {
                return false;
            }
            i = skipDigits(r, i - 1, floor);
            if (i < 0 || !literalEndsAt(r, i, EventEnvelope.VIRTUAL_TIME, floor)) {
                return false;
            }
            // VIRTUAL_TIME starts with the quote that closes the hex.
            int hexEnd = i - EventEnvelope.VIRTUAL_TIME.length; // last hex digit
            int hexAt = hexEnd - 2 * Hash.LENGTH_BYTES + 1;
            i = hexAt - 1;
            if (hexAt < floor || !literalEndsAt(r, i, EventEnvelope.PREV_HASH, floor)) {
                return false;
            }
            i -= EventEnvelope.PREV_HASH.length;
            int digitsEnd = i;
            i = skipDigits(r, i, floor);
            if (i < 0 || !literalEndsAt(r, i, EventEnvelope.POSITION, floor)) {
                return false;
            }
            int digitsAt = i + 1;
            if (r[digitsAt] == '0' && digitsEnd > digitsAt) {
                return false; // a leading zero: not canonical
            }
            long position = 0;
            for (int d = digitsAt; d <= digitsEnd; d++) {
                position = position * 10 + (r[d] - '0');
            }
            suffixPosition = position;
            suffixPrevHexAt = hexAt;
            return true;
        }

        /**
         * Steps back over 1 to {@value #MAX_DIGITS} ASCII digits ending at {@code i}; the index
         * before them, or -1 if there are none or too many.
         */
        private static int skipDigits(byte[] r, int i, int floor) {
            int end = i;
            while (i >= floor && r[i] >= '0' && r[i] <= '9') {
                i--;
            }
            int n = end - i;
            return n < 1 || n > MAX_DIGITS ? -1 : i;
        }

        private static boolean literalEndsAt(byte[] r, int end, byte[] literal, int floor) {
            int start = end - literal.length + 1;
            return start >= floor && Arrays.equals(r, start, end + 1, literal, 0, literal.length);
        }

        /** Whether the 64 bytes at {@code at} are the lowercase hex of the previous hash. */
        private boolean prevHexMatches(byte[] r, int at) {
            for (int i = 0; i < Hash.LENGTH_BYTES; i++) {
                int b = prev[i] & 0xFF;
                if (r[at + 2 * i] != HEX_DIGITS[b >>> 4] || r[at + 2 * i + 1] != HEX_DIGITS[b & 0xF]) {
                    return false;
                }
            }
            return true;
        }
    }
}
