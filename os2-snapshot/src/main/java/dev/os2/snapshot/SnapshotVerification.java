package dev.os2.snapshot;

import dev.os2.ledger.Hash;
import java.util.Objects;

/**
 * The verdict of {@link SnapshotAuth#verify}: the snapshot holds, or why it does not.
 */
public sealed interface SnapshotVerification {

    /** True when the snapshot holds. */
    default boolean valid() {
        return this instanceof Valid;
    }

    /** A sentence for people saying what was found. */
    String detail();

    /**
     * The bundle is intact, its state hashes to its header's state hash, the ledger's chain is
     * intact from genesis through the snapshot's position, whose entry is the snapshot's
     * {@code snapshot_created} entry with the header's head hash; and, when a token was checked,
     * its signature verifies with the key and it names exactly this snapshot.
     *
     * @param snapshot the snapshot's id
     * @param position its position
     * @param headHash the hash of its entry
     * @param stateHash its state hash
     * @param keyId the id of the key whose token was checked, or null when no token was
     */
    record Valid(SnapshotId snapshot, long position, Hash headHash, Hash stateHash, String keyId) implements SnapshotVerification {

        /** Validates the components. */
        public Valid {
            Objects.requireNonNull(snapshot, "snapshot");
            Objects.requireNonNull(headHash, "headHash");
            Objects.requireNonNull(stateHash, "stateHash");
        }

        @Override
        public String detail() {
            return "snapshot " + snapshot + " holds: its state hashes to " + stateHash.toHex() + ", and it is the snapshot recorded at position "
                    + position + " (entry hash " + headHash.toHex() + ") of an intact chain"
                    + (keyId == null ? "" : "; its token is signed by " + keyId);
        }
    }

    /**
     * The snapshot does not hold.
     *
     * @param reason why
     * @param detail a sentence for people, with what was expected and what was found
     */
    record Invalid(Reason reason, String detail) implements SnapshotVerification {

        /** Validates the components. */
        public Invalid {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Why a snapshot does not hold, in the order they are checked. */
    enum Reason {
        /** The bundle ends before its end frame: a write was cut short. */
        BUNDLE_TORN,
        /** The bundle's content does not match its end frame: damaged. */
        BUNDLE_CORRUPT,
        /** The bundle is not a snapshot bundle, or of a format this code does not read. */
        BUNDLE_MALFORMED,
        /** The state does not hash to the header's state hash (or disagrees with it): the state or header was altered. */
        STATE_HASH_MISMATCH,
        /** No token was given or stored for the snapshot. */
        TOKEN_MISSING,
        /** The token file is not a token (a missing or extra member, a truncated signature, another format). */
        TOKEN_MALFORMED,
        /** The token was signed by another key than the one given. */
        WRONG_KEY,
        /** The signature does not verify: the token or its signature was altered, or the signature is not canonical. */
        BAD_SIGNATURE,
        /** The token is for another snapshot, or another state, position or head. */
        TOKEN_MISMATCH,
        /** The snapshot belongs to another ledger (its chain id is not this ledger's). */
        OTHER_LEDGER,
        /** The ledger has no entry at the snapshot's position: it is shorter (truncated, or an older copy). */
        POSITION_BEYOND_LEDGER,
        /** The ledger is damaged at or before the snapshot's position. */
        CHAIN_BROKEN,
        /** The chain is intact but its entry at the position has another hash: history was rewritten, or forked. */
        HEAD_MISMATCH,
        /** The entry at the position is not a {@code snapshot_created} entry for this label, state hash and time. */
        NOT_THE_SNAPSHOT_ENTRY
    }
}
