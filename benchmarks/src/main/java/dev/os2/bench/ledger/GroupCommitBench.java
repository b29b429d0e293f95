package dev.os2.bench.ledger;

import dev.os2.bench.BenchFiles;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.Durability;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Appends that survive a machine crash: the ledger forcing to the device on every append and in
 * groups, beside the machine's own fsync rate (write a small record to a file and force it), in
 * the same run. Scores are appends (or fsyncs) per second. The raw peer appends a record of the
 * ledger's stored length (version byte, hash, canonical envelope) before each force, so both
 * force the same amount of new data per entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1)
public class GroupCommitBench {

    /** Entries per forced group; 1 means force on every append. */
    @Param({"1", "64"})
    public int groupEntries;

    private Path dir;
    private ChronicleLedger ledger;
    private FileChannel raw;
    private ByteBuffer record;
    private final EventDraft[] drafts = SampleEvents.drafts(1024);
    private int next;

    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        dir = BenchFiles.tempDir("os2-bench-sync");
        Durability durability = groupEntries == 1 ? new Durability.EveryAppend()
                : new Durability.GroupCommit(groupEntries, 10);
        ledger = ChronicleLedger.builder(dir.resolve("ledger")).durability(durability).open();
        raw = FileChannel.open(dir.resolve("raw.bin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        record = ByteBuffer.wrap(SampleEvents.storedRecord(10_000));
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
        ledger.close();
        raw.close();
        BenchFiles.deleteTree(dir);
    }

    /** OS2: an append acknowledged only after (or within a group that is) forced to the device. */
    @Benchmark
    public EventEnvelope durableAppend() {
        return ledger.append(drafts[next++ & (drafts.length - 1)]);
    }

    /** Peer: the machine's fsync rate for one small write. */
    @Benchmark
    public int rawFsync() throws IOException {
        record.clear();
        int written = raw.write(record);
        raw.force(false);
        return written;
    }
}
