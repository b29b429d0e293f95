package dev.os2.bench.kernel;

import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.EventListener;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.Subscription;
import dev.os2.ledger.VerifyResult;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A {@link Ledger} that keeps nothing: for timing the kernel without the cost of recording.
 *
 * <p>{@link #append} gives each draft the next position and returns it as an envelope without
 * encoding, hashing or storing it; every envelope carries {@link Hash#GENESIS} as both its
 * {@code prev_hash} and its hash, so this is <em>not</em> a hash chain and breaks the
 * {@link Ledger} contract wherever the contract speaks of one. What an append still costs is
 * the envelope's construction (which re-checks the draft's fields) under an uncontended lock, as
 * in the real stores. Reads, streams, subscriptions and verification throw
 * {@link UnsupportedOperationException}: there is nothing to read. Thread-safe.
 */
public final class DiscardingLedger implements Ledger {

    /** The event id of every envelope whose draft names none (a real store would use {@code ev-<position>}). */
    private static final String EVENT_ID = "discarded";

    private long size;
    private EventEnvelope head;
    private boolean closed;

    @Override
    public synchronized EventEnvelope append(EventDraft draft) {
        Objects.requireNonNull(draft, "draft");
        if (closed) {
            throw new IllegalStateException("the ledger is closed");
        }
        head = new EventEnvelope(EventEnvelope.FORMAT, size, draft.eventId() == null ? EVENT_ID : draft.eventId(),
                draft.kind(), draft.capabilityId(), draft.virtualTime(), draft.payload(), Hash.GENESIS, Hash.GENESIS);
        size++;
        return head;
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized Optional<EventEnvelope> head() {
        return Optional.ofNullable(head);
    }

    @Override
    public synchronized Hash headHash() {
        return Hash.GENESIS;
    }

    @Override
    public EventEnvelope read(long position) {
        throw discarded();
    }

    @Override
    public Stream<EventEnvelope> entries(long fromPosition) {
        throw discarded();
    }

    @Override
    public Stream<EventEnvelope> entriesSince(Hash hash) {
        throw discarded();
    }

    @Override
    public Subscription subscribe(long fromPosition, EventListener listener) {
        throw discarded();
    }

    @Override
    public VerifyResult verify() {
        throw discarded();
    }

    @Override
    public VerifyResult verify(VerifyMode mode) {
        throw discarded();
    }

    @Override
    public VerifyResult verify(long fromPosition, long toPositionExclusive) {
        throw discarded();
    }

    @Override
    public VerifyResult verify(long fromPosition, long toPositionExclusive, VerifyMode mode) {
        throw discarded();
    }

    @Override
    public Optional<Hash> chainId() {
        throw discarded();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private static UnsupportedOperationException discarded() {
        return new UnsupportedOperationException("a discarding ledger keeps no entries");
    }
}
