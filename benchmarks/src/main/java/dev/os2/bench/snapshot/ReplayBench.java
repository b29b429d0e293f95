package dev.os2.bench.snapshot;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.InMemoryLedger;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Replay against live execution of the same workload, in the same run: a run of
 * {@value #TOKENS} tokens (submitted in batches, run to completion by a handler that does
 * nothing), executed live, and the recorded ledger of that run replayed from genesis. Both use
 * in-memory ledgers. Goal: replay at least 0.5 of live. Scores are tokens per second.
 *
 * <ul>
 *   <li>{@link #live} (the peer): a new kernel on a new in-memory ledger, the grant, the
 *       submissions and the runs, every entry sealed (canonical bytes, SHA-256 chain) and
 *       stored.</li>
 *   <li>{@link #replay} (OS2): {@link Kernel#replay} of the recorded ledger from genesis: every
 *       input decoded from its entry and applied, each handler replaced by its recorded result,
 *       and every entry the replay produces sealed at its position and compared with the recorded
 *       one, byte for byte, as {@code snapshot-replay} does.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReplayBench {

    /** Tokens in the workload. */
    static final int TOKENS = 10_000;

    private KernelConfig config;
    private InMemoryLedger recorded;

    /** Records the run once, and checks that replaying it completes every token. */
    @Setup(Level.Trial)
    public void record() {
        config = StateFixture.config(TOKENS);
        recorded = InMemoryLedger.create();
        runLive(config, recorded);
        KernelState replayed = Kernel.replay(config, recorded, null, 0);
        if (replayed.counts().completed() != TOKENS) {
            throw new IllegalStateException("the replay completed " + replayed.counts().completed() + " tokens, expected " + TOKENS);
        }
    }

    /** Closes the recorded ledger. */
    @TearDown(Level.Trial)
    public void close() {
        recorded.close();
    }

    /** Runs the workload on a new kernel recording into {@code ledger}. */
    private static void runLive(KernelConfig config, InMemoryLedger ledger) {
        try (Kernel kernel = StateFixture.start(config, ledger)) {
            StateFixture.submit(kernel, TOKENS);
            long ran = kernel.runUntilIdle();
            if (ran != TOKENS) {
                throw new IllegalStateException("the kernel ran " + ran + " tokens, expected " + TOKENS);
            }
        }
    }

    /** Peer: the workload run live. */
    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public EventEnvelope live() {
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            runLive(config, ledger);
            return ledger.head().orElseThrow();
        }
    }

    /** OS2: the recorded run replayed from genesis and checked entry by entry. */
    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public KernelState replay() {
        return Kernel.replay(config, recorded, null, 0);
    }
}
