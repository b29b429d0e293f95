package dev.os2.bench.snapshot;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.snapshot.SnapshotHeader;
import dev.os2.snapshot.SnapshotId;
import dev.os2.snapshot.SnapshotPolicy;
import dev.os2.snapshot.SnapshotService;
import dev.os2.snapshot.SnapshotState;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Snapshot capture at 10 to 1,000,000 entries, beside a deep copy of an equivalent
 * {@link java.util.HashMap}-based state, in the same run. Goal: capture flat in the state's size
 * and at most 1 µs. Scores are nanoseconds per snapshot.
 *
 * <ul>
 *   <li>{@link #capture} (OS2): what {@link SnapshotService} does on the kernel thread when a
 *       {@code snapshot_created} entry is recorded: take {@link Kernel#state()}, check its state
 *       hash against the header's, and wrap both in a {@link SnapshotState}. The state is
 *       persistent, so this copies nothing; its hash was computed when the entry recorded it.</li>
 *   <li>{@link #create} (OS2, the whole path): {@link SnapshotService#create}, which executes
 *       {@code CreateSnapshot} through the kernel: two ledger entries ({@code create_snapshot},
 *       {@code snapshot_created}) sealed into an in-memory ledger, the state hash (the maps cache
 *       their Merkle digests, so only the scalars are hashed again), the listener's capture, and
 *       the hand-over to the caller. No bundle is written.</li>
 *   <li>{@link #deepCopy} (peer): a kernel that kept the same live tokens as mutable objects in a
 *       {@code HashMap} would have to copy the map and every token to take a snapshot, since it
 *       changes tokens in place; {@link HashMapState#deepCopy} does exactly that.</li>
 * </ul>
 *
 * <p>A state of n entries is a kernel holding n live tokens (see {@link StateFixture}); the peer
 * holds the same tokens, checked field by field on a sample. The OS2 benchmarks get a new kernel
 * and ledger, made from that state, every iteration (not timed), so the ledger's growth stays
 * bounded. Building a 1,000,000-token kernel takes several seconds of each OS2 fork's setup.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SnapshotBench {

    private static final String LABEL = "bench";

    /** The OS2 side: a kernel holding the state, with a snapshot service attached. */
    @State(Scope.Thread)
    public static class Os2 {
        /** Live tokens in the state. */
        @Param({"10", "1000", "100000", "1000000"})
        public int entries;

        KernelConfig config;
        KernelState base;
        InMemoryLedger ledger;
        Kernel kernel;
        SnapshotService service;
        Hash chainId;
        EventEnvelope created;

        /** Builds the state through a kernel and hashes it. */
        @Setup(Level.Trial)
        public void build() {
            config = StateFixture.config(entries);
            base = StateFixture.stateWithLiveTokens(entries);
            // Hash once: every later state of the kernel shares these maps and their cached digests.
            base.stateHash();
        }

        /** A new ledger and kernel from the state, a first snapshot, and the service. */
        @Setup(Level.Iteration)
        public void open() {
            ledger = InMemoryLedger.create();
            kernel = Kernel.fromState(config, base, ledger);
            // The first snapshot gives the ledger its chain id (the service needs one) and the
            // entry that capture() captures.
            StateFixture.require(kernel.execute(new KernelInput.CreateSnapshot(LABEL)), KernelResponse.Disposition.ACCEPTED);
            created = ledger.head().orElseThrow();
            if (!created.kind().equals(KernelEvents.SNAPSHOT_CREATED)) {
                throw new IllegalStateException("the ledger's head is " + created.kind() + ", not " + KernelEvents.SNAPSHOT_CREATED);
            }
            chainId = ledger.chainId().orElseThrow();
            service = SnapshotService.attach(kernel, null, SnapshotPolicy.MANUAL);
        }

        /** Closes the service, the kernel and the ledger. */
        @TearDown(Level.Iteration)
        public void close() {
            service.close();
            kernel.close();
            ledger.close();
        }
    }

    /** The peer's side: the same live tokens as mutable objects in a HashMap. */
    @State(Scope.Thread)
    public static class Peer {
        /** Live tokens in the state. */
        @Param({"10", "1000", "100000", "1000000"})
        public int entries;

        HashMapState state;

        /** Builds the HashMap state. */
        @Setup(Level.Trial)
        public void build() {
            state = StateFixture.hashMapStateWithLiveTokens(entries);
        }
    }

    /** OS2: capture the kernel's state as a snapshot (the kernel thread's part of taking one). */
    @Benchmark
    public SnapshotState capture(Os2 s) {
        KernelState state = s.kernel.state();
        SnapshotHeader header = new SnapshotHeader(new SnapshotId(s.created.position()), LABEL, s.chainId, s.created.position(),
                s.created.hash(), state.stateHash(), state.clock(), KernelState.FORMAT, KernelEvents.FORMAT);
        return new SnapshotState(header, state);
    }

    /** OS2: take a snapshot through the kernel, recorded in the ledger. */
    @Benchmark
    // Through the kernel the path is longer (the event, the bundle): it needs more warm-up than capture.
    @Warmup(iterations = 5, time = 1)
    public SnapshotState create(Os2 s) {
        return s.service.create(LABEL);
    }

    /** Peer: snapshot a HashMap-based state by copying the map and every token. */
    @Benchmark
    public Object deepCopy(Peer p) {
        return p.state.deepCopy();
    }
}
