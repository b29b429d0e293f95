package dev.os2.kernel.state;

import java.security.MessageDigest;
import java.util.function.Function;

/**
 * A CHAMP bitmap-indexed node (Steindorfer and Vinju, OOPSLA 2015). Each of the 32 positions of
 * a level holds nothing, one entry inline, or a child node. {@code content} holds the entries as
 * key/value pairs in position order, followed by the children in reverse position order (so a
 * child's index is found from the end without counting entries).
 *
 * <p>Canonical form: a position holds a child only when two or more keys fall under it, and a
 * non-root node holds at least two keys in its subtree. Insertions keep this by construction;
 * removals keep it by moving a child that shrinks to one entry back inline (CHAMP compaction).
 * So a map's shape depends only on its keys, never on the order of updates.
 */
final class BitmapNode extends TrieNode {

    static final BitmapNode EMPTY = new BitmapNode(0, 0, new Object[0]);

    final int dataMap;
    final int nodeMap;
    final Object[] content;

    BitmapNode(int dataMap, int nodeMap, Object[] content) {
        this.dataMap = dataMap;
        this.nodeMap = nodeMap;
        this.content = content;
    }

    static int bit(int keyHash, int shift) {
        return 1 << KeyOrder.chunk(keyHash, shift);
    }

    /** Number of set bits of {@code map} below {@code bit}: the rank of {@code bit} in {@code map}. */
    static int index(int map, int bit) {
        return Integer.bitCount(map & (bit - 1));
    }

    int dataIndex(int bit) {
        return 2 * index(dataMap, bit);
    }

    TrieNode nodeAt(int bit) {
        return (TrieNode) content[content.length - 1 - index(nodeMap, bit)];
    }

    /** True for a node with exactly one entry and no children. */
    boolean isSingleton() {
        return nodeMap == 0 && content.length == 2;
    }

    /**
     * A node holding one entry at the position it takes at {@code shift}. Outside
     * {@link PersistentMap#diff} it is used with shift 0, so it is ready to become a root or to be
     * moved inline into a parent (which recomputes the position from the key's hash).
     */
    static BitmapNode singleton(Object key, Object value, int keyHash, int shift) {
        return new BitmapNode(bit(keyHash, shift), 0, new Object[] {key, value});
    }

    @Override
    Object find(Object key, int keyHash, int shift) {
        int bit = bit(keyHash, shift);
        if ((dataMap & bit) != 0) {
            int i = dataIndex(bit);
            Object k = content[i];
            return k == key || k.equals(key) ? content[i + 1] : null;
        }
        if ((nodeMap & bit) != 0) {
            return nodeAt(bit).find(key, keyHash, shift + KeyOrder.BITS_PER_LEVEL);
        }
        return null;
    }

    @Override
    TrieNode put(Object key, Object value, int keyHash, int shift, Change change) {
        int bit = bit(keyHash, shift);
        if ((dataMap & bit) != 0) {
            int i = dataIndex(bit);
            Object k = content[i];
            if (k == key || k.equals(key)) {
                Object v = content[i + 1];
                if (v == value || v.equals(value)) {
                    return this;
                }
                Object[] copy = content.clone();
                copy[i + 1] = value;
                return new BitmapNode(dataMap, nodeMap, copy);
            }
            TrieNode child = merge(k, content[i + 1], KeyOrder.hash(k), key, value, keyHash,
                    shift + KeyOrder.BITS_PER_LEVEL);
            change.added = true;
            return copyAndMigrateToNode(bit, i, child);
        }
        if ((nodeMap & bit) != 0) {
            TrieNode child = nodeAt(bit);
            TrieNode updated = child.put(key, value, keyHash, shift + KeyOrder.BITS_PER_LEVEL, change);
            return updated == child ? this : copyAndSetNode(bit, updated);
        }
        change.added = true;
        return copyAndInsertValue(bit, key, value);
    }

    @Override
    TrieNode remove(Object key, int keyHash, int shift, Change change) {
        int bit = bit(keyHash, shift);
        if ((dataMap & bit) != 0) {
            int i = dataIndex(bit);
            Object k = content[i];
            if (k != key && !k.equals(key)) {
                return this;
            }
            change.removed = true;
            if (shift > 0 && nodeMap == 0 && content.length == 4) {
                // One entry remains below the root: hand back a singleton positioned for shift 0
                // (all keys of this subtree share the root chunk), which the parent moves inline
                // or which becomes the root when every level above holds only this path.
                int other = i ^ 2;
                return singleton(content[other], content[other + 1], keyHash, 0);
            }
            return copyAndRemoveValue(bit, i);
        }
        if ((nodeMap & bit) != 0) {
            TrieNode child = nodeAt(bit);
            TrieNode updated = child.remove(key, keyHash, shift + KeyOrder.BITS_PER_LEVEL, change);
            if (updated == child) {
                return this;
            }
            if (updated instanceof BitmapNode b && b.isSingleton()) {
                if (dataMap == 0 && Integer.bitCount(nodeMap) == 1) {
                    // This node would hold a single entry: pass the singleton up instead.
                    return b;
                }
                return copyAndMigrateToInline(bit, b.content[0], b.content[1]);
            }
            return copyAndSetNode(bit, updated);
        }
        return this;
    }

    /** The canonical subtree for two distinct keys at {@code shift}. */
    static TrieNode merge(Object k0, Object v0, int h0, Object k1, Object v1, int h1, int shift) {
        if (shift >= KeyOrder.COLLISION_SHIFT) {
            return CollisionNode.pair(h0, k0, v0, k1, v1);
        }
        int m0 = KeyOrder.chunk(h0, shift);
        int m1 = KeyOrder.chunk(h1, shift);
        if (m0 != m1) {
            int dataMap = (1 << m0) | (1 << m1);
            return m0 < m1
                    ? new BitmapNode(dataMap, 0, new Object[] {k0, v0, k1, v1})
                    : new BitmapNode(dataMap, 0, new Object[] {k1, v1, k0, v0});
        }
        TrieNode child = merge(k0, v0, h0, k1, v1, h1, shift + KeyOrder.BITS_PER_LEVEL);
        return new BitmapNode(0, 1 << m0, new Object[] {child});
    }

    private BitmapNode copyAndInsertValue(int bit, Object key, Object value) {
        int i = dataIndex(bit);
        Object[] dst = new Object[content.length + 2];
        System.arraycopy(content, 0, dst, 0, i);
        dst[i] = key;
        dst[i + 1] = value;
        System.arraycopy(content, i, dst, i + 2, content.length - i);
        return new BitmapNode(dataMap | bit, nodeMap, dst);
    }

    private BitmapNode copyAndRemoveValue(int bit, int i) {
        Object[] dst = new Object[content.length - 2];
        System.arraycopy(content, 0, dst, 0, i);
        System.arraycopy(content, i + 2, dst, i, content.length - i - 2);
        return new BitmapNode(dataMap ^ bit, nodeMap, dst);
    }

    private BitmapNode copyAndSetNode(int bit, TrieNode node) {
        Object[] dst = content.clone();
        dst[content.length - 1 - index(nodeMap, bit)] = node;
        return new BitmapNode(dataMap, nodeMap, dst);
    }

    /** Replaces the entry at {@code bit} (content index {@code i}) with the child {@code node}. */
    private BitmapNode copyAndMigrateToNode(int bit, int i, TrieNode node) {
        int newNodeMap = nodeMap | bit;
        int newLength = content.length - 1;
        int p = newLength - 1 - index(newNodeMap, bit);
        Object[] dst = new Object[newLength];
        System.arraycopy(content, 0, dst, 0, i);
        System.arraycopy(content, i + 2, dst, i, p - i);
        dst[p] = node;
        System.arraycopy(content, p + 2, dst, p + 1, newLength - p - 1);
        return new BitmapNode(dataMap ^ bit, newNodeMap, dst);
    }

    /** Replaces the child at {@code bit} with the entry {@code key -> value}. */
    private BitmapNode copyAndMigrateToInline(int bit, Object key, Object value) {
        int i = dataIndex(bit);
        int q = content.length - 1 - index(nodeMap, bit);
        Object[] dst = new Object[content.length + 1];
        System.arraycopy(content, 0, dst, 0, i);
        dst[i] = key;
        dst[i + 1] = value;
        System.arraycopy(content, i, dst, i + 2, q - i);
        System.arraycopy(content, q + 1, dst, q + 2, content.length - q - 1);
        return new BitmapNode(dataMap | bit, nodeMap ^ bit, dst);
    }

    @Override
    int countEntries() {
        int n = Integer.bitCount(dataMap);
        for (int j = 2 * n; j < content.length; j++) {
            n += ((TrieNode) content[j]).countEntries();
        }
        return n;
    }

    @Override
    int computeStructuralHash() {
        int h = 0;
        int dataEnd = 2 * Integer.bitCount(dataMap);
        for (int i = 0; i < dataEnd; i += 2) {
            h += KeyOrder.hash(content[i]) ^ content[i + 1].hashCode();
        }
        for (int j = dataEnd; j < content.length; j++) {
            h += ((TrieNode) content[j]).structuralHash();
        }
        return h;
    }

    @Override
    byte[] computeDigest(Function<Object, byte[]> valueBytes, MessageDigest md) {
        // Children first: each finishes (and so resets) md before this node starts writing to it.
        int dataEnd = 2 * Integer.bitCount(dataMap);
        byte[][] childDigests = new byte[content.length - dataEnd][];
        for (int j = 0; j < childDigests.length; j++) {
            childDigests[j] = ((TrieNode) content[content.length - 1 - j]).digest(valueBytes, md);
        }
        md.update(DigestFormat.TAG_BITMAP_NODE);
        DigestFormat.putInt(md, dataMap);
        DigestFormat.putInt(md, nodeMap);
        int remaining = dataMap | nodeMap;
        while (remaining != 0) {
            int bit = remaining & -remaining;
            remaining ^= bit;
            if ((dataMap & bit) != 0) {
                int i = dataIndex(bit);
                DigestFormat.putEntry(md, content[i], content[i + 1], valueBytes);
            } else {
                md.update(childDigests[index(nodeMap, bit)]);
            }
        }
        return md.digest();
    }

    /**
     * Checks the canonical-form invariants of this subtree and returns its entry count.
     *
     * @param prefix the hash bits that every key below this node shares (those below {@code shift})
     * @throws AssertionError when an invariant does not hold
     */
    int checkInvariants(int shift, int prefix, boolean root) {
        if ((dataMap & nodeMap) != 0) {
            throw new AssertionError("position both entry and child at shift " + shift);
        }
        int dataArity = Integer.bitCount(dataMap);
        int nodeArity = Integer.bitCount(nodeMap);
        if (content.length != 2 * dataArity + nodeArity) {
            throw new AssertionError("content length " + content.length + " does not match bitmaps");
        }
        if (shift >= KeyOrder.COLLISION_SHIFT) {
            throw new AssertionError("bitmap node below the last level");
        }
        if (!root && nodeArity == 0 && dataArity < 2) {
            throw new AssertionError("non-canonical node with " + dataArity + " entries at shift " + shift);
        }
        int lowMask = shift == 0 ? 0 : (1 << shift) - 1;
        int count = 0;
        for (int m = 0; m < 32; m++) {
            int bit = 1 << m;
            if ((dataMap & bit) != 0) {
                int i = dataIndex(bit);
                int h = KeyOrder.hash(content[i]);
                if ((h & lowMask) != prefix || KeyOrder.chunk(h, shift) != m) {
                    throw new AssertionError("entry at the wrong position at shift " + shift);
                }
                if (content[i + 1] == null) {
                    throw new AssertionError("null value");
                }
                count++;
            } else if ((nodeMap & bit) != 0) {
                TrieNode child = nodeAt(bit);
                int childPrefix = prefix | (m << shift);
                int n = switch (child) {
                    case BitmapNode b -> b.checkInvariants(shift + KeyOrder.BITS_PER_LEVEL, childPrefix, false);
                    case CollisionNode c -> c.checkInvariants(shift + KeyOrder.BITS_PER_LEVEL, childPrefix);
                };
                if (n < 2) {
                    throw new AssertionError("child with " + n + " entries at shift " + shift);
                }
                count += n;
            }
        }
        return count;
    }
}
