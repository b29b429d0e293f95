package dev.os2.ledger;

/**
 * The outcome of {@link Ledger#verify()} and its ranged and deep forms: the checked chain is
 * intact, or it is broken at a named position for a named reason. Values; equal results are equal.
 */
public sealed interface VerifyResult {

    /** Number of entries checked and found good. */
    long verifiedEntries();

    /** True when nothing was wrong. */
    default boolean intact() {
        return this instanceof Intact;
    }

    /**
     * Every checked entry sat at its position, linked to its predecessor and matched its hash
     * (and, in {@link Ledger.VerifyMode#DEEP} mode, decoded to a canonical envelope).
     *
     * @param fromPosition first position checked
     * @param verifiedEntries number of entries checked
     * @param head the hash the checked chain ends at, which the next entry's {@code prev_hash}
     *     must equal: the hash of the last entry checked; when no entry was checked, the hash the
     *     check started from &mdash; {@link Hash#GENESIS} from position 0, and for an empty range
     *     {@code [n, n)} the stored hash of the entry at {@code n - 1}
     */
    record Intact(long fromPosition, long verifiedEntries, Hash head) implements VerifyResult {
    }

    /**
     * The first bad entry.
     *
     * @param position the position (the index in stored order) of the first entry that is wrong
     * @param problem what is wrong with it
     * @param detail a sentence for people, with the expected and found values
     * @param verifiedEntries entries checked and found good before it
     */
    record Broken(long position, Problem problem, String detail, long verifiedEntries) implements VerifyResult {
    }

    /** What can be wrong with an entry. */
    enum Problem {
        /** The entry's content does not hash to its stored hash: it was changed. */
        HASH_MISMATCH,
        /** The entry's {@code prev_hash} is not the hash of the entry before it. */
        BROKEN_LINK,
        /** The entry's position is past the expected one: entries are missing. */
        GAP,
        /** The entry's position is before the expected one: an entry is repeated or out of order. */
        DUPLICATE,
        /** The record ends before the entry does. */
        TRUNCATED_ENTRY,
        /** The record cannot be decoded as an envelope (bad version, not canonical JSON, bad field). */
        UNREADABLE_RECORD,
        /** The chain ends before the head the ledger recorded when it was last closed. */
        TRUNCATED_LEDGER,
        /** The entry at the recorded head position does not have the recorded head hash. */
        HEAD_MISMATCH
    }
}
