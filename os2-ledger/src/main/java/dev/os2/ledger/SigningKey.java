package dev.os2.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * An Ed25519 signing key (the RFC 8032 32-byte seed) with its {@link PublicKey}. It signs
 * <em>typed statements</em> only: canonical JSON objects whose {@code type} member names what the
 * statement is ({@code "os2.ledger.checkpoint"}, a snapshot token type, …). Because the type is
 * inside the signed bytes, a signature made for one purpose never verifies as another.
 *
 * <p>Keys are kept in a workspace by {@link LedgerKeys}. The seed never leaves this object except
 * to that store: {@link #toString()} shows only the key id.
 *
 * <p>Immutable and thread-safe. Signing is deterministic (RFC 8032): the same key and statement
 * always give the same signature.
 */
public final class SigningKey {

    private final byte[] seed;
    private final PublicKey publicKey;

    private SigningKey(byte[] seed) {
        this.seed = seed;
        this.publicKey = PublicKey.of(Ed25519.publicKeyOf(seed));
    }

    /**
     * A new random key drawn from {@code random}. Key generation is not part of the deterministic
     * core: keys must be unpredictable, and nothing is replayed from them.
     *
     * @throws NullPointerException if {@code random} is null
     */
    public static SigningKey generate(SecureRandom random) {
        // A seed whose public key is of small order is impossible: the public key is the seed's
        // clamped scalar times the base point, which always lies in the prime-order subgroup.
        return new SigningKey(Ed25519.generateSeed(random));
    }

    /** A new random key from a fresh {@link SecureRandom} (see {@link #generate(SecureRandom)}). */
    public static SigningKey generate() {
        return generate(new SecureRandom());
    }

    /**
     * The key with this 32-byte seed (for tests with fixed keys, and for {@link LedgerKeys}).
     *
     * @throws IllegalArgumentException if {@code seed} is not 32 bytes
     * @throws NullPointerException if {@code seed} is null
     */
    public static SigningKey fromSeed(byte[] seed) {
        Objects.requireNonNull(seed, "seed");
        if (seed.length != Ed25519.SEED_BYTES) {
            throw new IllegalArgumentException("an Ed25519 seed is " + Ed25519.SEED_BYTES + " bytes, got " + seed.length);
        }
        return new SigningKey(seed.clone());
    }

    /** The public key, to hand to verifiers. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** The key id ({@link PublicKey#keyId()}). */
    public String keyId() {
        return publicKey.keyId();
    }

    /**
     * Signs the canonical UTF-8 bytes of {@code statement}.
     *
     * @return the 64-byte signature (R ‖ S)
     * @throws IllegalArgumentException if {@code statement} is not a JSON object with a string
     *     {@code type} member
     * @throws NullPointerException if {@code statement} is null
     */
    public byte[] sign(CanonicalJson statement) {
        requireStatement(statement);
        return Ed25519.sign(seed, statement.utf8Unsafe());
    }

    /** A copy of the seed, for the key store only. */
    byte[] seed() {
        return seed.clone();
    }

    /** Shows the key id, never the seed. */
    @Override
    public String toString() {
        return "SigningKey[" + keyId() + "]";
    }

    /** Refuses anything but an object with a non-empty string {@code type} member. */
    static void requireStatement(CanonicalJson statement) {
        Objects.requireNonNull(statement, "statement");
        JsonNode node = statement.toJsonNode();
        JsonNode type = node.get("type");
        if (!node.isObject() || type == null || !type.isTextual() || type.textValue().isEmpty()) {
            throw new IllegalArgumentException("only typed statements are signed: a JSON object with a string \"type\" member, got "
                    + SignatureFiles.abbreviate(statement.text()));
        }
    }
}
