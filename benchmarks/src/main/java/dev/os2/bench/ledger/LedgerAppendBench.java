package dev.os2.bench.ledger;

import dev.os2.bench.BenchFiles;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.InMemoryLedger;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hash-chained append of ~200-byte JSON events to {@link ChronicleLedger}, beside a raw Chronicle
 * append of the same stored bytes without sealing or hashing, in the same run.
 * Goal: ledger throughput at least 0.40 of raw.
 *
 * <p>Fairness: the raw peer writes a record as long as the ledger's at this point of a run
 * (version byte, hash, canonical envelope), to a queue configured as the ledger configures its
 * own (roll cycle, fixed clock, no single-thread check), through the same calls the ledger makes
 * (a document context, a byte-array write, close). Both stores start empty every iteration.
 * Both get their input made ahead, outside the measurement: the raw peer its record bytes, the
 * ledger its {@link EventDraft}s (1,024 of them, with distinct virtual times, used in turn; a
 * draft validates its fields when it is made, which is the caller's cost). The ledger's measured
 * work is the append: sealing (canonical bytes, and SHA-256 over the domain tag, the previous
 * hash and those bytes), the checks around it, storing, and the envelope it returns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2)
public class LedgerAppendBench {

    /** As ChronicleLedger: one cycle that never rolls, under a clock that never moves. */
    private static final long FIXED_TIME_MILLIS = LargeRollCycles.LARGE_DAILY.lengthInMillis();

    private Path dir;
    private ChronicleLedger ledger;
    private InMemoryLedger memory;
    private SingleChronicleQueue rawQueue;
    private ExcerptAppender rawAppender;
    private byte[] rawRecord;
    private final EventDraft[] drafts = SampleEvents.drafts(1024);
    private int next;

    @Setup(Level.Iteration)
    public void setUp() {
        dir = BenchFiles.tempDir("os2-bench-append");
        ledger = ChronicleLedger.open(dir.resolve("ledger"));
        memory = InMemoryLedger.create();
        rawQueue = SingleChronicleQueueBuilder.binary(dir.resolve("raw"))
                .rollCycle(LargeRollCycles.LARGE_DAILY)
                .timeProvider(() -> FIXED_TIME_MILLIS)
                .build();
        rawAppender = rawQueue.createAppender();
        rawAppender.singleThreadedCheckDisabled(true);
        rawRecord = SampleEvents.storedRecord(1_000_000);
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        ledger.close();
        rawAppender.close();
        rawQueue.close();
        BenchFiles.deleteTree(dir);
    }

    /** OS2: seal (canonical bytes + SHA-256 chain) and store durably against process crash. */
    @Benchmark
    public EventEnvelope ledgerAppend() {
        return ledger.append(drafts[next++ & (drafts.length - 1)]);
    }

    /** Peer: the same number of bytes written to a Chronicle queue, no sealing, no hashing. */
    @Benchmark
    public long rawChronicleAppend() {
        try (DocumentContext dc = rawAppender.writingDocument()) {
            dc.wire().bytes().write(rawRecord, 0, rawRecord.length);
        }
        return rawAppender.lastIndexAppended();
    }

    /** For reference: the same sealing into memory, no I/O. */
    @Benchmark
    public EventEnvelope inMemoryAppend() {
        return memory.append(drafts[next++ & (drafts.length - 1)]);
    }
}
