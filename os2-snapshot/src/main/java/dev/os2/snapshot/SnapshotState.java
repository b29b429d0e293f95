package dev.os2.snapshot;

import dev.os2.kernel.KernelState;
import java.util.Objects;

/**
 * A snapshot: a kernel state with its {@link SnapshotHeader header}. The state is the kernel's own
 * immutable {@link KernelState}, which shares structure with the kernel's later states, so holding
 * a snapshot in memory costs only what has changed since it was taken.
 *
 * <p>Immutable and thread-safe.
 *
 * @param header what the snapshot is and which ledger moment it belongs to
 * @param state the kernel state
 */
public record SnapshotState(SnapshotHeader header, KernelState state) {

    /**
     * Checks that the header describes the state: its state hash and timestamp. Hashing costs time
     * proportional to what changed since a state sharing this one's structure was hashed, and is
     * linear for a state read from a file.
     *
     * @throws IllegalArgumentException if the state's hash or clock is not the header's
     * @throws NullPointerException if a component is null
     */
    public SnapshotState {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(state, "state");
        if (!state.stateHash().equals(header.stateHash())) {
            throw new IllegalArgumentException("the state hashes to " + state.stateHash().toHex() + ", but header "
                    + header.id() + " says " + header.stateHash().toHex());
        }
        if (state.clock() != header.timestampTicks()) {
            throw new IllegalArgumentException("the state's clock is " + state.clock() + ", but header " + header.id()
                    + " says " + header.timestampTicks());
        }
    }

    /** The snapshot's id. */
    public SnapshotId id() {
        return header.id();
    }

    /** The snapshot's label. */
    public String label() {
        return header.label();
    }

    /** The virtual time of the state, in ticks. */
    public long timestamp() {
        return header.timestampTicks();
    }

    /** The ledger position the state belongs to (that of its {@code snapshot_created} entry). */
    public long position() {
        return header.position();
    }
}
