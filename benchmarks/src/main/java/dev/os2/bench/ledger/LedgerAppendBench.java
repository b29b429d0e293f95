package dev.os2.bench.ledger;

import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.InMemoryLedger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
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
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2)
public class LedgerAppendBench {

    private Path dir;
    private ChronicleLedger ledger;
    private InMemoryLedger memory;
    private SingleChronicleQueue rawQueue;
    private ExcerptAppender rawAppender;
    private Bytes<ByteBuffer> rawRecord;
    private long tick;

    @Setup(Level.Iteration)
    public void setUp() {
        dir = BenchFiles.tempDir("os2-bench-append");
        ledger = ChronicleLedger.open(dir.resolve("ledger"));
        memory = InMemoryLedger.create();
        rawQueue = SingleChronicleQueueBuilder.binary(dir.resolve("raw")).build();
        rawAppender = rawQueue.createAppender();
        // The raw peer writes the very bytes a ledger entry occupies: version, hash, canonical envelope.
        EventEnvelope sample = memory.append(SampleEvents.draft(0));
        byte[] canonical = sample.canonicalBytes();
        byte[] record = new byte[1 + 32 + canonical.length];
        record[0] = 1;
        sample.hash().copyTo(record, 1);
        System.arraycopy(canonical, 0, record, 33, canonical.length);
        rawRecord = Bytes.elasticByteBuffer(record.length);
        rawRecord.write(record);
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        ledger.close();
        rawAppender.close();
        rawQueue.close();
        rawRecord.releaseLast();
        BenchFiles.deleteTree(dir);
    }

    /** OS2: seal (canonical bytes + SHA-256 chain) and store durably against process crash. */
    @Benchmark
    public EventEnvelope ledgerAppend() {
        return ledger.append(SampleEvents.draft(tick++));
    }

    /** Peer: the same number of bytes written to a Chronicle queue, no sealing, no hashing. */
    @Benchmark
    public long rawChronicleAppend() {
        rawAppender.writeBytes(rawRecord);
        return rawAppender.lastIndexAppended();
    }

    /** For reference: the same sealing into memory, no I/O. */
    @Benchmark
    public EventEnvelope inMemoryAppend() {
        return memory.append(SampleEvents.draft(tick++));
    }
}
