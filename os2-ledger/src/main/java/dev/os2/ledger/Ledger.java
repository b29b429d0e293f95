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

    /** The last entry, or empty when the ledger is empty. */
    Optional<EventEnvelope> head();

    /** The hash of the last entry, or {@link Hash#GENESIS} when empty: the next entry's {@code prev_hash}. */
    Hash headHash();

    /**
     * The entry at {@code position}.
     *
     * @throws NoSuchElementException if {@code position} is negative or not below {@link #size()}
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT} if the stored entry is unreadable
     */
    EventEnvelope read(long position);

    /**
     * The entries from {@code fromPosition} up to the size at the time of the call, lazily, in
     * position order. Close the stream (try-with-resources) to release store resources.
     *
     * @throws NoSuchElementException if {@code fromPosition} is negative or beyond {@link #size()}
     */
    Stream<EventEnvelope> entries(long fromPosition);

    /**
     * The entries after the one whose hash is {@code hash} (the {@code --since HASH} of
     * {@code ledger-inspect}); empty when that entry is the head.
     *
     * @throws NoSuchElementException if no entry has that hash
     */
    Stream<EventEnvelope> entriesSince(Hash hash);

    /**
     * Delivers every entry from {@code fromPosition} on to {@code listener}: first those already
     * stored, synchronously, then each new one as it is appended (StreamEvents).
     *
     * @throws NoSuchElementException if {@code fromPosition} is negative or beyond {@link #size()}
     */
    Subscription subscribe(long fromPosition, EventListener listener);

    /**
     * Checks every stored entry from genesis: that it decodes, sits at its position, links to the
     * previous hash and matches its own hash; and that the chain reaches the head recorded when
     * the ledger was last closed cleanly. Stops at the first bad entry.
     */
    VerifyResult verify();

    /**
     * Checks the entries in {@code [fromPosition, toPositionExclusive)}, trusting the stored hash
     * of the entry before {@code fromPosition} as the start of the chain.
     *
     * @throws IllegalArgumentException if the range is empty-or-inverted beyond the stored entries
     */
    VerifyResult verify(long fromPosition, long toPositionExclusive);

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
