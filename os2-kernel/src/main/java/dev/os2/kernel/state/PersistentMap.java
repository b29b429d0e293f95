package dev.os2.kernel.state;

import java.security.MessageDigest;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An immutable map whose updates return new maps that share structure with the old one, so that
 * keeping an old version (a snapshot) costs nothing until the versions diverge, and comparing,
 * diffing or digesting two versions costs time proportional to where they differ.
 *
 * <h2>Why our own</h2>
 * We chose to write this map rather than use a library one (pcollections, Vavr, Capsule). Kernel
 * state is snapshotted, diffed and hashed on every step, and that needs three things a library map
 * does not offer: {@link #diff} that skips every subtree two versions share (same object), so a
 * diff after k updates costs O(k log n) instead of O(n); an iteration order fixed by key values
 * alone, identical across JVMs and independent of update history; and a Merkle digest cached per
 * node, so the state hash after k updates costs O(k log n) hashing.
 *
 * <h2>Structure</h2>
 * A compressed hash-array-mapped prefix tree (CHAMP; Steindorfer and Vinju, OOPSLA 2015): 32-way
 * bitmap nodes holding entries inline and children separately, at most seven bitmap levels, and
 * sorted collision nodes below them for keys whose 32-bit hashes are equal. Removals compact the
 * trie, so two maps with equal contents have the same shape whatever their histories; this is
 * what makes {@link #equals}, {@link #merkleDigest} and iteration order depend on contents only.
 * Lookups, {@code put} and {@code remove} take O(log32 n) time; {@code put} and {@code remove}
 * copy O(log32 n) nodes.
 *
 * <h2>Keys and order</h2>
 * Keys must be {@link String}, {@link Long}, {@link Integer} or {@link StableKey}, whose hashes
 * are specified by the JDK or by the key ({@link StableKey#stableHash()}); identity hashes are
 * never used. Keys are compared with {@code equals}, so {@code 1} and {@code 1L} are different
 * keys. Entries are iterated (and diffs reported) in one total order of keys:
 * <ol>
 *   <li>by the key's stable hash passed through the murmur3 32-bit finaliser (a fixed bijection
 *       that spreads sequential numbers), read as seven chunks from the least significant bits,
 *       five bits each (two in the last), the first chunk most significant;
 *   <li>keys with equal hashes: Integer before Long before String before StableKey; Integer, Long
 *       and String by natural order; StableKeys of different classes by class name; of one
 *       {@link Comparable} class by {@code compareTo}; otherwise by {@link StableKey#stableBytes()}
 *       (unsigned lexicographic). A put that cannot order two colliding keys this way throws
 *       {@link IllegalArgumentException}.
 * </ol>
 * This order is a pure function of key values: the same in every JVM, for any history. It is not
 * the keys' natural order; sort the entries when people will read them.
 *
 * <h2>Values and threads</h2>
 * Values must not be null; {@code put} and {@code diff} compare them with {@code equals}, so they
 * should be immutable values. Instances are immutable and safe to share between threads without
 * synchronisation; the digest and hash code caches inside nodes are written with benign races.
 *
 * @param <K> key type: String, Long, Integer or a {@link StableKey}
 * @param <V> value type
 */
public final class PersistentMap<K, V> implements Iterable<Map.Entry<K, V>> {

    private static final PersistentMap<?, ?> EMPTY = new PersistentMap<>(BitmapNode.EMPTY, 0);

    private final TrieNode root;
    private final int size;

    private PersistentMap(TrieNode root, int size) {
        this.root = root;
        this.size = size;
    }

    /**
     * The empty map.
     *
     * @param <K> key type
     * @param <V> value type
     * @return the shared empty map
     */
    @SuppressWarnings("unchecked")
    public static <K, V> PersistentMap<K, V> empty() {
        return (PersistentMap<K, V>) EMPTY;
    }

    /**
     * The value bound to {@code key}. O(log32 n).
     *
     * @param key the key
     * @return the value, or null when {@code key} is absent
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when {@code key} is not a String, Long, Integer or
     *     StableKey
     */
    @SuppressWarnings("unchecked")
    public V get(K key) {
        int hash = KeyOrder.hash(key);
        // An inlined walk down the trie: lookups are the hot path of kernel state reads.
        TrieNode node = root;
        int shift = 0;
        while (node instanceof BitmapNode b) {
            int bit = 1 << ((hash >>> shift) & KeyOrder.LEVEL_MASK);
            if ((b.dataMap & bit) != 0) {
                int i = 2 * Integer.bitCount(b.dataMap & (bit - 1));
                Object k = b.content[i];
                return k == key || k.equals(key) ? (V) b.content[i + 1] : null;
            }
            if ((b.nodeMap & bit) == 0) {
                return null;
            }
            Object[] content = b.content;
            node = (TrieNode) content[content.length - 1 - Integer.bitCount(b.nodeMap & (bit - 1))];
            shift += KeyOrder.BITS_PER_LEVEL;
        }
        return (V) node.find(key, hash, shift);
    }

    /**
     * The value bound to {@code key}, or {@code fallback}.
     *
     * @param key the key
     * @param fallback returned when {@code key} is absent; may be null
     * @return the value or {@code fallback}
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when the key type is not supported
     */
    public V getOrDefault(K key, V fallback) {
        V v = get(key);
        return v == null ? fallback : v;
    }

    /**
     * Whether {@code key} is bound.
     *
     * @param key the key
     * @return true when {@code key} has a value
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when the key type is not supported
     */
    public boolean containsKey(K key) {
        return get(key) != null;
    }

    /**
     * A map with {@code key} bound to {@code value}. O(log32 n); shares all nodes off the key's
     * path with this map.
     *
     * @param key the key
     * @param value the value
     * @return the new map, or {@code this} when {@code key} is already bound to an equal value
     * @throws NullPointerException when {@code key} or {@code value} is null
     * @throws IllegalArgumentException when the key type is not supported, or when the key's
     *     stable hash collides with another key's and the collision order cannot separate them
     *     (see the class documentation); the map is unchanged
     */
    public PersistentMap<K, V> put(K key, V value) {
        int hash = KeyOrder.hash(key);
        Objects.requireNonNull(value, "value");
        TrieNode.Change change = new TrieNode.Change();
        TrieNode newRoot = root.put(key, value, hash, 0, change);
        if (newRoot == root) {
            return this;
        }
        return new PersistentMap<>(newRoot, change.added ? size + 1 : size);
    }

    /**
     * A map without {@code key}. O(log32 n).
     *
     * @param key the key
     * @return the new map, or {@code this} when {@code key} is absent
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when the key type is not supported
     */
    public PersistentMap<K, V> remove(K key) {
        int hash = KeyOrder.hash(key);
        TrieNode.Change change = new TrieNode.Change();
        TrieNode newRoot = root.remove(key, hash, 0, change);
        if (!change.removed) {
            return this;
        }
        return size == 1 ? empty() : new PersistentMap<>(newRoot, size - 1);
    }

    /**
     * The number of entries. O(1).
     *
     * @return the number of entries
     */
    public int size() {
        return size;
    }

    /**
     * Whether the map is empty. O(1).
     *
     * @return true when there are no entries
     */
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * The entries in the key order of the class documentation. The iterator does not support
     * {@code remove}; its entries are immutable.
     *
     * @return an iterator over immutable entries
     */
    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
        return new EntryIterator<>(root);
    }

    /**
     * Calls {@code action} for each entry, in the key order of the class documentation.
     *
     * @param action receives each key and value
     * @throws NullPointerException when {@code action} is null
     */
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action, "action");
        forEachIn(root, action);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> void forEachIn(TrieNode node, BiConsumer<? super K, ? super V> action) {
        switch (node) {
            case BitmapNode b -> {
                int remaining = b.dataMap | b.nodeMap;
                while (remaining != 0) {
                    int bit = remaining & -remaining;
                    remaining ^= bit;
                    if ((b.dataMap & bit) != 0) {
                        int i = b.dataIndex(bit);
                        action.accept((K) b.content[i], (V) b.content[i + 1]);
                    } else {
                        forEachIn(b.nodeAt(bit), action);
                    }
                }
            }
            case CollisionNode c -> {
                for (int i = 0; i < c.keys.length; i++) {
                    action.accept((K) c.keys[i], (V) c.values[i]);
                }
            }
        }
    }

    /**
     * Receives the differences found by {@link #diff(PersistentMap, DiffVisitor)}.
     *
     * @param <K> key type
     * @param <V> value type
     */
    public interface DiffVisitor<K, V> {
        /**
         * {@code key} is only in the other map.
         *
         * @param key the key
         * @param value its value in the other map
         */
        void added(K key, V value);

        /**
         * {@code key} is only in this map.
         *
         * @param key the key
         * @param value its value in this map
         */
        void removed(K key, V value);

        /**
         * {@code key} is in both maps with unequal values.
         *
         * @param key the key
         * @param before its value in this map
         * @param after its value in the other map
         */
        void changed(K key, V before, V after);
    }

    /**
     * Reports how {@code other} differs from this map: one call per differing key, in the key
     * order of the class documentation, on the calling thread. Subtrees the two maps share (the
     * same node object) are skipped without being read, so when {@code other} was derived from
     * this map (or this map from it) by k updates, the diff costs O(k log32 n); for unrelated
     * maps it costs O(n + m).
     *
     * @param other the map to compare with
     * @param visitor receives the differences; exceptions it throws propagate and end the diff
     * @throws NullPointerException when an argument is null
     */
    public void diff(PersistentMap<K, V> other, DiffVisitor<K, V> visitor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(visitor, "visitor");
        diffNodes(root, other.root, 0, visitor);
    }

    /**
     * {@link #diff}, returning the number of node pairs it had to read (pairs of the same node
     * are skipped and not counted), so that tests can check that shared subtrees are skipped.
     */
    int diffCountingNodes(PersistentMap<K, V> other, DiffVisitor<K, V> visitor) {
        return diffNodes(root, other.root, 0, visitor);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> int diffNodes(TrieNode a, TrieNode b, int shift, DiffVisitor<K, V> visitor) {
        if (a == b) {
            return 0;
        }
        int next = shift + KeyOrder.BITS_PER_LEVEL;
        // Bitmap nodes live only above the collision level and collision nodes only at it, so two
        // nodes at the same shift are of the same kind.
        if (a instanceof CollisionNode x && b instanceof CollisionNode y) {
            diffCollisions(x, y, visitor);
            return 1;
        }
        BitmapNode x = (BitmapNode) a;
        BitmapNode y = (BitmapNode) b;
        int pairs = 1;
        int remaining = x.dataMap | x.nodeMap | y.dataMap | y.nodeMap;
        while (remaining != 0) {
            int bit = remaining & -remaining;
            remaining ^= bit;
            if ((x.dataMap & bit) != 0) {
                int i = x.dataIndex(bit);
                Object ka = x.content[i];
                Object va = x.content[i + 1];
                if ((y.dataMap & bit) != 0) {
                    int j = y.dataIndex(bit);
                    diffEntries(ka, va, y.content[j], y.content[j + 1], visitor);
                } else if ((y.nodeMap & bit) != 0) {
                    pairs += diffNodes(entryAt(ka, va, next), y.nodeAt(bit), next, visitor);
                } else {
                    visitor.removed((K) ka, (V) va);
                }
            } else if ((x.nodeMap & bit) != 0) {
                TrieNode na = x.nodeAt(bit);
                if ((y.dataMap & bit) != 0) {
                    int j = y.dataIndex(bit);
                    pairs += diffNodes(na, entryAt(y.content[j], y.content[j + 1], next), next, visitor);
                } else if ((y.nodeMap & bit) != 0) {
                    pairs += diffNodes(na, y.nodeAt(bit), next, visitor);
                } else {
                    forEachIn(na, visitor::removed);
                }
            } else if ((y.dataMap & bit) != 0) {
                int j = y.dataIndex(bit);
                visitor.added((K) y.content[j], (V) y.content[j + 1]);
            } else {
                forEachIn(y.nodeAt(bit), visitor::added);
            }
        }
        return pairs;
    }

    /** Two entries at the same position of the same level. */
    @SuppressWarnings("unchecked")
    private static <K, V> void diffEntries(Object ka, Object va, Object kb, Object vb, DiffVisitor<K, V> visitor) {
        if (ka == kb || ka.equals(kb)) {
            if (va != vb && !va.equals(vb)) {
                visitor.changed((K) ka, (V) va, (V) vb);
            }
        } else if (KeyOrder.compare(ka, kb) < 0) {
            visitor.removed((K) ka, (V) va);
            visitor.added((K) kb, (V) vb);
        } else {
            visitor.added((K) kb, (V) vb);
            visitor.removed((K) ka, (V) va);
        }
    }

    /**
     * A one-entry node for diffing an entry against a child at {@code shift}. Not canonical; it
     * exists only for the duration of a diff, so one walk handles both shapes.
     */
    private static TrieNode entryAt(Object key, Object value, int shift) {
        int hash = KeyOrder.hash(key);
        return shift >= KeyOrder.COLLISION_SHIFT
                ? new CollisionNode(hash, new Object[] {key}, new Object[] {value})
                : BitmapNode.singleton(key, value, hash, shift);
    }

    /** Merges two collision nodes, both sorted in collision order. */
    @SuppressWarnings("unchecked")
    private static <K, V> void diffCollisions(CollisionNode x, CollisionNode y, DiffVisitor<K, V> visitor) {
        int i = 0;
        int j = 0;
        while (i < x.keys.length || j < y.keys.length) {
            int c;
            if (i == x.keys.length) {
                c = 1;
            } else if (j == y.keys.length) {
                c = -1;
            } else if (x.keys[i].equals(y.keys[j])) {
                c = 0;
            } else {
                c = KeyOrder.compareSameHash(x.keys[i], y.keys[j]);
            }
            if (c < 0) {
                visitor.removed((K) x.keys[i], (V) x.values[i]);
                i++;
            } else if (c > 0) {
                visitor.added((K) y.keys[j], (V) y.values[j]);
                j++;
            } else {
                Object va = x.values[i];
                Object vb = y.values[j];
                if (va != vb && !va.equals(vb)) {
                    visitor.changed((K) x.keys[i], (V) va, (V) vb);
                }
                i++;
                j++;
            }
        }
    }

    /**
     * A SHA-256 Merkle digest of the contents, for state hashing. Equal contents give equal
     * digests whatever the maps' histories (the trie's shape depends only on its keys), and the
     * digest changes with any key or any value's bytes. The byte format is fixed and versioned:
     * see {@code DigestFormat} in this package (version 1). Keys are encoded canonically
     * (Integer and Long big-endian, String as UTF-8, StableKey by {@link StableKey#stableBytes()},
     * each with a type tag); values by {@code valueBytes}.
     *
     * <p>Caching: each node remembers its last digest together with the {@code valueBytes} object
     * it was computed with. Passing the same function object again (keep it in a
     * {@code static final} field) reuses the digests of every subtree this map shares with maps
     * digested before, so after k updates the digest costs O(k log32 n) hashing; a different
     * function object recomputes everything (and replaces the cached digests).
     *
     * <p>Thread-safe: concurrent calls may compute a node's digest twice but always agree.
     *
     * @param valueBytes canonical bytes of a value: deterministic, a pure function of the value,
     *     never null; distinct values should give distinct bytes
     * @return a fresh 32-byte array
     * @throws NullPointerException when {@code valueBytes} is null or returns null
     * @throws UnsupportedOperationException when a StableKey key does not implement
     *     {@link StableKey#stableBytes()}
     * @throws IllegalArgumentException when a String key contains an unpaired surrogate (it has
     *     no canonical UTF-8 form)
     */
    @SuppressWarnings("unchecked")
    public byte[] merkleDigest(Function<? super V, byte[]> valueBytes) {
        Objects.requireNonNull(valueBytes, "valueBytes");
        MessageDigest md = DigestFormat.sha256();
        byte[] rootDigest = root.digest((Function<Object, byte[]>) valueBytes, md);
        return DigestFormat.mapDigest(md, size, rootDigest);
    }

    /**
     * Equal when {@code o} is a PersistentMap with equal keys bound to equal values. Shared
     * subtrees are not read, so comparing two versions costs time proportional to where they differ.
     *
     * @param o another object
     * @return whether the contents are equal
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof PersistentMap<?, ?> m && m.size == size && equalNodes(root, m.root);
    }

    private static boolean equalNodes(TrieNode a, TrieNode b) {
        if (a == b) {
            return true;
        }
        // Canonical shape: equal contents imply equal bitmaps, entry order and children.
        if (a instanceof BitmapNode x && b instanceof BitmapNode y) {
            if (x.dataMap != y.dataMap || x.nodeMap != y.nodeMap) {
                return false;
            }
            int dataEnd = 2 * Integer.bitCount(x.dataMap);
            for (int i = 0; i < dataEnd; i++) {
                if (!x.content[i].equals(y.content[i])) {
                    return false;
                }
            }
            for (int j = dataEnd; j < x.content.length; j++) {
                if (!equalNodes((TrieNode) x.content[j], (TrieNode) y.content[j])) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof CollisionNode x && b instanceof CollisionNode y) {
            if (x.keys.length != y.keys.length) {
                return false;
            }
            for (int i = 0; i < x.keys.length; i++) {
                if (!x.keys[i].equals(y.keys[i]) || !x.values[i].equals(y.values[i])) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The sum over entries of {@code h(key) ^ value.hashCode()}, where {@code h} is the key's
     * mixed stable hash. Cached per node, so it costs O(k log32 n) after k updates to a map whose
     * hash code was computed. Consistent with {@link #equals}; as stable across JVMs as the
     * values' own hash codes.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return root.structuralHash();
    }

    /**
     * The entries as {@code {k1=v1, k2=v2}} in iteration order. O(n): for diagnostics only.
     *
     * @return a string form of the map
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(k).append('=').append(v);
        });
        return sb.append('}').toString();
    }

    /** The root node, for invariant checks and structure-sharing tests in this package. */
    TrieNode root() {
        return root;
    }

    /**
     * Checks the canonical-form invariants and the size.
     *
     * @throws AssertionError when one does not hold
     */
    void checkInvariants() {
        int n = ((BitmapNode) root).checkInvariants(0, 0, true);
        if (n != size) {
            throw new AssertionError("size " + size + " but " + n + " entries");
        }
    }

    /** Iterates with an explicit stack, one frame per trie level, in the documented key order. */
    private static final class EntryIterator<K, V> implements Iterator<Map.Entry<K, V>> {
        private final TrieNode[] nodes = new TrieNode[KeyOrder.MAX_DEPTH];
        /** Per frame: positions not yet visited (bitmap node) or the next index (collision node). */
        private final int[] pending = new int[KeyOrder.MAX_DEPTH];
        private int depth;
        private Map.Entry<K, V> next;

        EntryIterator(TrieNode root) {
            nodes[0] = root;
            pending[0] = root instanceof BitmapNode b ? b.dataMap | b.nodeMap : 0;
            advance();
        }

        @SuppressWarnings("unchecked")
        private void advance() {
            while (depth >= 0) {
                switch (nodes[depth]) {
                    case BitmapNode b -> {
                        int remaining = pending[depth];
                        if (remaining == 0) {
                            nodes[depth--] = null;
                            continue;
                        }
                        int bit = remaining & -remaining;
                        pending[depth] = remaining ^ bit;
                        if ((b.dataMap & bit) != 0) {
                            int i = b.dataIndex(bit);
                            next = Map.entry((K) b.content[i], (V) b.content[i + 1]);
                            return;
                        }
                        TrieNode child = b.nodeAt(bit);
                        depth++;
                        nodes[depth] = child;
                        pending[depth] = child instanceof BitmapNode cb ? cb.dataMap | cb.nodeMap : 0;
                    }
                    case CollisionNode c -> {
                        int i = pending[depth];
                        if (i == c.keys.length) {
                            nodes[depth--] = null;
                            continue;
                        }
                        pending[depth] = i + 1;
                        next = Map.entry((K) c.keys[i], (V) c.values[i]);
                        return;
                    }
                }
            }
            next = null;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Map.Entry<K, V> next() {
            Map.Entry<K, V> e = next;
            if (e == null) {
                throw new NoSuchElementException();
            }
            advance();
            return e;
        }
    }
}
