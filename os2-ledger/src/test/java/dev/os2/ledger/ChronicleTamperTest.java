package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to the real queue file on disk is found. A ledger of a few hundred entries is written
 * and closed; then, one at a time, a seeded mutation changes the queue file (a bit flipped inside
 * an entry or its excerpt header, the file cut inside an entry, the tail zeroed from inside an
 * entry, garbage written after the last entry or at the end of the file), the ledger is opened
 * read-only and verified, and the file is restored. Every mutation must come out as a
 * {@code Broken} result at the damaged entry's position, or as a {@link LedgerException} with
 * category CORRUPT where the damaged file cannot be read at all: never intact, never another
 * exception, never a hang. The record-level corpus of 10,000 mutations is another test's job;
 * this one is about what Chronicle makes of damaged files. {@code -Dos2.tamper.seed=N} replays a
 * run; {@code -Dos2.stress=true} runs ten times as many mutations with a random seed.
 */
class ChronicleTamperTest {

    private static final int ENTRIES = 300;
    private static final long FIXED_SEED = 0x7A3B_E12DL;

    @TempDir
    Path dir;

    private enum Kind { FLIP_DATA, FLIP_HEADER, TRUNCATE, ZERO_TAIL, GARBAGE_AFTER_LAST, GARBAGE_AT_FILE_END }

    /** Where entry {@code position}'s excerpt sits in the queue file. */
    record Extent(long header, long data, int length) {
        long end() {
            return data + length;
        }
    }

    @Test
    void damagedQueueFilesAreDetected() throws Exception {
        boolean stress = Boolean.getBoolean("os2.stress");
        int mutations = stress ? 3_000 : 300;
        long seed = Long.getLong("os2.tamper.seed", stress ? new SecureRandom().nextLong() : FIXED_SEED);
        System.out.println("ChronicleTamperTest seed " + seed + " (replay with -Dos2.tamper.seed=" + seed + "), mutations " + mutations);
        try {
            run(mutations, seed);
        } catch (Throwable e) {
            throw new AssertionError("ChronicleTamperTest failed with seed " + seed + " (replay with -Dos2.tamper.seed=" + seed + "): " + e, e);
        }
    }

    private void run(int mutations, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Path ledgerDir = dir.resolve("ledger");
        List<byte[]> records = new ArrayList<>();
        try (ChronicleLedger ledger = ChronicleLedger.open(ledgerDir)) {
            SplittableRandom drafts = new SplittableRandom(seed ^ 0x5DEECE66DL);
            for (int i = 0; i < ENTRIES; i++) {
                records.add(RecordCodec.encode(ledger.append(CrashChild.draft(drafts, i))));
            }
        }
        Path file = queueFile(ledgerDir);
        long fileSize = Files.size(file);
        List<Extent> extents = locate(file, records);
        long dataEnd = extents.get(ENTRIES - 1).end();
        assertIntact(ledgerDir, "the pristine ledger");

        TreeMap<String, Integer> outcomes = new TreeMap<>();
        Kind[] kinds = Kind.values();
        for (int m = 0; m < mutations; m++) {
            Kind kind = kinds[random.nextInt(kinds.length)];
            int k = random.nextInt(ENTRIES);
            Extent e = extents.get(k);
            long expected = k;
            // Everything a mutation may touch, saved so it can be put back.
            long saveFrom;
            long saveTo = Math.min(fileSize, dataEnd + 4096);
            String what;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                switch (kind) {
                    case FLIP_DATA -> {
                        long at = e.data() + random.nextInt(e.length());
                        saveFrom = at;
                        saveTo = at + 1;
                        byte[] saved = read(ch, saveFrom, saveTo);
                        write(ch, at, new byte[] {(byte) (saved[0] ^ (1 << random.nextInt(8)))});
                        what = "flip a bit at offset " + (at - e.data()) + " of entry " + k;
                        mutateAndCheck(ch, file, ledgerDir, saveFrom, saved, fileSize, expected, kind, what, outcomes);
                    }
                    case FLIP_HEADER -> {
                        long at = e.header() + random.nextInt(4);
                        saveFrom = at;
                        saveTo = at + 1;
                        byte[] saved = read(ch, saveFrom, saveTo);
                        int bit = random.nextInt(8);
                        write(ch, at, new byte[] {(byte) (saved[0] ^ (1 << bit))});
                        what = "flip bit " + ((at - e.header()) * 8 + bit) + " of the excerpt header of entry " + k;
                        mutateAndCheck(ch, file, ledgerDir, saveFrom, saved, fileSize, expected, kind, what, outcomes);
                    }
                    case TRUNCATE -> {
                        long at = e.header() + random.nextLong(e.end() - e.header());
                        saveFrom = at;
                        byte[] saved = read(ch, saveFrom, saveTo);
                        ch.truncate(at);
                        what = "cut the file at offset " + (at - e.header()) + " of entry " + k + "'s excerpt";
                        mutateAndCheck(ch, file, ledgerDir, saveFrom, saved, fileSize, expected, kind, what, outcomes);
                    }
                    case ZERO_TAIL -> {
                        long at = e.header() + random.nextLong(e.end() - e.header());
                        saveFrom = at;
                        byte[] saved = read(ch, saveFrom, saveTo);
                        write(ch, at, new byte[(int) (saveTo - at)]);
                        what = "zero the file from offset " + (at - e.header()) + " of entry " + k + "'s excerpt";
                        mutateAndCheck(ch, file, ledgerDir, saveFrom, saved, fileSize, expected, kind, what, outcomes);
                    }
                    case GARBAGE_AFTER_LAST -> {
                        long at = (dataEnd + 3) & ~3L;
                        byte[] garbage = garbage(random, 1 + random.nextInt(512));
                        saveFrom = at;
                        byte[] saved = read(ch, saveFrom, saveTo);
                        write(ch, at, garbage);
                        what = garbage.length + " bytes of garbage after the last entry, starting " + hex(garbage);
                        mutateAndCheck(ch, file, ledgerDir, saveFrom, saved, fileSize, ENTRIES, kind, what, outcomes);
                    }
                    case GARBAGE_AT_FILE_END -> {
                        byte[] garbage = garbage(random, 1 + random.nextInt(512));
                        write(ch, fileSize, garbage);
                        what = garbage.length + " bytes of garbage appended to the file";
                        mutateAndCheck(ch, file, ledgerDir, fileSize, new byte[0], fileSize, ENTRIES, kind, what, outcomes);
                    }
                }
            }
        }
        assertIntact(ledgerDir, "the restored ledger");
        System.out.println("ChronicleTamperTest outcomes " + outcomes);
    }

    private static byte[] garbage(SplittableRandom random, int length) {
        byte[] garbage = new byte[length];
        for (int i = 0; i < length; i++) {
            garbage[i] = (byte) random.nextInt(256);
        }
        if (length >= 4 && garbage[0] == 0 && garbage[1] == 0 && garbage[2] == 0 && garbage[3] == 0) {
            garbage[0] = 1; // a zero word is what a queue file has after its end: not garbage
        }
        return garbage;
    }

    /** Opens the mutated ledger read-only, checks the outcome, restores the file. */
    private static void mutateAndCheck(FileChannel ch, Path file, Path ledgerDir, long saveFrom, byte[] saved,
            long fileSize, long expected, Kind kind, String what, TreeMap<String, Integer> outcomes) throws IOException {
        try {
            String outcome = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> check(ledgerDir, expected, what),
                    () -> "verification hung after: " + what);
            outcomes.merge(kind + " " + outcome, 1, Integer::sum);
        } finally {
            if (ch.size() != fileSize) {
                ch.truncate(Math.min(ch.size(), fileSize));
                if (ch.size() < fileSize) {
                    // Grow back to the size Chronicle gave the file; the grown part reads as zeros.
                    write(ch, fileSize - 1, new byte[1]);
                }
            }
            write(ch, saveFrom, saved);
        }
    }

    private static String check(Path ledgerDir, long expected, String what) {
        VerifyResult result;
        try (ChronicleLedger ledger = ChronicleLedger.builder(ledgerDir).readOnly(true).open()) {
            result = ledger.verify();
        } catch (LedgerException e) {
            if (e.category() != LedgerException.Category.CORRUPT) {
                fail(what + ": expected CORRUPT or a Broken result, got " + e.category() + ": " + e.getMessage(), e);
            }
            return "CORRUPT";
        } catch (RuntimeException | Error e) {
            fail(what + ": a raw exception escaped the ledger: " + e, e);
            return null;
        }
        if (!(result instanceof VerifyResult.Broken broken)) {
            fail(what + ": verify said " + result);
            return null;
        }
        assertEquals(expected, broken.position(), what + ": " + broken);
        return broken.problem().name();
    }

    private static void assertIntact(Path ledgerDir, String what) {
        try (ChronicleLedger ledger = ChronicleLedger.builder(ledgerDir).readOnly(true).open()) {
            VerifyResult result = ledger.verify();
            assertTrue(result.intact(), what + ": " + result);
            assertEquals(ENTRIES, ledger.size());
        }
    }

    static Path queueFile(Path ledgerDir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(ledgerDir.resolve(LedgerDirectory.QUEUE_DIRECTORY), "*.cq4")) {
            stream.forEach(files::add);
        }
        assertEquals(1, files.size(), files.toString());
        return files.get(0);
    }

    /** Finds each record's bytes in the file, in order, and checks the excerpt header before it. */
    static List<Extent> locate(Path file, List<byte[]> records) throws IOException {
        List<Extent> extents = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] region = read(ch, 0, Math.min(ch.size(), 8L << 20));
            int from = 0;
            for (int p = 0; p < records.size(); p++) {
                byte[] record = records.get(p);
                int at = indexOf(region, record, from);
                assertTrue(at >= 4, "record " + p + " not found in the queue file");
                int header = ByteBuffer.wrap(region, at - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                assertEquals(record.length, header, "the excerpt header of record " + p);
                extents.add(new Extent(at - 4, at, record.length));
                from = at + record.length;
            }
        }
        return extents;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] read(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, Math.min(to, ch.size()) - from));
        while (buffer.hasRemaining()) {
            if (ch.read(buffer, from + buffer.position()) < 0) {
                break;
            }
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    static void write(FileChannel ch, long at, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            ch.write(buffer, at + buffer.position());
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            out.append(String.format("%02x", bytes[i]));
        }
        return out.toString();
    }
}
