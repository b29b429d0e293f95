package dev.os2.kernel.state;

import java.util.Arrays;

/**
 * The stable hash and the total order of {@link PersistentMap} keys. Both depend only on key
 * values, so a map's shape, its iteration order and its digest are the same in every JVM.
 *
 * <p>The trie hash of a key is its stable hash (the JDK-specified {@code hashCode} of
 * {@link String}, {@link Long} and {@link Integer}, or {@link StableKey#stableHash()}) passed
 * through the murmur3 finaliser. The finaliser is a bijection, so it creates no new collisions; it
 * spreads keys such as sequential or aligned numbers over the trie so that no branch grows deep.
 *
 * <p>Keys are ordered by their trie hash read five bits at a time from the least significant end
 * (the order in which the trie consumes them; the seventh chunk has two bits), and keys with the
 * same full hash by {@link #compareSameHash(Object, Object)}.
 */
final class KeyOrder {

    /** Bits of hash consumed per trie level. */
    static final int BITS_PER_LEVEL = 5;

    /** Mask for one level's chunk of hash. */
    static final int LEVEL_MASK = (1 << BITS_PER_LEVEL) - 1;

    /**
     * Shift at which the hash is used up: nodes at this shift hold full-hash collisions. Levels
     * use shifts 0, 5, ..., 30; the last has only two bits of hash left.
     */
    static final int COLLISION_SHIFT = 35;

    /** Bitmap levels (shifts 0..30) plus the collision level: the longest root-to-leaf path. */
    static final int MAX_DEPTH = 8;

    private KeyOrder() {
    }

    /**
     * The trie hash of {@code key}.
     *
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when {@code key} is not a String, Long, Integer or
     *     StableKey
     */
    static int hash(Object key) {
        // Checked in order of expected frequency; each branch is a cheap type test.
        final int h;
        if (key instanceof String s) {
            h = s.hashCode();
        } else if (key instanceof Long l) {
            h = l.hashCode();
        } else if (key instanceof Integer i) {
            h = i.hashCode();
        } else if (key instanceof StableKey k) {
            h = k.stableHash();
        } else if (key == null) {
            throw new NullPointerException("key");
        } else {
            throw new IllegalArgumentException("key type " + key.getClass().getName()
                    + " has no stable hash; use String, Long, Integer or implement StableKey");
        }
        return mix(h);
    }

    /** The murmur3 32-bit finaliser: a fixed bijection on int. */
    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The level chunk of {@code hash} at {@code shift} (shift below {@link #COLLISION_SHIFT}). */
    static int chunk(int hash, int shift) {
        return (hash >>> shift) & LEVEL_MASK;
    }

    /**
     * Compares two keys in the map's iteration order.
     *
     * @param a a key
     * @param hashA {@code hash(a)}
     * @param b another key
     * @param hashB {@code hash(b)}
     * @return negative, zero (only when the keys are equal) or positive
     */
    static int compare(Object a, int hashA, Object b, int hashB) {
        if (hashA != hashB) {
            return Integer.compareUnsigned(trieOrder(hashA), trieOrder(hashB));
        }
        if (a.equals(b)) {
            return 0;
        }
        return compareSameHash(a, b);
    }

    /** Compares two keys in the map's iteration order (computes both hashes). */
    static int compare(Object a, Object b) {
        return compare(a, hash(a), b, hash(b));
    }

    /**
     * Rearranges a trie hash so that unsigned comparison follows the trie: the chunk used at the
     * root becomes the most significant bits.
     */
    static int trieOrder(int hash) {
        int r = 0;
        for (int shift = 0; shift < 30; shift += BITS_PER_LEVEL) {
            r = (r << BITS_PER_LEVEL) | chunk(hash, shift);
        }
        return (r << 2) | (hash >>> 30);
    }

    /**
     * Orders two unequal keys whose trie hashes are equal (a full-hash collision). The rule, which
     * is part of the map's documented iteration order:
     *
     * <ol>
     *   <li>by key kind: Integer, then Long, then String, then StableKey;
     *   <li>Integer, Long, String: by natural order;
     *   <li>StableKeys of different classes: by class name;
     *   <li>StableKeys of one class that is {@link Comparable}: by {@code compareTo};
     *   <li>otherwise by {@link StableKey#stableBytes()}, unsigned lexicographic.
     * </ol>
     *
     * @throws IllegalArgumentException when the rule cannot separate the two keys: compareTo is
     *     inconsistent with equals, two classes share a name, or stableBytes is not implemented
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareSameHash(Object a, Object b) {
        int kindA = kind(a);
        int kindB = kind(b);
        int c;
        if (kindA != kindB) {
            c = Integer.compare(kindA, kindB);
        } else if (!(a instanceof StableKey)) {
            c = ((Comparable) a).compareTo(b);
        } else if (a.getClass() != b.getClass()) {
            c = a.getClass().getName().compareTo(b.getClass().getName());
        } else if (a instanceof Comparable ca) {
            c = ca.compareTo(b);
        } else {
            c = Arrays.compareUnsigned(stableBytesForOrder((StableKey) a), stableBytesForOrder((StableKey) b));
        }
        if (c == 0) {
            throw new IllegalArgumentException("keys " + describe(a) + " and " + describe(b)
                    + " are unequal but have the same stable hash and compare as equal; a StableKey's"
                    + " compareTo or stableBytes must be consistent with equals");
        }
        return c;
    }

    private static int kind(Object key) {
        if (key instanceof Integer) {
            return 0;
        }
        if (key instanceof Long) {
            return 1;
        }
        if (key instanceof String) {
            return 2;
        }
        return 3;
    }

    private static byte[] stableBytesForOrder(StableKey key) {
        try {
            return key.stableBytes();
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("keys of " + key.getClass().getName()
                    + " collide on stableHash; to order them the class must be Comparable or implement"
                    + " StableKey.stableBytes()", e);
        }
    }

    private static String describe(Object key) {
        // Class name only: toString of a StableKey may be large or identity-based.
        return key.getClass().getName() + "#" + hash(key);
    }
}
