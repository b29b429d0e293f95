package dev.os2.kernel.state;

import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * An immutable map whose updates return new maps that share structure with the old one, so that
 * keeping an old version (a snapshot) costs nothing until the maps diverge.
 *
 * <p>Keys must be {@link String}, {@link Long}, {@link Integer} or {@link StableKey}; iteration
 * order depends only on the keys' values, never on the JVM run.
 *
 * <p>PLACEHOLDER IMPLEMENTATION: a copied sorted map, O(n) per update. To be replaced by a
 * hash-array-mapped trie with the same API.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class PersistentMap<K, V> implements Iterable<Map.Entry<K, V>> {

    private static final PersistentMap<?, ?> EMPTY = new PersistentMap<>(new TreeMap<>(PersistentMap::compareKeys));

    private final TreeMap<K, V> entries;

    private PersistentMap(TreeMap<K, V> entries) {
        this.entries = entries;
    }

    /** The empty map. */
    @SuppressWarnings("unchecked")
    public static <K, V> PersistentMap<K, V> empty() {
        return (PersistentMap<K, V>) EMPTY;
    }

    /** The value for {@code key}, or null. */
    public V get(K key) {
        return entries.get(Objects.requireNonNull(key, "key"));
    }

    /** The value for {@code key}, or {@code fallback}. */
    public V getOrDefault(K key, V fallback) {
        V v = get(key);
        return v == null ? fallback : v;
    }

    /** True when {@code key} has a value. */
    public boolean containsKey(K key) {
        return entries.containsKey(Objects.requireNonNull(key, "key"));
    }

    /** A map with {@code key} bound to {@code value}; {@code this} when already so. */
    public PersistentMap<K, V> put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        checkKey(key);
        if (value.equals(entries.get(key))) {
            return this;
        }
        TreeMap<K, V> copy = new TreeMap<>(entries);
        copy.put(key, value);
        return new PersistentMap<>(copy);
    }

    /** A map without {@code key}; {@code this} when absent. */
    public PersistentMap<K, V> remove(K key) {
        if (!containsKey(key)) {
            return this;
        }
        TreeMap<K, V> copy = new TreeMap<>(entries);
        copy.remove(key);
        return new PersistentMap<>(copy);
    }

    /** Number of entries. */
    public int size() {
        return entries.size();
    }

    /** True when there are no entries. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Entries in deterministic order. */
    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
        return java.util.Collections.unmodifiableMap(entries).entrySet().iterator();
    }

    /** Calls {@code action} for each entry in deterministic order. */
    public void forEach(BiConsumer<? super K, ? super V> action) {
        entries.forEach(action);
    }

    /** Receives the differences found by {@link #diff(PersistentMap, DiffVisitor)}. */
    public interface DiffVisitor<K, V> {
        /** {@code key} is only in the other map. */
        void added(K key, V value);

        /** {@code key} is only in this map. */
        void removed(K key, V value);

        /** {@code key} is in both with unequal values. */
        void changed(K key, V before, V after);
    }

    /** Reports how {@code other} differs from this map, in deterministic key order. */
    public void diff(PersistentMap<K, V> other, DiffVisitor<K, V> visitor) {
        for (Map.Entry<K, V> e : entries.entrySet()) {
            V after = other.entries.get(e.getKey());
            if (after == null) {
                visitor.removed(e.getKey(), e.getValue());
            } else if (!after.equals(e.getValue())) {
                visitor.changed(e.getKey(), e.getValue(), after);
            }
        }
        for (Map.Entry<K, V> e : other.entries.entrySet()) {
            if (!entries.containsKey(e.getKey())) {
                visitor.added(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PersistentMap<?, ?> m && entries.equals(m.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    private static void checkKey(Object key) {
        if (!(key instanceof String || key instanceof Long || key instanceof Integer || key instanceof StableKey)) {
            throw new IllegalArgumentException("key type " + key.getClass().getName()
                    + " has no stable hash; use String, Long, Integer or implement StableKey");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(Object a, Object b) {
        int ha = stableHash(a);
        int hb = stableHash(b);
        if (ha != hb) {
            return Integer.compare(ha, hb);
        }
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) {
            return ca.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }

    static int stableHash(Object key) {
        return key instanceof StableKey s ? s.stableHash() : key.hashCode();
    }
}
