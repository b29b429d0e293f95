package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The Ed25519 layer: RFC 8032 vectors, strictness beyond BouncyCastle's offsets, typed statements, keys. */
class Ed25519Test {

    private static final HexFormat HEX = HexFormat.of();
    /** The group order L. */
    static final BigInteger ORDER = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

    // RFC 8032, section 7.1, TEST 1 and TEST 2.
    private static final byte[] SEED_1 = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static final byte[] PUBLIC_1 = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static final byte[] SIGNATURE_1 = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    private static final byte[] SEED_2 = HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    private static final byte[] PUBLIC_2 = HEX.parseHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static final byte[] SIGNATURE_2 = HEX.parseHex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    @Test
    void rfc8032VectorsSignAndVerify() {
        assertArrayEquals(PUBLIC_1, Ed25519.publicKeyOf(SEED_1));
        assertArrayEquals(SIGNATURE_1, Ed25519.sign(SEED_1, new byte[0]));
        assertTrue(Ed25519.verify(PUBLIC_1, new byte[0], SIGNATURE_1));
        assertArrayEquals(PUBLIC_2, Ed25519.publicKeyOf(SEED_2));
        assertArrayEquals(SIGNATURE_2, Ed25519.sign(SEED_2, new byte[] {0x72}));
        assertTrue(Ed25519.verify(PUBLIC_2, new byte[] {0x72}, SIGNATURE_2));
        assertFalse(Ed25519.verify(PUBLIC_2, new byte[] {0x73}, SIGNATURE_2));
        assertFalse(Ed25519.verify(PUBLIC_1, new byte[] {0x72}, SIGNATURE_2), "another key's signature");
    }

    @Test
    void trailingGarbageAndShortSignaturesAreRejected() {
        // BouncyCastle's offset-based verify reads the first 64 bytes only; these must still fail.
        byte[] longer = Arrays.copyOf(SIGNATURE_1, 65);
        assertFalse(Ed25519.verify(PUBLIC_1, new byte[0], longer));
        assertFalse(Ed25519.verify(PUBLIC_1, new byte[0], Arrays.copyOf(SIGNATURE_1, 63)));
        assertFalse(Ed25519.verify(PUBLIC_1, new byte[0], new byte[0]));
        assertFalse(Ed25519.verify(Arrays.copyOf(PUBLIC_1, 33), new byte[0], SIGNATURE_1));
        assertFalse(Ed25519.verify(Arrays.copyOf(PUBLIC_1, 31), new byte[0], SIGNATURE_1));
    }

    @Test
    void sPlusOrderIsRejected() {
        byte[] malleable = withS(SIGNATURE_1, s(SIGNATURE_1).add(ORDER));
        assertFalse(Ed25519.canonicalScalar(malleable, 32));
        assertFalse(Ed25519.verify(PUBLIC_1, new byte[0], malleable));
        assertTrue(Ed25519.verify(PUBLIC_1, new byte[0], SIGNATURE_1), "the original still verifies");
    }

    @Test
    void canonicalScalarIsExactlyBelowTheOrder() {
        byte[] sig = new byte[64];
        assertTrue(Ed25519.canonicalScalar(withS(sig, BigInteger.ZERO), 32));
        assertTrue(Ed25519.canonicalScalar(withS(sig, ORDER.subtract(BigInteger.ONE)), 32));
        assertFalse(Ed25519.canonicalScalar(withS(sig, ORDER), 32));
        assertFalse(Ed25519.canonicalScalar(withS(sig, ORDER.add(BigInteger.ONE)), 32));
        assertFalse(Ed25519.canonicalScalar(withS(sig, BigInteger.TWO.pow(256).subtract(BigInteger.ONE)), 32));
        assertTrue(Ed25519.canonicalScalar(withS(sig, BigInteger.TWO.pow(252)), 32));
    }

    @Test
    void signingKeySignsTypedStatementsOnly() {
        SigningKey key = SigningKey.fromSeed(SEED_1);
        assertEquals(HEX.formatHex(PUBLIC_1), key.publicKey().toHex());
        CanonicalJson statement = CanonicalJson.parse("{\"type\":\"os2.test\",\"n\":1}");
        byte[] signature = key.sign(statement);
        assertArrayEquals(signature, key.sign(statement), "Ed25519 signing is deterministic");
        assertTrue(key.publicKey().verify(statement, signature));
        assertArrayEquals(Ed25519.sign(SEED_1, statement.toUtf8()), signature, "the signed bytes are the canonical UTF-8");

        // The same fields under another type do not verify: signatures do not cross purposes.
        assertFalse(key.publicKey().verify(CanonicalJson.parse("{\"type\":\"os2.other\",\"n\":1}"), signature));

        for (String untyped : new String[] {"{\"n\":1}", "[1]", "\"os2.test\"", "{\"type\":1}", "{\"type\":\"\"}", "null"}) {
            CanonicalJson json = CanonicalJson.parse(untyped);
            assertThrows(IllegalArgumentException.class, () -> key.sign(json), untyped);
            assertThrows(IllegalArgumentException.class, () -> key.publicKey().verify(json, signature), untyped);
        }
    }

    @Test
    void keyIdIsDerivedFromThePublicKey() {
        PublicKey key = SigningKey.fromSeed(SEED_1).publicKey();
        String expected = "ed25519:" + Hash.sha256(PUBLIC_1).toHex().substring(0, 16);
        assertEquals(expected, key.keyId());
        assertEquals(expected, SigningKey.fromSeed(SEED_1).keyId());
        assertNotEquals(key.keyId(), SigningKey.fromSeed(SEED_2).keyId());
        assertEquals(key, PublicKey.of(PUBLIC_1));
        assertEquals(key.hashCode(), PublicKey.of(PUBLIC_1).hashCode());
    }

    @Test
    void invalidPublicKeysAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PublicKey.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> PublicKey.of(new byte[33]));
        // The identity point (y = 1) has small order: signatures with it would verify for many messages.
        byte[] identity = new byte[32];
        identity[0] = 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PublicKey.of(identity));
        assertTrue(e.getMessage().contains("prime-order subgroup"), e.getMessage());
        // y = p (2^255 - 19) is a non-canonical encoding of y = 0.
        byte[] nonCanonical = HEX.parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        assertThrows(IllegalArgumentException.class, () -> PublicKey.of(nonCanonical));
    }

    @Test
    void seedsHaveExactlyThirtyTwoBytesAndStayPrivate() {
        assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(new byte[33]));
        SigningKey key = SigningKey.fromSeed(SEED_1);
        assertFalse(key.toString().contains(HEX.formatHex(SEED_1)), key.toString());
        assertTrue(key.toString().contains(key.keyId()));
        byte[] seed = SEED_1.clone();
        SigningKey copied = SigningKey.fromSeed(seed);
        seed[0] ^= 1; // fromSeed copied its argument, so this changes nothing
        assertArrayEquals(SEED_1, copied.seed());
    }

    @Test
    void generatedKeysAreDistinctAndWork() {
        SigningKey a = SigningKey.generate();
        SigningKey b = SigningKey.generate();
        assertNotEquals(a.keyId(), b.keyId());
        CanonicalJson statement = CanonicalJson.parse("{\"type\":\"os2.test\",\"text\":\"" + "x".repeat(10) + "\"}");
        assertTrue(a.publicKey().verify(statement, a.sign(statement)));
        assertFalse(b.publicKey().verify(statement, a.sign(statement)));
        assertEquals(64, a.sign(statement).length);
        assertEquals(statement.text().getBytes(StandardCharsets.UTF_8).length, statement.utf8Length());
    }

    static BigInteger s(byte[] signature) {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = signature[63 - i];
        }
        return new BigInteger(1, be);
    }

    static byte[] withS(byte[] signature, BigInteger s) {
        byte[] out = signature.clone();
        byte[] be = s.toByteArray();
        Arrays.fill(out, 32, 64, (byte) 0);
        for (int i = 0; i < Math.min(32, be.length); i++) {
            out[32 + i] = be[be.length - 1 - i];
        }
        if (s.bitLength() > 256) {
            throw new IllegalArgumentException("S does not fit in 32 bytes: " + s);
        }
        return out;
    }
}
