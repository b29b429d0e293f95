package dev.os2.snapshot;

/**
 * When a {@link SnapshotService} asks for snapshots by itself, besides the ones its caller creates.
 *
 * @param everyEntries ask for a snapshot once this many ledger entries have been recorded since the
 *     last snapshot, or 0 for never; 16 to 2^31 otherwise
 * @param onCheckpoint ask for a snapshot when a handler requests a checkpoint
 *     ({@code checkpoint_requested}), labelled with the handler's label
 */
public record SnapshotPolicy(long everyEntries, boolean onCheckpoint) {

    /** Only the snapshots the caller creates. */
    public static final SnapshotPolicy MANUAL = new SnapshotPolicy(0, false);

    /** The caller's snapshots and the ones handlers request. */
    public static final SnapshotPolicy CHECKPOINTS = new SnapshotPolicy(0, true);

    /**
     * Validates the period.
     *
     * @throws IllegalArgumentException if everyEntries is neither 0 nor between 16 and 2^31
     */
    public SnapshotPolicy {
        if (everyEntries != 0 && (everyEntries < 16 || everyEntries > 1L << 31)) {
            throw new IllegalArgumentException("a snapshot period is 0 (never) or 16 to 2^31 entries, got " + everyEntries);
        }
    }

    /** A policy that also asks for a snapshot every {@code entries} entries. */
    public SnapshotPolicy withEveryEntries(long entries) {
        return new SnapshotPolicy(entries, onCheckpoint);
    }
}
