package dev.os2.ledger;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A SHA-256 digest: exactly 32 bytes, immutable, printed as 64 lowercase hex digits.
 *
 * <p>Used for entry hashes and {@code prev_hash} links in the ledger chain. Instances are values:
 * two hashes are equal when their bytes are equal. Thread-safe.
 */
public final class Hash implements Comparable<Hash> {

    /** Length of a hash in bytes. */
    public static final int LENGTH_BYTES = 32;

    /**
     * The {@code prev_hash} of the entry at position 0: 32 zero bytes. No SHA-256 output is known
     * to equal it, so it cannot be confused with the hash of a real entry.
     */
    public static final Hash GENESIS = new Hash(new byte[LENGTH_BYTES]);

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps a copy of {@code bytes}.
     *
     * @throws IllegalArgumentException if {@code bytes} is not exactly 32 bytes long
     * @throws NullPointerException if {@code bytes} is null
     */
    public static Hash of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH_BYTES) {
            throw new IllegalArgumentException("a hash is " + LENGTH_BYTES + " bytes, got " + bytes.length);
        }
        return new Hash(bytes.clone());
    }

    /** Wraps {@code bytes} without copying; the caller hands over ownership. */
    static Hash wrap(byte[] bytes) {
        return new Hash(bytes);
    }

    /**
     * Parses 64 hex digits (either case).
     *
     * @throws IllegalArgumentException if {@code hex} is not 64 hex digits
     */
    public static Hash parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != LENGTH_BYTES * 2) {
            throw new IllegalArgumentException("a hash is 64 hex digits, got " + hex.length() + " characters: " + abbreviate(hex));
        }
        try {
            return new Hash(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a hex hash: " + abbreviate(hex), e);
        }
    }

    /** SHA-256 of {@code data}, using the JDK's provider. */
    public static Hash sha256(byte[] data) {
        return new Hash(newSha256().digest(data));
    }

    /** A fresh SHA-256 digest from the JDK (always present on a conforming JDK). */
    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** The 32 bytes without copying; callers must not modify them. */
    byte[] bytesUnsafe() {
        return bytes;
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Writes the 32 bytes into {@code digest} without copying. */
    public void updateDigest(MessageDigest digest) {
        digest.update(bytes);
    }

    /** Copies the 32 bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, LENGTH_BYTES);
    }

    /** 64 lowercase hex digits. */
    public String toHex() {
        return HEX.formatHex(bytes);
    }

    /** The first 12 hex digits, for tables meant for people. */
    public String toShortHex() {
        return toHex().substring(0, 12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Hash o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? '"' + s + '"' : '"' + s.substring(0, 77) + "...\"";
    }
}
