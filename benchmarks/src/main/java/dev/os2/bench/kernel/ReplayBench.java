package dev.os2.bench.kernel;

import dev.os2.bench.BenchFiles;
import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import dev.os2.snapshot.ReplayOutcome;
import dev.os2.snapshot.SnapshotReplay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Replay against the live run that recorded it, in the same run. Goal: replay at least 0.5 of
 * live. Both scores are tokens per second of the same workload: {@value #BATCHES} batches of
 * {@value #BATCH} tokens (priorities drawn from a fixed seed), submitted and run to completion.
 *
 * <ul>
 *   <li>{@link #live}: a new kernel on a new, empty ledger runs the workload: records
 *       {@code kernel_started}, the registration and the grant, then each batch and its tokens'
 *       lifecycles ({@code token_scheduled}, {@code token_started}, with {@code handler=charge} a
 *       {@code charge}, {@code token_completed}), calling the handler of every token.</li>
 *   <li>{@link #replay}: {@link SnapshotReplay#replay} from genesis of the ledger such a live
 *       run recorded (made once per trial): a scratch kernel re-applies the recorded inputs,
 *       substitutes every handler by its recorded actions and result, and checks every entry it
 *       produces against the recorded one, byte for byte. It must end identical.</li>
 * </ul>
 *
 * <p>With {@code ledger=chronicle} the live run appends to a new {@link ChronicleLedger} in a
 * temporary directory (created before and deleted after each invocation, untimed) and the replay
 * reads a recorded Chronicle ledger; with {@code memory}, both use {@link InMemoryLedger}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        // Chronicle's flags, as in EndToEndBench.
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true", "--enable-native-access=ALL-UNNAMED"})
public class ReplayBench {

    /** Tokens per batch. */
    static final int BATCH = 64;
    /** Batches per run. */
    static final int BATCHES = 16;
    /** Tokens per run: what one invocation of either benchmark processes. */
    static final int TOKENS = BATCH * BATCHES;

    /** {@code noop}: the handler returns at once; {@code charge}: it charges one cost unit first (one recorded action). */
    @Param({"noop", "charge"})
    public String handler;

    /** {@code memory}: {@link InMemoryLedger}; {@code chronicle}: {@link ChronicleLedger} in a temporary directory. */
    @Param({"memory", "chronicle"})
    public String ledger;

    private KernelConfig config;
    private List<KernelInput.SubmitTokens> batches;
    private Path recordedDir;
    private Ledger recorded;
    private Path liveDir;
    private Ledger liveLedger;

    @Setup(Level.Trial)
    public void record() {
        // The configuration KernelFixture.start builds for the live run: replay needs the same one.
        config = KernelFixture.config(handlerOf(handler));
        SplittableRandom random = new SplittableRandom(11);
        batches = new ArrayList<>(BATCHES);
        for (int b = 0; b < BATCHES; b++) {
            List<KernelInput.SubmitToken> tokens = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                tokens.add(KernelFixture.token(random.nextInt(-8, 8)));
            }
            batches.add(new KernelInput.SubmitTokens(tokens));
        }
        recordedDir = ledger.equals("chronicle") ? BenchFiles.tempDir("os2-bench-replay") : null;
        recorded = newLedger(recordedDir);
        runLive(recorded);
        if (!(SnapshotReplay.replay(config, recorded, null, SnapshotReplay.Request.DEFAULT) instanceof ReplayOutcome.Identical)) {
            throw new IllegalStateException("the recorded run does not replay identically");
        }
    }

    @TearDown(Level.Trial)
    public void dropRecorded() {
        recorded.close();
        BenchFiles.deleteTree(recordedDir);
    }

    @Setup(Level.Invocation)
    public void openLive() {
        liveDir = ledger.equals("chronicle") ? BenchFiles.tempDir("os2-bench-live") : null;
        liveLedger = newLedger(liveDir);
    }

    @TearDown(Level.Invocation)
    public void closeLive() {
        liveLedger.close();
        BenchFiles.deleteTree(liveDir);
        liveDir = null;
    }

    private Ledger newLedger(Path dir) {
        return dir == null ? InMemoryLedger.create() : ChronicleLedger.open(dir.resolve("ledger"));
    }

    /** The workload on a new kernel over {@code into} (empty): the fixture's grant, then every batch, each run to completion. */
    private long runLive(Ledger into) {
        try (Kernel k = KernelFixture.start(handlerOf(handler), into)) {
            long ran = 0;
            for (KernelInput.SubmitTokens batch : batches) {
                KernelFixture.requireQueued(k.execute(batch));
                ran += k.runUntilIdle();
            }
            return KernelFixture.requireRan(ran, TOKENS);
        }
    }

    private static CapabilityHandler handlerOf(String name) {
        return switch (name) {
            case "noop" -> KernelFixture.NO_OP;
            case "charge" -> KernelFixture.CHARGE_ONE;
            default -> throw new IllegalArgumentException("unknown handler " + name);
        };
    }

    /** OS2 live: a new kernel runs the workload on a new ledger, calling every handler. */
    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public long live() {
        return runLive(liveLedger);
    }

    /** OS2 replay: the recorded run replayed from genesis and compared entry by entry. */
    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public ReplayOutcome replay() {
        ReplayOutcome outcome = SnapshotReplay.replay(config, recorded, null, SnapshotReplay.Request.DEFAULT);
        if (!(outcome instanceof ReplayOutcome.Identical)) {
            throw new IllegalStateException("replay diverged: " + outcome.summary());
        }
        return outcome;
    }
}
