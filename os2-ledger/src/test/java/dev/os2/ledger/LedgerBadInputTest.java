package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the durable store: each case is a typed error with a message a user can act on,
 * and leaves the ledger (or the foreign directory) as it was.
 */
class LedgerBadInputTest {

    @TempDir
    Path dir;

    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() throws Exception {
        for (Path mount : mounts) {
            if (run("umount", mount.toString()) != 0) {
                // Chronicle unmaps files on a background thread; a lazy unmount finishes after it.
                run("umount", "-l", mount.toString());
            }
        }
    }

    private static List<EventEnvelope> fill(Ledger ledger, int entries, long seed) {
        return ChronicleLedgerTest.fill(ledger, entries, seed);
    }

    private static TreeMap<String, String> snapshot(Path root) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = root.relativize(p).toString();
                files.put(key, Files.isRegularFile(p) ? Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis() : "dir");
            }
        }
        return files;
    }

    private static LedgerException refused(LedgerException.Category category, Path path, boolean readOnly) {
        LedgerException e = assertThrows(LedgerException.class, () -> {
            try (ChronicleLedger ledger = ChronicleLedger.builder(path).readOnly(readOnly).open()) {
                ledger.size();
            }
        });
        assertEquals(category, e.category(), e.getMessage());
        return e;
    }

    @Test
    void aDirectoryThatIsNotALedgerIsRefusedAndLeftAlone() throws IOException {
        Path foreign = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(foreign.resolve("holiday.jpg"), "not a ledger");
        TreeMap<String, String> before = snapshot(foreign);
        LedgerException e = refused(LedgerException.Category.NOT_A_LEDGER, foreign, false);
        assertTrue(e.getMessage().contains(foreign.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("holiday.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("empty or new directory"), e.getMessage());
        refused(LedgerException.Category.NOT_A_LEDGER, foreign, true);
        assertEquals(before, snapshot(foreign), "nothing was written into the foreign directory");

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        refused(LedgerException.Category.NOT_A_LEDGER, file, false);
        LedgerException absent = refused(LedgerException.Category.NOT_A_LEDGER, dir.resolve("absent"), true);
        assertTrue(absent.getMessage().contains("does not exist"), absent.getMessage());
        assertFalse(Files.exists(dir.resolve("absent")), "a read-only open creates nothing");

        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve(LedgerDirectory.FORMAT_FILE), "format=something-else\nversion=1\n");
        refused(LedgerException.Category.NOT_A_LEDGER, other, false);
    }

    @Test
    void anotherFormatVersionIsRefusedAndLeftAlone() throws IOException {
        Path path = dir.resolve("ledger");
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            fill(ledger, 10, 1);
        }
        Path format = path.resolve(LedgerDirectory.FORMAT_FILE);
        Files.writeString(format, Files.readString(format).replace("version=1", "version=2"));
        TreeMap<String, String> before = snapshot(path);
        LedgerException e = refused(LedgerException.Category.UNSUPPORTED_FORMAT, path, false);
        assertTrue(e.getMessage().contains("version \"2\""), e.getMessage());
        assertTrue(e.getMessage().contains("reads version 1"), e.getMessage());
        refused(LedgerException.Category.UNSUPPORTED_FORMAT, path, true);
        assertEquals(before, snapshot(path));

        Files.writeString(format, Files.readString(format).replace("version=2", "version=1").replace("SHA-256", "SHA-512"));
        refused(LedgerException.Category.UNSUPPORTED_FORMAT, path, false);
        Files.writeString(format, Files.readString(format).replace("SHA-512", "SHA-256"));
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            assertEquals(10, ledger.size());
            assertTrue(ledger.verify().intact());
        }
    }

    @Test
    void aSecondWriterInThisJvmIsRefused() {
        Path path = dir.resolve("ledger");
        try (ChronicleLedger first = ChronicleLedger.open(path)) {
            fill(first, 5, 2);
            LedgerException e = refused(LedgerException.Category.LOCKED, path, false);
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            // The same directory by another name is the same ledger.
            refused(LedgerException.Category.LOCKED, path.resolve("..").resolve("ledger"), false);
            try (ChronicleLedger reader = ChronicleLedger.builder(path).readOnly(true).open()) {
                assertEquals(5, reader.size());
            }
            fill(first, 5, 3);
            assertEquals(10, first.size());
            assertTrue(first.verify().intact());
        }
        try (ChronicleLedger again = ChronicleLedger.open(path)) {
            assertEquals(10, again.size());
        }
    }

    @Test
    void aSecondWriterInAnotherProcessIsRefused() throws Exception {
        Path path = dir.resolve("ledger");
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            fill(ledger, 7, 4);
        }
        Process child = new ProcessBuilder(CrashChild.command(List.of(), "hold", path.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        OutputStream in = child.getOutputStream();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("locked 7", out.readLine());
            LedgerException e = refused(LedgerException.Category.LOCKED, path, false);
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("another process"), e.getMessage());
            try (ChronicleLedger reader = ChronicleLedger.builder(path).readOnly(true).open()) {
                assertEquals(7, reader.size());
                assertTrue(reader.verify().intact());
            }
            in.close();
            assertEquals("released", out.readLine());
        } finally {
            in.close();
            child.destroyForcibly();
            child.waitFor();
        }
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            assertEquals(7, ledger.size());
            fill(ledger, 1, 5);
        }
    }

    @Test
    void anOversizedPayloadIsRefusedAndChangesNothing() {
        Path path = dir.resolve("ledger");
        try (ChronicleLedger ledger = ChronicleLedger.builder(path).maxPayloadBytes(64).open()) {
            for (int i = 0; i < 3; i++) {
                ledger.append(EventDraft.of("small", i, CanonicalJson.parse("{\"i\":" + i + "}")));
            }
            Hash head = ledger.headHash();
            EventDraft big = EventDraft.of("too.big", 1, CanonicalJson.ofString("z".repeat(63)));
            InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> ledger.append(big));
            assertEquals(InvalidPayloadException.Reason.TOO_LARGE, e.reason());
            assertTrue(e.getMessage().contains("65 bytes") && e.getMessage().contains("64 bytes"), e.getMessage());
            assertEquals(3, ledger.size());
            assertEquals(head, ledger.headHash());
            ledger.append(EventDraft.of("just.fits", 1, CanonicalJson.ofString("z".repeat(62))));
            assertTrue(ledger.verify().intact());
        }
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            assertEquals(4, ledger.size());
            assertTrue(ledger.verify().intact());
        }
    }

    @Test
    void aReadOnlyDirectoryIsRefusedForWritingButReadable() throws Exception {
        Path written = Files.createDirectories(dir.resolve("rw"));
        List<EventEnvelope> appended;
        try (ChronicleLedger ledger = ChronicleLedger.open(written.resolve("ledger"))) {
            appended = fill(ledger, 20, 7);
        }
        Path area;
        boolean root = isRoot();
        if (root) {
            // Root ignores permission bits, so the ledger is seen through a read-only bind mount.
            // Remounting the original file system read-only would fail as busy while Chronicle's
            // background thread still holds the closed queue's mappings; a separate view has none.
            area = Files.createDirectories(dir.resolve("ro"));
            assumeTrue(run("mount", "--bind", written.toString(), area.toString()) == 0,
                    "mount --bind failed (no CAP_SYS_ADMIN in this container), so this case is skipped");
            mounts.add(area);
            assertEquals(0, run("mount", "-o", "remount,bind,ro", area.toString()), "remount the view read-only");
        } else {
            area = written;
            try (Stream<Path> walk = Files.walk(area)) {
                for (Path p : walk.toList()) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x" : "r--r--r--"));
                }
            }
        }
        Path path = area.resolve("ledger");
        try {
            TreeMap<String, String> before = snapshot(path);
            LedgerException e = refused(LedgerException.Category.READ_ONLY, path, false);
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            LedgerException create = refused(LedgerException.Category.READ_ONLY, area.resolve("new-ledger"), false);
            assertTrue(create.getMessage().contains("new-ledger"), create.getMessage());
            try (ChronicleLedger reader = ChronicleLedger.builder(path).readOnly(true).open()) {
                assertEquals(20, reader.size());
                assertEquals(appended.get(19), reader.read(19));
                assertTrue(reader.verify().intact());
            }
            assertEquals(before, snapshot(path));
        } finally {
            if (!root) {
                try (Stream<Path> walk = Files.walk(area)) {
                    for (Path p : walk.toList()) {
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                    }
                }
            }
        }
    }

    @Test
    void aFullDiskIsRefusedBeforeWritingAndTheLedgerCarriesOn() throws Exception {
        Path area = mountTmpfs("full", "16m");
        Path path = area.resolve("ledger");
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            List<EventEnvelope> appended = fill(ledger, 50, 8);
            Path filler = area.resolve("filler");
            fillDisk(filler, 1L << 20);
            Hash head = ledger.headHash();
            LedgerException e = assertThrows(LedgerException.class,
                    () -> ledger.append(CrashChild.draft(new SplittableRandom(9), 50)));
            assertEquals(LedgerException.Category.DISK_FULL, e.category(), e.getMessage());
            assertTrue(e.getMessage().contains("Free some space"), e.getMessage());
            assertEquals(50, ledger.size());
            assertEquals(head, ledger.headHash());
            Files.delete(filler);
            EventEnvelope next = ledger.append(CrashChild.draft(new SplittableRandom(9), 50));
            assertEquals(50, next.position());
            assertEquals(appended.get(49).hash(), next.prevHash());
            assertTrue(ledger.verify().intact());
        }
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            assertEquals(51, ledger.size());
            assertTrue(ledger.verify().intact());
        }
        // Creating a ledger on a full disk fails the same way.
        Path filler = area.resolve("filler");
        fillDisk(filler, 0);
        LedgerException e = refused(LedgerException.Category.DISK_FULL, area.resolve("new-ledger"), false);
        assertTrue(e.getMessage().contains("free some space"), e.getMessage());
        Files.delete(filler);
        try (ChronicleLedger ledger = ChronicleLedger.open(area.resolve("new-ledger"))) {
            fill(ledger, 2, 10);
            assertTrue(ledger.verify().intact());
        }
    }

    @Test
    void aDiskThatFillsUnderTheMappingFailsTheAppendCleanly() throws Exception {
        Path area = mountTmpfs("fault", "16m");
        Path path = area.resolve("ledger");
        Path filler = area.resolve("filler");
        int stored;
        Hash head;
        try (ChronicleLedger ledger = ChronicleLedger.builder(path).spaceHeadroomBytes(-1).open()) {
            fill(ledger, 10, 11);
            fillDisk(filler, 0);
            SplittableRandom random = new SplittableRandom(12);
            LedgerException failure = null;
            // The pages already backed take entries until a write needs a new one, which faults.
            for (int i = 0; i < 100_000 && failure == null; i++) {
                long size = ledger.size();
                Hash before = ledger.headHash();
                try {
                    ledger.append(CrashChild.draft(random, size));
                } catch (LedgerException e) {
                    failure = e;
                    assertEquals(size, ledger.size());
                    assertEquals(before, ledger.headHash());
                }
            }
            assertTrue(failure != null, "the disk never filled");
            assertEquals(LedgerException.Category.DISK_FULL, failure.category(), failure.getMessage());
            assertTrue(StorageFault.memoryFault(failure), "expected the write fault (SIGBUS) path: " + failure);
            Files.delete(filler);
            fill(ledger, 20, 13);
            VerifyResult result = ledger.verify();
            assertTrue(result.intact(), result.toString());
            stored = (int) ledger.size();
            head = ledger.headHash();
        }
        try (ChronicleLedger ledger = ChronicleLedger.open(path)) {
            assertEquals(stored, ledger.size());
            assertEquals(head, ledger.headHash());
            assertTrue(ledger.verify().intact());
            assertEquals(Optional.of(head), ledger.head().map(EventEnvelope::hash));
        }
    }

    /** Writes {@code filler} until the file system has at most {@code leaveBytes} free (0: until it refuses). */
    private static void fillDisk(Path filler, long leaveBytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
        try (FileChannel out = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (Files.getFileStore(filler).getUsableSpace() > leaveBytes) {
                chunk.clear();
                if (leaveBytes > 0) {
                    chunk.limit((int) Math.min(chunk.capacity(), Math.max(4096,
                            Files.getFileStore(filler).getUsableSpace() - leaveBytes)));
                }
                try {
                    out.write(chunk);
                } catch (IOException e) {
                    if (leaveBytes == 0) {
                        return; // ENOSPC: full
                    }
                    throw e;
                }
            }
        }
    }

    private Path mountTmpfs(String name, String size) throws Exception {
        assumeTrue(isRoot(), "mounting a small tmpfs needs root; not root here, so this case is skipped");
        Path mount = Files.createDirectories(dir.resolve(name));
        int status = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mount.toString());
        assumeTrue(status == 0, "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container), so this case is skipped");
        mounts.add(mount);
        return mount;
    }

    private boolean isRoot() throws IOException {
        Path probe = Files.createTempFile(dir, "uid", ".probe");
        try {
            return ((Integer) Files.getAttribute(probe, "unix:uid")) == 0;
        } finally {
            Files.delete(probe);
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }
}
