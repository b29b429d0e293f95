package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The byte encoder of the canonical form at its edges: numbers at every change of digit count,
 * hashes holding every byte value, strings that need escapes or UTF-8. Each envelope is compared
 * with a generic RFC 8785 canonicalizer and an independently computed hash (the random envelopes
 * of {@link EventEnvelopeTest} cover the middle ground).
 */
class EnvelopeEncodingTest {

    /** 0, 9, 10, 99, 100, ... up to 2^53, where positions and virtual times end. */
    static List<Long> digitEdges() {
        List<Long> edges = new ArrayList<>(List.of(0L, 1L));
        for (long p = 10; p > 0 && p <= EventDraft.MAX_SAFE_INTEGER; p *= 10) {
            edges.add(p - 1);
            edges.add(p);
        }
        edges.add(Integer.MAX_VALUE - 1L);
        edges.add((long) Integer.MAX_VALUE);
        edges.add(Integer.MAX_VALUE + 1L);
        edges.add(EventDraft.MAX_SAFE_INTEGER - 1);
        edges.add(EventDraft.MAX_SAFE_INTEGER);
        return edges;
    }

    @Test
    void digitCounts() {
        for (long p = 1, k = 1; k <= 18; p *= 10, k++) {
            for (long v : new long[] {p - 1, p, p + 1, 2 * p, 9 * p + (p - 1)}) {
                assertEquals(Long.toString(v).length(), EventEnvelope.decimalDigits(v), "digits of " + v);
            }
        }
        assertEquals(19, EventEnvelope.decimalDigits(Long.MAX_VALUE));
        assertEquals(1, EventEnvelope.decimalDigits(0));
    }

    private static void assertCanonical(EventEnvelope e) {
        byte[] canonical = e.canonicalBytes();
        byte[] generic = CanonicalJson.of(EventEnvelopeTest.asJacksonObject(e)).toUtf8();
        assertArrayEquals(generic, canonical, () -> new String(canonical, StandardCharsets.UTF_8));
        assertArrayEquals(EventEnvelopeTest.independentHash(e.prevHash(), canonical), e.hash().toBytes());
        assertEquals(e, ((RecordCodec.Ok) RecordCodec.decode(RecordCodec.encode(e))).envelope());
    }

    @Test
    void numbersAtEveryDigitCount() {
        Hash prev = Hash.sha256(new byte[] {7});
        for (long n : digitEdges()) {
            for (String eventId : new String[] {null, "x"}) {
                EventDraft draft = new EventDraft("edge.digits", null, n, CanonicalJson.NULL, eventId);
                EventEnvelope e = EventEnvelope.seal(n, prev, draft);
                assertEquals(eventId == null ? "ev-" + n : eventId, e.eventId());
                assertCanonical(e);
            }
        }
    }

    @Test
    void hashesWithEveryByteValue() {
        for (int start = 0; start < 256; start += 32) {
            byte[] bytes = new byte[Hash.LENGTH_BYTES];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (start + i);
            }
            Hash prev = Hash.of(bytes);
            EventEnvelope e = EventEnvelope.seal(3, prev, EventDraft.of("edge.hex", 3, CanonicalJson.EMPTY_OBJECT));
            assertCanonical(e);
            String text = new String(e.canonicalBytes(), StandardCharsets.US_ASCII);
            assertEquals(prev.toHex(), text.substring(text.indexOf("\"prev_hash\":\"") + 13, text.indexOf("\",\"virtual_time\"")));
            assertEquals(CanonicalJson.canonicalize(e.toJson()), e.toJson());
        }
    }

    @Test
    void capabilityIdsThatNeedEscapesOrUtf8() {
        String[] ids = {"a\"b", "back\\slash", "\u00e9t\u00e9", "\u20ac", "\uFFFD\uFF01", "mixed\"\u00e9\\x", "~", "\u00a1", "z".repeat(128)};
        for (String id : ids) {
            assertCanonical(EventEnvelope.seal(1, Hash.GENESIS, EventDraft.of("edge.string", id, 1, CanonicalJson.ofString(id))));
        }
    }
}
