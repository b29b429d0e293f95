package dev.os2.ledger;

import java.util.Optional;

/** A live tail of a ledger; see {@link Ledger#subscribe(long, EventListener)}. */
public interface Subscription extends AutoCloseable {

    /** True until {@link #close()} is called, the ledger closes, or the listener throws. */
    boolean active();

    /** The exception the listener threw, if that is what ended the subscription. */
    Optional<Throwable> failure();

    /** Stops delivery. Idempotent. */
    @Override
    void close();
}
