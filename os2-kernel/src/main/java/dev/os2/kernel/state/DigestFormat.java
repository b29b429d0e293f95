package dev.os2.kernel.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Function;

/**
 * The byte format hashed by {@link PersistentMap#merkleDigest(Function)}, version
 * {@value #VERSION}, defined here and nowhere else. All integers are big-endian; every hash is
 * SHA-256.
 *
 * <pre>
 * map digest    = H("os2.PersistentMap.merkle" ‖ u8 VERSION ‖ i64 size ‖ node digest of the root)
 * bitmap node   = H(u8 0x10 ‖ i32 dataMap ‖ i32 nodeMap ‖ for each occupied position p = 0..31:
 *                   entry, when p holds an entry; node digest of the child, when p holds a child)
 * collision node= H(u8 0x11 ‖ i32 count ‖ entry for each entry in collision order)
 * entry         = key ‖ i32 length(valueBytes) ‖ valueBytes
 * key           = u8 0x01 ‖ i32 value                          (Integer)
 *               | u8 0x02 ‖ i64 value                          (Long)
 *               | u8 0x03 ‖ i32 length ‖ UTF-8 bytes           (String)
 *               | u8 0x04 ‖ i32 length ‖ stableBytes()         (StableKey)
 * </pre>
 *
 * <p>Entries are hashed inside their node rather than one hash each: entries are not objects
 * here, so a per-entry digest would have nowhere to be cached and would only add hashing work.
 * Because keys are self-delimiting and values are length-prefixed, the byte stream of a node can
 * be parsed back into its parts, so distinct contents never produce the same stream.
 */
final class DigestFormat {

    /** Version of this format; changes whenever any byte above, or the trie shape, changes. */
    static final int VERSION = 1;

    static final byte TAG_BITMAP_NODE = 0x10;
    static final byte TAG_COLLISION_NODE = 0x11;
    static final byte TAG_INTEGER = 0x01;
    static final byte TAG_LONG = 0x02;
    static final byte TAG_STRING = 0x03;
    static final byte TAG_STABLE_KEY = 0x04;

    private static final byte[] DOMAIN = "os2.PersistentMap.merkle".getBytes(StandardCharsets.US_ASCII);

    private DigestFormat() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE implementation must provide SHA-256.
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static byte[] mapDigest(MessageDigest md, int size, byte[] rootDigest) {
        md.update(DOMAIN);
        md.update((byte) VERSION);
        putLong(md, size);
        md.update(rootDigest);
        return md.digest();
    }

    /** Appends one entry: the canonical key bytes, then the length-prefixed value bytes. */
    static void putEntry(MessageDigest md, Object key, Object value, Function<Object, byte[]> valueBytes) {
        putKey(md, key);
        byte[] bytes = valueBytes.apply(value);
        if (bytes == null) {
            throw new NullPointerException("valueBytes returned null for the value of a key of type "
                    + key.getClass().getName());
        }
        putInt(md, bytes.length);
        md.update(bytes);
    }

    static void putKey(MessageDigest md, Object key) {
        switch (key) {
            case Integer i -> {
                md.update(TAG_INTEGER);
                putInt(md, i);
            }
            case Long l -> {
                md.update(TAG_LONG);
                putLong(md, l);
            }
            case String s -> {
                md.update(TAG_STRING);
                byte[] utf8 = utf8(s);
                putInt(md, utf8.length);
                md.update(utf8);
            }
            case StableKey k -> {
                md.update(TAG_STABLE_KEY);
                byte[] bytes = k.stableBytes();
                if (bytes == null) {
                    throw new NullPointerException(k.getClass().getName() + ".stableBytes() returned null");
                }
                putInt(md, bytes.length);
                md.update(bytes);
            }
            default -> throw new IllegalArgumentException("key type " + key.getClass().getName() + " has no canonical bytes");
        }
    }

    private static byte[] utf8(String s) {
        // String.getBytes replaces an unpaired surrogate with '?', which would give two different
        // keys the same bytes; refuse such keys instead of hashing them ambiguously.
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("String key has an unpaired surrogate at index " + i
                        + " and so no canonical UTF-8 form");
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void putInt(MessageDigest md, int v) {
        md.update((byte) (v >>> 24));
        md.update((byte) (v >>> 16));
        md.update((byte) (v >>> 8));
        md.update((byte) v);
    }

    static void putLong(MessageDigest md, long v) {
        putInt(md, (int) (v >>> 32));
        putInt(md, (int) v);
    }
}
