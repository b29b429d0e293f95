package dev.os2.kernel.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Key types for tests that control how keys collide and where they fall in the trie. */
final class TestKeys {

    private TestKeys() {
    }

    /** Keys whose stable hash takes only {@code buckets} values: many full-hash collisions. */
    record FewHashes(int id, int buckets) implements StableKey, Comparable<FewHashes> {
        @Override
        public int stableHash() {
            return Math.floorMod(id, buckets);
        }

        @Override
        public byte[] stableBytes() {
            return ByteBuffer.allocate(5).put((byte) 'F').putInt(id).array();
        }

        @Override
        public int compareTo(FewHashes o) {
            return Integer.compare(id, o.id);
        }
    }

    /**
     * A key placed at a chosen trie hash: {@code stableHash} is the inverse of the map's mixing
     * function applied to {@code trieHash}. Keys with equal trie hashes collide; ordered by id.
     */
    record Placed(int trieHash, int id) implements StableKey, Comparable<Placed> {
        @Override
        public int stableHash() {
            return unmix(trieHash);
        }

        @Override
        public byte[] stableBytes() {
            return ByteBuffer.allocate(9).put((byte) 'P').putInt(trieHash).putInt(id).array();
        }

        @Override
        public int compareTo(Placed o) {
            return Integer.compare(id, o.id);
        }
    }

    /** Not Comparable, constant hash: colliding keys are ordered by their stable bytes. */
    record ByBytes(String name) implements StableKey {
        @Override
        public int stableHash() {
            return 42;
        }

        @Override
        public byte[] stableBytes() {
            return name.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Not Comparable, no stable bytes, constant hash: two of them cannot be ordered. */
    record Unorderable(int id) implements StableKey {
        @Override
        public int stableHash() {
            return 7;
        }
    }

    /** Comparable but compareTo says every two keys are equal. */
    record Inconsistent(int id) implements StableKey, Comparable<Inconsistent> {
        @Override
        public int stableHash() {
            return 9;
        }

        @Override
        public int compareTo(Inconsistent o) {
            return 0;
        }
    }

    /** The inverse of {@link KeyOrder#mix(int)}. */
    static int unmix(int h) {
        h ^= h >>> 16;
        h *= inverse(0xc2b2ae35);
        h ^= (h >>> 13) ^ (h >>> 26);
        h *= inverse(0x85ebca6b);
        h ^= h >>> 16;
        return h;
    }

    /** The multiplicative inverse of an odd int modulo 2^32 (Newton's iteration). */
    static int inverse(int odd) {
        int x = odd;
        for (int i = 0; i < 5; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }
}
