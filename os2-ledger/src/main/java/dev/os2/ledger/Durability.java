package dev.os2.ledger;

/**
 * What an acknowledged append of a {@link ChronicleLedger} survives: when the ledger forces its
 * file to the storage device.
 *
 * <p>Every mode keeps an acknowledged entry through a crash of the process (kill -9, an
 * {@code OutOfMemoryError}, a JVM crash): when {@link Ledger#append(EventDraft)} returns, the
 * entry is in the memory-mapped queue file, that is in the operating system's page cache, which
 * outlives the process. The modes differ only in what survives a crash of the machine (power
 * loss, kernel panic), which needs the page cache forced to the device with {@code fsync}:
 *
 * <ul>
 *   <li>{@link ProcessCrash} (the default) never forces during appends; the operating system
 *       writes the pages back on its own schedule (on Linux typically within 30 seconds).</li>
 *   <li>{@link GroupCommit} forces every so many entries or milliseconds.</li>
 *   <li>{@link EveryAppend} forces before acknowledging each append.</li>
 * </ul>
 *
 * <p>In every mode {@link ChronicleLedger#sync()} forces on demand and {@link Ledger#close()}
 * forces before it records the sealed head. The library starts no threads, so no mode forces
 * while the ledger is idle.
 */
public sealed interface Durability {

    /**
     * The default: an acknowledged append survives a crash of the process, not of the machine.
     * Appends never wait for the device; {@link ChronicleLedger#sync()} and {@link Ledger#close()}
     * force everything acknowledged so far.
     */
    record ProcessCrash() implements Durability {
    }

    /**
     * Group commit: an append that brings the number of entries not yet forced to
     * {@code everyEntries}, or that comes {@code everyMillis} or more after the last force, forces
     * the file before it is acknowledged, together with every earlier entry. So an acknowledged
     * append survives a crash of the process; it survives a crash of the machine once a later
     * force has happened, which is at the latest the append that reaches either bound, a
     * {@link ChronicleLedger#sync()} or {@link Ledger#close()}. Because the library starts no
     * threads, the time bound is checked only at an append: entries of a ledger that then stays
     * idle are forced at the next append, {@code sync()} or {@code close()}.
     *
     * @param everyEntries force when this many entries are not yet forced; at least 1
     * @param everyMillis force at an append this many milliseconds or more after the last force;
     *     at least 1 (use {@link Long#MAX_VALUE} for no time bound)
     */
    record GroupCommit(int everyEntries, long everyMillis) implements Durability {

        /**
         * Validates the bounds.
         *
         * @throws IllegalArgumentException if either bound is below 1
         */
        public GroupCommit {
            if (everyEntries < 1) {
                throw new IllegalArgumentException("everyEntries must be at least 1, got " + everyEntries);
            }
            if (everyMillis < 1) {
                throw new IllegalArgumentException("everyMillis must be at least 1, got " + everyMillis);
            }
        }
    }

    /**
     * Every append forces the file before it is acknowledged, so an acknowledged append survives
     * a crash of the process and of the machine (as far as the device honours {@code fsync}).
     * The slowest mode: each append waits for the device.
     */
    record EveryAppend() implements Durability {
    }
}
