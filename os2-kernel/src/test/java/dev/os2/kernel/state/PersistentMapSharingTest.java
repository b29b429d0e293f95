package dev.os2.kernel.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Structure sharing on a 1,000,000-entry map: an update copies only the nodes on one path, the
 * old version is untouched, and diff, equals and digest read only what differs.
 */
class PersistentMapSharingTest {

    private static final int SIZE = 1_000_000;
    private static final long SEED = 20_150_101L;
    private static final Function<Long, byte[]> LONG_BYTES = v -> {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    };

    private static PersistentMap<Integer, Long> big;
    /** Every node of {@link #big}, by identity. */
    private static Set<TrieNode> bigNodes;

    @BeforeAll
    static void build() {
        PersistentMap<Integer, Long> m = PersistentMap.empty();
        for (int i = 0; i < SIZE; i++) {
            m = m.put(i, (long) i);
        }
        big = m;
        assertEquals(SIZE, big.size());
        bigNodes = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(big.root(), bigNodes);
    }

    @Test
    void putCopiesOnlyOnePathAndLeavesTheOldVersionUnchanged() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int round = 0; round < 20; round++) {
            int key = r.nextInt(SIZE);
            PersistentMap<Integer, Long> updated = big.put(key, -1L);
            int fresh = nodesNotInBig(updated.root());
            assertTrue(fresh >= 1 && fresh <= KeyOrder.MAX_DEPTH, "seed " + SEED + ": " + fresh + " new nodes");
            assertEquals((long) key, big.get(key), "old version unchanged");
            assertEquals(-1L, updated.get(key));
            assertEquals(SIZE, updated.size());

            PersistentMap<Integer, Long> added = big.put(SIZE + key, 0L);
            fresh = nodesNotInBig(added.root());
            assertTrue(fresh >= 1 && fresh <= KeyOrder.MAX_DEPTH, "seed " + SEED + ": " + fresh + " new nodes");
            assertNull(big.get(SIZE + key));
            assertEquals(SIZE + 1, added.size());

            PersistentMap<Integer, Long> removed = big.remove(key);
            fresh = nodesNotInBig(removed.root());
            assertTrue(fresh <= KeyOrder.MAX_DEPTH, "seed " + SEED + ": " + fresh + " new nodes");
            assertEquals((long) key, big.get(key));
            assertEquals(SIZE - 1, removed.size());
        }
        assertEquals(SIZE, big.size());
    }

    @Test
    void diffBetweenVersionsVisitsOnlyTheChangedPath() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        int key = r.nextInt(SIZE);
        PersistentMap<Integer, Long> updated = big.put(key, -1L);
        List<Object> events = new ArrayList<>();
        int pairs = big.diffCountingNodes(updated, PersistentMapModelTest.recorder(events));
        assertEquals(List.of(new PersistentMapModelTest.Event("changed", key, (long) key, -1L)), events);
        assertTrue(pairs <= KeyOrder.MAX_DEPTH, pairs + " node pairs read");

        // k changes: the diff reports exactly them and reads O(k log n) node pairs.
        PersistentMap<Integer, Long> changed = big;
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int k = r.nextInt(SIZE);
            keys.add(k);
            changed = changed.put(k, -2L);
        }
        List<Object> many = new ArrayList<>();
        pairs = big.diffCountingNodes(changed, PersistentMapModelTest.recorder(many));
        assertEquals(keys.stream().distinct().count(), many.size());
        assertTrue(pairs <= 100 * KeyOrder.MAX_DEPTH, pairs + " node pairs read");
        for (Object e : many) {
            PersistentMapModelTest.Event ev = (PersistentMapModelTest.Event) e;
            assertEquals("changed", ev.kind());
            assertTrue(keys.contains((Integer) ev.key()));
        }
        List<Object> sortedKeys = new ArrayList<>(many.stream().map(e -> ((PersistentMapModelTest.Event) e).key()).toList());
        List<Object> expectedOrder = new ArrayList<>(sortedKeys);
        expectedOrder.sort(KeyOrder::compare);
        assertEquals(expectedOrder, sortedKeys, "diff reports in key order");
    }

    @Test
    void digestAfterAnUpdateHashesOnlyTheChangedPath() {
        AtomicInteger encoded = new AtomicInteger();
        Function<Long, byte[]> counting = v -> {
            encoded.incrementAndGet();
            return LONG_BYTES.apply(v);
        };
        byte[] before = big.merkleDigest(counting);
        assertEquals(SIZE, encoded.get());
        PersistentMap<Integer, Long> updated = big.put(12_345, -1L);
        encoded.set(0);
        byte[] after = updated.merkleDigest(counting);
        // Only entries held inline by the copied nodes (at most 32 per node) are encoded again.
        assertTrue(encoded.get() <= 32 * KeyOrder.MAX_DEPTH, encoded.get() + " values encoded");
        assertTrue(!java.util.Arrays.equals(before, after));
        assertArrayEquals(before, big.merkleDigest(counting), "old version's digest unchanged");
        assertArrayEquals(before, updated.put(12_345, 12_345L).merkleDigest(counting),
                "restoring the value restores the digest");
    }

    @Test
    void equalsBetweenVersionsAndAfterUndo() {
        PersistentMap<Integer, Long> updated = big.put(77, -1L);
        assertTrue(!big.equals(updated));
        PersistentMap<Integer, Long> undone = updated.put(77, 77L);
        assertEquals(big, undone);
        assertEquals(big.hashCode(), undone.hashCode());
        PersistentMap<Integer, Long> addedAndRemoved = big.put(SIZE + 5, 1L).remove(SIZE + 5);
        assertEquals(big, addedAndRemoved);
    }

    /** Counts nodes of {@code tree} that are not nodes of {@link #big}, by identity. */
    private static int nodesNotInBig(TrieNode tree) {
        return countFresh(tree, bigNodes);
    }

    private static void collect(TrieNode node, Set<TrieNode> into) {
        into.add(node);
        if (node instanceof BitmapNode b) {
            for (int j = 2 * Integer.bitCount(b.dataMap); j < b.content.length; j++) {
                collect((TrieNode) b.content[j], into);
            }
        }
    }

    private static int countFresh(TrieNode node, Set<TrieNode> oldNodes) {
        if (oldNodes.contains(node)) {
            return 0;
        }
        int n = 1;
        if (node instanceof BitmapNode b) {
            for (int j = 2 * Integer.bitCount(b.dataMap); j < b.content.length; j++) {
                n += countFresh((TrieNode) b.content[j], oldNodes);
            }
        }
        return n;
    }
}
