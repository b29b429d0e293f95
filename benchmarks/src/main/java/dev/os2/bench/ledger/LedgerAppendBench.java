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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 * <p><b>Method: the same bounded run on fresh storage for both sides.</b> One invocation of a
 * benchmark is one run of {@value #APPENDS} appends (about 30 MB) into a queue that was created
 * for it and is deleted after it; the score is appends per second over the timed runs only. Before
 * each run, untimed, a new directory is made, the store is opened and one entry is appended, so
 * the cycle file exists and is mapped; after it, untimed, the store is closed (the ledger forces
 * its file then, as its contract says) and the directory deleted. So every timed append of either
 * side lands at the same offset of a file in the same state as its counterpart on the other side:
 * written once, through memory pages the kernel maps in on first touch, which is what every
 * append into a growing queue pays. No run writes more than a few tens of megabytes before its
 * file is deleted, so dirty pages never pile up to the point where the operating system starts
 * writing them back or throttles the writer in the middle of a measurement. (An earlier version
 * appended for a fixed time into one file per iteration, 1 to 2 GB each, and the peer's score
 * swung by a factor of two with the state of the page cache.)
 *
 * <p><b>Fairness.</b> The raw peer writes a record as long as the ledger's typical record in a run
 * (version byte, hash, canonical envelope at a five-digit position), to a queue configured as the
 * ledger configures its own (roll cycle, fixed clock, no single-thread check), through the same
 * calls the ledger makes (a document context, a byte-array write, close). Both get their input
 * made ahead, outside the measurement: the raw peer its record bytes, the ledger its
 * {@link EventDraft}s (1,024 of them, with distinct virtual times, used in turn; a draft validates
 * its fields when it is made, which is the caller's cost). The ledger's measured work is the
 * append: sealing (canonical bytes, and SHA-256 over the domain tag, the previous hash and those
 * bytes), the checks around it, storing, and the envelope it returns.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {
        // Chronicle's flags, as in EndToEndBench: the forked VM opens queues even when the
        // benchmark jar is started without them.
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true", "--enable-native-access=ALL-UNNAMED"})
public class LedgerAppendBench {

    /** Appends per timed run (one invocation), on a fresh store. */
    static final int APPENDS = 1 << 16;

    /** As ChronicleLedger: one cycle that never rolls, under a clock that never moves. */
    private static final long FIXED_TIME_MILLIS = LargeRollCycles.LARGE_DAILY.lengthInMillis();

    /** The drafts the ledgers append, in turn; made once, outside every measurement. */
    private static final EventDraft[] DRAFTS = SampleEvents.drafts(1024);

    /** A Chronicle ledger in a new directory, with its first entry, for one run. */
    @State(Scope.Thread)
    public static class LedgerRun {
        Path dir;
        ChronicleLedger ledger;

        @Setup(Level.Invocation)
        public void open() {
            dir = BenchFiles.tempDir("os2-bench-append");
            ledger = ChronicleLedger.open(dir.resolve("ledger"));
            ledger.append(DRAFTS[DRAFTS.length - 1]);
        }

        @TearDown(Level.Invocation)
        public void close() {
            ledger.close();
            BenchFiles.deleteTree(dir);
        }
    }

    /** A raw queue configured as the ledger's, in a new directory, with its first record, for one run. */
    @State(Scope.Thread)
    public static class RawRun {
        Path dir;
        SingleChronicleQueue queue;
        ExcerptAppender appender;
        /** What the ledger stores for its entry in the middle of a run: position 32768, virtual time 512. */
        final byte[] record = SampleEvents.storedRecord(APPENDS / 2, 512);

        @Setup(Level.Invocation)
        public void open() {
            dir = BenchFiles.tempDir("os2-bench-append-raw");
            queue = SingleChronicleQueueBuilder.binary(dir.resolve("raw"))
                    .rollCycle(LargeRollCycles.LARGE_DAILY)
                    .timeProvider(() -> FIXED_TIME_MILLIS)
                    .build();
            appender = queue.createAppender();
            appender.singleThreadedCheckDisabled(true);
            write(this);
        }

        @TearDown(Level.Invocation)
        public void close() {
            appender.close();
            queue.close();
            BenchFiles.deleteTree(dir);
        }
    }

    /** An in-memory ledger with its first entry, for one run. */
    @State(Scope.Thread)
    public static class MemoryRun {
        InMemoryLedger ledger;

        @Setup(Level.Invocation)
        public void open() {
            ledger = InMemoryLedger.create();
            ledger.append(DRAFTS[DRAFTS.length - 1]);
        }
    }

    /** OS2: seal (canonical bytes + SHA-256 chain) and store durably against process crash. */
    @Benchmark
    @OperationsPerInvocation(APPENDS)
    public EventEnvelope ledgerAppend(LedgerRun s) {
        ChronicleLedger ledger = s.ledger;
        EventEnvelope last = null;
        for (int i = 0; i < APPENDS; i++) {
            last = ledger.append(DRAFTS[i & (DRAFTS.length - 1)]);
        }
        return last;
    }

    /** Peer: the same number of bytes written to a Chronicle queue, no sealing, no hashing. */
    @Benchmark
    @OperationsPerInvocation(APPENDS)
    public long rawChronicleAppend(RawRun s) {
        long last = 0;
        for (int i = 0; i < APPENDS; i++) {
            last = write(s);
        }
        return last;
    }

    private static long write(RawRun s) {
        ExcerptAppender appender = s.appender;
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(s.record, 0, s.record.length);
        }
        return appender.lastIndexAppended();
    }

    /** For reference: the same sealing into memory, no I/O. */
    @Benchmark
    @OperationsPerInvocation(APPENDS)
    public EventEnvelope inMemoryAppend(MemoryRun s) {
        InMemoryLedger ledger = s.ledger;
        EventEnvelope last = null;
        for (int i = 0; i < APPENDS; i++) {
            last = ledger.append(DRAFTS[i & (DRAFTS.length - 1)]);
        }
        return last;
    }
}
