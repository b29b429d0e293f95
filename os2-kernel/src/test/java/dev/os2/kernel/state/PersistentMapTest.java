package dev.os2.kernel.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Edge cases, collisions, digests and API contracts of {@link PersistentMap}. */
class PersistentMapTest {

    private static final Function<String, byte[]> UTF8 = v -> v.getBytes(StandardCharsets.UTF_8);
    private static final Function<Integer, byte[]> INT_BYTES =
            v -> new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) (int) v};

    @Test
    void emptyMapBehaves() {
        PersistentMap<String, String> m = PersistentMap.empty();
        assertTrue(m.isEmpty());
        assertEquals(0, m.size());
        assertNull(m.get("a"));
        assertFalse(m.containsKey("a"));
        assertEquals("x", m.getOrDefault("a", "x"));
        assertSame(m, m.remove("a"));
        assertFalse(m.iterator().hasNext());
        assertThrows(NoSuchElementException.class, () -> m.iterator().next());
        assertEquals("{}", m.toString());
        assertEquals(m, PersistentMap.empty());
        m.checkInvariants();
    }

    @Test
    void removingTheLastKeyGivesTheEmptyMap() {
        PersistentMap<String, String> m = PersistentMap.<String, String>empty().put("a", "1");
        assertSame(PersistentMap.empty(), m.remove("a"));
    }

    @Test
    void badArgumentsAreRejectedAndChangeNothing() {
        PersistentMap<Object, String> m = PersistentMap.<Object, String>empty().put("a", "1");
        assertThrows(NullPointerException.class, () -> m.put(null, "v"));
        assertThrows(NullPointerException.class, () -> m.put("b", null));
        assertThrows(NullPointerException.class, () -> m.get(null));
        assertThrows(NullPointerException.class, () -> m.remove(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.put(1.5d, "v"));
        assertTrue(e.getMessage().contains("java.lang.Double"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.get(new Object()));
        assertEquals(1, m.size());
        assertEquals("1", m.get("a"));
    }

    @Test
    void iteratorEntriesAreImmutableAndIteratorEnds() {
        PersistentMap<String, String> m = PersistentMap.<String, String>empty().put("a", "1").put("b", "2");
        Iterator<Map.Entry<String, String>> it = m.iterator();
        Map.Entry<String, String> e = it.next();
        assertThrows(UnsupportedOperationException.class, () -> e.setValue("x"));
        assertThrows(UnsupportedOperationException.class, it::remove);
        it.next();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void integerAndLongWithTheSameHashAreDistinctKeysIntegerFirst() {
        assertEquals(Integer.valueOf(7).hashCode(), Long.valueOf(7L).hashCode());
        PersistentMap<Object, String> m = PersistentMap.<Object, String>empty().put(7L, "long").put(7, "int");
        assertEquals(2, m.size());
        assertEquals("int", m.get(7));
        assertEquals("long", m.get(7L));
        assertEquals(List.of(7, 7L), keys(m));
        assertInstanceOf(CollisionNode.class, onlyChild(m));
        m.checkInvariants();
        PersistentMap<Object, String> one = m.remove(7);
        assertEquals(List.of(7L), keys(one));
        one.checkInvariants();
    }

    @Test
    void constantHashKeysFormOneSortedCollisionNodeAndCompactAway() {
        PersistentMap<TestKeys.FewHashes, Integer> m = PersistentMap.empty();
        SplittableRandom r = new SplittableRandom(11);
        int[] ids = r.ints(0, 1000).distinct().limit(100).toArray();
        for (int id : ids) {
            m = m.put(new TestKeys.FewHashes(id, 1), id);
        }
        m.checkInvariants();
        assertInstanceOf(CollisionNode.class, onlyChild(m));
        int[] sorted = ids.clone();
        Arrays.sort(sorted);
        List<Integer> inOrder = new ArrayList<>();
        m.forEach((k, v) -> inOrder.add(k.id()));
        assertEquals(Arrays.stream(sorted).boxed().toList(), inOrder);
        for (int i = 0; i < ids.length - 1; i++) {
            m = m.remove(new TestKeys.FewHashes(ids[i], 1));
            m.checkInvariants();
        }
        // One key left: it sits inline in the root, exactly as if it had been put alone.
        PersistentMap<TestKeys.FewHashes, Integer> alone = PersistentMap.<TestKeys.FewHashes, Integer>empty()
                .put(new TestKeys.FewHashes(ids[ids.length - 1], 1), ids[ids.length - 1]);
        PersistentMapModelTest.assertSameShape(alone.root(), m.root());
    }

    @Test
    void collidingKeysThatAreNotComparableAreOrderedByStableBytes() {
        PersistentMap<Object, Integer> m = PersistentMap.empty();
        for (String name : List.of("pear", "apple", "fig", "banana")) {
            m = m.put(new TestKeys.ByBytes(name), 0);
        }
        assertEquals(List.of(new TestKeys.ByBytes("apple"), new TestKeys.ByBytes("banana"),
                new TestKeys.ByBytes("fig"), new TestKeys.ByBytes("pear")), keys(m));
        m.checkInvariants();
    }

    @Test
    void collidingKeysThatCannotBeOrderedAreRefused() {
        PersistentMap<Object, Integer> one = PersistentMap.<Object, Integer>empty().put(new TestKeys.Unorderable(1), 1);
        // One such key is fine: only a collision needs an order.
        assertEquals(1, one.get(new TestKeys.Unorderable(1)));
        assertSame(one, one.put(new TestKeys.Unorderable(1), 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> one.put(new TestKeys.Unorderable(2), 2));
        assertTrue(e.getMessage().contains("stableBytes"), e.getMessage());
        assertEquals(1, one.size());

        PersistentMap<Object, Integer> two = PersistentMap.<Object, Integer>empty().put(new TestKeys.Inconsistent(1), 1);
        e = assertThrows(IllegalArgumentException.class, () -> two.put(new TestKeys.Inconsistent(2), 2));
        assertTrue(e.getMessage().contains("consistent with equals"), e.getMessage());
    }

    @Test
    void keysDifferingOnlyInTheLastChunkBuildADeepChainThatCompactsOnRemoval() {
        TestKeys.Placed a = new TestKeys.Placed(0x1234567, 0);
        TestKeys.Placed b = new TestKeys.Placed(0x1234567 | (1 << 30), 0);
        TestKeys.Placed c = new TestKeys.Placed(0x1234567 | (1 << 30), 1);
        PersistentMap<Object, String> m = PersistentMap.<Object, String>empty().put(a, "a").put(b, "b").put(c, "c");
        m.checkInvariants();
        assertEquals(8, depth(m.root()), "six single-child levels, the last level, then a collision node");
        assertEquals(List.of(a, b, c), keys(m));
        PersistentMap<Object, String> ab = m.remove(c);
        ab.checkInvariants();
        assertEquals(7, depth(ab.root()));
        PersistentMap<Object, String> onlyA = ab.remove(b);
        onlyA.checkInvariants();
        assertEquals(1, depth(onlyA.root()));
        PersistentMapModelTest.assertSameShape(PersistentMap.<Object, String>empty().put(a, "a").root(), onlyA.root());
        PersistentMap<Object, String> onlyC = m.remove(a).remove(b);
        onlyC.checkInvariants();
        assertEquals(1, depth(onlyC.root()));
    }

    @Test
    void unmixInvertsTheMixingFunction() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 10_000; i++) {
            int x = r.nextInt();
            assertEquals(x, KeyOrder.mix(TestKeys.unmix(x)));
        }
    }

    @Test
    void digestIsEqualExactlyWhenContentsAreEqual() {
        // Small universes so that independently built random maps are often equal.
        for (long seed = 1; seed <= 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            TreeMap<Object, Integer> modelA = PersistentMapModelTest.newModel();
            TreeMap<Object, Integer> modelB = PersistentMapModelTest.newModel();
            PersistentMap<Object, Integer> a = randomHistory(r, modelA);
            PersistentMap<Object, Integer> b = randomHistory(r, modelB);
            boolean equalContents = modelA.equals(modelB);
            String where = "seed " + seed;
            assertEquals(equalContents, Arrays.equals(a.merkleDigest(INT_BYTES), b.merkleDigest(INT_BYTES)), where);
            assertEquals(equalContents, a.equals(b), where);
            if (equalContents) {
                assertEquals(a.hashCode(), b.hashCode(), where);
                assertEquals(keys(a), keys(b), where);
            }
        }
    }

    private static PersistentMap<Object, Integer> randomHistory(SplittableRandom r, TreeMap<Object, Integer> model) {
        PersistentMap<Object, Integer> m = PersistentMap.empty();
        int ops = r.nextInt(12);
        for (int i = 0; i < ops; i++) {
            Object key = switch (r.nextInt(3)) {
                case 0 -> r.nextInt(3);
                case 1 -> "s" + r.nextInt(3);
                default -> new TestKeys.FewHashes(r.nextInt(3), 1);
            };
            if (r.nextInt(3) == 0) {
                m = m.remove(key);
                model.remove(key);
            } else {
                int v = r.nextInt(2);
                m = m.put(key, v);
                model.put(key, v);
            }
        }
        return m;
    }

    @Test
    void digestSeparatesKeyTypesAndValueBoundaries() {
        PersistentMap<Object, String> intKey = PersistentMap.<Object, String>empty().put(1, "v");
        PersistentMap<Object, String> longKey = PersistentMap.<Object, String>empty().put(1L, "v");
        PersistentMap<Object, String> stringKey = PersistentMap.<Object, String>empty().put("1", "v");
        assertNotEquals(hex(intKey.merkleDigest(UTF8)), hex(longKey.merkleDigest(UTF8)));
        assertNotEquals(hex(intKey.merkleDigest(UTF8)), hex(stringKey.merkleDigest(UTF8)));
        // Key and value bytes must not run into each other: "ab"->"c" differs from "a"->"bc".
        PersistentMap<String, String> x = PersistentMap.<String, String>empty().put("ab", "c");
        PersistentMap<String, String> y = PersistentMap.<String, String>empty().put("a", "bc");
        assertNotEquals(hex(x.merkleDigest(UTF8)), hex(y.merkleDigest(UTF8)));
        assertNotEquals(hex(x.merkleDigest(UTF8)), hex(x.put("ab", "d").merkleDigest(UTF8)));
    }

    /** Pins format version 1: if this changes, DigestFormat.VERSION must change with it. */
    @Test
    void digestFormatVersionOneIsPinned() {
        PersistentMap<Object, String> m = PersistentMap.<Object, String>empty()
                .put("capability", "read").put(42, "answer").put(7L, "seven").put(7, "also seven")
                .put(new TestKeys.FewHashes(3, 1), "stable");
        assertEquals(1, DigestFormat.VERSION);
        assertEquals("54746f6074d42a619fd30fe586706dd68f80ea593733a0f0e14cd821f0117cae", hex(m.merkleDigest(UTF8)));
        assertEquals("15803274543c5ce09b7d07b214a67dc3f082c3ba1ab9cf765538aca6acc9f8ce", hex(PersistentMap.<String, String>empty().merkleDigest(UTF8)));
    }

    /** Recomputes a digest by hand from the format documented in DigestFormat. */
    @Test
    void digestFollowsTheDocumentedFormat() throws Exception {
        PersistentMap<Object, String> m = PersistentMap.<Object, String>empty().put("a", "xy").put(5L, "z");
        int ha = KeyOrder.mix("a".hashCode());
        int h5 = KeyOrder.mix(Long.hashCode(5L));
        int ca = ha & 31;
        int c5 = h5 & 31;
        assertNotEquals(ca, c5, "this example expects both keys inline in the root");
        java.io.ByteArrayOutputStream node = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(node);
        out.writeByte(0x10);
        out.writeInt((1 << ca) | (1 << c5));
        out.writeInt(0);
        for (int c = 0; c < 32; c++) {
            if (c == ca) {
                out.writeByte(0x03);
                out.writeInt(1);
                out.writeBytes("a");
                out.writeInt(2);
                out.writeBytes("xy");
            } else if (c == c5) {
                out.writeByte(0x02);
                out.writeLong(5L);
                out.writeInt(1);
                out.writeBytes("z");
            }
        }
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        byte[] rootDigest = sha.digest(node.toByteArray());
        java.io.ByteArrayOutputStream top = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream topOut = new java.io.DataOutputStream(top);
        topOut.writeBytes("os2.PersistentMap.merkle");
        topOut.writeByte(1);
        topOut.writeLong(2);
        topOut.write(rootDigest);
        assertEquals(hex(sha.digest(top.toByteArray())), hex(m.merkleDigest(UTF8)));
    }

    @Test
    void digestRefusesKeysWithoutCanonicalBytes() {
        PersistentMap<Object, String> unpaired = PersistentMap.<Object, String>empty().put("bad\uD800", "v");
        assertThrows(IllegalArgumentException.class, () -> unpaired.merkleDigest(UTF8));
        PersistentMap<Object, String> paired = PersistentMap.<Object, String>empty().put("ok\uD83D\uDE00", "v");
        assertEquals(32, paired.merkleDigest(UTF8).length);
        PersistentMap<Object, String> noBytes = PersistentMap.<Object, String>empty().put(new TestKeys.Unorderable(1), "v");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> noBytes.merkleDigest(UTF8));
        assertTrue(e.getMessage().contains("Unorderable"), e.getMessage());
        assertThrows(NullPointerException.class, () -> paired.merkleDigest(v -> null));
    }

    @Test
    void digestReturnsAFreshArray() {
        PersistentMap<String, String> m = PersistentMap.<String, String>empty().put("a", "b");
        byte[] first = m.merkleDigest(UTF8);
        byte[] expected = first.clone();
        first[0] ^= 1;
        assertArrayEquals(expected, m.merkleDigest(UTF8));
    }

    @Test
    void digestCacheIsTiedToTheFunctionObject() {
        AtomicInteger calls = new AtomicInteger();
        Function<String, byte[]> counting = v -> {
            calls.incrementAndGet();
            return UTF8.apply(v);
        };
        PersistentMap<String, String> m = PersistentMap.empty();
        for (int i = 0; i < 1000; i++) {
            m = m.put("k" + i, "v" + i);
        }
        byte[] d1 = m.merkleDigest(counting);
        assertEquals(1000, calls.get());
        assertArrayEquals(d1, m.merkleDigest(counting));
        assertEquals(1000, calls.get(), "the same function object reuses every cached node digest");
        // Another function object with the same bytes recomputes, and agrees.
        assertArrayEquals(d1, m.merkleDigest(v -> v.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void toStringListsEntriesInIterationOrder() {
        PersistentMap<Integer, String> m = PersistentMap.<Integer, String>empty().put(1, "a").put(2, "b");
        StringBuilder expected = new StringBuilder("{");
        for (Map.Entry<Integer, String> e : m) {
            expected.append(expected.length() > 1 ? ", " : "").append(e.getKey()).append('=').append(e.getValue());
        }
        assertEquals(expected.append('}').toString(), m.toString());
    }

    @Test
    void diffReportsEachKindOnceInKeyOrder() {
        PersistentMap<String, Integer> before = PersistentMap.<String, Integer>empty().put("a", 1).put("b", 2).put("c", 3);
        PersistentMap<String, Integer> after = before.remove("a").put("b", 20).put("d", 4);
        List<Object> events = new ArrayList<>();
        before.diff(after, PersistentMapModelTest.recorder(events));
        List<Object> expected = new ArrayList<>(List.of(
                new PersistentMapModelTest.Event("removed", "a", 1, null),
                new PersistentMapModelTest.Event("changed", "b", 2, 20),
                new PersistentMapModelTest.Event("added", "d", null, 4)));
        expected.sort((x, y) -> KeyOrder.compare(((PersistentMapModelTest.Event) x).key(),
                ((PersistentMapModelTest.Event) y).key()));
        assertEquals(expected, events);
        List<Object> none = new ArrayList<>();
        before.diff(before, PersistentMapModelTest.recorder(none));
        assertEquals(List.of(), none);
    }

    static List<Object> keys(PersistentMap<?, ?> m) {
        List<Object> keys = new ArrayList<>();
        m.forEach((k, v) -> keys.add(k));
        return keys;
    }

    /** The single child of a root that holds nothing else. */
    private static TrieNode onlyChild(PersistentMap<?, ?> m) {
        BitmapNode root = (BitmapNode) m.root();
        assertEquals(0, root.dataMap);
        assertEquals(1, Integer.bitCount(root.nodeMap));
        TrieNode node = root.nodeAt(root.nodeMap);
        while (node instanceof BitmapNode b && b.dataMap == 0 && Integer.bitCount(b.nodeMap) == 1) {
            node = b.nodeAt(b.nodeMap);
        }
        return node;
    }

    /** Nodes on the longest root-to-leaf path. */
    static int depth(TrieNode node) {
        return switch (node) {
            case BitmapNode b -> {
                int max = 0;
                for (int j = 2 * Integer.bitCount(b.dataMap); j < b.content.length; j++) {
                    max = Math.max(max, depth((TrieNode) b.content[j]));
                }
                yield 1 + max;
            }
            case CollisionNode c -> 1;
        };
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
