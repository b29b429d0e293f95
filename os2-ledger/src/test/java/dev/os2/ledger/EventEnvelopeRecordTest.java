package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.os2.ledger.VerifyResult.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stored record of an envelope ({@link RecordCodec}): version byte, hash, canonical bytes.
 * Round trips exactly, and names the problem with every kind of damaged record.
 */
class EventEnvelopeRecordTest {

    private static final String N = "[1,0.5,-2,1e-7,true,false,null,{\"k\":[]}]";
    private static final String OUT = "\"h\u00e9llo \u20ac\uD83D\uDE02\\n\"";
    private static final EventEnvelope SAMPLE = EventEnvelope.seal(3, Hash.sha256(new byte[] {9}),
            new EventDraft("token.completed", "cap.py:run", 1234, CanonicalJson.parse("{\"out\":" + OUT + ",\"n\":" + N + "}"), null));

    static byte[] record(String canonicalJson) {
        return RecordCodec.encode(SAMPLE.hash(), canonicalJson.getBytes(StandardCharsets.UTF_8));
    }

    static String sampleText() {
        return new String(SAMPLE.canonicalBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void layoutIsVersionHashCanonicalBytes() {
        byte[] r = RecordCodec.encode(SAMPLE);
        assertEquals(1, r[0]);
        assertEquals(RecordCodec.RECORD_VERSION, r[0]);
        assertArrayEquals(SAMPLE.hash().toBytes(), Arrays.copyOfRange(r, 1, 33));
        assertArrayEquals(SAMPLE.canonicalBytes(), Arrays.copyOfRange(r, 33, r.length));
        assertEquals(33, RecordCodec.HEADER_BYTES);
    }

    @Test
    void randomEnvelopesRoundTrip() {
        long seed = 0xC0DEC;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2_000; i++) {
            EventEnvelope e = EventEnvelope.seal(random.nextLong(0, EventDraft.MAX_SAFE_INTEGER + 1), EventEnvelopeTest.randomHash(random),
                    EventEnvelopeTest.randomDraft(random));
            byte[] r = RecordCodec.encode(e);
            RecordCodec.Decoded d = RecordCodec.decode(r);
            if (!(d instanceof RecordCodec.Ok ok) || !ok.envelope().equals(e)) {
                fail("seed " + seed + ", envelope " + i + " " + e.toJson() + " decoded as " + d);
                return;
            }
            assertArrayEquals(r, RecordCodec.encode(ok.envelope()));
        }
    }

    /**
     * Doubles whose canonical form is a long integer literal (1e20 prints as
     * 100000000000000000000) are stored that way and must decode again.
     */
    @Test
    void payloadsWithLargeDoublesDecode() {
        CanonicalJson payload = CanonicalJson.parse("[1e17,1e20,18446744073709551616,999999999999999900000,-4e20,1e21,9007199254740992]");
        assertEquals("[100000000000000000,100000000000000000000,18446744073709552000,999999999999999900000,"
                + "-400000000000000000000,1e+21,9007199254740992]", payload.text());
        EventEnvelope e = EventEnvelope.seal(0, Hash.GENESIS, EventDraft.of("big.numbers", 0, payload));
        RecordCodec.Ok ok = assertInstanceOf(RecordCodec.Ok.class, RecordCodec.decode(RecordCodec.encode(e)));
        assertEquals(e, ok.envelope());
    }

    @Test
    void decodeDoesNotCheckTheHash() {
        byte[] r = RecordCodec.encode(SAMPLE);
        r[5] ^= 1;
        RecordCodec.Ok ok = assertInstanceOf(RecordCodec.Ok.class, RecordCodec.decode(r));
        assertNotEquals(ok.envelope().hash(), ok.envelope().recomputeHash());
        assertEquals(SAMPLE.hash(), ok.envelope().recomputeHash());
    }

    static Stream<Arguments> damaged() {
        String s = sampleText();
        byte[] full = RecordCodec.encode(SAMPLE);
        byte[] version0 = full.clone();
        version0[0] = 0;
        byte[] version2 = full.clone();
        version2[0] = 2;
        byte[] versionFf = full.clone();
        versionFf[0] = (byte) 0xff;
        byte[] badUtf8 = full.clone();
        int e = indexOf(badUtf8, "h\u00e9llo".getBytes(StandardCharsets.UTF_8)) + 1;
        badUtf8[e] = (byte) 0xff;
        return Stream.of(
                Arguments.of("null", null, Problem.TRUNCATED_ENTRY),
                Arguments.of("empty", new byte[0], Problem.TRUNCATED_ENTRY),
                Arguments.of("version byte only", new byte[] {1}, Problem.TRUNCATED_ENTRY),
                Arguments.of("header only", Arrays.copyOf(full, 33), Problem.TRUNCATED_ENTRY),
                Arguments.of("header and one byte", Arrays.copyOf(full, 34), Problem.TRUNCATED_ENTRY),
                Arguments.of("half the envelope", Arrays.copyOf(full, 33 + s.length() / 2), Problem.TRUNCATED_ENTRY),
                Arguments.of("all but the closing brace", Arrays.copyOf(full, full.length - 1), Problem.TRUNCATED_ENTRY),
                Arguments.of("version 0", version0, Problem.UNREADABLE_RECORD),
                Arguments.of("version 2", version2, Problem.UNREADABLE_RECORD),
                Arguments.of("version 255", versionFf, Problem.UNREADABLE_RECORD),
                Arguments.of("invalid UTF-8", badUtf8, Problem.UNREADABLE_RECORD),
                Arguments.of("zeroed", new byte[full.length], Problem.UNREADABLE_RECORD),
                Arguments.of("white space", record(s.replace(",\"kind\"", ", \"kind\"")), Problem.UNREADABLE_RECORD),
                Arguments.of("trailing new line", record(s + "\n"), Problem.UNREADABLE_RECORD),
                Arguments.of("trailing garbage", record(s + "x"), Problem.UNREADABLE_RECORD),
                Arguments.of("a second object", record(s + "{}"), Problem.UNREADABLE_RECORD),
                Arguments.of("members out of order", record(s.replace("{\"capability_id\":\"cap.py:run\",\"event_id\":\"ev-3\"",
                        "{\"event_id\":\"ev-3\",\"capability_id\":\"cap.py:run\"")), Problem.UNREADABLE_RECORD),
                Arguments.of("upper-case prev_hash", record(s.replace(SAMPLE.prevHash().toHex(),
                        SAMPLE.prevHash().toHex().toUpperCase(java.util.Locale.ROOT))), Problem.UNREADABLE_RECORD),
                Arguments.of("short prev_hash", record(s.replace(SAMPLE.prevHash().toHex(), SAMPLE.prevHash().toHex().substring(2))),
                        Problem.UNREADABLE_RECORD),
                Arguments.of("payload not canonical", record(s.replace("[1,0.5,", "[1.0,0.5,")), Problem.UNREADABLE_RECORD),
                Arguments.of("payload number not canonical", record(s.replace("1e-7", "1E-7")), Problem.UNREADABLE_RECORD),
                Arguments.of("payload keys unsorted", record(replaceOnce(s, "{\"n\":" + N + ",\"out\":" + OUT + "}",
                        "{\"out\":" + OUT + ",\"n\":" + N + "}")), Problem.UNREADABLE_RECORD),
                Arguments.of("payload escaped needlessly", record(s.replace("h\u00e9llo", "h\\u00e9llo")), Problem.UNREADABLE_RECORD),
                Arguments.of("format 2", record(s.replace("\"format\":1", "\"format\":2")), Problem.UNREADABLE_RECORD),
                Arguments.of("format 2^32 + 1", record(s.replace("\"format\":1", "\"format\":4294967297")), Problem.UNREADABLE_RECORD),
                Arguments.of("format as a string", record(s.replace("\"format\":1", "\"format\":\"1\"")), Problem.UNREADABLE_RECORD),
                Arguments.of("position as a float", record(s.replace("\"position\":3", "\"position\":3.5")), Problem.UNREADABLE_RECORD),
                Arguments.of("position negative", record(s.replace("\"position\":3", "\"position\":-3")), Problem.UNREADABLE_RECORD),
                Arguments.of("missing member", record(s.replace(",\"virtual_time\":1234", "")), Problem.UNREADABLE_RECORD),
                Arguments.of("extra member", record(s.replace(",\"virtual_time\":1234", ",\"virtual_time\":1234,\"x\":1")), Problem.UNREADABLE_RECORD),
                Arguments.of("duplicate member", record(s.replace(",\"virtual_time\":1234", ",\"virtual_time\":1234,\"virtual_time\":1234")),
                        Problem.UNREADABLE_RECORD),
                Arguments.of("hash member included", record(SAMPLE.toJson()), Problem.UNREADABLE_RECORD),
                Arguments.of("bad kind", record(s.replace("token.completed", "Token")), Problem.UNREADABLE_RECORD),
                Arguments.of("not an object", record("[" + s + "]"), Problem.UNREADABLE_RECORD),
                Arguments.of("a bare string", record("\"" + "x".repeat(40) + "\""), Problem.UNREADABLE_RECORD),
                Arguments.of("NaN in the payload", record(s.replace("0.5,", "NaN,")), Problem.UNREADABLE_RECORD),
                Arguments.of("lone surrogate in the payload", record(s.replace("\uD83D\uDE02", "\\ud83d")), Problem.UNREADABLE_RECORD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void damagedRecordsNameTheirProblem(String name, byte[] record, Problem expected) {
        RecordCodec.Bad bad = assertInstanceOf(RecordCodec.Bad.class, RecordCodec.decode(record));
        assertEquals(expected, bad.problem(), bad::detail);
        assertTrue(bad.detail() != null && !bad.detail().isBlank());
    }

    /**
     * A record cut at any length (inside a literal, a number, an escape or a multi-byte character)
     * is a truncated entry.
     */
    @Test
    void everyCutIsATruncatedEntry() {
        assertEveryCutTruncated(SAMPLE);
        long seed = 0xC075;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 50; i++) {
            EventEnvelope e = EventEnvelope.seal(random.nextLong(0, 1L << 40), EventEnvelopeTest.randomHash(random),
                    EventEnvelopeTest.randomDraft(random));
            try {
                assertEveryCutTruncated(e);
            } catch (AssertionError ex) {
                fail("seed " + seed + ", envelope " + i, ex);
            }
        }
    }

    private static void assertEveryCutTruncated(EventEnvelope e) {
        byte[] full = RecordCodec.encode(e);
        for (int length = 0; length < full.length; length++) {
            RecordCodec.Decoded d = RecordCodec.decode(Arrays.copyOf(full, length));
            if (!(d instanceof RecordCodec.Bad bad) || bad.problem() != Problem.TRUNCATED_ENTRY) {
                fail("cut at " + length + " of " + full.length + " of " + e.toJson() + " decoded as " + d);
            }
        }
    }

    static String replaceOnce(String s, String target, String replacement) {
        int at = s.indexOf(target);
        assertTrue(at >= 0, () -> target + " not in " + s);
        return s.substring(0, at) + replacement + s.substring(at + target.length());
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
