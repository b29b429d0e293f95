package dev.os2.ledger;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.io.ClosedIllegalStateException;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.UnrecoverableTimeoutException;

/**
 * The durable ledger: entries in a Chronicle Queue in a directory of their own.
 *
 * <p><b>Layout.</b> The directory holds a format file (format name {@code os2-ledger}, format
 * version 1, hash algorithm SHA-256), the sealed head recorded at the last clean close, the
 * writer's lock file and the Chronicle Queue files in {@code queue/}. Each entry is one queue
 * excerpt holding the record defined by
 * the shared record format (version byte, hash, canonical envelope). An entry's position is
 * OS2's own sequence number, stored in the envelope and checked on every read; the queue's own
 * index only finds it. The queue is given a clock that never moves, so it never rolls to a new
 * file and position {@code p} is always excerpt {@code p} of its one cycle, found in constant
 * time through the queue's index (one index entry per 128 excerpts). One directory holds up to
 * 2<sup>37</sup>&minus;1 entries.
 *
 * <p><b>Opening.</b> {@link #open(Path)} creates a ledger in an absent or empty directory and
 * otherwise opens the one there, continuing its chain. Every failure is a {@link LedgerException}:
 * {@code NOT_A_LEDGER} for a non-empty directory without the format file, {@code UNSUPPORTED_FORMAT}
 * for another format version, {@code LOCKED} when another writer (in this or another process)
 * has the directory, {@code READ_ONLY} when it cannot be written, {@code DISK_FULL},
 * {@code CORRUPT} when the queue files are damaged, {@code IO} otherwise. A ledger opened
 * {@link Builder#readOnly(boolean) read-only} takes no lock and never writes; it sees the entries
 * stored when it was opened.
 *
 * <p><b>Durability.</b> An acknowledged append survives a crash of the process in every
 * {@link Durability} mode: when {@code append} returns, the entry is in the memory-mapped queue
 * file, which the operating system keeps after the process dies. A crash of the machine keeps
 * what was forced to the device: see {@link Durability} for when each mode forces, and
 * {@link #sync()}. {@link #close()} forces everything before it records the sealed head.
 *
 * <p><b>Disk space.</b> Chronicle writes through memory mappings, where a full disk shows up as
 * a fault at the write. So an append first makes sure the file system keeps 2 MiB free beyond
 * the entry (checked at every append when less than 64 MiB are free, else once per MiB
 * appended) and is refused with {@code DISK_FULL}, nothing written, when it would not. A disk
 * filled by someone else between two checks fails the append the same way.
 *
 * <p><b>After a crash.</b> Reopening needs no recovery step: an excerpt the crashed writer had
 * begun but not finished has no header yet, is invisible to readers and is overwritten by the
 * next append; Chronicle's own write lock, left held by the dead process, is released when the
 * queue opens.
 *
 * <p><b>Threading.</b> Thread-safe. Appends are serialised; reads run in parallel with them.
 *
 * <p><b>Chronicle's process-wide settings.</b> Before it first touches Chronicle, this class
 * sets, unless the embedder already set them, the system properties that keep Chronicle from
 * writing into the user's home directory ({@code jna.tmpdir}), from phoning home
 * ({@code chronicle.analytics.disable}) and from starting its disk-space monitor thread
 * ({@code chronicle.disk.monitor.disable}). Chronicle still runs its own daemon thread that
 * unmaps released files. Chronicle needs the JVM flags listed in the project's build
 * ({@code --add-opens} and {@code --add-exports} of a few JDK packages).
 */
public final class ChronicleLedger extends RecordLedger {

    /** 2<sup>37</sup>&minus;1 excerpts per cycle, an index entry every 128 excerpts. */
    static final RollCycle ROLL_CYCLE = LargeRollCycles.LARGE_DAILY;
    /** The one cycle every entry lives in: the fixed clock below sits at the start of day 1 of 1970. */
    static final int CYCLE = 1;
    private static final long FIXED_TIME_MILLIS = (long) CYCLE * ROLL_CYCLE.lengthInMillis();
    private static final TimeProvider FIXED_CLOCK = () -> FIXED_TIME_MILLIS;
    /** Most entries one ledger holds. */
    static final long MAX_ENTRIES = ROLL_CYCLE.maxMessagesPerCycle();
    /**
     * Largest payload limit a ledger accepts, in bytes. Chronicle writes an excerpt into the
     * overlap of its memory mappings (16 MiB with the default 64 MiB blocks); 8 MiB plus the
     * envelope fits with room to spare.
     */
    public static final int MAX_PAYLOAD_BYTES_LIMIT = 8 << 20;
    /** Longest a record read back may be: the payload limit plus the envelope, with margin. */
    private static final long MAX_RECORD_BYTES = MAX_PAYLOAD_BYTES_LIMIT + (64L << 10);
    /**
     * How long Chronicle waits for its write lock (only a live foreign writer holds it that long)
     * and for the header of a new cycle file; a header left unfinished by a crash while the file
     * was being created costs a reopen this long, after which Chronicle sets the file aside.
     */
    private static final long LOCK_TIMEOUT_MILLIS = 1_000;
    /** Free space is checked at least once per this many bytes appended. */
    private static final long SPACE_CHECK_INTERVAL_BYTES = 1 << 20;
    /** Below this much free space, it is checked at every append. */
    private static final long LOW_SPACE_BYTES = 64L << 20;
    /**
     * Free space an append leaves untouched: what may be written between two checks, plus an
     * index block (256 KiB) the queue allocates from time to time.
     */
    static final long DEFAULT_SPACE_HEADROOM_BYTES = 2L << 20;
    private static final int IDLE_TAILERS_MAX = 8;
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(ChronicleLedger.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LedgerDirectory directory;
    private final boolean readOnly;
    private final Path queueDirectory;
    /** Null for a read-only ledger whose writer never created the queue. */
    private final SingleChronicleQueue queue;
    private final Optional<SealedHead> sealedHead;
    /** Read-only ledger only: reads stop at this many bytes of the queue file (it was truncated). */
    private final long readLimitBytes;
    /** Force after this many unforced entries; 0 never forces during appends. */
    private final long forceEveryEntries;
    /** Force at an append this long after the last force. */
    private final long forceEveryNanos;
    /** Negative turns the free-space check off (tests of the fault path). */
    private final long spaceHeadroomBytes;
    private final FileStore fileStore;
    private final Deque<ExcerptTailer> idleTailers = new ArrayDeque<>();

    private volatile long count;
    /** Set when storage closes: tailers handed back after that are closed, not kept. */
    private volatile boolean storageClosed;
    private ExcerptAppender appender;
    private FileChannel queueFile;
    private long unforcedEntries;
    // Group commit's time bound reads the monotonic clock. This is storage scheduling, outside the
    // deterministic core: it decides only when bytes are forced to the device, never what they are.
    private long lastForceNanos;
    private long bytesSinceSpaceCheck = SPACE_CHECK_INTERVAL_BYTES;
    private boolean spaceLow = true;
    private boolean changedSinceOpen;

    private ChronicleLedger(Builder builder, LedgerDirectory directory, SingleChronicleQueue queue, long readLimitBytes) {
        super(builder.maxPayloadBytes);
        this.directory = directory;
        this.readOnly = builder.readOnly;
        this.queueDirectory = directory.queueDirectory();
        this.queue = queue;
        this.readLimitBytes = readLimitBytes;
        this.spaceHeadroomBytes = builder.spaceHeadroomBytes;
        switch (builder.durability) {
            case Durability.ProcessCrash p -> {
                forceEveryEntries = 0;
                forceEveryNanos = Long.MAX_VALUE;
            }
            case Durability.GroupCommit g -> {
                forceEveryEntries = g.everyEntries();
                forceEveryNanos = g.everyMillis() >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : g.everyMillis() * 1_000_000;
            }
            case Durability.EveryAppend e -> {
                forceEveryEntries = 1;
                forceEveryNanos = Long.MAX_VALUE;
            }
        }
        this.sealedHead = directory.readSealedHead();
        FileStore store = null;
        if (!readOnly) {
            try {
                store = Files.getFileStore(queueDirectory);
            } catch (IOException e) {
                throw StorageFault.writing("find the file system of the queue", queueDirectory, e);
            }
        }
        this.fileStore = store;
        Count counted = countRecords();
        this.count = counted.records();
        this.lastForceNanos = System.nanoTime();
        loadHead();
        if (counted.distrust() != null) {
            markUnwritable(LedgerException.Category.CORRUPT, counted.distrust());
        }
    }

    /**
     * Opens the ledger in {@code directory} for writing with the defaults (payload limit 1 MiB,
     * {@link Durability.ProcessCrash}), creating it if the directory is absent or empty.
     *
     * @throws LedgerException if the directory cannot hold or does not hold a ledger, or another
     *     writer has it; see the class description for the categories
     */
    public static ChronicleLedger open(Path directory) {
        return builder(directory).open();
    }

    /** A builder for opening the ledger in {@code directory} with settings. */
    public static Builder builder(Path directory) {
        return new Builder(Objects.requireNonNull(directory, "directory"));
    }

    /** The ledger's directory, absolute. */
    public Path directory() {
        return directory.path();
    }

    /**
     * Forces everything acknowledged so far to the storage device, so that it survives a crash
     * of the machine. Does nothing for a read-only ledger. Blocks until the device confirms;
     * appends wait meanwhile.
     *
     * @throws LedgerException if the device reports an error; the ledger then refuses appends,
     *     since it can no longer tell what reached the device
     * @throws IllegalStateException if the ledger is closed
     */
    public void sync() {
        synchronized (this) {
            ensureOpen();
            if (readOnly) {
                return;
            }
            force();
        }
    }

    /** True if this ledger was opened read-only. */
    public boolean readOnly() {
        return readOnly;
    }

    // --- opening ----------------------------------------------------------------------------------

    private static ChronicleLedger open(Builder builder) {
        ChronicleRuntime.configure();
        LedgerDirectory directory = builder.readOnly
                ? LedgerDirectory.openReadOnly(builder.directory)
                : LedgerDirectory.openForWriting(builder.directory);
        SingleChronicleQueue queue = null;
        boolean opened = false;
        try {
            queue = buildQueue(directory, builder.readOnly);
            long readLimitBytes = checkQueueFiles(directory, queue, builder.readOnly);
            ChronicleLedger ledger = new ChronicleLedger(builder, directory, queue, readLimitBytes);
            opened = true;
            return ledger;
        } catch (LedgerException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            rethrowUnlessStorageFault(e);
            throw builder.readOnly
                    ? StorageFault.reading("open the queue", directory.queueDirectory(), e)
                    : openFault(directory, e);
        } finally {
            if (!opened) {
                closeQuietly(queue);
                directory.release();
            }
        }
    }

    private static LedgerException openFault(LedgerDirectory directory, Throwable e) {
        if (e instanceof UnrecoverableTimeoutException) {
            return new LedgerException(LedgerException.Category.LOCKED, "the queue in " + directory.queueDirectory()
                    + " is being written by a process that is not an OS2 ledger writer; stop it", e);
        }
        LedgerException.Category category = StorageFault.writeCategory(e);
        if (category == LedgerException.Category.IO && !StorageFault.memoryFault(e)) {
            // Chronicle throws assorted runtime exceptions for files it cannot make sense of.
            return StorageFault.reading("open the queue", directory.queueDirectory(), e);
        }
        return StorageFault.writing("open the queue", directory.queueDirectory(), e);
    }

    private static SingleChronicleQueue buildQueue(LedgerDirectory directory, boolean readOnly) {
        Path queueDirectory = directory.queueDirectory();
        if (readOnly && !Files.exists(queueDirectory.resolve("metadata.cq4t"))) {
            // The writer created the ledger but never got as far as the queue: an empty ledger.
            return null;
        }
        if (!readOnly) {
            boolean created = !Files.exists(queueDirectory);
            try {
                Files.createDirectories(queueDirectory);
                if (created) {
                    LedgerDirectory.forceDirectory(directory.path());
                }
            } catch (IOException e) {
                throw StorageFault.writing("create the queue directory", queueDirectory, e);
            }
        }
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(queueDirectory)
                .rollCycle(ROLL_CYCLE)
                .timeProvider(FIXED_CLOCK)
                .timeoutMS(LOCK_TIMEOUT_MILLIS)
                .readOnly(readOnly)
                .build();
        if (queue.rollCycle() != ROLL_CYCLE) {
            RollCycle found = queue.rollCycle();
            closeQuietly(queue);
            throw new LedgerException(LedgerException.Category.UNSUPPORTED_FORMAT, "the queue in " + queueDirectory
                    + " uses roll cycle " + found + "; an OS2 ledger of format version " + LedgerDirectory.FORMAT_VERSION
                    + " uses " + ROLL_CYCLE);
        }
        return queue;
    }

    /**
     * Checks that the queue holds at most its one cycle file and that the file has a size
     * Chronicle gives its files. Returns the byte limit for reads: unlimited, or for a read-only
     * ledger whose file was cut short, the file's size (reading a mapped page past the end of a
     * file faults).
     */
    private static long checkQueueFiles(LedgerDirectory directory, SingleChronicleQueue queue, boolean readOnly) {
        if (queue == null) {
            return Long.MAX_VALUE;
        }
        List<Path> cycleFiles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory.queueDirectory(), "*.cq4")) {
            files.forEach(cycleFiles::add);
        } catch (IOException e) {
            throw StorageFault.reading("list the queue files", directory.queueDirectory(), e);
        }
        if (cycleFiles.isEmpty()) {
            return Long.MAX_VALUE;
        }
        if (cycleFiles.size() > 1 || queue.firstCycle() != CYCLE) {
            throw new LedgerException(LedgerException.Category.CORRUPT, "the queue in " + directory.queueDirectory()
                    + " holds " + cycleFiles.size() + " cycle files (first cycle " + queue.firstCycle() + "); an OS2 ledger has exactly one, of cycle "
                    + CYCLE + ": the directory was altered");
        }
        Path file = cycleFiles.get(0);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw StorageFault.reading("measure the queue file", file, e);
        }
        long block = queue.blockSize();
        long overlap = queue.overlapSize();
        // Chronicle grows a queue file a block at a time and keeps an overlap beyond the last block.
        boolean chronicleSize = size >= block + overlap && (size - overlap) % block == 0;
        if (chronicleSize) {
            return Long.MAX_VALUE;
        }
        if (!readOnly) {
            throw new LedgerException(LedgerException.Category.CORRUPT, "the queue file " + file + " is " + size
                    + " bytes, not a size Chronicle writes: it was cut short or extended. Open the ledger read-only and "
                    + "run ledger-verify to find the first bad position");
        }
        return size;
    }

    /** A number of records, and why the queue's own bookkeeping cannot be trusted for appends (or null). */
    private record Count(long records, String distrust) {
    }

    /**
     * Counts the stored records. The queue's index answers in constant time; the answer is
     * confirmed by reading the last record and finding nothing after it. If that fails (damaged
     * files), the records are counted one by one, reading only what lies inside the file.
     */
    private Count countRecords() {
        if (queue == null) {
            return new Count(0, null);
        }
        if (readLimitBytes == Long.MAX_VALUE) {
            try {
                long last = queue.lastIndex();
                long records = last < 0 ? 0 : ROLL_CYCLE.toSequenceNumber(last) + 1;
                if ((last < 0 || ROLL_CYCLE.toCycle(last) == CYCLE) && confirmCount(records)) {
                    return new Count(records, null);
                }
            } catch (RuntimeException | Error e) {
                rethrowUnlessStorageFault(e);
            }
        }
        long records = countSequentially();
        return new Count(records, "the queue's index does not match its entries; "
                + "open the ledger read-only and run ledger-verify");
    }

    private boolean confirmCount(long records) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            if (records > 0) {
                if (!tailer.moveToIndex(ROLL_CYCLE.toIndex(CYCLE, records - 1))) {
                    return false;
                }
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent() || dc.index() != ROLL_CYCLE.toIndex(CYCLE, records - 1)) {
                        return false;
                    }
                }
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                return !dc.isPresent();
            }
        }
    }

    private long countSequentially() {
        try (QueueRecords records = new QueueRecords(newTailer(), false)) {
            long n = 0;
            try {
                while (records.skip()) {
                    n++;
                }
            } catch (LedgerException e) {
                // Counting stops at the first excerpt that cannot be read; verify names it.
            }
            return n;
        }
    }

    // --- the store --------------------------------------------------------------------------------

    @Override
    void storeRecord(long position, byte[] buffer, int offset, int length) {
        if (readOnly) {
            throw new LedgerException(LedgerException.Category.READ_ONLY, "the ledger at " + directory.path()
                    + " was opened read-only; open it without readOnly to append");
        }
        if (position >= MAX_ENTRIES) {
            throw new LedgerException(LedgerException.Category.IO, "the ledger at " + directory.path() + " holds "
                    + MAX_ENTRIES + " entries, the most one ledger directory can; continue in a new ledger");
        }
        if (position != count) {
            throw new IllegalStateException("store out of step: position " + position + " but " + count + " records");
        }
        ensureSpace(length);
        try {
            if (appender == null) {
                appender = queue.createAppender();
                appender.singleThreadedCheckDisabled(true);
            }
            DocumentContext dc = appender.writingDocument();
            boolean written = false;
            try {
                dc.wire().bytes().write(buffer, offset, length);
                written = true;
            } finally {
                if (!written) {
                    dc.rollbackOnClose();
                }
                dc.close();
            }
        } catch (RuntimeException | Error e) {
            rethrowUnlessStorageFault(e);
            discardAppender();
            if (!landed(position, buffer, offset, length)) {
                throw writeFault(e, length);
            }
            // The excerpt was completed before the failure (it hit Chronicle's index upkeep):
            // the record is stored, so the append stands.
        }
        // A release store, not a volatile one: readers that see the new count see the record
        // written before it, and nothing here needs the full fence a volatile store costs.
        COUNT.setRelease(this, position + 1);
        changedSinceOpen = true;
    }

    @Override
    void commitStored() {
        if (forceEveryEntries == 0) {
            return;
        }
        unforcedEntries++;
        if (unforcedEntries >= forceEveryEntries || System.nanoTime() - lastForceNanos >= forceEveryNanos) {
            force();
        }
    }

    @Override
    byte[] loadRecord(long index) {
        if (queue == null || index < 0 || index >= count) {
            return null;
        }
        return readAt(index);
    }

    /** The excerpt at {@code index} of the cycle, or null if there is none. */
    private byte[] readAt(long index) {
        ExcerptTailer tailer = null;
        boolean reusable = false;
        try {
            tailer = borrowTailer();
            if (!tailer.moveToIndex(ROLL_CYCLE.toIndex(CYCLE, index))) {
                if (index >= count) {
                    reusable = true;
                    return null;
                }
                throw new LedgerException(LedgerException.Category.CORRUPT, "the queue in " + queueDirectory
                        + " has no excerpt for position " + index + " although it counts " + count + "; run ledger-verify");
            }
            byte[] record;
            try (DocumentContext dc = tailer.readingDocument()) {
                record = dc.isPresent() ? copyRecord(dc, readLimitBytes) : null;
            }
            reusable = true;
            return record;
        } catch (RuntimeException | Error e) {
            rethrowUnlessStorageFault(e);
            throw readFault(e);
        } finally {
            if (reusable) {
                returnTailer(tailer);
            } else {
                closeQuietly(tailer);
            }
        }
    }

    @Override
    long storedRecordCount() {
        return count;
    }

    @Override
    CloseableIterator<byte[]> records(long index) {
        if (queue == null || index >= count) {
            return new CloseableIterator<>() {
                @Override
                public boolean hasNext() {
                    return false;
                }

                @Override
                public byte[] next() {
                    throw new NoSuchElementException();
                }
            };
        }
        ExcerptTailer tailer = null;
        boolean found = false;
        try {
            tailer = newTailer();
            found = index == 0 || tailer.moveToIndex(ROLL_CYCLE.toIndex(CYCLE, index));
        } catch (RuntimeException | Error e) {
            closeQuietly(tailer);
            rethrowUnlessStorageFault(e);
            throw readFault(e);
        }
        if (!found) {
            closeQuietly(tailer);
            throw new LedgerException(LedgerException.Category.CORRUPT, "the queue in " + queueDirectory
                    + " has no excerpt for position " + index + "; run ledger-verify");
        }
        return new QueueRecords(tailer, true);
    }

    @Override
    Optional<SealedHead> sealedHead() {
        return sealedHead;
    }

    @Override
    VerifyResult.Broken verifyAfterLast(long storedCount) {
        if (queue == null || storedCount != count) {
            return null;
        }
        Path file = cycleFile();
        if (file == null) {
            return null;
        }
        if (readLimitBytes != Long.MAX_VALUE) {
            return new VerifyResult.Broken(storedCount, VerifyResult.Problem.UNREADABLE_RECORD, "the queue file " + file
                    + " is " + readLimitBytes + " bytes, not a size Chronicle writes: it was cut short or extended", storedCount);
        }
        if (storedCount == 0) {
            return null;
        }
        // Chronicle stops reading at the first excerpt that is not a finished data excerpt, so
        // bytes after the last entry that do not form one are invisible to it: look at them.
        long end;
        try (ExcerptTailer tailer = newTailer()) {
            if (!tailer.moveToIndex(ROLL_CYCLE.toIndex(CYCLE, storedCount - 1))) {
                return null;
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                end = dc.wire().bytes().readLimit();
            }
        } catch (RuntimeException | Error e) {
            rethrowUnlessStorageFault(e);
            return null;
        }
        String problem = QueueTail.inspect(file, end, readLimitBytes);
        if (problem == null) {
            return null;
        }
        return new VerifyResult.Broken(storedCount, VerifyResult.Problem.UNREADABLE_RECORD,
                "after the last entry the queue file holds bytes that are not an entry: " + problem, storedCount);
    }

    @Override
    synchronized void closeStorage() {
        LedgerException failure = null;
        try {
            if (!readOnly && queue != null) {
                try {
                    if (changedSinceOpen || unforcedEntries > 0) {
                        force();
                    }
                    sealHead();
                } catch (LedgerException e) {
                    failure = e;
                }
            }
        } finally {
            synchronized (idleTailers) {
                storageClosed = true;
                idleTailers.forEach(ChronicleLedger::closeQuietly);
                idleTailers.clear();
            }
            discardAppender();
            closeChannelQuietly(queueFile);
            closeQuietly(queue);
            directory.release();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void sealHead() {
        // A damaged head makes head() throw, and makes the ledger unwritable: look at that first.
        String reason = unwritableReason();
        Optional<EventEnvelope> head = reason != null ? Optional.empty() : head();
        if (reason != null || head.isEmpty()) {
            // A ledger that refused appends keeps its old seal: the evidence of what went wrong stays.
            return;
        }
        SealedHead now = new SealedHead(head.get().position(), head.get().hash());
        if (!sealedHead.equals(Optional.of(now))) {
            directory.writeSealedHead(now);
        }
    }

    // --- forcing and free space -------------------------------------------------------------------

    private void force() {
        if (queueFile == null) {
            if (count == 0) {
                return;
            }
            openQueueFile();
            if (queueFile == null) {
                return;
            }
        }
        try {
            queueFile.force(false);
        } catch (IOException e) {
            LedgerException fault = StorageFault.writing("force the queue file to the device", queueDirectory, e);
            markUnwritable(fault.category(), "forcing the queue file to the device failed: " + fault.getMessage());
            throw fault;
        }
        unforcedEntries = 0;
        lastForceNanos = System.nanoTime();
    }

    /**
     * Opens the queue file for forcing, the first time there is something to force, and makes the
     * directory entries of the queue's files durable: a forced file is of no use if its name is lost.
     */
    private void openQueueFile() {
        try {
            Path file = cycleFile();
            if (file == null) {
                return;
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try (FileChannel metadata = FileChannel.open(queueDirectory.resolve("metadata.cq4t"), StandardOpenOption.READ)) {
                metadata.force(true);
                LedgerDirectory.forceDirectory(queueDirectory);
            } catch (IOException e) {
                closeChannelQuietly(channel);
                throw e;
            }
            queueFile = channel;
        } catch (IOException e) {
            LedgerException fault = StorageFault.writing("open the queue file for forcing", queueDirectory, e);
            markUnwritable(fault.category(), "the queue file cannot be forced to the device: " + fault.getMessage());
            throw fault;
        }
    }

    private Path cycleFile() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(queueDirectory, "*.cq4")) {
            for (Path file : files) {
                return file;
            }
            return null;
        } catch (IOException e) {
            throw StorageFault.reading("list the queue files", queueDirectory, e);
        }
    }

    /**
     * Refuses an append that could run out of disk space while writing. Chronicle writes into
     * memory-mapped pages; a page the file system cannot back faults (SIGBUS) at the write, which
     * leaves a half-written excerpt behind. Checking the free space first turns the common case
     * into a clean DISK_FULL with nothing written; the fault is still handled for the rare case of
     * another process filling the disk between two checks.
     */
    private void ensureSpace(int recordBytes) {
        if (spaceHeadroomBytes < 0) {
            return;
        }
        long need = recordBytes + 64L;
        if (spaceLow || bytesSinceSpaceCheck + need > SPACE_CHECK_INTERVAL_BYTES) {
            long usable;
            try {
                usable = fileStore.getUsableSpace();
            } catch (IOException e) {
                throw StorageFault.writing("check the free disk space", queueDirectory, e);
            }
            bytesSinceSpaceCheck = 0;
            spaceLow = usable < LOW_SPACE_BYTES;
            if (usable < need + spaceHeadroomBytes) {
                throw new LedgerException(LedgerException.Category.DISK_FULL, "the disk holding " + directory.path()
                        + " has " + usable + " bytes free; an append needs " + (need + spaceHeadroomBytes)
                        + " (the entry and a reserve for the queue's index). Free some space and retry; nothing was written");
            }
        }
        bytesSinceSpaceCheck += need;
    }

    // --- faults -----------------------------------------------------------------------------------

    /**
     * Lets a storage fault through to be categorised and rethrows any other error. Storage faults
     * are the exceptions Chronicle throws, the JVM's error for a faulting memory-mapped page, and
     * Chronicle's own assertions, which fire (when assertions are enabled) on files that are not
     * what it wrote.
     */
    private static void rethrowUnlessStorageFault(Throwable e) {
        if (e instanceof Error error && !StorageFault.memoryFault(error) && !StorageFault.chronicleAssertion(error)) {
            throw error;
        }
    }

    private LedgerException writeFault(Throwable e, int recordBytes) {
        if (e instanceof LedgerException le) {
            return le;
        }
        if (e instanceof ClosedIllegalStateException) {
            throw new IllegalStateException("the ledger is closed", e);
        }
        if (e instanceof UnrecoverableTimeoutException) {
            return new LedgerException(LedgerException.Category.LOCKED, "Chronicle's write lock on " + queueDirectory
                    + " is held by another live process; stop the process that writes this queue outside OS2", e);
        }
        if (StorageFault.memoryFault(e)) {
            long usable = -1;
            try {
                usable = fileStore.getUsableSpace();
            } catch (IOException ignored) {
                // Then the fault cannot be put down to a full disk.
            }
            if (usable >= 0 && usable < recordBytes + DEFAULT_SPACE_HEADROOM_BYTES) {
                return new LedgerException(LedgerException.Category.DISK_FULL, "the disk holding " + directory.path()
                        + " filled up while the entry was written (" + usable + " bytes free); "
                        + "free some space and retry; the entry was not stored", e);
            }
            return new LedgerException(LedgerException.Category.IO, "the queue file in " + queueDirectory
                    + " could not be written through its memory mapping; the entry was not stored", e);
        }
        return StorageFault.writing("append to the queue", queueDirectory, e);
    }

    private LedgerException readFault(Throwable e) {
        if (e instanceof LedgerException le) {
            return le;
        }
        if (e instanceof ClosedIllegalStateException && isClosed()) {
            throw new IllegalStateException("the ledger is closed", e);
        }
        return StorageFault.reading("read the queue", queueDirectory, e);
    }

    /** Whether {@code buffer[offset, offset + length)} is stored at {@code position} after all (a failure after the commit). */
    private boolean landed(long position, byte[] buffer, int offset, int length) {
        try {
            byte[] stored = readAt(position);
            return stored != null && Arrays.equals(stored, 0, stored.length, buffer, offset, offset + length);
        } catch (RuntimeException | Error e) {
            rethrowUnlessStorageFault(e);
            markUnwritable(LedgerException.Category.CORRUPT, "after a failed append the queue cannot be read back: " + e);
            return false;
        }
    }

    private void discardAppender() {
        if (appender != null) {
            closeQuietly(appender);
            appender = null;
        }
    }

    // --- reading ----------------------------------------------------------------------------------

    private ExcerptTailer newTailer() {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        return tailer;
    }

    private ExcerptTailer borrowTailer() {
        synchronized (idleTailers) {
            ExcerptTailer tailer = idleTailers.pollFirst();
            if (tailer != null) {
                return tailer;
            }
        }
        try {
            return newTailer();
        } catch (ClosedIllegalStateException e) {
            throw new IllegalStateException("the ledger is closed", e);
        }
    }

    private void returnTailer(ExcerptTailer tailer) {
        synchronized (idleTailers) {
            if (idleTailers.size() < IDLE_TAILERS_MAX && !storageClosed) {
                idleTailers.addFirst(tailer);
                return;
            }
        }
        closeQuietly(tailer);
    }

    /**
     * Copies the excerpt's bytes. For a file cut short, only the bytes inside it are read (the
     * page after the end of a file faults when touched); the record then comes out short and
     * fails to decode, which names it as the first bad entry.
     */
    private static byte[] copyRecord(DocumentContext dc, long readLimitBytes) {
        Bytes<?> bytes = dc.wire().bytes();
        long start = bytes.readPosition();
        long end = bytes.readLimit();
        long length = end - start;
        if (length < 0 || length > MAX_RECORD_BYTES) {
            throw new LedgerException(LedgerException.Category.CORRUPT, "an excerpt at queue offset " + start
                    + " claims " + length + " bytes, more than any entry has; run ledger-verify");
        }
        long inside = Math.max(0, Math.min(end, readLimitBytes) - start);
        byte[] record = new byte[(int) inside];
        bytes.read(record);
        return record;
    }

    /** Sequential reading with one tailer, for streams and verification. */
    private final class QueueRecords implements CloseableIterator<byte[]> {
        private final ExcerptTailer tailer;
        private final boolean copy;
        private byte[] pending;
        private boolean ended;
        /** Where the next excerpt header is, once known: reads past {@link #readLimitBytes} would fault. */
        private long nextHeader = -1;

        QueueRecords(ExcerptTailer tailer, boolean copy) {
            this.tailer = tailer;
            this.copy = copy;
        }

        @Override
        public boolean hasNext() {
            if (pending == null && !ended) {
                pending = read();
            }
            return pending != null;
        }

        @Override
        public byte[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            byte[] record = pending;
            pending = null;
            return record;
        }

        /** Steps over one record without copying it; false at the end. */
        boolean skip() {
            return read() != null;
        }

        private byte[] read() {
            if (nextHeader >= 0 && nextHeader + 4 > readLimitBytes) {
                ended = true;
                return null;
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    ended = true;
                    return null;
                }
                long end = dc.wire().bytes().readLimit();
                nextHeader = (end + 3) & ~3L;
                return copy ? copyRecord(dc, readLimitBytes) : EMPTY;
            } catch (RuntimeException | Error e) {
                ended = true;
                rethrowUnlessStorageFault(e);
                throw readFault(e);
            }
        }

        @Override
        public void close() {
            closeQuietly(tailer);
        }
    }

    private static final byte[] EMPTY = new byte[0];

    private static void closeChannelQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // The data was forced before; an error closing the descriptor changes nothing.
            }
        }
    }

    private static void closeQuietly(net.openhft.chronicle.core.io.Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (RuntimeException e) {
                // Closing releases memory mappings; a failure there leaves nothing to repair.
            }
        }
    }

    /**
     * Settings for opening a {@link ChronicleLedger}. Not thread-safe; each call to
     * {@link #open()} opens a ledger with the settings at that moment.
     */
    public static final class Builder {
        private final Path directory;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private Durability durability = new Durability.ProcessCrash();
        private boolean readOnly;
        private long spaceHeadroomBytes = DEFAULT_SPACE_HEADROOM_BYTES;

        private Builder(Path directory) {
            this.directory = directory;
        }

        /**
         * The largest canonical payload an append accepts, in bytes; larger ones are refused
         * with {@link InvalidPayloadException.Reason#TOO_LARGE}. Default 1 MiB.
         *
         * @throws IllegalArgumentException if not between 1 and {@link #MAX_PAYLOAD_BYTES_LIMIT}
         */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            if (maxPayloadBytes < 1 || maxPayloadBytes > MAX_PAYLOAD_BYTES_LIMIT) {
                throw new IllegalArgumentException("maxPayloadBytes must be between 1 and " + MAX_PAYLOAD_BYTES_LIMIT
                        + ", got " + maxPayloadBytes);
            }
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /** When appends are forced to the device; default {@link Durability.ProcessCrash}. */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * Open without the writer's lock, never writing (default false): for verifying and
         * inspecting a ledger, also while its writer runs. Appends throw
         * {@link LedgerException.Category#READ_ONLY}. The directory must hold a ledger.
         */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /** Free space appends leave untouched; negative turns the check off. For tests of the fault path. */
        Builder spaceHeadroomBytes(long spaceHeadroomBytes) {
            this.spaceHeadroomBytes = spaceHeadroomBytes;
            return this;
        }

        /**
         * Opens the ledger.
         *
         * @throws LedgerException if it cannot; see {@link ChronicleLedger} for the categories
         */
        public ChronicleLedger open() {
            return ChronicleLedger.open(this);
        }
    }
}
