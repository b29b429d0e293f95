package dev.os2.kernel.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random operation sequences against a {@link TreeMap} reference model ordered by the map's
 * documented key order, so that one comparison checks contents and iteration order together.
 * After every operation: contents (in order), size, get, containsKey, canonical shape. Periodically:
 * diff against an older version, and equality/digest against the same contents built in another
 * order. A failure names its scenario and seed.
 */
class PersistentMapModelTest {

    private static final boolean STRESS = Boolean.getBoolean("os2.stress");
    /** 100,000 operations in all by default: 5 scenarios x 4 seeds x 5,000. */
    private static final int SEEDS = STRESS ? 40 : 4;
    private static final int OPS = STRESS ? 50_000 : 5_000;

    private static final Function<Integer, byte[]> VALUE_BYTES =
            v -> new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) (int) v};

    /** Where keys come from: each scenario stresses a different part of the trie. */
    enum Scenario {
        /** Small dense integers: shallow tries, frequent compaction back to the root. */
        SMALL_INTEGERS {
            @Override
            Object key(SplittableRandom r) {
                return r.nextInt(256);
            }
        },
        /** Strings over a larger range: wider tries. */
        STRINGS {
            @Override
            Object key(SplittableRandom r) {
                return "key-" + r.nextInt(600);
            }
        },
        /** Integer, Long and String keys mixed; Integer i and Long i share a hash. */
        MIXED_TYPES {
            @Override
            Object key(SplittableRandom r) {
                int v = r.nextInt(150);
                return switch (r.nextInt(3)) {
                    case 0 -> v;
                    case 1 -> (long) v;
                    default -> Integer.toString(v);
                };
            }
        },
        /** Seven distinct stable hashes for 300 keys: large collision nodes. */
        COLLISIONS {
            @Override
            Object key(SplittableRandom r) {
                return new TestKeys.FewHashes(r.nextInt(300), 7);
            }
        },
        /**
         * Trie hashes that share their low 20 to 30 bits: deep single-child chains, collisions at
         * the last level, and escalation of singletons through several levels on removal.
         */
        DEEP_PATHS {
            @Override
            Object key(SplittableRandom r) {
                int base = r.nextInt(3) * 0x5A5;
                int high = r.nextBoolean() ? r.nextInt(4) << 30 : r.nextInt(64) << 20;
                return new TestKeys.Placed(base | high, r.nextInt(3));
            }
        };

        abstract Object key(SplittableRandom r);
    }

    static Stream<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (Scenario s : Scenario.values()) {
            for (int seed = 1; seed <= SEEDS; seed++) {
                runs.add(Arguments.of(s, 0x05_2000L * s.ordinal() + seed));
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("runs")
    void randomOperationsMatchTheModel(Scenario scenario, long seed) {
        int op = 0;
        try {
            SplittableRandom r = new SplittableRandom(seed);
            PersistentMap<Object, Integer> map = PersistentMap.empty();
            TreeMap<Object, Integer> model = newModel();
            PersistentMap<Object, Integer> older = map;
            TreeMap<Object, Integer> olderModel = newModel();
            for (op = 0; op < OPS; op++) {
                // Phases of growth and shrinkage so that maps both fill up and empty out.
                boolean growing = (op / 500) % 2 == 0;
                Object key = scenario.key(r);
                int choice = r.nextInt(100);
                if (choice < (growing ? 60 : 30)) {
                    // Outside Integer's cache, so equal values are distinct objects: put must use equals.
                    Integer value = Integer.valueOf(1000 + r.nextInt(4));
                    PersistentMap<Object, Integer> next = map.put(key, value);
                    if (value.equals(model.get(key))) {
                        assertSame(map, next, "put of an equal value returns the same map");
                    } else {
                        assertNotSame(map, next);
                    }
                    model.put(key, value);
                    map = next;
                } else if (choice < 95) {
                    PersistentMap<Object, Integer> next = map.remove(key);
                    if (!model.containsKey(key)) {
                        assertSame(map, next, "remove of an absent key returns the same map");
                    }
                    model.remove(key);
                    map = next;
                }
                assertEquals(model.size(), map.size());
                assertEquals(model.isEmpty(), map.isEmpty());
                assertEquals(model.get(key), map.get(key));
                assertEquals(model.containsKey(key), map.containsKey(key));
                assertEquals(model.getOrDefault(key, -1), map.getOrDefault(key, -1));
                Object probe = scenario.key(r);
                assertEquals(model.get(probe), map.get(probe));
                assertSameEntriesInOrder(model, map);
                map.checkInvariants();

                if (op % 97 == 0) {
                    assertEquals(expectedDiff(olderModel, model), actualDiff(older, map));
                    assertEquals(expectedDiff(model, olderModel), actualDiff(map, older));
                    assertEquals(olderModel.equals(model), older.equals(map));
                    older = map;
                    olderModel = new TreeMap<>(model);
                }
                if (op % 251 == 0) {
                    assertHistoryIndependent(model, map, r);
                }
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("scenario " + scenario + " seed " + seed + " op " + op + ": " + e.getMessage(), e);
        }
    }

    static TreeMap<Object, Integer> newModel() {
        return new TreeMap<>(KeyOrder::compare);
    }

    static <V> void assertSameEntriesInOrder(TreeMap<Object, V> model, PersistentMap<Object, V> map) {
        Iterator<Map.Entry<Object, V>> expected = model.entrySet().iterator();
        for (Map.Entry<Object, V> e : map) {
            assertTrue(expected.hasNext(), "map has more entries than the model");
            Map.Entry<Object, V> x = expected.next();
            assertEquals(x.getKey(), e.getKey());
            assertEquals(x.getValue(), e.getValue());
        }
        assertFalse(expected.hasNext(), "map has fewer entries than the model");
        List<Object> visited = new ArrayList<>();
        map.forEach((k, v) -> visited.add(k));
        assertEquals(new ArrayList<>(model.keySet()), visited);
    }

    /**
     * Rebuilds the model's contents in a shuffled order with detours (extra keys added and then
     * removed, values overwritten) and checks that the result is indistinguishable from {@code map}.
     */
    private static void assertHistoryIndependent(TreeMap<Object, Integer> model, PersistentMap<Object, Integer> map,
            SplittableRandom r) {
        List<Map.Entry<Object, Integer>> entries = new ArrayList<>(model.entrySet());
        Collections.shuffle(entries, new java.util.Random(r.nextLong()));
        PersistentMap<Object, Integer> rebuilt = PersistentMap.empty();
        List<Object> detours = new ArrayList<>();
        for (Map.Entry<Object, Integer> e : entries) {
            rebuilt = rebuilt.put(e.getKey(), e.getValue() + 1);
            rebuilt = rebuilt.put(e.getKey(), e.getValue());
            Object extra = "detour-" + r.nextInt(1_000_000);
            if (!model.containsKey(extra)) {
                rebuilt = rebuilt.put(extra, 0);
                detours.add(extra);
            }
        }
        for (Object extra : detours) {
            rebuilt = rebuilt.remove(extra);
        }
        rebuilt.checkInvariants();
        assertEquals(map, rebuilt);
        assertEquals(rebuilt, map);
        assertEquals(map.hashCode(), rebuilt.hashCode());
        assertEquals(map.toString(), rebuilt.toString());
        assertArrayEquals(map.merkleDigest(VALUE_BYTES), rebuilt.merkleDigest(VALUE_BYTES));
        assertSameShape(map.root(), rebuilt.root());
        List<Object> diff = new ArrayList<>();
        map.diff(rebuilt, recorder(diff));
        assertEquals(List.of(), diff);
    }

    /** Node-by-node comparison: canonical form means equal contents have identical layouts. */
    static void assertSameShape(TrieNode a, TrieNode b) {
        switch (a) {
            case BitmapNode x -> {
                BitmapNode y = (BitmapNode) b;
                assertEquals(x.dataMap, y.dataMap);
                assertEquals(x.nodeMap, y.nodeMap);
                assertEquals(x.content.length, y.content.length);
                int dataEnd = 2 * Integer.bitCount(x.dataMap);
                for (int i = 0; i < dataEnd; i++) {
                    assertEquals(x.content[i], y.content[i]);
                }
                for (int j = dataEnd; j < x.content.length; j++) {
                    assertSameShape((TrieNode) x.content[j], (TrieNode) y.content[j]);
                }
            }
            case CollisionNode x -> {
                CollisionNode y = (CollisionNode) b;
                assertArrayEquals(x.keys, y.keys);
                assertArrayEquals(x.values, y.values);
            }
        }
    }

    /** A diff event, comparable with {@code equals}. */
    record Event(String kind, Object key, Object before, Object after) {
    }

    static <K, V> PersistentMap.DiffVisitor<K, V> recorder(List<Object> events) {
        return new PersistentMap.DiffVisitor<>() {
            @Override
            public void added(K key, V value) {
                events.add(new Event("added", key, null, value));
            }

            @Override
            public void removed(K key, V value) {
                events.add(new Event("removed", key, value, null));
            }

            @Override
            public void changed(K key, V before, V after) {
                events.add(new Event("changed", key, before, after));
            }
        };
    }

    static <V> List<Object> actualDiff(PersistentMap<Object, V> from, PersistentMap<Object, V> to) {
        List<Object> events = new ArrayList<>();
        from.diff(to, recorder(events));
        return events;
    }

    /** The reference difference, in key order: a merge of the two sorted models. */
    static <V> List<Object> expectedDiff(TreeMap<Object, V> from, TreeMap<Object, V> to) {
        TreeMap<Object, Boolean> keys = new TreeMap<>(KeyOrder::compare);
        from.keySet().forEach(k -> keys.put(k, true));
        to.keySet().forEach(k -> keys.put(k, true));
        List<Object> events = new ArrayList<>();
        for (Object k : keys.keySet()) {
            V before = from.get(k);
            V after = to.get(k);
            if (before == null) {
                events.add(new Event("added", k, null, after));
            } else if (after == null) {
                events.add(new Event("removed", k, before, null));
            } else if (!before.equals(after)) {
                events.add(new Event("changed", k, before, after));
            }
        }
        return events;
    }
}
