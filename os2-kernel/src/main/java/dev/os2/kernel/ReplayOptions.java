package dev.os2.kernel;

import dev.os2.ledger.Hash;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link Kernel#replay(KernelConfig, dev.os2.ledger.Ledger, KernelState, long, ReplayOptions)}
 * runs: how far, which handlers it calls again, whom it tells about its progress, and where it
 * finds the states that recorded rollbacks name. Immutable.
 *
 * @param untilPosition the last ledger position to replay (inclusive), or {@link #TO_END} for the
 *     whole ledger; a position beyond the ledger means the whole ledger
 * @param reexecute ids of capabilities whose handlers (the ones in the configuration) are called
 *     again instead of repeating their recorded actions and results: strict replay, for handlers
 *     that claim to be deterministic. Whatever they do must come out as recorded, entry by entry.
 * @param listener told at every step boundary, or null
 * @param resolver finds the state of a snapshot that a {@code restore_snapshot} entry names when the
 *     replay did not pass through that snapshot's {@code snapshot_created} entry itself, or null
 */
public record ReplayOptions(long untilPosition, Set<String> reexecute, Listener listener, SnapshotResolver resolver) {

    /** {@link #untilPosition()} for the whole ledger. */
    public static final long TO_END = -1;

    /** The whole ledger, no handler called, nobody told, no resolver. */
    public static final ReplayOptions DEFAULT = new ReplayOptions(TO_END, Set.of(), null, null);

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if untilPosition is below {@link #TO_END}
     * @throws NullPointerException if reexecute is null
     */
    public ReplayOptions {
        if (untilPosition < TO_END) {
            throw new IllegalArgumentException("untilPosition is a ledger position or TO_END (-1), got " + untilPosition);
        }
        // Used for membership only (Replay walks the configured capabilities in their order), so
        // the copy's JVM-dependent iteration order never reaches what replay does.
        reexecute = Set.copyOf(Objects.requireNonNull(reexecute, "reexecute"));
    }

    /** These options, replaying through {@code position} only. */
    public ReplayOptions withUntil(long position) {
        return new ReplayOptions(position, reexecute, listener, resolver);
    }

    /** These options, calling the handlers of {@code capabilityIds} again. */
    public ReplayOptions withReexecute(Set<String> capabilityIds) {
        return new ReplayOptions(untilPosition, capabilityIds, listener, resolver);
    }

    /** These options, telling {@code value} at every step boundary. */
    public ReplayOptions withListener(Listener value) {
        return new ReplayOptions(untilPosition, reexecute, value, resolver);
    }

    /** These options, resolving restored snapshots with {@code value}. */
    public ReplayOptions withResolver(SnapshotResolver value) {
        return new ReplayOptions(untilPosition, reexecute, listener, value);
    }

    /** Receives a replay's progress, on the replaying thread. */
    @FunctionalInterface
    public interface Listener {
        /**
         * The replay is between steps (no token runs) with every entry before {@code position}
         * replayed and identical to the recorded one. Called at the start, before each input
         * and each token run, and at the end. An exception thrown here ends the replay.
         *
         * @param position the number of entries replayed and checked so far (the next position)
         * @param state the state there
         */
        void reached(long position, KernelState state);
    }

    /** Finds the state of a snapshot a rollback names. */
    @FunctionalInterface
    public interface SnapshotResolver {
        /**
         * The state of the snapshot recorded at {@code position}, or null if unknown. The replay
         * checks its hash against {@code stateHash}.
         *
         * @param snapshotId the snapshot's id, {@code s<position>}
         * @param position the position of its {@code snapshot_created} entry
         * @param stateHash the state hash the rollback recorded
         * @return the state, or null
         */
        KernelState state(String snapshotId, long position, Hash stateHash);
    }
}
