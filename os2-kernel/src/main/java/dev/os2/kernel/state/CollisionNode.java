package dev.os2.kernel.state;

import java.security.MessageDigest;
import java.util.function.Function;

/**
 * Keys whose 32-bit trie hashes are all equal, kept sorted by
 * {@link KeyOrder#compareSameHash(Object, Object)} so that their order (and so the map's
 * iteration order and digest) depends only on the keys. Lives only below the last bitmap level.
 * A canonical collision node holds at least two entries.
 */
final class CollisionNode extends TrieNode {

    final int keyHash;
    final Object[] keys;
    final Object[] values;

    CollisionNode(int keyHash, Object[] keys, Object[] values) {
        this.keyHash = keyHash;
        this.keys = keys;
        this.values = values;
    }

    static CollisionNode pair(int keyHash, Object k0, Object v0, Object k1, Object v1) {
        return KeyOrder.compareSameHash(k0, k1) < 0
                ? new CollisionNode(keyHash, new Object[] {k0, k1}, new Object[] {v0, v1})
                : new CollisionNode(keyHash, new Object[] {k1, k0}, new Object[] {v1, v0});
    }

    int size() {
        return keys.length;
    }

    private int indexOf(Object key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key || keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    Object find(Object key, int hash, int shift) {
        int i = indexOf(key);
        return i < 0 ? null : values[i];
    }

    @Override
    TrieNode put(Object key, Object value, int hash, int shift, Change change) {
        int i = indexOf(key);
        if (i >= 0) {
            if (values[i] == value || values[i].equals(value)) {
                return this;
            }
            Object[] newValues = values.clone();
            newValues[i] = value;
            return new CollisionNode(keyHash, keys, newValues);
        }
        // Keys are few here; a linear search for the insertion point is cheapest.
        int at = 0;
        while (at < keys.length && KeyOrder.compareSameHash(keys[at], key) < 0) {
            at++;
        }
        Object[] newKeys = new Object[keys.length + 1];
        Object[] newValues = new Object[keys.length + 1];
        System.arraycopy(keys, 0, newKeys, 0, at);
        System.arraycopy(values, 0, newValues, 0, at);
        newKeys[at] = key;
        newValues[at] = value;
        System.arraycopy(keys, at, newKeys, at + 1, keys.length - at);
        System.arraycopy(values, at, newValues, at + 1, keys.length - at);
        change.added = true;
        return new CollisionNode(keyHash, newKeys, newValues);
    }

    @Override
    TrieNode remove(Object key, int hash, int shift, Change change) {
        int i = indexOf(key);
        if (i < 0) {
            return this;
        }
        change.removed = true;
        if (keys.length == 2) {
            // See BitmapNode.remove: the survivor goes up as a shift-0 singleton.
            return BitmapNode.singleton(keys[1 - i], values[1 - i], keyHash, 0);
        }
        Object[] newKeys = new Object[keys.length - 1];
        Object[] newValues = new Object[keys.length - 1];
        System.arraycopy(keys, 0, newKeys, 0, i);
        System.arraycopy(values, 0, newValues, 0, i);
        System.arraycopy(keys, i + 1, newKeys, i, keys.length - i - 1);
        System.arraycopy(values, i + 1, newValues, i, keys.length - i - 1);
        return new CollisionNode(keyHash, newKeys, newValues);
    }

    @Override
    int countEntries() {
        return keys.length;
    }

    @Override
    int computeStructuralHash() {
        int h = 0;
        for (int i = 0; i < keys.length; i++) {
            h += keyHash ^ values[i].hashCode();
        }
        return h;
    }

    @Override
    byte[] computeDigest(Function<Object, byte[]> valueBytes, MessageDigest md) {
        md.update(DigestFormat.TAG_COLLISION_NODE);
        DigestFormat.putInt(md, keys.length);
        for (int i = 0; i < keys.length; i++) {
            DigestFormat.putEntry(md, keys[i], values[i], valueBytes);
        }
        return md.digest();
    }

    int checkInvariants(int shift, int prefix) {
        if (shift != KeyOrder.COLLISION_SHIFT) {
            throw new AssertionError("collision node at shift " + shift);
        }
        if (keys.length < 2 || keys.length != values.length) {
            throw new AssertionError("collision node with " + keys.length + " keys");
        }
        if (keyHash != prefix) {
            throw new AssertionError("collision node hash does not match its path");
        }
        for (int i = 0; i < keys.length; i++) {
            if (KeyOrder.hash(keys[i]) != keyHash || values[i] == null) {
                throw new AssertionError("collision entry with another hash or a null value");
            }
            if (i > 0 && KeyOrder.compareSameHash(keys[i - 1], keys[i]) >= 0) {
                throw new AssertionError("collision keys out of order");
            }
        }
        return keys.length;
    }
}
