package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.InvalidPayloadException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The envelope format: the hash is SHA-256 over the domain tag, the previous hash and the RFC 8785
 * bytes of the envelope without its hash, checked here against an independent computation, a
 * generic canonicalizer, and known answers; and every field rule.
 */
class EventEnvelopeTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    // --- random envelopes, shared with the other ledger tests ------------------------------------

    private static final String KIND_FIRST = "abcdefghijklmnopqrstuvwxyz";
    private static final String KIND_REST = KIND_FIRST + "0123456789_.";
    private static final String EVENT_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
    /** Printable characters a capability id may hold: ASCII and some of the rest of the BMP. */
    private static final String CAPABILITY_CHARS = "!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"
            + "\u00a1\u00e9\u00df\u03a9\u0416\u05d0\u20ac\u2603\u65e5\uFB33\uFF01\uFFFD";

    static String randomKind(SplittableRandom random) {
        StringBuilder s = new StringBuilder().append(KIND_FIRST.charAt(random.nextInt(KIND_FIRST.length())));
        int extra = random.nextInt(4) == 0 ? 63 : random.nextInt(20);
        for (int i = 0; i < extra; i++) {
            s.append(KIND_REST.charAt(random.nextInt(KIND_REST.length())));
        }
        return s.toString();
    }

    static String randomFrom(SplittableRandom random, String chars, int minLength, int maxLength) {
        int n = random.nextInt(minLength, maxLength + 1);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(chars.charAt(random.nextInt(chars.length())));
        }
        return s.toString();
    }

    /** A payload with strings full of escapes and non-ASCII text, numbers and nesting. */
    static CanonicalJson randomPayload(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> CanonicalJson.NULL;
            case 1 -> CanonicalJson.ofString(CanonicalJsonTest.randomString(random, 30));
            default -> CanonicalJson.of(CanonicalJsonTest.randomValue(random, 2));
        };
    }

    static EventDraft randomDraft(SplittableRandom random) {
        String capability = random.nextInt(4) == 0 ? null
                : random.nextInt(8) == 0 ? randomFrom(random, CAPABILITY_CHARS, 128, 128)
                : randomFrom(random, CAPABILITY_CHARS, 1, 24);
        String eventId = random.nextInt(3) == 0 ? null
                : random.nextInt(8) == 0 ? randomFrom(random, EVENT_ID_CHARS, 128, 128)
                : randomFrom(random, EVENT_ID_CHARS, 1, 24);
        long virtualTime = random.nextInt(8) == 0 ? EventDraft.MAX_SAFE_INTEGER : random.nextLong(0, EventDraft.MAX_SAFE_INTEGER);
        return new EventDraft(randomKind(random), capability, virtualTime, randomPayload(random), eventId);
    }

    static Hash randomHash(SplittableRandom random) {
        byte[] b = new byte[Hash.LENGTH_BYTES];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return Hash.of(b);
    }

    // --- the hash and the canonical bytes --------------------------------------------------------

    static byte[] independentHash(Hash prev, byte[] canonical) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("os2.ledger.v1".getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0);
            sha.update(prev.toBytes());
            sha.update(canonical);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The envelope minus its hash, built member by member as a generic JSON object. */
    static ObjectNode asJacksonObject(EventEnvelope e) {
        ObjectNode o = NODES.objectNode();
        // Deliberately not in canonical order: the canonicalizer must sort them.
        o.put("virtual_time", e.virtualTime());
        o.put("prev_hash", e.prevHash().toHex());
        o.put("position", e.position());
        o.set("payload", e.payload().toJsonNode());
        o.put("kind", e.kind());
        o.put("format", e.format());
        o.put("event_id", e.eventId());
        if (e.capabilityId() == null) {
            o.putNull("capability_id");
        } else {
            o.put("capability_id", e.capabilityId());
        }
        return o;
    }

    @Test
    void randomDraftsSealToTheSpecifiedHashAndRfc8785Bytes() {
        long seed = 0xE17E10L;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 3_000; i++) {
            EventDraft draft = randomDraft(random);
            long position = random.nextInt(8) == 0 ? EventDraft.MAX_SAFE_INTEGER : random.nextLong(0, 1L << 40);
            Hash prev = random.nextInt(10) == 0 ? Hash.GENESIS : randomHash(random);
            try {
                EventEnvelope e = EventEnvelope.seal(position, prev, draft);
                assertEquals(EventEnvelope.FORMAT, e.format());
                assertEquals(position, e.position());
                assertEquals(draft.eventId() == null ? "ev-" + position : draft.eventId(), e.eventId());
                assertEquals(draft.kind(), e.kind());
                assertEquals(draft.capabilityId(), e.capabilityId());
                assertEquals(draft.virtualTime(), e.virtualTime());
                assertEquals(draft.payload(), e.payload());
                assertEquals(prev, e.prevHash());

                byte[] canonical = e.canonicalBytes();
                // The hand-written member order is RFC 8785 order: a generic canonicalizer agrees.
                byte[] generic = CanonicalJson.of(asJacksonObject(e)).toUtf8();
                assertArrayEquals(generic, canonical, () -> "canonical bytes differ:\n  envelope: "
                        + new String(canonical, StandardCharsets.UTF_8) + "\n  generic:  " + new String(generic, StandardCharsets.UTF_8));
                assertArrayEquals(independentHash(prev, canonical), e.hash().toBytes());
                assertEquals(e.hash(), e.recomputeHash());
                assertEquals(e.hash(), EventEnvelope.computeHash(prev, canonical));

                // toJson: canonical, with the hash member, and reads back to an equal envelope.
                String json = e.toJson();
                assertEquals(json, CanonicalJson.canonicalize(json));
                ObjectNode withHash = asJacksonObject(e);
                withHash.put("hash", e.hash().toHex());
                assertEquals(CanonicalJson.of(withHash).text(), json);
                assertEquals(e, fromJson(json));
            } catch (AssertionError | RuntimeException ex) {
                fail("seed " + seed + ", draft " + i + ": " + draft + " at " + position + " after " + prev, ex);
            }
        }
    }

    /** Reads {@link EventEnvelope#toJson()} output back, member by member. */
    static EventEnvelope fromJson(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            assertEquals(9, n.size(), "members of " + json);
            return new EventEnvelope(n.get("format").intValue(), n.get("position").longValue(), n.get("event_id").textValue(),
                    n.get("kind").textValue(), n.get("capability_id").isNull() ? null : n.get("capability_id").textValue(),
                    n.get("virtual_time").longValue(), CanonicalJson.of(n.get("payload")), Hash.parse(n.get("prev_hash").textValue()),
                    Hash.parse(n.get("hash").textValue()));
        } catch (java.io.IOException ex) {
            throw new AssertionError("toJson is not JSON: " + json, ex);
        }
    }

    /** Known answers, computed outside Java; they freeze format version 1. */
    @Test
    void knownAnswers() {
        EventDraft first = EventDraft.of("token.scheduled", "cap.fs:read", 42,
                CanonicalJson.parse("{\"b\":[1,2.50,\"x\\n\u00e9\"],\"a\":null}"));
        EventEnvelope e0 = EventEnvelope.seal(0, Hash.GENESIS, first);
        assertEquals("{\"capability_id\":\"cap.fs:read\",\"event_id\":\"ev-0\",\"format\":1,\"kind\":\"token.scheduled\","
                + "\"payload\":{\"a\":null,\"b\":[1,2.5,\"x\\n\u00e9\"]},\"position\":0,\"prev_hash\":\"" + "0".repeat(64)
                + "\",\"virtual_time\":42}", new String(e0.canonicalBytes(), StandardCharsets.UTF_8));
        assertEquals("6ad12d04f0abe081fd66f6e3a7dbb6bc4a70fcb942e3ca4b849745d048a8fd21", e0.hash().toHex());

        EventEnvelope e1 = EventEnvelope.seal(1, e0.hash(),
                new EventDraft("capability.granted", null, 43, CanonicalJson.ofString("\u20ac"), "order-7"));
        assertEquals("e4c3595b195d87c7cddab0bc1a8477490020034684a746be43543d3fb0c86c96", e1.hash().toHex());
        assertEquals("{\"capability_id\":null,\"event_id\":\"order-7\",\"format\":1,\"hash\":\"" + e1.hash().toHex()
                + "\",\"kind\":\"capability.granted\",\"payload\":\"\u20ac\",\"position\":1,\"prev_hash\":\"" + e0.hash().toHex()
                + "\",\"virtual_time\":43}", e1.toJson());
    }

    @Test
    void everyFieldIsCoveredByTheHash() {
        EventDraft base = new EventDraft("k", "cap", 7, CanonicalJson.parse("{\"a\":1}"), "id-1");
        Hash prev = Hash.sha256(new byte[] {1});
        Hash h = EventEnvelope.seal(3, prev, base).hash();
        assertNotEquals(h, EventEnvelope.seal(4, prev, base).hash());
        assertNotEquals(h, EventEnvelope.seal(3, Hash.GENESIS, base).hash());
        assertNotEquals(h, EventEnvelope.seal(3, prev, new EventDraft("kk", "cap", 7, base.payload(), "id-1")).hash());
        assertNotEquals(h, EventEnvelope.seal(3, prev, new EventDraft("k", null, 7, base.payload(), "id-1")).hash());
        assertNotEquals(h, EventEnvelope.seal(3, prev, new EventDraft("k", "cap", 8, base.payload(), "id-1")).hash());
        assertNotEquals(h, EventEnvelope.seal(3, prev, new EventDraft("k", "cap", 7, CanonicalJson.parse("{\"a\":2}"), "id-1")).hash());
        assertNotEquals(h, EventEnvelope.seal(3, prev, new EventDraft("k", "cap", 7, base.payload(), "id-2")).hash());
        assertNotEquals(h, EventEnvelope.seal(3, prev, new EventDraft("k", "cap", 7, base.payload(), null)).hash());
        assertEquals(h, EventEnvelope.seal(3, prev, new EventDraft("k", "cap", 7, CanonicalJson.parse("{ \"a\" : 1.0 }"), "id-1")).hash());
    }

    // --- field rules -----------------------------------------------------------------------------

    static Stream<Arguments> badDrafts() {
        CanonicalJson p = CanonicalJson.EMPTY_OBJECT;
        return Stream.of(
                draft("kind null", () -> new EventDraft(null, null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind empty", () -> new EventDraft("", null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind upper case", () -> new EventDraft("Token", null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind starts with a digit", () -> new EventDraft("1token", null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind starts with a dot", () -> new EventDraft(".token", null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind with a dash", () -> new EventDraft("token-x", null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind with a space", () -> new EventDraft("token x", null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind with a newline", () -> new EventDraft("token\n", null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind non-ASCII", () -> new EventDraft("t\u00e9", null, 0, p, null), Reason.INVALID_FIELD),
                draft("kind 65 characters", () -> new EventDraft("a".repeat(65), null, 0, p, null), Reason.INVALID_FIELD),
                draft("capability empty", () -> new EventDraft("k", "", 0, p, null), Reason.INVALID_FIELD),
                draft("capability 129 characters", () -> new EventDraft("k", "c".repeat(129), 0, p, null), Reason.INVALID_FIELD),
                draft("capability with a space", () -> new EventDraft("k", "fs read", 0, p, null), Reason.INVALID_FIELD),
                draft("capability with a tab", () -> new EventDraft("k", "fs\tread", 0, p, null), Reason.INVALID_FIELD),
                draft("capability with NUL", () -> new EventDraft("k", "fs\u0000", 0, p, null), Reason.INVALID_FIELD),
                draft("capability with DEL", () -> new EventDraft("k", "fs\u007f", 0, p, null), Reason.INVALID_FIELD),
                draft("capability with a C1 control", () -> new EventDraft("k", "fs\u0085", 0, p, null), Reason.INVALID_FIELD),
                draft("capability with a lone surrogate", () -> new EventDraft("k", "fs\uD800", 0, p, null), Reason.INVALID_FIELD),
                draft("capability with a surrogate pair", () -> new EventDraft("k", "fs\uD83D\uDE02", 0, p, null), Reason.INVALID_FIELD),
                draft("event id empty", () -> new EventDraft("k", null, 0, p, ""), Reason.INVALID_FIELD),
                draft("event id 129 characters", () -> new EventDraft("k", null, 0, p, "e".repeat(129)), Reason.INVALID_FIELD),
                draft("event id with a space", () -> new EventDraft("k", null, 0, p, "a b"), Reason.INVALID_FIELD),
                draft("event id with a slash", () -> new EventDraft("k", null, 0, p, "a/b"), Reason.INVALID_FIELD),
                draft("event id with a quote", () -> new EventDraft("k", null, 0, p, "a\"b"), Reason.INVALID_FIELD),
                draft("event id non-ASCII", () -> new EventDraft("k", null, 0, p, "\u00e9"), Reason.INVALID_FIELD),
                draft("event id with a newline", () -> new EventDraft("k", null, 0, p, "a\n"), Reason.INVALID_FIELD),
                draft("virtual time negative", () -> new EventDraft("k", null, -1, p, null), Reason.INVALID_FIELD),
                draft("virtual time beyond 2^53", () -> new EventDraft("k", null, (1L << 53) + 1, p, null), Reason.INVALID_FIELD),
                draft("virtual time Long.MAX_VALUE", () -> new EventDraft("k", null, Long.MAX_VALUE, p, null), Reason.INVALID_FIELD),
                draft("payload null", () -> new EventDraft("k", null, 0, null, null), Reason.NULL),
                draft("payload null (of)", () -> EventDraft.of("k", 0, null), Reason.NULL));
    }

    private static Arguments draft(String name, Supplier<Object> make, Reason reason) {
        return Arguments.of(name, make, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDrafts")
    void refusesBadDrafts(String name, Supplier<Object> make, Reason reason) {
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class, make::get);
        assertEquals(reason, e.reason(), e::getMessage);
    }

    @Test
    void acceptsFieldBoundaries() {
        CanonicalJson p = CanonicalJson.NULL;
        assertDoesNotThrow(() -> new EventDraft("a", null, 0, p, null));
        assertDoesNotThrow(() -> new EventDraft("a" + "z9_.".repeat(15) + "abc", null, 0, p, null));
        assertEquals(64, ("a" + "z9_.".repeat(15) + "abc").length());
        assertDoesNotThrow(() -> new EventDraft("k", "c", EventDraft.MAX_SAFE_INTEGER, p, "e"));
        assertDoesNotThrow(() -> new EventDraft("k", "!".repeat(128), 0, p, "E".repeat(128)));
        assertDoesNotThrow(() -> new EventDraft("k", "cap.fs:/tmp/*?x=\"1\"\u00e9\u20ac", 0, p, "A-z_0.9:"));
        EventEnvelope far = EventEnvelope.seal(EventDraft.MAX_SAFE_INTEGER, Hash.GENESIS, EventDraft.of("k", 0, p));
        assertEquals("ev-9007199254740992", far.eventId());
    }

    @Test
    void refusesBadEnvelopes() {
        EventEnvelope good = EventEnvelope.seal(5, Hash.GENESIS, EventDraft.of("k", 1, CanonicalJson.NULL));
        Hash h = good.hash();
        CanonicalJson p = good.payload();
        assertDoesNotThrow(() -> new EventEnvelope(1, 5, "ev-5", "k", null, 1, p, Hash.GENESIS, h));
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(2, 5, "ev-5", "k", null, 1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(0, 5, "ev-5", "k", null, 1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(1, -1, "ev-5", "k", null, 1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(1, (1L << 53) + 1, "ev-5", "k", null, 1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(1, 5, "ev 5", "k", null, 1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.NULL, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(1, 5, null, "k", null, 1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(1, 5, "ev-5", "K", null, 1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(1, 5, "ev-5", "k", " ", 1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(1, 5, "ev-5", "k", null, -1, p, Hash.GENESIS, h)).reason());
        assertEquals(Reason.NULL, assertThrows(InvalidPayloadException.class,
                () -> new EventEnvelope(1, 5, "ev-5", "k", null, 1, null, Hash.GENESIS, h)).reason());
        assertThrows(NullPointerException.class, () -> new EventEnvelope(1, 5, "ev-5", "k", null, 1, p, null, h));
        assertThrows(NullPointerException.class, () -> new EventEnvelope(1, 5, "ev-5", "k", null, 1, p, Hash.GENESIS, null));
        assertThrows(NullPointerException.class, () -> EventEnvelope.seal(0, null, EventDraft.of("k", 0, p)));
        assertThrows(NullPointerException.class, () -> EventEnvelope.seal(0, Hash.GENESIS, null));
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> EventEnvelope.seal(-1, Hash.GENESIS, EventDraft.of("k", 0, p))).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(InvalidPayloadException.class,
                () -> EventEnvelope.seal((1L << 53) + 1, Hash.GENESIS, EventDraft.of("k", 0, p))).reason());
    }

    @Test
    void aWrongHashIsKeptButDoesNotRecompute() {
        EventEnvelope good = EventEnvelope.seal(0, Hash.GENESIS, EventDraft.of("k", 1, CanonicalJson.NULL));
        Hash wrong = Hash.sha256(new byte[0]);
        EventEnvelope bad = new EventEnvelope(1, 0, good.eventId(), "k", null, 1, CanonicalJson.NULL, Hash.GENESIS, wrong);
        assertEquals(wrong, bad.hash());
        assertEquals(good.hash(), bad.recomputeHash());
        assertArrayEquals(good.canonicalBytes(), bad.canonicalBytes());
        assertEquals(HexFormat.of().formatHex(good.hash().toBytes()), good.hash().toHex());
    }
}
