package dev.os2.ledger;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link Checkpoint#verify(Ledger, Checkpoint, PublicKey)}: the checkpoint holds for
 * this ledger, or it does not, for a named reason. Both carry a sentence for people in
 * {@link #detail()}.
 */
public sealed interface CheckpointVerification {

    /** True when the checkpoint holds. */
    default boolean valid() {
        return this instanceof Valid;
    }

    /** A sentence for people saying what was found. */
    String detail();

    /**
     * The signature is good, the ledger's entries from genesis through {@code position} form an
     * intact chain of the checkpoint's chain id, and the entry at {@code position} has the signed
     * head hash. Entries appended after the checkpoint do not matter.
     *
     * @param position the checkpoint's position
     * @param headHash the hash of the entry at that position
     * @param keyId the id of the key that signed it
     */
    record Valid(long position, Hash headHash, String keyId) implements CheckpointVerification {

        /** Validates the components. */
        public Valid {
            Objects.requireNonNull(headHash, "headHash");
            Objects.requireNonNull(keyId, "keyId");
        }

        @Override
        public String detail() {
            return "the checkpoint signed by " + keyId + " holds: the chain is intact through position " + position
                    + " and its head there is " + headHash.toHex();
        }
    }

    /**
     * The checkpoint does not hold for this ledger and key.
     *
     * @param reason why
     * @param detail a sentence for people, with the expected and found values
     * @param chainBreak for {@link Reason#CHAIN_BROKEN}, the ledger's own report of its first bad
     *     entry; empty for every other reason
     */
    record Invalid(Reason reason, String detail, Optional<VerifyResult.Broken> chainBreak) implements CheckpointVerification {

        /**
         * Validates the components.
         *
         * @throws IllegalArgumentException if {@code chainBreak} is present for a reason other than
         *     {@link Reason#CHAIN_BROKEN}, or absent for it
         */
        public Invalid {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(chainBreak, "chainBreak");
            if (chainBreak.isPresent() != (reason == Reason.CHAIN_BROKEN)) {
                throw new IllegalArgumentException("a chain break goes with CHAIN_BROKEN and only with it; reason " + reason
                        + ", chain break " + chainBreak);
            }
        }

        /** An invalid result for any reason but {@link Reason#CHAIN_BROKEN}. */
        static Invalid of(Reason reason, String detail) {
            return new Invalid(reason, detail, Optional.empty());
        }
    }

    /** Why a checkpoint does not hold. */
    enum Reason {
        /** The signature does not verify with the given key (altered checkpoint or signature, non-canonical S). */
        BAD_SIGNATURE,
        /** The checkpoint names a key id other than the given public key's. */
        WRONG_KEY,
        /** The ledger's first entry is not the checkpoint's chain id: it is another ledger. */
        OTHER_CHAIN,
        /** The ledger has no entry at the checkpoint's position: it is empty or was truncated. */
        POSITION_BEYOND_LEDGER,
        /**
         * The chain is intact, but its entry at the position has another hash: history was
         * rewritten and re-hashed after genesis, or the ledger forked.
         */
        HEAD_MISMATCH,
        /** {@link Ledger#verify(long, long)} found a bad entry at or before the checkpoint's position. */
        CHAIN_BROKEN,
        /** The checkpoint file is not a readable checkpoint of a supported format. */
        MALFORMED
    }
}
