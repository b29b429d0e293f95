package dev.os2.bench.kernel;

import dev.os2.bench.BenchFiles;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * End-to-end tokens per second through the public API: submit, then run to
 * {@code token_completed}, with a handler that does nothing, on the in-memory ledger and on a
 * {@link ChronicleLedger} (default durability, {@code ProcessCrash}: an acknowledged entry
 * survives a crash of the process, not of the machine) in a temporary directory. Goal: at least
 * 100,000 tokens/s on the Chronicle ledger. Every score is in tokens per second.
 *
 * <ul>
 *   <li>{@link #single}: one {@code SubmitToken} through {@link Kernel#execute}, then
 *       {@link Kernel#runUntilIdle}; four ledger entries per token ({@code submit_token},
 *       {@code token_scheduled}, {@code token_started}, {@code token_completed}).</li>
 *   <li>{@link #batch}: one {@code SubmitTokens} of {@value #BATCH} tokens, then
 *       {@link Kernel#runUntilIdle}; three entries per token and one per batch.</li>
 *   <li>{@link #batchLedgerOnly}, the peer: the entries {@link #batch} records, made beforehand
 *       from a real run, appended straight to the same kind of ledger without a kernel. It is the
 *       floor the ledger sets; the gap between it and {@link #batch} is the kernel's own work
 *       (admission, scheduling, accounting, building the events).</li>
 * </ul>
 *
 * <p>Each iteration starts a new ledger and kernel (its setup, the {@code kernel_started},
 * registration and grant entries, is not timed) and the teardown closes them and deletes the
 * ledger's directory, so disk and memory use stay bounded by one iteration's entries. A
 * submission the kernel does not queue, or a run that does not complete every token, fails the
 * benchmark rather than timing a refusal.
 *
 * <p>Warm-up: the kernel's path is long and allocation-heavy, and on a 2-core machine C2 needs
 * several seconds to compile it; with the default five two-second warm-up iterations the scores
 * settle, with one-second ones they still climb.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        // Chronicle's flags (the parent pom's os2.chronicle.flags, JDK 17+), so that the forked VM
        // can open the queue even when the benchmark jar is started without them; a fork inherits
        // the host VM's flags, and repeating one is harmless. JDK 23+ also warns about Unsafe
        // memory access unless the host passes --sun-misc-unsafe-memory-access=allow, which
        // JDK 21 would refuse, so it is left to the command line.
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true", "--enable-native-access=ALL-UNNAMED"})
public class EndToEndBench {

    /** Tokens per {@code SubmitTokens}. */
    static final int BATCH = 64;

    /** {@code memory}: {@link InMemoryLedger}; {@code chronicle}: {@link ChronicleLedger} in a temporary directory. */
    @Param({"memory", "chronicle"})
    public String ledger;

    private Path dir;
    private Ledger store;
    private Kernel kernel;
    private KernelInput.SubmitToken single;
    private KernelInput.SubmitTokens batch;
    private List<EventDraft> batchEntries;

    @Setup(Level.Trial)
    public void prepare() {
        single = KernelFixture.token(0);
        List<KernelInput.SubmitToken> tokens = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            tokens.add(KernelFixture.token(0));
        }
        batch = new KernelInput.SubmitTokens(tokens);
        batchEntries = recordedEntries(batch);
    }

    /** The drafts of the entries a kernel records for one {@code batch} and its run. */
    private static List<EventDraft> recordedEntries(KernelInput.SubmitTokens batch) {
        try (InMemoryLedger memory = InMemoryLedger.create(); Kernel k = KernelFixture.start(KernelFixture.NO_OP, memory)) {
            long from = KernelFixture.requireQueued(k.execute(batch)).position();
            KernelFixture.requireRan(k.runUntilIdle(), BATCH);
            try (Stream<EventEnvelope> entries = memory.entries(from)) {
                List<EventDraft> drafts = entries
                        .map(e -> new EventDraft(e.kind(), e.capabilityId(), e.virtualTime(), e.payload(), null))
                        .toList();
                if (drafts.size() != 1 + 3 * BATCH) {
                    throw new IllegalStateException("a batch of " + BATCH + " recorded " + drafts.size() + " entries");
                }
                return drafts;
            }
        }
    }

    @Setup(Level.Iteration)
    public void open() {
        store = switch (ledger) {
            case "memory" -> InMemoryLedger.create();
            case "chronicle" -> {
                dir = BenchFiles.tempDir("os2-bench-e2e");
                try {
                    yield ChronicleLedger.open(dir.resolve("ledger"));
                } catch (RuntimeException e) {
                    // JMH runs no teardown after a failed setup: leave no directory behind.
                    BenchFiles.deleteTree(dir);
                    throw e;
                }
            }
            default -> throw new IllegalArgumentException("unknown ledger " + ledger);
        };
        kernel = KernelFixture.start(KernelFixture.NO_OP, store);
    }

    @TearDown(Level.Iteration)
    public void close() {
        try {
            kernel.close();
            store.close();
        } finally {
            BenchFiles.deleteTree(dir);
            dir = null;
        }
    }

    /** OS2: one token, submitted and run to completion. */
    @Benchmark
    public KernelResponse single() {
        KernelResponse r = KernelFixture.requireQueued(kernel.execute(single));
        KernelFixture.requireRan(kernel.runUntilIdle(), 1);
        return r;
    }

    /** OS2: a batch of {@value #BATCH} tokens, submitted and run to completion. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public KernelResponse batch() {
        KernelResponse r = KernelFixture.requireQueued(kernel.execute(batch));
        KernelFixture.requireRan(kernel.runUntilIdle(), BATCH);
        return r;
    }

    /** Peer: the entries of one batch and its run, appended to the ledger without a kernel. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public EventEnvelope batchLedgerOnly() {
        EventEnvelope last = null;
        for (EventDraft d : batchEntries) {
            last = store.append(d);
        }
        return last;
    }
}
