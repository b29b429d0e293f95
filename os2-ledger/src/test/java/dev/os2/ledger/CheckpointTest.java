package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed checkpoints: signing, the file format, and every verdict of verification. */
class CheckpointTest {

    private static final SigningKey KEY = SigningKey.fromSeed(HexFormat.of().parseHex(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    private static final SigningKey OTHER_KEY = SigningKey.fromSeed(new byte[32]);

    @TempDir
    Path dir;

    /** A ledger of {@code n} entries whose payloads carry {@code tag}, so two tags give two chains. */
    static InMemoryLedger ledger(int n, String tag) {
        InMemoryLedger ledger = InMemoryLedger.create();
        append(ledger, 0, n, tag);
        return ledger;
    }

    static void append(Ledger ledger, int from, int to, String tag) {
        for (int i = from; i < to; i++) {
            ledger.append(EventDraft.of("test.event", i, CanonicalJson.parse("{\"amount\":" + (1000 + i) + ",\"tag\":\"" + tag + "\"}")));
        }
    }

    static CheckpointVerification.Invalid assertInvalid(CheckpointVerification.Reason reason, CheckpointVerification result) {
        CheckpointVerification.Invalid invalid = assertInstanceOf(CheckpointVerification.Invalid.class, result,
                () -> "expected " + reason + " but got " + result);
        assertEquals(reason, invalid.reason(), invalid.detail());
        assertTrue(invalid.detail().length() > 20, invalid.detail());
        return invalid;
    }

    @Test
    void signWriteReadVerifyRoundTrip() {
        InMemoryLedger ledger = ledger(10, "a");
        Checkpoint checkpoint = Checkpoint.sign(ledger, KEY);
        assertEquals(9, checkpoint.position());
        assertEquals(ledger.headHash(), checkpoint.headHash());
        assertEquals(ledger.chainId().orElseThrow(), checkpoint.chainId());
        assertEquals(KEY.keyId(), checkpoint.keyId());

        Path file = dir.resolve("checkpoint.json");
        checkpoint.write(file);
        Checkpoint read = Checkpoint.read(file);
        assertEquals(checkpoint, read);
        assertEquals(checkpoint.hashCode(), read.hashCode());
        assertArrayEquals(checkpoint.signature(), read.signature());

        // The verifier needs only a copy of the ledger, the checkpoint file and the public key file.
        Path publicKeyFile = dir.resolve("ledger.pub.json");
        KEY.publicKey().write(publicKeyFile);
        InMemoryLedger copy = InMemoryLedger.ofRecords(ledger.exportRecords());
        CheckpointVerification result = Checkpoint.verify(copy, file, PublicKey.read(publicKeyFile));
        CheckpointVerification.Valid valid = assertInstanceOf(CheckpointVerification.Valid.class, result);
        assertEquals(new CheckpointVerification.Valid(9, ledger.headHash(), KEY.keyId()), valid);
        assertTrue(valid.valid());
        assertTrue(valid.detail().contains("position 9"), valid.detail());
    }

    @Test
    void theStatementIsTypedAndTheFileIsTheStatementPlusTheSignature() throws IOException {
        InMemoryLedger ledger = ledger(3, "a");
        Checkpoint checkpoint = Checkpoint.sign(ledger, 1, KEY);
        String expectedStatement = "{\"chain_id\":\"" + ledger.read(0).hash().toHex() + "\",\"format\":1,\"head_hash\":\""
                + ledger.read(1).hash().toHex() + "\",\"key_id\":\"" + KEY.keyId() + "\",\"position\":1,\"type\":\"os2.ledger.checkpoint\"}";
        assertEquals(expectedStatement, checkpoint.statement().text());
        assertTrue(KEY.publicKey().verify(checkpoint.statement(), checkpoint.signature()));
        String expectedFile = expectedStatement.replace(",\"type\"", ",\"signature\":\"" + HexFormat.of().formatHex(checkpoint.signature())
                + "\",\"type\"");
        assertEquals(expectedFile, checkpoint.toJson());
        Path file = dir.resolve("cp.json");
        checkpoint.write(file);
        assertEquals(expectedFile + "\n", Files.readString(file));
        // Signing is deterministic: the same ledger and key give the same file.
        assertEquals(checkpoint, Checkpoint.sign(InMemoryLedger.ofRecords(ledger.exportRecords()), 1, KEY));
    }

    @Test
    void entriesAppendedAfterTheCheckpointStillVerify() {
        InMemoryLedger ledger = ledger(5, "a");
        Checkpoint checkpoint = Checkpoint.sign(ledger, KEY);
        append(ledger, 5, 50, "a");
        CheckpointVerification result = Checkpoint.verify(ledger, checkpoint, KEY.publicKey());
        assertEquals(new CheckpointVerification.Valid(4, checkpoint.headHash(), KEY.keyId()), result);
        // And an earlier position of a longer ledger can be signed and verified too.
        Checkpoint middle = Checkpoint.sign(ledger, 20, KEY);
        assertEquals(ledger.read(20).hash(), middle.headHash());
        assertTrue(Checkpoint.verify(ledger, middle, KEY.publicKey()).valid());
    }

    @Test
    void aChangedEntryBeforeTheCheckpointIsChainBroken() {
        InMemoryLedger ledger = ledger(10, "a");
        Checkpoint checkpoint = Checkpoint.sign(ledger, 7, KEY);
        for (int target : new int[] {0, 3, 7}) {
            InMemoryLedger tampered = InMemoryLedger.ofRecords(changeAmount(ledger.exportRecords(), target));
            CheckpointVerification.Invalid invalid = assertInvalid(CheckpointVerification.Reason.CHAIN_BROKEN,
                    Checkpoint.verify(tampered, checkpoint, KEY.publicKey()));
            VerifyResult.Broken broken = invalid.chainBreak().orElseThrow();
            assertEquals(target, broken.position(), invalid.detail());
            assertEquals(VerifyResult.Problem.HASH_MISMATCH, broken.problem());
            assertTrue(invalid.detail().contains("position " + target), invalid.detail());
        }
        // A change after the checkpoint's position is not the checkpoint's business.
        InMemoryLedger later = InMemoryLedger.ofRecords(changeAmount(ledger.exportRecords(), 8));
        assertTrue(Checkpoint.verify(later, checkpoint, KEY.publicKey()).valid());
    }

    @Test
    void aDroppedEntryBeforeTheCheckpointIsChainBroken() {
        InMemoryLedger ledger = ledger(10, "a");
        Checkpoint checkpoint = Checkpoint.sign(ledger, KEY);
        List<byte[]> records = new java.util.ArrayList<>(ledger.exportRecords());
        records.remove(4);
        // The ledger is now shorter than the checkpoint's position, but it is damaged, not truncated.
        CheckpointVerification.Invalid invalid = assertInvalid(CheckpointVerification.Reason.CHAIN_BROKEN,
                Checkpoint.verify(InMemoryLedger.ofRecords(records), checkpoint, KEY.publicKey()));
        assertEquals(4, invalid.chainBreak().orElseThrow().position());
        assertEquals(VerifyResult.Problem.GAP, invalid.chainBreak().orElseThrow().problem());
        Checkpoint earlier = Checkpoint.sign(ledger, 6, KEY);
        invalid = assertInvalid(CheckpointVerification.Reason.CHAIN_BROKEN,
                Checkpoint.verify(InMemoryLedger.ofRecords(records), earlier, KEY.publicKey()));
        assertEquals(4, invalid.chainBreak().orElseThrow().position());
        assertEquals(VerifyResult.Problem.GAP, invalid.chainBreak().orElseThrow().problem());
    }

    @Test
    void aRewrittenAndRehashedHistoryIsHeadMismatch() {
        InMemoryLedger original = ledger(10, "a");
        Checkpoint checkpoint = Checkpoint.sign(original, KEY);
        // Same genesis, then a different history hashed consistently: a fork, or a rewrite by
        // someone who recomputed every hash. The chain verifies; only the checkpoint catches it.
        InMemoryLedger fork = InMemoryLedger.create();
        append(fork, 0, 1, "a");
        append(fork, 1, 10, "b");
        assertTrue(fork.verify().intact());
        assertEquals(original.chainId(), fork.chainId());
        CheckpointVerification.Invalid invalid = assertInvalid(CheckpointVerification.Reason.HEAD_MISMATCH,
                Checkpoint.verify(fork, checkpoint, KEY.publicKey()));
        assertTrue(invalid.detail().contains(fork.headHash().toHex()), invalid.detail());
        assertTrue(invalid.detail().contains(checkpoint.headHash().toHex()), invalid.detail());
        assertTrue(invalid.chainBreak().isEmpty());
    }

    @Test
    void aCheckpointOfAnotherChainIsOtherChain() {
        Checkpoint checkpoint = Checkpoint.sign(ledger(10, "a"), KEY);
        InMemoryLedger other = ledger(20, "b");
        CheckpointVerification.Invalid invalid = assertInvalid(CheckpointVerification.Reason.OTHER_CHAIN,
                Checkpoint.verify(other, checkpoint, KEY.publicKey()));
        assertTrue(invalid.detail().contains(other.chainId().orElseThrow().toHex()), invalid.detail());
        // Even a shorter other ledger is named as another chain, not as a truncated one.
        assertInvalid(CheckpointVerification.Reason.OTHER_CHAIN, Checkpoint.verify(ledger(2, "b"), checkpoint, KEY.publicKey()));
    }

    @Test
    void aTruncatedOrEmptyLedgerIsPositionBeyondLedger() {
        InMemoryLedger ledger = ledger(10, "a");
        Checkpoint checkpoint = Checkpoint.sign(ledger, KEY);
        InMemoryLedger truncated = InMemoryLedger.ofRecords(ledger.exportRecords().subList(0, 9));
        CheckpointVerification.Invalid shorter = assertInvalid(CheckpointVerification.Reason.POSITION_BEYOND_LEDGER,
                Checkpoint.verify(truncated, checkpoint, KEY.publicKey()));
        assertTrue(shorter.detail().contains("only 9 entries"), shorter.detail());
        CheckpointVerification.Invalid empty = assertInvalid(CheckpointVerification.Reason.POSITION_BEYOND_LEDGER,
                Checkpoint.verify(InMemoryLedger.create(), checkpoint, KEY.publicKey()));
        assertTrue(empty.detail().contains("empty"), empty.detail());
    }

    @Test
    void anotherPublicKeyIsWrongKey() {
        Checkpoint checkpoint = Checkpoint.sign(ledger(3, "a"), KEY);
        CheckpointVerification.Invalid invalid = assertInvalid(CheckpointVerification.Reason.WRONG_KEY,
                Checkpoint.verify(ledger(3, "a"), checkpoint, OTHER_KEY.publicKey()));
        assertTrue(invalid.detail().contains(KEY.keyId()) && invalid.detail().contains(OTHER_KEY.keyId()), invalid.detail());
    }

    @Test
    void anotherKeysSignatureUnderThisKeysIdIsBadSignature() {
        InMemoryLedger ledger = ledger(3, "a");
        Checkpoint honest = Checkpoint.sign(ledger, KEY);
        // Someone signs the honest statement (which names KEY) with their own key.
        byte[] forged = OTHER_KEY.sign(honest.statement());
        Checkpoint checkpoint = new Checkpoint(honest.chainId(), honest.position(), honest.headHash(), honest.keyId(), forged);
        assertInvalid(CheckpointVerification.Reason.BAD_SIGNATURE, Checkpoint.verify(ledger, checkpoint, KEY.publicKey()));
    }

    @Test
    void everyFlippedSignatureBitIsBadSignature() {
        InMemoryLedger ledger = ledger(3, "a");
        Checkpoint checkpoint = Checkpoint.sign(ledger, KEY);
        byte[] signature = checkpoint.signature();
        for (int bit = 0; bit < signature.length * 8; bit++) {
            byte[] flipped = signature.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            Checkpoint bad = new Checkpoint(checkpoint.chainId(), checkpoint.position(), checkpoint.headHash(), checkpoint.keyId(), flipped);
            assertInvalid(CheckpointVerification.Reason.BAD_SIGNATURE, Checkpoint.verify(ledger, bad, KEY.publicKey()));
        }
    }

    @Test
    void changedSignedFieldsAreBadSignatureNotAnotherVerdict() {
        InMemoryLedger ledger = ledger(5, "a");
        Checkpoint cp = Checkpoint.sign(ledger, 3, KEY);
        byte[] sig = cp.signature();
        // Each would otherwise pass the ledger checks: the signature is what binds them.
        assertInvalid(CheckpointVerification.Reason.BAD_SIGNATURE,
                Checkpoint.verify(ledger, new Checkpoint(cp.chainId(), 4, ledger.read(4).hash(), cp.keyId(), sig), KEY.publicKey()));
        assertInvalid(CheckpointVerification.Reason.BAD_SIGNATURE,
                Checkpoint.verify(ledger, new Checkpoint(cp.chainId(), 2, ledger.read(2).hash(), cp.keyId(), sig), KEY.publicKey()));
        assertInvalid(CheckpointVerification.Reason.BAD_SIGNATURE,
                Checkpoint.verify(ledger(5, "b"), new Checkpoint(ledger(5, "b").chainId().orElseThrow(), 3,
                        ledger(5, "b").read(3).hash(), cp.keyId(), sig), KEY.publicKey()));
    }

    @Test
    void nonCanonicalSIsBadSignature() {
        InMemoryLedger ledger = ledger(3, "a");
        Checkpoint cp = Checkpoint.sign(ledger, KEY);
        byte[] malleable = Ed25519Test.withS(cp.signature(), Ed25519Test.s(cp.signature()).add(Ed25519Test.ORDER));
        assertNotEquals(HexFormat.of().formatHex(cp.signature()), HexFormat.of().formatHex(malleable));
        Checkpoint bad = new Checkpoint(cp.chainId(), cp.position(), cp.headHash(), cp.keyId(), malleable);
        assertInvalid(CheckpointVerification.Reason.BAD_SIGNATURE, Checkpoint.verify(ledger, bad, KEY.publicKey()));
        // Also through the file: S + L is well-formed hex of the right length, so it is the signature that fails.
        Path file = dir.resolve("malleable.json");
        bad.write(file);
        assertInvalid(CheckpointVerification.Reason.BAD_SIGNATURE, Checkpoint.verify(ledger, file, KEY.publicKey()));
        assertTrue(Ed25519Test.s(malleable).compareTo(BigInteger.TWO.pow(256)) < 0);
    }

    @Test
    void aTruncatedSignatureIsRefused() throws IOException {
        InMemoryLedger ledger = ledger(3, "a");
        Checkpoint cp = Checkpoint.sign(ledger, KEY);
        assertThrows(IllegalArgumentException.class,
                () -> new Checkpoint(cp.chainId(), cp.position(), cp.headHash(), cp.keyId(), Arrays.copyOf(cp.signature(), 63)));
        assertThrows(IllegalArgumentException.class,
                () -> new Checkpoint(cp.chainId(), cp.position(), cp.headHash(), cp.keyId(), Arrays.copyOf(cp.signature(), 65)));
        Path file = dir.resolve("cp.json");
        String sigHex = HexFormat.of().formatHex(cp.signature());
        Files.writeString(file, cp.toJson().replace(sigHex, sigHex.substring(0, 126)));
        CheckpointVerification.Invalid invalid = assertInvalid(CheckpointVerification.Reason.MALFORMED,
                Checkpoint.verify(ledger, file, KEY.publicKey()));
        assertTrue(invalid.detail().contains("\"signature\" must be 128 lowercase hex digits (64 bytes), found 126 characters"),
                invalid.detail());
        assertTrue(invalid.detail().startsWith(file.toString()), invalid.detail());
    }

    @Test
    void signingRefusesBrokenChainsEmptyLedgersAndBadPositions() {
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.sign(InMemoryLedger.create(), KEY));
        InMemoryLedger ledger = ledger(5, "a");
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.sign(ledger, 5, KEY));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.sign(ledger, -1, KEY));
        InMemoryLedger tampered = InMemoryLedger.ofRecords(changeAmount(ledger.exportRecords(), 2));
        LedgerException e = assertThrows(LedgerException.class, () -> Checkpoint.sign(tampered, 3, KEY));
        assertEquals(LedgerException.Category.CORRUPT, e.category());
        assertTrue(e.getMessage().contains("broken at position 2"), e.getMessage());
        // Before the damage, signing is still possible.
        assertTrue(Checkpoint.verify(tampered, Checkpoint.sign(tampered, 1, KEY), KEY.publicKey()).valid());
    }

    @Test
    void valuesAreValidated() {
        Hash h = Hash.sha256(new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(h, -1, h, KEY.keyId(), new byte[64]));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(h, (1L << 53) + 1, h, KEY.keyId(), new byte[64]));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(h, 0, h, "ed25519:ABC", new byte[64]));
        assertThrows(NullPointerException.class, () -> new Checkpoint(null, 0, h, KEY.keyId(), new byte[64]));
        byte[] sig = new byte[64];
        Checkpoint cp = new Checkpoint(h, 0, h, KEY.keyId(), sig);
        sig[0] = 1;
        cp.signature()[1] = 1;
        assertArrayEquals(new byte[64], cp.signature(), "the record owns a copy of its signature");
        assertThrows(IllegalArgumentException.class, () -> new CheckpointVerification.Invalid(
                CheckpointVerification.Reason.CHAIN_BROKEN, "no break given", java.util.Optional.empty()));
    }

    /** Changes the payload amount of the entry at {@code position} without fixing any hash. */
    static List<byte[]> changeAmount(List<byte[]> records, int position) {
        byte[] record = records.get(position);
        byte[] from = ("\"amount\":" + (1000 + position)).getBytes(StandardCharsets.UTF_8);
        byte[] to = ("\"amount\":" + (2000 + position)).getBytes(StandardCharsets.UTF_8);
        int at = indexOf(record, from);
        if (at < 0) {
            throw new IllegalStateException("amount not found in record " + position);
        }
        System.arraycopy(to, 0, record, at, to.length);
        return records;
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
        return -1;
    }
}
