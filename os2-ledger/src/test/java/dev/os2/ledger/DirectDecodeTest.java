package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast paths of reading: {@link CanonicalCheck} must never call bytes canonical that are not,
 * and {@link RecordCodec#decodeDirect} must give exactly what the full decode gives whenever it
 * gives anything; both over random records and random damage to them. Each prints its seed.
 */
class DirectDecodeTest {

    private static final String[] PAYLOADS = {"null", "true", "0", "-7", "9007199254740992", "\"\"", "\"a\\\"b\\\\c\\n\\u0001\u00e9\u20ac\uD83D\uDE02\u007f\"",
        "{}", "[]", "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", "[1,[2,[3,{}]]]", "1.5", "1e+21", "-0.001",
        "{\"\u00e9\":1}", "{\"a\\nb\":1}", "[\"\\/\"]", "123456789012345680"};

    @Test
    void theCheckNeverCallsNonCanonicalBytesCanonical() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        int accepted = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = json(rnd).getBytes(StandardCharsets.UTF_8);
            if (rnd.nextBoolean()) {
                bytes = mutate(bytes, rnd);
            }
            int depth = CanonicalCheck.canonicalDepth(bytes, 0, bytes.length);
            if (depth < 0) {
                continue;
            }
            accepted++;
            CanonicalJson parsed;
            try {
                parsed = CanonicalJson.parse(bytes);
            } catch (InvalidPayloadException e) {
                fail("seed " + seed + ": the check accepted bytes that do not parse: " + new String(bytes, StandardCharsets.UTF_8), e);
                return;
            }
            assertArrayEquals(parsed.toUtf8(), bytes, "seed " + seed + ": accepted bytes that are not canonical");
            assertEquals(parsed.nestingDepth(), depth, "seed " + seed + ": depth of " + parsed);
        }
        assertTrue(accepted > 10_000, "seed " + seed + ": the check accepted only " + accepted + " values");
    }

    @Test
    void directDecodingGivesWhatTheFullDecodeGives() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        EventEnvelope.CanonicalBuffer buffer = new EventEnvelope.CanonicalBuffer(0);
        int direct = 0;
        for (int i = 0; i < 30_000; i++) {
            String kind = rnd.nextBoolean() ? "token_completed" : "custom.x_" + rnd.nextInt(10);
            String cap = switch (rnd.nextInt(4)) {
                case 0 -> null;
                case 1 -> "sim.echo";
                case 2 -> "caf\u00e9.x";      // not ASCII: left to the full decode
                default -> "a\"b";           // needs an escape: left to the full decode
            };
            String eventId = rnd.nextInt(3) == 0 ? "id-" + rnd.nextInt(1000) : null;
            long position = rnd.nextInt(4) == 0 ? rnd.nextLong(1L << 53) : rnd.nextInt(100_000);
            EventDraft draft = new EventDraft(kind, cap, rnd.nextLong(1L << 53), CanonicalJson.parse(json(rnd)), eventId);
            EventEnvelope sealed = RecordCodec.sealInto(buffer, Hash.newSha256(), position, Hash.sha256(new byte[] {(byte) i}), draft);
            byte[] record = RecordCodec.encode(sealed);
            if (rnd.nextInt(3) == 0) {
                record = mutate(record, rnd);
            }
            EventEnvelope fast = record.length < RecordCodec.HEADER_BYTES + 2 || record[0] != RecordCodec.RECORD_VERSION ? null
                    : RecordCodec.decodeDirect(record, Hash.wrap(java.util.Arrays.copyOfRange(record, 1, RecordCodec.HEADER_BYTES)));
            RecordCodec.Decoded full = RecordCodec.decodeParsed(record);
            if (fast != null) {
                direct++;
                RecordCodec.Ok ok = assertInstanceOf(RecordCodec.Ok.class, full, "seed " + seed + ", record " + i
                        + ": decoded directly, refused by the full decode: " + new String(record, StandardCharsets.UTF_8));
                assertEquals(ok.envelope(), fast, "seed " + seed + ", record " + i);
                assertArrayEquals(RecordCodec.encode(ok.envelope()), record, "seed " + seed + ", record " + i);
            }
            assertEquals(String.valueOf(full), String.valueOf(RecordCodec.decode(record)),
                    "seed " + seed + ", record " + i + ": decode differs from the full decode");
        }
        assertNotNull(buffer);
        assertTrue(direct > 5_000, "seed " + seed + ": only " + direct + " records were decoded directly");
    }

    private static String json(SplittableRandom rnd) {
        if (rnd.nextInt(3) == 0) {
            return PAYLOADS[rnd.nextInt(PAYLOADS.length)];
        }
        StringBuilder s = new StringBuilder("{");
        int n = rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
            s.append(k > 0 ? "," : "").append("\"k").append(k).append("\":").append(PAYLOADS[rnd.nextInt(PAYLOADS.length)]);
        }
        return CanonicalJson.canonicalize(s.append('}').toString());
    }

    /** One random change: a byte flipped, removed, duplicated or inserted, or the tail cut. */
    private static byte[] mutate(byte[] b, SplittableRandom rnd) {
        if (b.length == 0) {
            return new byte[] {'x'};
        }
        int at = rnd.nextInt(b.length);
        byte[] bytes = "{}[]\",:\\0123456789-.eEtrufalsn u".getBytes(StandardCharsets.US_ASCII);
        return switch (rnd.nextInt(5)) {
            case 0 -> {
                byte[] c = b.clone();
                c[at] = rnd.nextBoolean() ? bytes[rnd.nextInt(bytes.length)] : (byte) rnd.nextInt(256);
                yield c;
            }
            case 1 -> {
                byte[] c = new byte[b.length - 1];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                yield c;
            }
            case 2 -> {
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, at + 1);
                System.arraycopy(b, at, c, at + 1, b.length - at);
                yield c;
            }
            case 3 -> {
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, at);
                c[at] = bytes[rnd.nextInt(bytes.length)];
                System.arraycopy(b, at, c, at + 1, b.length - at);
                yield c;
            }
            default -> java.util.Arrays.copyOf(b, at);
        };
    }
}
