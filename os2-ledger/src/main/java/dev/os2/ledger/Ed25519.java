package dev.os2.ledger;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Pure Ed25519 (RFC 8032, section 5.1) over BouncyCastle's {@code rfc8032.Ed25519}, with the
 * strictness OS2 relies on made explicit rather than left to the library version:
 *
 * <ul>
 *   <li>a signature is exactly {@value #SIGNATURE_BYTES} bytes and a public key exactly
 *       {@value #PUBLIC_KEY_BYTES}; anything longer or shorter is refused before BouncyCastle sees
 *       it, because its offset-based API would otherwise ignore trailing garbage;</li>
 *   <li>the scalar S must be canonical (S &lt; L, the group order), so a signature has one encoding
 *       and cannot be made to verify again as S + L (RFC 8032, section 8.4);</li>
 *   <li>the point R and the public key must decode as points (BouncyCastle's check).</li>
 * </ul>
 *
 * With these checks the verifier accepts and rejects exactly as every Wycheproof
 * {@code ed25519_test.json} vector says (see the tests).
 *
 * <p>The primitive signs raw bytes. Callers outside this class sign typed statements through
 * {@link SigningKey#sign(CanonicalJson)}, which keeps signatures from being replayed for another
 * purpose. Stateless and thread-safe.
 */
final class Ed25519 {

    /** Length of an encoded public key in bytes. */
    static final int PUBLIC_KEY_BYTES = org.bouncycastle.math.ec.rfc8032.Ed25519.PUBLIC_KEY_SIZE;
    /** Length of a secret key (the RFC 8032 seed) in bytes. */
    static final int SEED_BYTES = org.bouncycastle.math.ec.rfc8032.Ed25519.SECRET_KEY_SIZE;
    /** Length of a signature (R ‖ S) in bytes. */
    static final int SIGNATURE_BYTES = org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE;

    /**
     * The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian, as S is
     * encoded in a signature.
     */
    private static final byte[] ORDER_LE = {
        (byte) 0xed, (byte) 0xd3, (byte) 0xf5, (byte) 0x5c, (byte) 0x1a, (byte) 0x63, (byte) 0x12, (byte) 0x58,
        (byte) 0xd6, (byte) 0x9c, (byte) 0xf7, (byte) 0xa2, (byte) 0xde, (byte) 0xf9, (byte) 0xde, (byte) 0x14,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, (byte) 0x10,
    };

    private Ed25519() {
    }

    /**
     * A fresh random seed. Key generation is not part of the deterministic core: a key must be
     * unpredictable, so this is the one place in the ledger that draws on an unseeded source.
     */
    static byte[] generateSeed(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] seed = new byte[SEED_BYTES];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePrivateKey(random, seed);
        return seed;
    }

    /**
     * The public key of a seed.
     *
     * @throws IllegalArgumentException if {@code seed} is not {@value #SEED_BYTES} bytes
     */
    static byte[] publicKeyOf(byte[] seed) {
        requireLength(seed, SEED_BYTES, "a seed");
        byte[] publicKey = new byte[PUBLIC_KEY_BYTES];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, publicKey, 0);
        return publicKey;
    }

    /**
     * Signs {@code message} (pure Ed25519, no context, no prehash). Deterministic: the same seed
     * and message always give the same signature.
     *
     * @throws IllegalArgumentException if {@code seed} is not {@value #SEED_BYTES} bytes
     */
    static byte[] sign(byte[] seed, byte[] message) {
        requireLength(seed, SEED_BYTES, "a seed");
        Objects.requireNonNull(message, "message");
        byte[] signature = new byte[SIGNATURE_BYTES];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /**
     * Strict verification: true only for a {@value #SIGNATURE_BYTES}-byte signature with canonical
     * S, made over exactly {@code message} by the holder of {@code publicKey}. Never throws for bad
     * input; wrong lengths and undecodable keys or points are simply not valid.
     *
     * @throws NullPointerException if an argument is null
     */
    static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(signature, "signature");
        if (publicKey.length != PUBLIC_KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        if (!canonicalScalar(signature, SIGNATURE_BYTES / 2)) {
            return false;
        }
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    /**
     * Whether {@code publicKey} is a usable verification key: {@value #PUBLIC_KEY_BYTES} bytes that
     * canonically encode a point of the prime-order subgroup (not one of the small-order points,
     * for which signatures would verify over many messages).
     */
    static boolean validPublicKey(byte[] publicKey) {
        return publicKey != null && publicKey.length == PUBLIC_KEY_BYTES
                && org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(publicKey, 0);
    }

    /** Whether the 32-byte little-endian scalar at {@code offset} is below the group order L. */
    static boolean canonicalScalar(byte[] bytes, int offset) {
        for (int i = 31; i >= 0; i--) {
            int a = bytes[offset + i] & 0xff;
            int b = ORDER_LE[i] & 0xff;
            if (a != b) {
                return a < b;
            }
        }
        return false; // S == L
    }

    private static void requireLength(byte[] bytes, int length, String what) {
        Objects.requireNonNull(bytes, what);
        if (bytes.length != length) {
            throw new IllegalArgumentException(what + " is " + length + " bytes, got " + bytes.length);
        }
    }
}
