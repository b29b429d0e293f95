package dev.os2.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The layout of a {@link ChronicleLedger}'s directory, and its single-writer lock.
 *
 * <pre>
 *   os2-ledger.format   what this directory is: format name, format version, hash algorithm;
 *                       written once when the ledger is created, checked at every open
 *   os2-ledger.head     the sealed head: position and hash of the last entry at the last
 *                       clean close (absent until the first clean close of a non-empty ledger)
 *   os2-ledger.lock     locked (FileChannel.tryLock) by the one writer
 *   queue/              the Chronicle Queue files holding the entries
 * </pre>
 *
 * The small files are text, one {@code key=value} per line, and are replaced atomically (write a
 * temporary file, force it, rename it over the old one, force the directory), so a crash leaves
 * either the old or the new content, never a mix.
 */
final class LedgerDirectory {

    static final String FORMAT_FILE = "os2-ledger.format";
    static final String HEAD_FILE = "os2-ledger.head";
    static final String LOCK_FILE = "os2-ledger.lock";
    static final String QUEUE_DIRECTORY = "queue";
    static final String FORMAT_NAME = "os2-ledger";
    static final int FORMAT_VERSION = 1;
    static final String HASH_ALGORITHM = "SHA-256";
    private static final String TEMP_SUFFIX = ".tmp";

    /**
     * Directories this JVM has open for writing. File locks belong to the whole process, and on
     * POSIX closing any channel of a file drops every lock the process holds on it; so a second
     * writer in this JVM is refused here, before it opens the lock file at all.
     */
    private static final Set<Path> WRITERS = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final boolean writable;
    private final Path registered;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private LedgerDirectory(Path path, boolean writable, Path registered, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.writable = writable;
        this.registered = registered;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens {@code directory} for writing: creates it (and the ledger) when absent or empty,
     * takes the writer's lock, checks the format file.
     */
    static LedgerDirectory openForWriting(Path directory) {
        Path path = directory.toAbsolutePath().normalize();
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new LedgerException(LedgerException.Category.NOT_A_LEDGER,
                    path + " is a file, not a ledger directory; choose a directory for the ledger");
        }
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw StorageFault.writing("create the ledger directory", path, e);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw StorageFault.writing("resolve the ledger directory", path, e);
        }
        // Refuse a foreign directory or another format before touching anything: bad input
        // changes nothing, not even a lock file.
        new LedgerDirectory(path, false, null, null, null).checkFormatOrEmpty();
        if (!WRITERS.add(real)) {
            throw new LedgerException(LedgerException.Category.LOCKED, "the ledger at " + path
                    + " is already open for writing in this process; close that ChronicleLedger first, "
                    + "or open this one read-only");
        }
        FileChannel channel = null;
        try {
            Path lockFile = path.resolve(LOCK_FILE);
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw StorageFault.writing("open the lock file", path, e);
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new LedgerException(LedgerException.Category.LOCKED, "the ledger at " + path
                        + " is already locked by this process; close the other writer first, or open this one read-only", e);
            } catch (IOException e) {
                throw StorageFault.writing("lock the ledger", path, e);
            }
            if (lock == null) {
                throw new LedgerException(LedgerException.Category.LOCKED, "the ledger at " + path
                        + " is open for writing in another process (it holds " + lockFile + "); stop that process, "
                        + "or open this ledger read-only to verify or inspect it");
            }
            LedgerDirectory opened = new LedgerDirectory(path, true, real, channel, lock);
            // Again under the lock: another process may have created the ledger meanwhile.
            if (opened.checkFormatOrEmpty()) {
                opened.createFormat();
            }
            return opened;
        } catch (RuntimeException | Error e) {
            closeQuietly(channel);
            WRITERS.remove(real);
            throw e;
        }
    }

    /** Opens an existing ledger directory for reading only: no lock, no writes. */
    static LedgerDirectory openReadOnly(Path directory) {
        Path path = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(path)) {
            throw new LedgerException(LedgerException.Category.NOT_A_LEDGER, "there is no ledger at " + path
                    + (Files.exists(path) ? ": it is a file" : ": the directory does not exist")
                    + "; check the path (a read-only open never creates a ledger)");
        }
        LedgerDirectory opened = new LedgerDirectory(path, false, null, null, null);
        if (!Files.exists(path.resolve(FORMAT_FILE), LinkOption.NOFOLLOW_LINKS)) {
            throw new LedgerException(LedgerException.Category.NOT_A_LEDGER, path + " is not an OS2 ledger: it has no "
                    + FORMAT_FILE + "; check the path (a read-only open never creates a ledger)");
        }
        opened.checkFormat();
        return opened;
    }

    Path path() {
        return path;
    }

    Path queueDirectory() {
        return path.resolve(QUEUE_DIRECTORY);
    }

    /** The sealed head recorded at the last clean close, if any. */
    Optional<RecordLedger.SealedHead> readSealedHead() {
        Path file = path.resolve(HEAD_FILE);
        Map<String, String> fields;
        try {
            fields = readFields(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw StorageFault.reading("read the sealed head", path, e);
        }
        try {
            String position = fields.get("position");
            String hash = fields.get("hash");
            if (position == null || hash == null) {
                throw new IllegalArgumentException("it lacks position or hash");
            }
            long p = Long.parseLong(position);
            if (p < 0) {
                throw new IllegalArgumentException("negative position " + p);
            }
            return Optional.of(new RecordLedger.SealedHead(p, Hash.parse(hash)));
        } catch (IllegalArgumentException e) { // NumberFormatException is one
            throw new LedgerException(LedgerException.Category.CORRUPT, "the sealed head file " + file + " is damaged ("
                    + e.getMessage() + "), so the end of the chain cannot be checked; restore it from a backup, "
                    + "or delete it to verify the chain without that check");
        }
    }

    /** Records the head of a cleanly closed ledger, atomically. */
    void writeSealedHead(RecordLedger.SealedHead head) {
        writeAtomically(HEAD_FILE, "# The head of this OS2 ledger at its last clean close. Do not edit.\n"
                + "position=" + head.position() + "\n"
                + "hash=" + head.hash().toHex() + "\n");
    }

    /** Forces the directory itself, so that files created or renamed in it survive a machine crash. */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Releases the writer's lock. Idempotent. */
    void release() {
        if (!writable) {
            return;
        }
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // Closing the channel below releases the lock as well.
        } finally {
            closeQuietly(lockChannel);
            WRITERS.remove(registered);
        }
    }

    /**
     * Checks the format file if there is one; otherwise checks that the directory holds nothing
     * but what a creation that crashed leaves behind. True when the ledger is still to be created.
     */
    private boolean checkFormatOrEmpty() {
        if (Files.exists(path.resolve(FORMAT_FILE), LinkOption.NOFOLLOW_LINKS)) {
            checkFormat();
            return false;
        }
        List<String> foreign = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                // The lock file and a temporary file are what a creation that crashed leaves behind.
                if (!name.equals(LOCK_FILE) && !(name.startsWith(FORMAT_FILE) && name.endsWith(TEMP_SUFFIX))) {
                    foreign.add(name);
                }
            }
        } catch (IOException e) {
            throw StorageFault.reading("list the ledger directory", path, e);
        }
        if (!foreign.isEmpty()) {
            foreign.sort(null);
            throw new LedgerException(LedgerException.Category.NOT_A_LEDGER, path + " is not an OS2 ledger: it holds "
                    + foreign.size() + " other entries (" + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                    + (foreign.size() > 3 ? ", ..." : "") + ") and no " + FORMAT_FILE
                    + "; choose an empty or new directory for a new ledger");
        }
        return true;
    }

    private void createFormat() {
        writeAtomically(FORMAT_FILE, "# An OS2 ledger. Entries are in " + QUEUE_DIRECTORY + "/ (Chronicle Queue). Do not edit.\n"
                + "format=" + FORMAT_NAME + "\n"
                + "version=" + FORMAT_VERSION + "\n"
                + "hash=" + HASH_ALGORITHM + "\n");
    }

    private void checkFormat() {
        Path file = path.resolve(FORMAT_FILE);
        Map<String, String> fields;
        try {
            fields = readFields(file);
        } catch (IOException e) {
            throw StorageFault.reading("read " + FORMAT_FILE, path, e);
        }
        if (!FORMAT_NAME.equals(fields.get("format"))) {
            throw new LedgerException(LedgerException.Category.NOT_A_LEDGER, path + " is not an OS2 ledger: " + file
                    + " names format " + quote(fields.get("format")) + ", not " + FORMAT_NAME + "; check the path");
        }
        String version = fields.get("version");
        if (!Integer.toString(FORMAT_VERSION).equals(version)) {
            throw new LedgerException(LedgerException.Category.UNSUPPORTED_FORMAT, "the ledger at " + path
                    + " has format version " + quote(version) + "; this version of OS2 reads version " + FORMAT_VERSION
                    + " only: open it with the OS2 release that wrote it");
        }
        String hash = fields.get("hash");
        if (!HASH_ALGORITHM.equals(hash)) {
            throw new LedgerException(LedgerException.Category.UNSUPPORTED_FORMAT, "the ledger at " + path
                    + " uses hash algorithm " + quote(hash) + "; this version of OS2 uses " + HASH_ALGORITHM + " only");
        }
    }

    private static String quote(String s) {
        return s == null ? "(none)" : '"' + s + '"';
    }

    private static Map<String, String> readFields(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length > 64 * 1024) {
            throw new IOException(file + " is " + bytes.length + " bytes, far larger than a ledger's small files");
        }
        Map<String, String> fields = new TreeMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            fields.putIfAbsent(trimmed.substring(0, eq).strip(), trimmed.substring(eq + 1).strip());
        }
        return fields;
    }

    private void writeAtomically(String name, String content) {
        Path target = path.resolve(name);
        Path temp = path.resolve(name + TEMP_SUFFIX);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(path);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // The original failure is what the caller needs to see.
            }
            throw StorageFault.writing("write " + name, path, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing more can be done; the lock goes with the process at the latest.
            }
        }
    }
}
