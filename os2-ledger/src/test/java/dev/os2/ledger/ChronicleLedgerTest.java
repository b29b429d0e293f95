package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable store: reads, streams, subscriptions, verification, reopening, durability modes. */
class ChronicleLedgerTest {

    @TempDir
    Path dir;

    static List<EventEnvelope> all(Stream<EventEnvelope> entries) {
        try (entries) {
            return entries.toList();
        }
    }

    static List<EventEnvelope> fill(Ledger ledger, int entries, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<EventEnvelope> appended = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            appended.add(ledger.append(CrashChild.draft(random, ledger.size())));
        }
        return appended;
    }

    @Test
    void createsTheLayoutAndOpensEmpty() throws IOException {
        Path path = dir.resolve("new").resolve("ledger");
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            assertEquals(path.toAbsolutePath(), ledger.directory());
            assertEquals(0, ledger.size());
            assertEquals(Optional.empty(), ledger.head());
            assertEquals(Hash.GENESIS, ledger.headHash());
            assertEquals(new VerifyResult.Intact(0, 0, Hash.GENESIS), ledger.verify());
            assertEquals(List.of(), all(ledger.entries(0)));
            assertThrows(NoSuchElementException.class, () -> ledger.read(0));
        }
        String format = Files.readString(path.resolve(LedgerDirectory.FORMAT_FILE), StandardCharsets.UTF_8);
        assertTrue(format.contains("format=os2-ledger\n"), format);
        assertTrue(format.contains("version=1\n"), format);
        assertTrue(format.contains("hash=SHA-256\n"), format);
        assertTrue(Files.isDirectory(path.resolve(LedgerDirectory.QUEUE_DIRECTORY)));
        assertFalse(Files.exists(path.resolve(LedgerDirectory.HEAD_FILE)), "an empty ledger seals no head");
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            assertEquals(0, ledger.size());
            ledger.append(CrashChild.draft(new SplittableRandom(1), 0));
        }
        try (ChronicleLedger ledger = ChronicleLedger.builder(path).readOnly(true).open()) {
            assertEquals(1, ledger.size());
            assertTrue(ledger.verify().intact());
        }
    }

    @Test
    void readsEntriesAndRangesByPosition() {
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            List<EventEnvelope> appended = fill(ledger, 1000, 11);
            assertEquals(1000, ledger.size());
            assertEquals(Optional.of(appended.get(999)), ledger.head());
            assertEquals(Optional.of(appended.get(0).hash()), ledger.chainId());
            SplittableRandom random = new SplittableRandom(12);
            for (int i = 0; i < 300; i++) {
                int p = random.nextInt(1000);
                assertEquals(appended.get(p), ledger.read(p), "position " + p);
            }
            for (int p : new int[] {0, 1, 127, 128, 129, 255, 256, 999}) {
                assertEquals(appended.get(p), ledger.read(p));
                assertEquals(appended.subList(p, 1000), all(ledger.entries(p)));
            }
            assertEquals(List.of(), all(ledger.entries(1000)));
            assertThrows(NoSuchElementException.class, () -> ledger.read(-1));
            assertThrows(NoSuchElementException.class, () -> ledger.read(1000));
            assertThrows(NoSuchElementException.class, () -> ledger.entries(1001));
            assertEquals(appended.subList(501, 1000), all(ledger.entriesSince(appended.get(500).hash())));
            assertEquals(List.of(), all(ledger.entriesSince(appended.get(999).hash())));
            assertThrows(NoSuchElementException.class, () -> ledger.entriesSince(Hash.sha256(new byte[1])));

            assertEquals(new VerifyResult.Intact(0, 1000, appended.get(999).hash()), ledger.verify());
            assertEquals(new VerifyResult.Intact(200, 300, appended.get(499).hash()), ledger.verify(200, 500));
            assertEquals(new VerifyResult.Intact(900, 100, appended.get(999).hash()), ledger.verify(900, 5000));
            assertEquals(0, ledger.verify(1000, 1000).verifiedEntries());
            assertThrows(IllegalArgumentException.class, () -> ledger.verify(10, 5));
            assertThrows(IllegalArgumentException.class, () -> ledger.verify(1001, 1002));
        }
    }

    @Test
    void subscriptionsDeliverBacklogThenNewEntries() {
        ChronicleLedger ledger = ChronicleLedger.open(dir);
        try {
            List<EventEnvelope> appended = new ArrayList<>(fill(ledger, 300, 21));
            List<EventEnvelope> seen = new ArrayList<>();
            Subscription sub = ledger.subscribe(250, seen::add);
            assertEquals(appended.subList(250, 300), seen);
            appended.addAll(fill(ledger, 20, 22));
            assertEquals(appended.subList(250, 320), seen);
            sub.close();
            assertFalse(sub.active());
            fill(ledger, 1, 23);
            assertEquals(70, seen.size());

            List<EventEnvelope> tail = new ArrayList<>();
            Subscription live = ledger.subscribe(ledger.size(), tail::add);
            EventEnvelope next = fill(ledger, 1, 24).get(0);
            assertEquals(List.of(next), tail);
            assertThrows(NoSuchElementException.class, () -> ledger.subscribe(ledger.size() + 1, e -> { }));
            ledger.close();
            assertFalse(live.active());
        } finally {
            ledger.close();
        }
    }

    @Test
    void closeSealsTheHeadAndReopenContinues() throws IOException {
        List<EventEnvelope> appended;
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            appended = fill(ledger, 130, 31);
        }
        String head = Files.readString(dir.resolve(LedgerDirectory.HEAD_FILE), StandardCharsets.UTF_8);
        assertTrue(head.contains("position=129\n"), head);
        assertTrue(head.contains("hash=" + appended.get(129).hash().toHex() + "\n"), head);
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            assertEquals(130, ledger.size());
            assertEquals(appended.get(129).hash(), ledger.headHash());
            EventEnvelope next = ledger.append(CrashChild.draft(new SplittableRandom(32), 130));
            assertEquals(130, next.position());
            assertEquals(appended.get(129).hash(), next.prevHash());
            assertTrue(ledger.verify().intact());
        }
        head = Files.readString(dir.resolve(LedgerDirectory.HEAD_FILE), StandardCharsets.UTF_8);
        assertTrue(head.contains("position=130\n"), head);
        assertFalse(Files.exists(dir.resolve(LedgerDirectory.HEAD_FILE + ".tmp")));
    }

    @Test
    void theSealedHeadExposesLostEntriesAndKeepsItsEvidence() throws IOException {
        List<EventEnvelope> appended;
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            appended = fill(ledger, 20, 33);
        }
        Path headFile = dir.resolve(LedgerDirectory.HEAD_FILE);
        // As if entries 20..25 had been cut off the queue after a clean close at position 25.
        String claimsMore = "position=25\nhash=" + Hash.sha256(new byte[] {25}).toHex() + "\n";
        Files.writeString(headFile, claimsMore);
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            assertEquals(20, ledger.size());
            VerifyResult result = ledger.verify();
            assertEquals(VerifyResult.Problem.TRUNCATED_LEDGER, ((VerifyResult.Broken) result).problem(), result.toString());
            assertEquals(20, ((VerifyResult.Broken) result).position());
            LedgerException refused = assertThrows(LedgerException.class,
                    () -> ledger.append(CrashChild.draft(new SplittableRandom(34), 20)));
            assertEquals(LedgerException.Category.CORRUPT, refused.category(), refused.getMessage());
            assertTrue(refused.getMessage().contains("position 25"), refused.getMessage());
            assertEquals(20, ledger.size());
        }
        assertEquals(claimsMore, Files.readString(headFile), "the evidence stays");
        // A head at a stored position with another hash: that entry was replaced.
        Files.writeString(headFile, "position=10\nhash=" + appended.get(11).hash().toHex() + "\n");
        try (ChronicleLedger ledger = ChronicleLedger.builder(dir).readOnly(true).open()) {
            VerifyResult result = ledger.verify();
            assertEquals(VerifyResult.Problem.HEAD_MISMATCH, ((VerifyResult.Broken) result).problem(), result.toString());
            assertEquals(10, ((VerifyResult.Broken) result).position());
        }
        Files.writeString(headFile, "position=ten\n");
        LedgerException damaged = assertThrows(LedgerException.class, () -> ChronicleLedger.open(dir));
        assertEquals(LedgerException.Category.CORRUPT, damaged.category());
        assertTrue(damaged.getMessage().contains(LedgerDirectory.HEAD_FILE), damaged.getMessage());
        Files.writeString(headFile, "position=19\nhash=" + appended.get(19).hash().toHex() + "\n");
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            assertTrue(ledger.verify().intact());
            fill(ledger, 1, 35);
        }
    }

    @Test
    void anExcerptTornByACrashIsInvisibleAndOverwritten() throws IOException {
        List<byte[]> records = new ArrayList<>();
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            for (EventEnvelope e : fill(ledger, 10, 35)) {
                records.add(RecordCodec.encode(e));
            }
        }
        // What kill -9 in the middle of an append leaves: the excerpt's bytes partly written and
        // its header still zero (Chronicle sets the header last), and no clean close.
        Path file = ChronicleTamperTest.queueFile(dir);
        ChronicleTamperTest.Extent last = ChronicleTamperTest.locate(file, records).get(9);
        byte[] torn = new byte[150];
        Arrays.fill(torn, (byte) '{');
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ChronicleTamperTest.write(ch, ((last.end() + 3) & ~3L) + 4, torn);
        }
        Files.delete(dir.resolve(LedgerDirectory.HEAD_FILE));
        try (ChronicleLedger reader = ChronicleLedger.builder(dir).readOnly(true).open()) {
            assertEquals(10, reader.size());
            assertTrue(reader.verify().intact());
        }
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            assertEquals(10, ledger.size());
            EventEnvelope next = ledger.append(CrashChild.draft(new SplittableRandom(36), 10));
            assertEquals(10, next.position());
            fill(ledger, 5, 37);
            assertTrue(ledger.verify().intact());
        }
        try (ChronicleLedger reader = ChronicleLedger.builder(dir).readOnly(true).open()) {
            assertEquals(16, reader.size());
            assertTrue(reader.verify().intact());
        }
    }

    @Test
    void everyDurabilityModeAppendsSyncsAndReopens() {
        List<Durability> modes = List.of(new Durability.ProcessCrash(), new Durability.GroupCommit(7, 1),
                new Durability.GroupCommit(1_000, Long.MAX_VALUE), new Durability.EveryAppend());
        for (int m = 0; m < modes.size(); m++) {
            Path path = dir.resolve("mode" + m);
            Hash head;
            try (ChronicleLedger ledger = ChronicleLedger.builder(path).durability(modes.get(m)).open()) {
                fill(ledger, 40, 40 + m);
                ledger.sync();
                fill(ledger, 3, 50 + m);
                head = ledger.headHash();
            }
            ChronicleLedger ledger = ChronicleLedger.builder(path).durability(modes.get(m)).open();
            try {
                assertEquals(43, ledger.size(), modes.get(m).toString());
                assertEquals(head, ledger.headHash());
                assertTrue(ledger.verify().intact());
                ledger.sync();
                ledger.close();
                assertThrows(IllegalStateException.class, ledger::sync);
                assertThrows(IllegalStateException.class, () -> ledger.append(CrashChild.draft(new SplittableRandom(1), 0)));
            } finally {
                ledger.close();
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Durability.GroupCommit(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Durability.GroupCommit(10, 0));
        assertThrows(NullPointerException.class, () -> ChronicleLedger.builder(dir).durability(null));
        assertThrows(IllegalArgumentException.class, () -> ChronicleLedger.builder(dir).maxPayloadBytes(0));
        assertThrows(IllegalArgumentException.class,
                () -> ChronicleLedger.builder(dir).maxPayloadBytes(ChronicleLedger.MAX_PAYLOAD_BYTES_LIMIT + 1));
    }

    @Test
    void readOnlyLedgerSeesItsSnapshotAndWritesNothing() throws IOException {
        try (ChronicleLedger writer = ChronicleLedger.open(dir)) {
            List<EventEnvelope> appended = fill(writer, 200, 61);
            TreeMap<String, String> before = listing(dir);
            try (ChronicleLedger reader = ChronicleLedger.builder(dir).readOnly(true).open()) {
                assertTrue(reader.readOnly());
                assertEquals(200, reader.size());
                fill(writer, 10, 62);
                assertEquals(200, reader.size(), "a read-only ledger keeps the size it opened with");
                assertEquals(appended, all(reader.entries(0)));
                assertEquals(appended.get(150), reader.read(150));
                VerifyResult result = reader.verify();
                assertTrue(result.intact(), result.toString());
                LedgerException refused = assertThrows(LedgerException.class,
                        () -> reader.append(CrashChild.draft(new SplittableRandom(1), 200)));
                assertEquals(LedgerException.Category.READ_ONLY, refused.category());
                assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
                assertEquals(200, reader.size());
                reader.sync();
            }
            TreeMap<String, String> after = listing(dir);
            after.keySet().removeIf(k -> k.endsWith(".cq4") || k.endsWith(".cq4t"));
            before.keySet().removeIf(k -> k.endsWith(".cq4") || k.endsWith(".cq4t"));
            assertEquals(before, after, "the reader wrote nothing of its own");
            assertEquals(210, writer.size());
        }
        // With the writer gone, not one byte of any file changes while a reader works.
        TreeMap<String, String> before = contents(dir);
        try (ChronicleLedger reader = ChronicleLedger.builder(dir).readOnly(true).open()) {
            assertEquals(210, reader.size());
            assertTrue(reader.verify().intact());
            assertEquals(210, all(reader.entries(0)).size());
        }
        assertEquals(before, contents(dir));
    }

    private static TreeMap<String, String> contents(Path root) throws IOException {
        TreeMap<String, String> files = listing(root);
        for (var entry : files.entrySet()) {
            byte[] bytes;
            try (FileChannel ch = FileChannel.open(root.resolve(entry.getKey()), StandardOpenOption.READ)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(ch.size(), 4L << 20));
                while (buffer.hasRemaining() && ch.read(buffer) >= 0) {
                    // read the start of the file, where everything a ledger of this size writes lives
                }
                bytes = Arrays.copyOf(buffer.array(), buffer.position());
            }
            entry.setValue(entry.getValue() + "#" + Hash.sha256(bytes).toShortHex());
        }
        return files;
    }

    private static TreeMap<String, String> listing(Path root) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (Files.isRegularFile(p)) {
                    FileTime modified = Files.getLastModifiedTime(p);
                    files.put(root.relativize(p).toString(), Files.size(p) + "@" + modified.toMillis());
                }
            }
        }
        return files;
    }

    @Test
    void readsRunInParallelWithAppends() throws InterruptedException {
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            List<EventEnvelope> first = fill(ledger, 500, 71);
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            CountDownLatch started = new CountDownLatch(3);
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                long seed = 72 + t;
                Thread reader = new Thread(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    started.countDown();
                    try {
                        while (!stop.get()) {
                            int p = random.nextInt(500);
                            EventEnvelope e = ledger.read(p);
                            if (!e.equals(first.get(p))) {
                                throw new AssertionError("position " + p + " read back differently");
                            }
                            long size = ledger.size();
                            if (ledger.read(size - 1).position() != size - 1) {
                                throw new AssertionError("head read back at the wrong position");
                            }
                            try (Stream<EventEnvelope> s = ledger.entries(490)) {
                                if (s.count() < 10) {
                                    throw new AssertionError("stream ended early");
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                readers.add(reader);
                reader.start();
            }
            started.await();
            fill(ledger, 1500, 79);
            stop.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertTrue(ledger.verify().intact());
        }
    }

    @Test
    void largePayloadsRoundTrip() {
        String big = "x".repeat(1_000_000);
        try (ChronicleLedger ledger = ChronicleLedger.open(dir)) {
            EventEnvelope e = ledger.append(EventDraft.of("big.payload", 1, CanonicalJson.ofString(big)));
            fill(ledger, 5, 81);
            assertEquals(e, ledger.read(0));
            assertTrue(ledger.verify().intact());
        }
        try (ChronicleLedger ledger = ChronicleLedger.builder(dir).maxPayloadBytes(ChronicleLedger.MAX_PAYLOAD_BYTES_LIMIT).open()) {
            String huge = "y".repeat(ChronicleLedger.MAX_PAYLOAD_BYTES_LIMIT - 2);
            EventEnvelope e = ledger.append(EventDraft.of("huge.payload", 2, CanonicalJson.ofString(huge)));
            assertEquals(e, ledger.read(6));
            assertTrue(ledger.verify().intact());
        }
    }
}
