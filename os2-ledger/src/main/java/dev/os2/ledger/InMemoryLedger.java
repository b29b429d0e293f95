package dev.os2.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A ledger held in memory, for tests and short-lived kernels. Same encoding, hashes, limits and
 * verification as {@link ChronicleLedger}; nothing survives the process. Thread-safe.
 */
public final class InMemoryLedger extends RecordLedger {

    private final List<byte[]> records;

    private InMemoryLedger(int maxPayloadBytes, List<byte[]> records) {
        super(maxPayloadBytes);
        this.records = records;
        loadHead();
    }

    /** An empty ledger with the default payload limit of 1 MiB. */
    public static InMemoryLedger create() {
        return new InMemoryLedger(DEFAULT_MAX_PAYLOAD_BYTES, new ArrayList<>());
    }

    /**
     * An empty ledger with a payload limit.
     *
     * @throws IllegalArgumentException if {@code maxPayloadBytes} is not positive
     */
    public static InMemoryLedger create(int maxPayloadBytes) {
        return new InMemoryLedger(maxPayloadBytes, new ArrayList<>());
    }

    /**
     * A ledger over raw stored records, as {@link #exportRecords()} returns them, without checking
     * them: {@link #verify()} says whether they are intact. For moving a ledger between stores and
     * for tamper tests.
     */
    public static InMemoryLedger ofRecords(List<byte[]> records) {
        Objects.requireNonNull(records, "records");
        List<byte[]> copy = new ArrayList<>(records.size());
        for (byte[] r : records) {
            copy.add(Objects.requireNonNull(r, "record").clone());
        }
        return new InMemoryLedger(DEFAULT_MAX_PAYLOAD_BYTES, copy);
    }

    /** Copies of the raw stored records in stored order (the format {@link EventEnvelope} and the store share). */
    public synchronized List<byte[]> exportRecords() {
        List<byte[]> copy = new ArrayList<>(records.size());
        for (byte[] r : records) {
            copy.add(r.clone());
        }
        return copy;
    }

    @Override
    synchronized void storeRecord(long position, byte[] buffer, int offset, int length) {
        records.add(Arrays.copyOfRange(buffer, offset, offset + length));
    }

    @Override
    synchronized byte[] loadRecord(long index) {
        return index < records.size() ? records.get((int) index) : null;
    }

    /**
     * The records from {@code index} on, as stored when called: the references are taken under
     * the lock at once, so that reading them one by one takes it no more (records never change).
     */
    @Override
    CloseableIterator<byte[]> records(long index) {
        byte[][] snapshot;
        synchronized (this) {
            int from = (int) Math.min(index, records.size());
            snapshot = records.subList(from, records.size()).toArray(new byte[0][]);
        }
        return new CloseableIterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < snapshot.length;
            }

            @Override
            public byte[] next() {
                if (next >= snapshot.length) {
                    throw new NoSuchElementException();
                }
                return snapshot[next++];
            }
        };
    }

    @Override
    synchronized long storedRecordCount() {
        return records.size();
    }

    @Override
    void closeStorage() {
        // Nothing to release: the records stay readable through exportRecords().
    }
}
