package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage to a checkpoint file never yields a valid verdict, and a file that is not a checkpoint is MALFORMED with a reason. */
class CheckpointFileCorruptionTest {

    private static final SigningKey KEY = SigningKey.fromSeed(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

    @TempDir
    Path dir;

    @Test
    void everySingleBitFlipIsRejected() throws IOException {
        InMemoryLedger ledger = CheckpointTest.ledger(12, "a");
        Path file = dir.resolve("checkpoint.json");
        Checkpoint.sign(ledger, 11, KEY).write(file);
        byte[] good = Files.readAllBytes(file);
        Map<CheckpointVerification.Reason, Integer> counts = new EnumMap<>(CheckpointVerification.Reason.class);
        // Every bit of every byte under os2.stress; otherwise two bits per byte, rotating, which
        // still reaches every member and every bit position.
        boolean stress = Boolean.getBoolean("os2.stress");
        for (int bit = 0; bit < good.length * 8; bit++) {
            int byteIndex = bit / 8;
            int bitInByte = bit % 8;
            if (!stress && bitInByte != byteIndex % 8 && bitInByte != (byteIndex + 3) % 8) {
                continue;
            }
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            Files.write(file, bad);
            CheckpointVerification result = Checkpoint.verify(ledger, file, KEY.publicKey());
            int flipped = bit;
            CheckpointVerification.Invalid invalid = assertInstanceOf(CheckpointVerification.Invalid.class, result,
                    () -> "flipping bit " + flipped + " gave " + result + " for " + new String(bad, StandardCharsets.UTF_8));
            assertTrue(Set.of(CheckpointVerification.Reason.MALFORMED, CheckpointVerification.Reason.BAD_SIGNATURE,
                    CheckpointVerification.Reason.WRONG_KEY).contains(invalid.reason()), invalid.toString());
            if (invalid.reason() == CheckpointVerification.Reason.MALFORMED) {
                assertTrue(invalid.detail().startsWith(file + ": "), invalid.detail());
            }
            counts.merge(invalid.reason(), 1, Integer::sum);
        }
        // Each kind of damage occurred, so the loop tested all three paths.
        assertEquals(3, counts.size(), counts.toString());
    }

    @Test
    void everyTruncationIsMalformed() throws IOException {
        InMemoryLedger ledger = CheckpointTest.ledger(3, "a");
        Path file = dir.resolve("checkpoint.json");
        Checkpoint.sign(ledger, KEY).write(file);
        byte[] good = Files.readAllBytes(file);
        for (int length = 0; length < good.length - 1; length++) {
            Files.write(file, Arrays.copyOf(good, length));
            CheckpointTest.assertInvalid(CheckpointVerification.Reason.MALFORMED, Checkpoint.verify(ledger, file, KEY.publicKey()));
        }
        // Only the final newline is optional.
        Files.write(file, Arrays.copyOf(good, good.length - 1));
        assertTrue(Checkpoint.verify(ledger, file, KEY.publicKey()).valid());
    }

    @Test
    void malformedFilesSayWhatIsWrong() throws IOException {
        InMemoryLedger ledger = CheckpointTest.ledger(3, "a");
        Checkpoint cp = Checkpoint.sign(ledger, KEY);
        String good = cp.toJson();
        assertMalformed(ledger, "", "not a valid checkpoint file");
        assertMalformed(ledger, "not json", "not a valid checkpoint file: not valid JSON");
        assertMalformed(ledger, good.replace("\"format\":1", "\"format\":2"), "checkpoint file of format 2; this version of OS2 reads format 1");
        assertMalformed(ledger, good.replace("\"position\":2", "\"position\":\"2\""), "\"position\" must be an integer from 0 to 2^53");
        assertMalformed(ledger, good.replace("\"position\":2", "\"position\":-2"), "\"position\" must be an integer from 0 to 2^53");
        assertMalformed(ledger, good.replace("\"position\":2", "\"position\":2.5"), "\"position\" must be an integer from 0 to 2^53");
        assertMalformed(ledger, good.replace(cp.chainId().toHex(), cp.chainId().toHex().toUpperCase()), "\"chain_id\" must be 64 lowercase hex digits");
        assertMalformed(ledger, good.replace(",\"head_hash\":\"" + cp.headHash().toHex() + "\"", ""), "the member \"head_hash\" is missing");
        assertMalformed(ledger, good.replace("{", "{\"note\":\"hi\","), "unexpected member \"note\"");
        assertMalformed(ledger, good.replace("os2.ledger.checkpoint", "os2.snapshot.token"), "is not an OS2 checkpoint file");
        assertMalformed(ledger, good.replace(cp.keyId(), "ed25519:xyz"), "\"key_id\" must be \"ed25519:\" and 16 lowercase hex digits");
        assertMalformed(ledger, KEY.publicKey().toJson(), "is not an OS2 checkpoint file");
        // Reformatting is not damage.
        Path file = dir.resolve("pretty.json");
        Files.writeString(file, good.replace(",", ",\n  ").replace("{", "{\n  "));
        assertTrue(Checkpoint.verify(ledger, file, KEY.publicKey()).valid());
    }

    @Test
    void aMissingFileIsAnInputErrorNotAVerdict() {
        InMemoryLedger ledger = CheckpointTest.ledger(3, "a");
        Path missing = dir.resolve("nope.json");
        SignatureFileException e = assertThrows(SignatureFileException.class, () -> Checkpoint.verify(ledger, missing, KEY.publicKey()));
        assertEquals(SignatureFileException.Problem.MISSING, e.problem());
        assertTrue(e.getMessage().contains("nope.json"), e.getMessage());
        assertFalse(Files.exists(missing));
    }

    private void assertMalformed(Ledger ledger, String content, String messagePart) throws IOException {
        Path file = dir.resolve("checkpoint.json");
        Files.writeString(file, content);
        CheckpointVerification.Invalid invalid = CheckpointTest.assertInvalid(CheckpointVerification.Reason.MALFORMED,
                Checkpoint.verify(ledger, file, KEY.publicKey()));
        assertTrue(invalid.detail().startsWith(file + ": "), invalid.detail());
        assertTrue(invalid.detail().contains(messagePart), "expected \"" + messagePart + "\" in: " + invalid.detail());
        SignatureFileException e = assertThrows(SignatureFileException.class, () -> Checkpoint.read(file));
        assertEquals(invalid.detail(), e.getMessage());
    }
}
