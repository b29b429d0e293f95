package dev.os2.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.Hash;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerKeys;
import dev.os2.ledger.PublicKey;
import dev.os2.ledger.SigningKey;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed snapshot tokens and verification: a snapshot holds with its own ledger, token and key,
 * and every kind of damage or substitution is refused with its reason (the corruption corpus).
 */
class AuthTest {

    @TempDir
    Path dir;

    /** A workspace: a Chronicle ledger, a store and a key, with a kernel that ran a little. */
    record Workspace(Path root, KernelConfig config, SnapshotStore store, SigningKey key, SnapshotState snapshot) {
        Ledger openLedger() {
            return ChronicleLedger.open(root.resolve("ledger"));
        }

        Path bundle() {
            return store.bundleFile(snapshot.id());
        }

        Path token() {
            return store.tokenFile(snapshot.id());
        }
    }

    private Workspace workspace(String name, long seed, int work) {
        Path root = dir.resolve(name);
        KernelConfig config = Fixture.config(seed);
        SnapshotStore store = SnapshotStore.at(root.resolve("snapshots"));
        SigningKey key = LedgerKeys.inWorkspace(root).loadOrCreate(LedgerKeys.DEFAULT_KEY_NAME);
        SnapshotState s;
        try (Ledger ledger = ChronicleLedger.open(root.resolve("ledger")); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, store, SnapshotPolicy.MANUAL)) {
            for (int i = 0; i < work; i++) {
                Fixture.submit(k, Fixture.WORK, "{\"cost\":" + (i + 1) + "}");
            }
            k.step();
            s = svc.create("release-candidate");
            k.runUntilIdle();
            SnapshotVerification inLedger = SnapshotAuth.verifyInLedger(ledger, s);
            assertTrue(inLedger.valid(), inLedger.detail());
            store.putToken(SnapshotAuth.sign(s, key));
        }
        return new Workspace(root, config, store, key, s);
    }

    private static SnapshotVerification.Reason reason(SnapshotVerification v) {
        return v instanceof SnapshotVerification.Invalid i ? i.reason() : null;
    }

    @Test
    void aSnapshotHoldsWithItsLedgerTokenAndKey() {
        Workspace w = workspace("w", 31, 3);
        try (Ledger ledger = w.openLedger()) {
            SnapshotVerification v = SnapshotAuth.verify(ledger, w.bundle(), null, w.key().publicKey());
            SnapshotVerification.Valid valid = assertInstanceOf(SnapshotVerification.Valid.class, v, v.detail());
            assertEquals(w.snapshot().id(), valid.snapshot());
            assertEquals(w.key().keyId(), valid.keyId());
            assertEquals(w.snapshot().header().headHash(), valid.headHash());
            // Deterministic signatures: minting again gives the same token.
            assertEquals(w.store().readToken(w.snapshot().id()), SnapshotAuth.sign(w.snapshot(), w.key()));
        }
    }

    @Test
    void theCorruptionCorpusIsRefusedWithTheRightReason() throws IOException {
        Workspace a = workspace("a", 41, 3);
        Workspace b = workspace("b", 42, 5);
        byte[] bundle = Files.readAllBytes(a.bundle());
        String token = Files.readString(a.token());
        PublicKey key = a.key().publicKey();
        List<String> failures = new ArrayList<>();
        try (Ledger ledger = a.openLedger()) {
            Corpus c = new Corpus(ledger, key, failures);
            // The bundle: truncated anywhere, flipped bits in header, state and frames.
            for (int length = 0; length < bundle.length; length += Math.max(1, bundle.length / 97)) {
                c.check("bundle truncated to " + length, Arrays.copyOf(bundle, length), token, SnapshotVerification.Reason.BUNDLE_TORN);
            }
            for (int i = 0; i < bundle.length - 1; i += Math.max(1, bundle.length / 211)) {
                byte[] flipped = bundle.clone();
                flipped[i] ^= (byte) (1 << (i % 8));
                c.check("bit " + (i % 8) + " of bundle byte " + i, flipped, token, SnapshotVerification.Reason.BUNDLE_CORRUPT);
            }
            // Re-framed forgeries: the state, the state hash, the label, the position, the head.
            String[] lines = new String(bundle, StandardCharsets.UTF_8).split("\n");
            c.check("state altered and re-framed", reframed(lines, 2, s -> s.replaceFirst("\"clock\":\\d+", "\"clock\":999")), token,
                    SnapshotVerification.Reason.STATE_HASH_MISMATCH);
            c.check("header state hash altered and re-framed", reframed(lines, 1, s -> s.replace(a.snapshot().header().stateHash().toHex(),
                    Hash.sha256(new byte[3]).toHex())), token, SnapshotVerification.Reason.STATE_HASH_MISMATCH);
            c.check("label altered and re-framed", reframed(lines, 1, s -> s.replace("release-candidate", "release-final")), token,
                    SnapshotVerification.Reason.NOT_THE_SNAPSHOT_ENTRY);
            c.check("label altered and re-framed, no token binds the label", reframed(lines, 1,
                    s -> s.replace("release-candidate", "release-final")), null, SnapshotVerification.Reason.TOKEN_MISSING);
            long p = a.snapshot().position();
            c.check("position altered and re-framed", reframed(lines, 1, s -> s.replace("\"position\":" + p, "\"position\":" + (p - 1))
                    .replace("\"id\":\"s" + p + "\"", "\"id\":\"s" + (p - 1) + "\"")), token, SnapshotVerification.Reason.TOKEN_MISMATCH);
            c.check("head hash altered and re-framed", reframed(lines, 1, s -> s.replace(a.snapshot().header().headHash().toHex(),
                    Hash.sha256(new byte[4]).toHex())), token, SnapshotVerification.Reason.TOKEN_MISMATCH);
            // The token: flipped bits in the signature and in the statement, truncated or lengthened
            // signatures, a malleable signature (S + L), another key, a token for another snapshot.
            String sig = signatureOf(token);
            for (int i = 0; i < 128; i += 5) {
                char[] hex = sig.toCharArray();
                hex[i] = hex[i] == '0' ? '1' : '0';
                c.check("signature hex digit " + i + " changed", bundle, withSignature(token, new String(hex)), SnapshotVerification.Reason.BAD_SIGNATURE);
            }
            c.check("signature truncated by one byte", bundle, withSignature(token, sig.substring(0, 126)), SnapshotVerification.Reason.TOKEN_MALFORMED);
            c.check("signature truncated to half", bundle, withSignature(token, sig.substring(0, 64)), SnapshotVerification.Reason.TOKEN_MALFORMED);
            c.check("signature lengthened", bundle, withSignature(token, sig + "00"), SnapshotVerification.Reason.TOKEN_MALFORMED);
            c.check("signature empty", bundle, withSignature(token, ""), SnapshotVerification.Reason.TOKEN_MALFORMED);
            c.check("malleable signature (S + L)", bundle, withSignature(token, malleable(sig)), SnapshotVerification.Reason.BAD_SIGNATURE);
            c.check("statement altered (state hash)", bundle, token.replace(a.snapshot().header().stateHash().toHex(),
                    Hash.sha256(new byte[5]).toHex()), SnapshotVerification.Reason.BAD_SIGNATURE);
            c.check("key id altered to another key's", bundle, token.replace(a.key().keyId(), b.key().keyId()), SnapshotVerification.Reason.WRONG_KEY);
            c.check("not a token", bundle, "{\"type\":\"os2.ledger.checkpoint\"}", SnapshotVerification.Reason.TOKEN_MALFORMED);
            c.check("extra member", bundle, token.replace("{", "{\"extra\":1,"), SnapshotVerification.Reason.TOKEN_MALFORMED);
            c.check("another format", bundle, token.replace("\"format\":1", "\"format\":2"), SnapshotVerification.Reason.TOKEN_MALFORMED);
            // Swaps between workspaces: b's bundle with b's token in a's ledger; a's bundle with b's
            // token; b's token checked with a's key.
            byte[] bundleB = Files.readAllBytes(b.bundle());
            String tokenB = Files.readString(b.token());
            c.checkWithKey("b's bundle and token, b's key, in a's ledger", bundleB, tokenB, b.key().publicKey(), SnapshotVerification.Reason.OTHER_LEDGER);
            c.checkWithKey("a's bundle with b's token, b's key", bundle, tokenB, b.key().publicKey(), SnapshotVerification.Reason.TOKEN_MISMATCH);
            c.check("b's token with a's key", bundle, tokenB, SnapshotVerification.Reason.WRONG_KEY);
            // A workspace whose kernel had a's seed shares a's first entry (its chain id) but
            // parted from it later: a's snapshot is refused there by the head at its position.
            Workspace twin = workspace("twin", 41, 5);
            try (Ledger twinLedger = twin.openLedger()) {
                assertEquals(ledger.chainId(), twinLedger.chainId());
                new Corpus(twinLedger, key, failures).check("a's bundle and token in the ledger of a kernel with a's seed", bundle, token,
                        SnapshotVerification.Reason.HEAD_MISMATCH);
            }
            // The ledger: a truncated copy, a damaged one.
            List<byte[]> records = exportRecords(ledger);
            try (Ledger shorter = InMemoryLedger.ofRecords(records.subList(0, (int) p))) {
                new Corpus(shorter, key, failures).check("ledger truncated before the snapshot", bundle, token,
                        SnapshotVerification.Reason.POSITION_BEYOND_LEDGER);
            }
            List<byte[]> swapped = new ArrayList<>(records);
            swapped.set(1, records.get(2));
            swapped.set(2, records.get(1));
            try (Ledger damaged = InMemoryLedger.ofRecords(swapped)) {
                new Corpus(damaged, key, failures).check("ledger entries 1 and 2 swapped", bundle, token, SnapshotVerification.Reason.CHAIN_BROKEN);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " cases not refused as expected:\n" + String.join("\n", failures));
    }

    /** Runs verification on content written to files, and records mismatches. */
    private final class Corpus {
        private final Ledger ledger;
        private final PublicKey key;
        private final List<String> failures;
        private int n;

        Corpus(Ledger ledger, PublicKey key, List<String> failures) {
            this.ledger = ledger;
            this.key = key;
            this.failures = failures;
        }

        void check(String what, byte[] bundle, String token, SnapshotVerification.Reason expected) throws IOException {
            checkWithKey(what, bundle, token, key, expected);
        }

        void checkWithKey(String what, byte[] bundle, String token, PublicKey with, SnapshotVerification.Reason expected) throws IOException {
            Path caseDir = dir.resolve("case-" + n++);
            Files.createDirectories(caseDir);
            Path bundleFile = caseDir.resolve("bundle.jsonl");
            Files.write(bundleFile, bundle);
            Path tokenFile = caseDir.resolve("token.json");
            if (token != null) {
                Files.writeString(tokenFile, token);
            }
            SnapshotVerification v = SnapshotAuth.verify(ledger, bundleFile, tokenFile, with);
            if (reason(v) != expected) {
                failures.add(what + ": expected " + expected + ", got " + (v.valid() ? "VALID" : reason(v)) + " (" + v.detail() + ")");
            }
        }
    }

    private static byte[] reframed(String[] lines, int line, UnaryOperator<String> change) {
        String[] copy = lines.clone();
        copy[line] = change.apply(copy[line]);
        if (copy[line].equals(lines[line])) {
            throw new AssertionError("the change must change line " + line);
        }
        return BundleTest.reframe(copy[0] + "\n" + copy[1] + "\n" + copy[2] + "\n");
    }

    private static String signatureOf(String token) {
        return CanonicalJson.parse(token).toJsonNode().get("signature").asText();
    }

    private static String withSignature(String token, String hex) {
        ObjectNode o = (ObjectNode) CanonicalJson.parse(token).toJsonNode();
        o.put("signature", hex);
        return CanonicalJson.of(o).text() + "\n";
    }

    /** The same signature with S replaced by S + L (the group order): valid in lax verifiers, refused by strict ones. */
    private static String malleable(String sigHex) {
        byte[] sig = HexFormat.of().parseHex(sigHex);
        BigInteger l = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
        byte[] sLittle = Arrays.copyOfRange(sig, 32, 64);
        byte[] sBig = new byte[32];
        for (int i = 0; i < 32; i++) {
            sBig[i] = sLittle[31 - i];
        }
        BigInteger s = new BigInteger(1, sBig).add(l);
        byte[] out = s.toByteArray();
        byte[] sum = new byte[32];
        for (int i = 0; i < 32 && i < out.length; i++) {
            sum[i] = out[out.length - 1 - i];
        }
        System.arraycopy(sum, 0, sig, 32, 32);
        return HexFormat.of().formatHex(sig);
    }

    private static List<byte[]> exportRecords(Ledger ledger) {
        try (InMemoryLedger copy = InMemoryLedger.create()) {
            Fixture.entries(ledger, 0).forEach(e -> copy.append(new dev.os2.ledger.EventDraft(e.kind(), e.capabilityId(), e.virtualTime(),
                    e.payload(), e.eventId())));
            assertEquals(ledger.headHash(), copy.headHash(), "the copy has the same chain");
            return copy.exportRecords();
        }
    }

    @Test
    void wycheproofSignaturesNeverPassAsATokenSignature() throws IOException {
        Workspace w = workspace("wy", 51, 1);
        String token = Files.readString(w.token());
        JsonNode root = new ObjectMapper().readTree(Path.of(System.getProperty("os2.testdata.dir"), "wycheproof", "ed25519_test.json").toFile());
        List<String> failures = new ArrayList<>();
        int vectors = 0;
        try (Ledger ledger = w.openLedger()) {
            Corpus c = new Corpus(ledger, w.key().publicKey(), failures);
            byte[] bundle = Files.readAllBytes(w.bundle());
            for (JsonNode group : root.get("testGroups")) {
                for (JsonNode test : group.get("tests")) {
                    String sig = test.get("sig").asText();
                    vectors++;
                    // Someone else's signatures, of every odd shape the vectors hold: all refused,
                    // for their length (malformed) or because they do not verify (bad signature).
                    c.check("wycheproof tcId " + test.get("tcId") + " (" + test.get("comment").asText() + ")", bundle, withSignature(token, sig),
                            sig.length() == 128 ? SnapshotVerification.Reason.BAD_SIGNATURE : SnapshotVerification.Reason.TOKEN_MALFORMED);
                }
            }
        }
        assertEquals(151, vectors);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
