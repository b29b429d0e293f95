package dev.os2.bench.state;

import dev.os2.kernel.state.PersistentMap;
import java.util.HashMap;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PersistentMap} beside {@link HashMap} in the same run: lookups of random present keys,
 * and puts (a new value for a present key, and a new key), at 1,000 and 1,000,000 entries.
 * Keys are {@code Long} (ids) or {@code String} (names), as kernel state uses both.
 *
 * <p>The persistent put returns a new map and leaves the old one intact; the {@code HashMap} put
 * mutates in place. The comparison shows the price of keeping every version, which is what makes
 * snapshots O(1).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PersistentMapBench {

    /** Probe sequence length: a power of two, large enough to defeat branch prediction. */
    private static final int PROBES = 1 << 16;

    @Param({"1000", "1000000"})
    int size;

    @Param({"Long", "String"})
    String keyType;

    private Object[] present;
    private Object[] absent;
    private int[] probes;
    private int cursor;
    private PersistentMap<Object, Object> persistent;
    private HashMap<Object, Object> hashMap;

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(0x05_2015L);
        present = new Object[size];
        absent = new Object[PROBES];
        for (int i = 0; i < size; i++) {
            present[i] = key(random.nextLong());
        }
        for (int i = 0; i < PROBES; i++) {
            absent[i] = key(random.nextLong());
        }
        probes = new int[PROBES];
        for (int i = 0; i < PROBES; i++) {
            probes[i] = random.nextInt(size);
        }
        PersistentMap<Object, Object> p = PersistentMap.empty();
        hashMap = new HashMap<>();
        for (Object k : present) {
            p = p.put(k, k);
            hashMap.put(k, k);
        }
        persistent = p;
    }

    private Object key(long v) {
        return keyType.equals("Long") ? (Object) v : "key-" + Long.toHexString(v);
    }

    private Object nextPresent() {
        return present[probes[cursor++ & (PROBES - 1)]];
    }

    @Benchmark
    public Object getPersistentMap() {
        return persistent.get(nextPresent());
    }

    @Benchmark
    public Object getHashMap() {
        return hashMap.get(nextPresent());
    }

    /** New value for a present key: copies one path. */
    @Benchmark
    public PersistentMap<Object, Object> putReplacePersistentMap() {
        return persistent.put(nextPresent(), Boolean.TRUE);
    }

    /** New value for a present key, in place. */
    @Benchmark
    public Object putReplaceHashMap() {
        return hashMap.put(nextPresent(), Boolean.TRUE);
    }

    /** A key not in the map: copies one path and may push an entry one level down. */
    @Benchmark
    public PersistentMap<Object, Object> putNewPersistentMap() {
        return persistent.put(absent[cursor++ & (PROBES - 1)], Boolean.TRUE);
    }
}
