package dev.os2.ledger;

import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An append-only, hash-chained log of {@link EventEnvelope}s. Each entry's hash covers the
 * previous entry's hash, so changing, dropping, reordering or truncating history is detected by
 * {@link #verify()}.
 *
 * <p>Two stores implement it with identical semantics and identical hashes for identical appends:
 * {@link ChronicleLedger} (durable, on Chronicle Queue) and {@link InMemoryLedger}.
 *
 * <p><b>Threading.</b> Implementations are thread-safe. Appends are serialised by a lock; there is
 * one writer per ledger directory in the whole machine.
 */
public interface Ledger extends AutoCloseable {

    /**
     * Seals and stores an entry at position {@link #size()}.
     *
     * @return the stored envelope with its position and hash; once returned, the entry is
     *     acknowledged and survives what the store's durability contract says
     * @throws InvalidPayloadException if the payload is larger than the store's limit (nothing is written)
     * @throws LedgerException if the store cannot write: nothing is stored and the size and head
     *     are unchanged; or, rarely, the entry was stored but could not be made as durable as the
     *     store promises (a device error while forcing), which the message says, and the ledger
     *     then refuses further appends
     * @throws IllegalStateException if the ledger is closed
     */
    EventEnvelope append(EventDraft draft);

    /** Number of entries: the position the next append gets. */
    long size();

    /**
     * The last entry, or empty when the ledger is empty.
     *
     * <p>A ledger whose last stored entry is damaged (it does not decode, sits at the wrong
     * position or does not match its hash) has no head it can vouch for: it is still readable
     * and verifiable up to the damage, refuses appends, and this method throws rather than
     * report an older entry or none.
     *
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT} if the last stored
     *     entry is damaged; {@link #verify()} names the first bad position
     */
    Optional<EventEnvelope> head();

    /**
     * The hash of the last entry, or {@link Hash#GENESIS} when empty: the next entry's
     * {@code prev_hash}.
     *
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT} if the last stored
     *     entry is damaged, as for {@link #head()}; never GENESIS for a non-empty ledger
     */
    Hash headHash();

    /**
     * The entry at {@code position}, checked: it must decode, say it is at {@code position}, and
     * match its stored hash (the hash is computed on append and checked again here). Its link to
     * the entry before it is {@link #verify()}'s business.
     *
     * @throws NoSuchElementException if {@code position} is negative or not below {@link #size()}
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT}, naming the position,
     *     if the stored entry is unreadable, misplaced or does not match its hash
     */
    EventEnvelope read(long position);

    /**
     * The entries from {@code fromPosition} up to the size at the time of the call, lazily, in
     * position order, each checked as {@link #read(long)} checks it. Close the stream
     * (try-with-resources) to release store resources.
     *
     * @throws NoSuchElementException if {@code fromPosition} is negative or beyond {@link #size()}
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT}, from the stream,
     *     when it reaches a damaged entry
     */
    Stream<EventEnvelope> entries(long fromPosition);

    /**
     * A cursor over the entries from {@code fromPosition} up to the size at the time of the call,
     * in position order, each checked as {@link #read(long)} checks it, and decoded into an
     * envelope only when asked: for readers, such as a replay, that mostly compare stored entries
     * with entries of their own (see {@link EntryCursor}). The stores of this package read the
     * stored bytes; the default reads {@link #entries(long)}. Close it to release store resources.
     *
     * @throws NoSuchElementException if {@code fromPosition} is negative or beyond {@link #size()}
     */
    default EntryCursor cursor(long fromPosition) {
        return EntryCursor.over(entries(fromPosition));
    }

    /**
     * The entries after the one whose hash is {@code hash} (the {@code --since HASH} of
     * {@code ledger-inspect}); empty when that entry is the head. {@link Hash#GENESIS}, the
     * {@code prev_hash} of entry 0, means from the start: every entry.
     *
     * @throws NoSuchElementException if no entry has that hash
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT} if the entry with
     *     that hash is damaged, or (from the stream) when it reaches a damaged entry
     */
    Stream<EventEnvelope> entriesSince(Hash hash);

    /**
     * Delivers every entry from {@code fromPosition} on to {@code listener}: first those already
     * stored, synchronously, then each new one as it is appended (StreamEvents).
     *
     * <p>A RuntimeException thrown by the listener ends its subscription and is kept as its
     * {@link Subscription#failure()}; the append that delivered the entry is unaffected. An Error
     * (OutOfMemoryError, AssertionError) also ends the subscription but is not swallowed: it is
     * rethrown from the {@code append} (whose entry is then stored, and delivered to every other
     * subscription first) or from this method.
     *
     * @throws NoSuchElementException if {@code fromPosition} is negative or beyond {@link #size()}
     */
    Subscription subscribe(long fromPosition, EventListener listener);

    /**
     * How much {@link #verify(VerifyMode)} checks per entry. Both modes stop at the first bad
     * entry and name it; for damage that was not re-sealed (the entry's hash recomputed by whoever
     * changed it) they name the same position and the same problem.
     */
    enum VerifyMode {
        /**
         * The default: the chain checked on the stored bytes, without decoding them. Each entry
         * must sit at its position, carry the previous entry's hash as its {@code prev_hash}, and
         * hash to its stored hash; position and {@code prev_hash} are read from the fixed end of
         * the canonical bytes. About as fast as hashing the entries. An entry that fails is decoded to
         * name the problem.
         */
        CHAIN,
        /**
         * Everything {@link #CHAIN} checks, and that every entry decodes to a valid envelope in
         * exact canonical form. It also refuses an entry whose hash is right but whose bytes the
         * ledger would never write (forged, with its hash recomputed, or written by faulty
         * code). Several times slower, since it parses every entry. Use it to audit a ledger of
         * unknown origin.
         */
        DEEP
    }

    /**
     * {@link #verify(VerifyMode)} in {@link VerifyMode#CHAIN} mode: the chain from genesis, on the
     * stored bytes.
     */
    VerifyResult verify();

    /**
     * Checks every stored entry from genesis in order, as {@code mode} says, stopping at the first
     * bad one; then that the chain reaches the head the store recorded when the ledger was last
     * closed cleanly, and that nothing follows the last entry. Thread-safe; entries appended
     * while it runs are not checked.
     *
     * @return {@link VerifyResult.Intact} with the number of entries and the head hash, or
     *     {@link VerifyResult.Broken} naming the first bad position and the problem
     * @throws IllegalStateException if the ledger is closed
     * @throws LedgerException for a storage fault other than damaged data (damaged data is a
     *     {@code Broken} result)
     */
    VerifyResult verify(VerifyMode mode);

    /** {@link #verify(long, long, VerifyMode)} in {@link VerifyMode#CHAIN} mode. */
    VerifyResult verify(long fromPosition, long toPositionExclusive);

    /**
     * Checks the entries at positions {@code fromPosition} (inclusive) to
     * {@code toPositionExclusive} (exclusive) as {@code mode} says, stopping at the first bad
     * one. The chain starts from the stored hash of the entry at {@code fromPosition - 1}, which
     * is trusted, not checked (it must only decode), or from {@link Hash#GENESIS} when
     * {@code fromPosition} is 0. A {@code toPositionExclusive} beyond the stored entries is cut
     * to their number. The sealed head is not consulted.
     *
     * <p>An intact result's {@link VerifyResult.Intact#head() head} is the hash the checked chain
     * ends at: that of the entry at {@code toPositionExclusive - 1}, and for an empty range
     * ({@code fromPosition == toPositionExclusive}) the hash the range starts from.
     *
     * @throws IllegalArgumentException if {@code fromPosition} is negative or beyond the number
     *     of stored entries, or {@code toPositionExclusive} is below {@code fromPosition}
     * @throws IllegalStateException if the ledger is closed
     */
    VerifyResult verify(long fromPosition, long toPositionExclusive, VerifyMode mode);

    /**
     * The hash of the entry at position 0, which names this chain: two ledgers with the same
     * chain id began with the same first entry. Empty for an empty ledger.
     */
    default Optional<Hash> chainId() {
        return size() == 0 ? Optional.empty() : Optional.of(read(0).hash());
    }

    /** Closes the store and ends every subscription. Idempotent. Appends after this throw. */
    @Override
    void close();
}
