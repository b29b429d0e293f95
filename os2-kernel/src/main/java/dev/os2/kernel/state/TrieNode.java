package dev.os2.kernel.state;

import java.security.MessageDigest;
import java.util.function.Function;

/**
 * A node of {@link PersistentMap}'s trie. Nodes are immutable once published, apart from two
 * caches of values derived from their contents (the structural hash code and the Merkle digest),
 * which are written with benign races: every thread that computes them computes the same value,
 * and the digest is published through an object whose fields are final.
 */
abstract sealed class TrieNode permits BitmapNode, CollisionNode {

    /** The last Merkle digest computed, with the value encoder it was computed with. */
    private DigestCache digestCache;

    /** Cached {@link #structuralHash()}; 0 means unknown unless {@link #hashIsZero}. */
    private int hash;

    /** True when the structural hash was computed and is 0 (String's benign-race pattern). */
    private boolean hashIsZero;

    /** Binds {@code key} to {@code value} below this node; returns this node when nothing changes. */
    abstract TrieNode put(Object key, Object value, int keyHash, int shift, Change change);

    /** Removes {@code key} below this node; returns this node when the key is absent. */
    abstract TrieNode remove(Object key, int keyHash, int shift, Change change);

    /** The value bound to {@code key} below this node, or null. */
    abstract Object find(Object key, int keyHash, int shift);

    /** Number of entries in this subtree (linear time; used by checks and tests). */
    abstract int countEntries();

    /** Sum over entries of {@code hash(key) ^ value.hashCode()} (uncached). */
    abstract int computeStructuralHash();

    /** Writes this node's digest stream (see {@link DigestFormat}) once its children are known. */
    abstract byte[] computeDigest(Function<Object, byte[]> valueBytes, MessageDigest md);

    final int structuralHash() {
        int h = hash;
        if (h == 0 && !hashIsZero) {
            h = computeStructuralHash();
            if (h == 0) {
                hashIsZero = true;
            } else {
                hash = h;
            }
        }
        return h;
    }

    /**
     * This subtree's Merkle digest under {@code valueBytes}, from the cache when the last digest
     * of this node was computed with the same function object. The returned array is shared with
     * the cache: callers must not modify or publish it.
     */
    final byte[] digest(Function<Object, byte[]> valueBytes, MessageDigest md) {
        DigestCache cached = digestCache;
        if (cached != null && cached.valueBytes() == valueBytes) {
            return cached.digest();
        }
        byte[] d = computeDigest(valueBytes, md);
        digestCache = new DigestCache(valueBytes, d);
        return d;
    }

    /** Records what a put or remove did, so the map can keep its size without counting. */
    static final class Change {
        /** True when a put added a new key. */
        boolean added;
        /** True when a remove took a key out. */
        boolean removed;
    }

    /** A digest and the function it was computed with; final fields make a racy read safe. */
    private record DigestCache(Function<Object, byte[]> valueBytes, byte[] digest) {
    }
}
