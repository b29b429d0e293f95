package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every vector of Wycheproof's {@code ed25519_test.json}: the strict verifier must accept exactly
 * the valid ones and reject every invalid one (malleable S, wrong lengths, bad encodings, edge
 * values).
 */
class Ed25519WycheproofTest {

    /** The number of vectors in the file; checked so that a broken loader cannot pass vacuously. */
    private static final int EXPECTED_VECTORS = 151;

    record Vector(int tcId, String comment, List<String> flags, byte[] publicKey, byte[] message, byte[] signature,
            boolean valid) {
    }

    static List<Vector> vectors() throws IOException {
        String testdata = System.getProperty("os2.testdata.dir");
        if (testdata == null) {
            throw new IllegalStateException("system property os2.testdata.dir is not set; run the tests through Maven");
        }
        Path file = Path.of(testdata, "wycheproof", "ed25519_test.json");
        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        HexFormat hex = HexFormat.of();
        List<Vector> vectors = new ArrayList<>();
        for (JsonNode group : root.get("testGroups")) {
            byte[] publicKey = hex.parseHex(group.get("publicKey").get("pk").asText());
            for (JsonNode test : group.get("tests")) {
                List<String> flags = new ArrayList<>();
                test.get("flags").forEach(f -> flags.add(f.asText()));
                String result = test.get("result").asText();
                if (!result.equals("valid") && !result.equals("invalid")) {
                    throw new IllegalStateException("tcId " + test.get("tcId") + " has result " + result
                            + "; this test knows only valid and invalid");
                }
                vectors.add(new Vector(test.get("tcId").asInt(), test.get("comment").asText(), List.copyOf(flags), publicKey,
                        hex.parseHex(test.get("msg").asText()), hex.parseHex(test.get("sig").asText()), result.equals("valid")));
            }
        }
        if (vectors.size() != EXPECTED_VECTORS || root.get("numberOfTests").asInt() != EXPECTED_VECTORS) {
            throw new IllegalStateException("expected " + EXPECTED_VECTORS + " vectors, read " + vectors.size()
                    + " (file says " + root.get("numberOfTests") + ")");
        }
        return vectors;
    }

    @Test
    void theFileHoldsEveryVectorWithBothOutcomes() throws IOException {
        List<Vector> vectors = vectors();
        assertEquals(EXPECTED_VECTORS, vectors.size());
        long valid = vectors.stream().filter(Vector::valid).count();
        assertTrue(valid > 0 && valid < vectors.size(), "both outcomes must be represented, valid: " + valid);
        assertEquals(EXPECTED_VECTORS, vectors.stream().mapToInt(Vector::tcId).distinct().count(), "tcIds are unique");
        // Every key the vectors use is a valid key for the strict PublicKey type too, so PublicKey.verify
        // (which calls the same Ed25519.verify) would reach the same verdicts.
        vectors.forEach(v -> assertEquals(v.publicKey().length, PublicKey.of(v.publicKey()).toBytes().length));
    }

    @TestFactory
    Stream<DynamicTest> verifiesAsWycheproofSays() throws IOException {
        return vectors().stream().map(v -> DynamicTest.dynamicTest(
                "tcId " + v.tcId() + " (" + (v.valid() ? "valid" : "invalid") + ") " + v.flags() + " " + v.comment(),
                () -> assertEquals(v.valid(), Ed25519.verify(v.publicKey(), v.message(), v.signature()),
                        "tcId " + v.tcId() + " " + v.flags() + " " + v.comment() + ": expected " + (v.valid() ? "valid" : "invalid"))));
    }
}
