package dev.os2.snapshot;

import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import java.util.Objects;

/** What a {@link SnapshotReplay} found. */
public sealed interface ReplayOutcome {

    /** A sentence for people. */
    String summary();

    /**
     * Every entry the replay produced is identical, byte for byte, to the recorded one.
     *
     * @param from the snapshot the replay started from, or null for genesis
     * @param firstPosition the first position replayed
     * @param throughPosition the last position replayed and found identical
     * @param head the hash of the entry at {@code throughPosition}
     * @param stateHash the state hash there (when that position falls inside a token's run, of the
     *     state at that point of the run)
     * @param strict whether deterministic handlers were called again
     */
    record Identical(SnapshotId from, long firstPosition, long throughPosition, Hash head, Hash stateHash, boolean strict)
            implements ReplayOutcome {

        /** Validates the components. */
        public Identical {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(stateHash, "stateHash");
        }

        /** Number of entries replayed. */
        public long entries() {
            return throughPosition - firstPosition + 1;
        }

        @Override
        public String summary() {
            return "identical through position " + throughPosition + ", head " + head.toHex() + " (" + entries() + " entries replayed from "
                    + (from == null ? "genesis" : "snapshot " + from) + (strict ? ", deterministic handlers re-executed" : "") + ")";
        }
    }

    /**
     * The first entry where replay and record differ.
     *
     * @param position its position
     * @param problem what differs, for people
     * @param recorded the recorded entry there, or null when the ledger ends there
     * @param replayed the entry the replay produced there, or null when it produced none
     */
    record Diverged(long position, String problem, EventEnvelope recorded, EventEnvelope replayed) implements ReplayOutcome {

        /** Validates the components. */
        public Diverged {
            Objects.requireNonNull(problem, "problem");
        }

        /** The recorded entry's hash, or null. */
        public Hash recordedHash() {
            return recorded == null ? null : recorded.hash();
        }

        /** The replayed entry's hash, or null. */
        public Hash replayedHash() {
            return replayed == null ? null : replayed.hash();
        }

        @Override
        public String summary() {
            return "diverged at position " + position + ": " + problem
                    + "; recorded " + (recorded == null ? "nothing" : recorded.kind() + " " + recorded.hash().toHex())
                    + ", replayed " + (replayed == null ? "nothing" : replayed.kind() + " " + replayed.hash().toHex());
        }
    }

    /**
     * Nothing was replayed: the snapshot does not belong to this ledger.
     *
     * @param verdict why
     */
    record Refused(SnapshotVerification.Invalid verdict) implements ReplayOutcome {

        /** Validates the component. */
        public Refused {
            Objects.requireNonNull(verdict, "verdict");
        }

        @Override
        public String summary() {
            return "not replayed: " + verdict.reason() + ": " + verdict.detail();
        }
    }
}
