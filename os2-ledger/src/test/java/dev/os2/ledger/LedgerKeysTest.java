package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key storage in a workspace: creation, permissions, loading, export, and every kind of bad key file. */
class LedgerKeysTest {

    @TempDir
    Path workspace;

    @Test
    void createThenLoadGivesTheSameKey() {
        LedgerKeys keys = LedgerKeys.inWorkspace(workspace);
        assertEquals(workspace.resolve("keys"), keys.directory());
        assertFalse(keys.contains("ledger"));
        SigningKey created = keys.create("ledger");
        assertTrue(keys.contains("ledger"));
        SigningKey loaded = keys.load("ledger");
        assertEquals(created.publicKey(), loaded.publicKey());
        assertArrayEquals(created.seed(), loaded.seed());
        assertTrue(created.keyId().matches("ed25519:[0-9a-f]{16}"), created.keyId());
        assertEquals(created.publicKey(), PublicKey.read(keys.publicKeyFile("ledger")));
        assertEquals(List.of("ledger"), keys.names());
    }

    @Test
    void signingKeyFileIsOwnerOnlyWherePosixPermissionsExist() throws IOException {
        LedgerKeys keys = LedgerKeys.inWorkspace(workspace);
        keys.create("ledger");
        if (!SignatureFiles.posix(workspace)) {
            return; // nothing to check on a file system without POSIX permissions
        }
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(keys.signingKeyFile("ledger")));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(keys.directory()));
        Set<PosixFilePermission> pub = Files.getPosixFilePermissions(keys.publicKeyFile("ledger"));
        assertTrue(pub.contains(PosixFilePermission.OWNER_READ), pub.toString());
        try (var files = Files.list(keys.directory())) {
            assertEquals(2, files.count(), "no temporary files are left behind");
        }
    }

    @Test
    void anExistingKeyIsNeverOverwritten() throws IOException {
        LedgerKeys keys = LedgerKeys.inWorkspace(workspace);
        keys.create("ledger");
        byte[] before = Files.readAllBytes(keys.signingKeyFile("ledger"));
        SignatureFileException e = assertThrows(SignatureFileException.class, () -> keys.create("ledger"));
        assertEquals(SignatureFileException.Problem.ALREADY_EXISTS, e.problem());
        assertEquals(keys.signingKeyFile("ledger"), e.file());
        assertTrue(e.getMessage().contains("ledger.key.json"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(keys.signingKeyFile("ledger")));
    }

    @Test
    void loadOrCreateCreatesOnceThenLoads() {
        LedgerKeys keys = LedgerKeys.inWorkspace(workspace);
        SigningKey first = keys.loadOrCreate(LedgerKeys.DEFAULT_KEY_NAME);
        SigningKey second = keys.loadOrCreate(LedgerKeys.DEFAULT_KEY_NAME);
        assertEquals(first.publicKey(), second.publicKey());
        keys.create("b-key");
        keys.create("a_key");
        assertEquals(List.of("a_key", "b-key", "ledger"), keys.names());
    }

    @Test
    void exportWritesThePublicKeyAlone() throws IOException {
        LedgerKeys keys = LedgerKeys.inWorkspace(workspace);
        SigningKey key = keys.create("ledger", new SecureRandom());
        Path exported = workspace.resolve("out/ledger-public.json");
        PublicKey publicKey = keys.exportPublicKey("ledger", exported);
        assertEquals(key.publicKey(), publicKey);
        assertEquals(publicKey, PublicKey.read(exported));
        String text = Files.readString(exported);
        assertEquals(publicKey.toJson() + "\n", text);
        assertFalse(text.contains("seed"), text);
        assertFalse(text.contains(HexFormat.of().formatHex(key.seed())), "the seed must not leak into the public file");
        assertEquals("{\"format\":1,\"key_id\":\"" + key.keyId() + "\",\"public_key\":\"" + publicKey.toHex()
                + "\",\"type\":\"os2.ed25519.public_key\"}", publicKey.toJson());
        // Export replaces an older file.
        keys.create("other");
        keys.exportPublicKey("other", exported);
        assertEquals(keys.load("other").publicKey(), PublicKey.read(exported));
    }

    @Test
    void badKeyNamesAreRefused() {
        LedgerKeys keys = LedgerKeys.inWorkspace(workspace);
        for (String name : new String[] {"", "../x", "Ledger", "a/b", "-x", "a".repeat(65), "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> keys.create(name), name);
        }
        assertThrows(IllegalArgumentException.class, () -> keys.load(null));
    }

    @Test
    void aMissingKeyIsATypedErrorNamingTheFile() {
        LedgerKeys keys = LedgerKeys.inWorkspace(workspace);
        SignatureFileException e = assertThrows(SignatureFileException.class, () -> keys.load("ledger"));
        assertEquals(SignatureFileException.Problem.MISSING, e.problem());
        assertTrue(e.getMessage().contains(keys.signingKeyFile("ledger").toString()), e.getMessage());
        assertEquals(List.of(), keys.names());
    }

    @Test
    void damagedSigningKeyFilesAreRefusedWithTheReason() throws IOException {
        LedgerKeys keys = LedgerKeys.inWorkspace(workspace);
        SigningKey key = keys.create("ledger");
        Path file = keys.signingKeyFile("ledger");
        String good = Files.readString(file);
        String seedHex = HexFormat.of().formatHex(key.seed());
        String otherSeed = HexFormat.of().formatHex(SigningKey.generate().seed());

        assertRefused(file, "", SignatureFileException.Problem.MALFORMED, "not a valid signing key file");
        assertRefused(file, good.substring(0, good.length() / 2), SignatureFileException.Problem.MALFORMED, "not valid JSON");
        assertRefused(file, "[]", SignatureFileException.Problem.MALFORMED, "expected a JSON object");
        assertRefused(file, good.replace(seedHex, seedHex.substring(2)), SignatureFileException.Problem.MALFORMED,
                "\"seed\" must be 64 lowercase hex digits (32 bytes), found 62 characters");
        assertRefused(file, good.replace(seedHex, seedHex + "00"), SignatureFileException.Problem.MALFORMED,
                "found 66 characters");
        assertRefused(file, good.replace(seedHex, seedHex.toUpperCase()), SignatureFileException.Problem.MALFORMED,
                "lowercase hex");
        assertRefused(file, good.replace(seedHex, otherSeed), SignatureFileException.Problem.KEY_MISMATCH,
                "does not give the stored \"public_key\"");
        assertRefused(file, good.replace(key.keyId(), "ed25519:0000000000000000"), SignatureFileException.Problem.KEY_MISMATCH,
                "\"key_id\" is ed25519:0000000000000000");
        assertRefused(file, good.replace("\"format\":1", "\"format\":2"), SignatureFileException.Problem.UNSUPPORTED_FORMAT,
                "format 2; this version of OS2 reads format 1");
        assertRefused(file, good.replace("os2.ed25519.signing_key", "os2.ed25519.public_key"), SignatureFileException.Problem.MALFORMED,
                "is not an OS2 signing key file");
        assertRefused(file, good.replace("{", "{\"extra\":true,"), SignatureFileException.Problem.MALFORMED,
                "unexpected member \"extra\"");
        assertRefused(file, good.replace("\"key_id\"", "\"kid\""), SignatureFileException.Problem.MALFORMED,
                "the member \"key_id\" is missing");
        assertRefused(file, good.replace("{", "{\"seed\":\"00\","), SignatureFileException.Problem.MALFORMED,
                "duplicate key");
        assertRefused(file, "x".repeat(SignatureFiles.MAX_FILE_BYTES + 1), SignatureFileException.Problem.MALFORMED,
                "larger than");

        // Whitespace and member order are free: a reformatted file is the same key.
        Files.writeString(file, good.replace(",", ",\n  "));
        assertEquals(key.publicKey(), keys.load("ledger").publicKey());
    }

    @Test
    void damagedPublicKeyFilesAreRefusedWithTheReason() throws IOException {
        SigningKey key = SigningKey.generate();
        Path file = workspace.resolve("ledger.pub.json");
        key.publicKey().write(file);
        String good = Files.readString(file);
        String hex = key.publicKey().toHex();
        assertEquals(key.publicKey(), PublicKey.read(file));

        assertRefused(file, good.replace(hex, hex.substring(0, 62)), SignatureFileException.Problem.MALFORMED,
                "\"public_key\" must be 64 lowercase hex digits (32 bytes), found 62 characters");
        // The identity point: well-formed hex, but a small-order key.
        String identity = "01" + "00".repeat(31);
        assertRefused(file, good.replace(hex, identity), SignatureFileException.Problem.MALFORMED,
                "not a valid Ed25519 public key");
        SigningKey other = SigningKey.generate();
        assertRefused(file, good.replace(hex, other.publicKey().toHex()), SignatureFileException.Problem.KEY_MISMATCH,
                "\"key_id\" is " + key.keyId());
        assertRefused(file, good.replace("os2.ed25519.public_key", "os2.ledger.checkpoint"), SignatureFileException.Problem.MALFORMED,
                "is not an OS2 public key file");
        SignatureFileException dir = assertThrows(SignatureFileException.class, () -> PublicKey.read(workspace));
        assertEquals(SignatureFileException.Problem.UNREADABLE, dir.problem());
    }

    private static void assertRefused(Path file, String content, SignatureFileException.Problem problem, String messagePart)
            throws IOException {
        Files.write(file, content.getBytes(StandardCharsets.UTF_8));
        SignatureFileException e = assertThrows(SignatureFileException.class, () -> {
            if (file.getFileName().toString().endsWith(".key.json")) {
                LedgerKeys.readSigningKey(file);
            } else {
                PublicKey.read(file);
            }
        }, content);
        assertEquals(problem, e.problem(), e.getMessage());
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), "expected \"" + messagePart + "\" in: " + e.getMessage());
    }
}
