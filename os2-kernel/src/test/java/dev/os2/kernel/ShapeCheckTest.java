package dev.os2.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.os2.ledger.CanonicalJson;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The invocation shape check answers from a glance at the canonical text when it can; over random
 * shapes and arguments its answer must be the full, parsed check's every time.
 */
class ShapeCheckTest {

    private static final String[] NAMES = {"a", "b", "path", "mode", "_x", "a\\\"b", "ab", "b\\\\"};
    private static final String[] VALUES = {"\"s\"", "\"\\\"}]\"", "1", "-2", "0", "1.5", "1e+21", "-1e-7", "true", "false", "null",
        "{}", "[]", "{\"a\":[1,{\"b\":\"]\"}]}", "[\"}\",[{}]]", "9007199254740992"};

    @Test
    void answersAsTheParsedCheckOverRandomShapesAndArguments() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        CapabilityDescriptor.JsonType[] types = CapabilityDescriptor.JsonType.values();
        for (int i = 0; i < 20_000; i++) {
            CapabilityDescriptor.Builder b = CapabilityDescriptor.builder("t.shape");
            int fields = rnd.nextInt(4);
            for (int f = 0; f < fields; f++) {
                String name = NAMES[rnd.nextInt(5)] + f;
                CapabilityDescriptor.JsonType type = types[rnd.nextInt(types.length)];
                b = rnd.nextBoolean() ? b.field(name, type) : b.optionalField(name, type);
            }
            CapabilityDescriptor d = b.build();
            StringBuilder args = new StringBuilder("{");
            int members = rnd.nextInt(5);
            for (int m = 0; m < members; m++) {
                if (m > 0) {
                    args.append(',');
                }
                String name = rnd.nextInt(3) == 0 ? NAMES[rnd.nextInt(NAMES.length)] : NAMES[rnd.nextInt(5)] + rnd.nextInt(3);
                args.append('"').append(name).append("\":").append(VALUES[rnd.nextInt(VALUES.length)]);
            }
            String text = args.append('}').toString();
            CanonicalJson json;
            try {
                json = CanonicalJson.parse(text);
            } catch (dev.os2.ledger.InvalidPayloadException duplicate) {
                continue;
            }
            if (rnd.nextInt(20) == 0) {
                json = CanonicalJson.parse(VALUES[rnd.nextInt(VALUES.length)]);
            }
            assertEquals(d.shapeProblemParsed(json), d.shapeProblem(json), "seed " + seed + ": " + d.fields() + " with " + json);
        }
    }
}
