package dev.os2.ledger;

/**
 * Receives entries from a {@link Ledger#subscribe(long, EventListener) subscription}, in position
 * order, each exactly once. Called on the thread that appended the entry (or, for the catch-up at
 * subscription time, on the subscribing thread) while the ledger's write lock is held, so it must
 * be quick and must not append to the same ledger. A RuntimeException it throws ends its
 * subscription and does not affect the append, which is already recorded; an Error ends it too
 * and is rethrown to the appender (see {@link Ledger#subscribe(long, EventListener)}).
 */
@FunctionalInterface
public interface EventListener {

    /** Called with each entry at or after the subscription's start position. */
    void onEvent(EventEnvelope envelope);
}
