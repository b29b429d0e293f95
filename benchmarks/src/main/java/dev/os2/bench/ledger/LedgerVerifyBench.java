package dev.os2.bench.ledger;

import dev.os2.bench.BenchFiles;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.VerifyResult;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
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
 * Full verification of a Chronicle ledger of {@value #ENTRIES} entries, beside raw JDK SHA-256 over
 * the same bytes held in memory, in the same run. Scores are entries per second.
 * Goal: verification at least 0.75 of raw hashing.
 *
 * <p>Fairness: the peer hashes exactly what each entry's hash covers (domain tag, previous hash,
 * canonical bytes), prepared in memory beforehand; the ledger reads every entry from its queue
 * file and checks position, link and hash ({@link Ledger.VerifyMode#CHAIN}, the default), and
 * then the sealed head and the end of the file, as {@code ledger-verify} does. For reference,
 * the deep check that also decodes every entry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2)
public class LedgerVerifyBench {

    static final int ENTRIES = 10_000;

    private Path dir;
    private ChronicleLedger ledger;
    private List<byte[]> hashedBytes;
    private MessageDigest sha;

    @Setup(Level.Trial)
    public void setUp() throws NoSuchAlgorithmException {
        dir = BenchFiles.tempDir("os2-bench-verify");
        ChronicleLedger writer = ChronicleLedger.open(dir);
        hashedBytes = new ArrayList<>(ENTRIES);
        for (int i = 0; i < ENTRIES; i++) {
            EventEnvelope e = writer.append(SampleEvents.draft(i));
            // Exactly what an entry's hash covers: domain tag, previous hash, canonical bytes.
            byte[] canonical = e.canonicalBytes();
            byte[] covered = new byte[14 + 32 + canonical.length];
            System.arraycopy("os2.ledger.v1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, covered, 0, 14);
            e.prevHash().copyTo(covered, 14);
            System.arraycopy(canonical, 0, covered, 46, canonical.length);
            hashedBytes.add(covered);
        }
        writer.close();
        ledger = ChronicleLedger.builder(dir).readOnly(true).open();
        sha = MessageDigest.getInstance("SHA-256");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ledger.close();
        BenchFiles.deleteTree(dir);
    }

    /** OS2: read every entry from the queue files, check position, link and hash. */
    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public VerifyResult ledgerVerify() {
        VerifyResult result = ledger.verify();
        if (!result.intact()) {
            throw new IllegalStateException("benchmark ledger is damaged: " + result);
        }
        return result;
    }

    /** For reference: the deep check, which decodes every entry and requires its canonical form. */
    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public VerifyResult ledgerVerifyDeep() {
        VerifyResult result = ledger.verify(Ledger.VerifyMode.DEEP);
        if (!result.intact()) {
            throw new IllegalStateException("benchmark ledger is damaged: " + result);
        }
        return result;
    }

    /** Peer: SHA-256 of the same covered bytes, already in memory. */
    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public byte[] rawSha256() {
        byte[] last = null;
        for (byte[] b : hashedBytes) {
            last = sha.digest(b);
        }
        return last;
    }
}
