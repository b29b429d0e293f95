package dev.os2.shell;

import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.Subscription;
import dev.os2.ledger.VerifyResult;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The shell's shared workspace ledger: every call, and every step of a stream it returns, runs
 * {@link InterruptShield#shielded shielded}, so that interrupting a job never interrupts ledger
 * I/O (which would close the ledger's file channel under every other job). Otherwise it is the
 * ledger it wraps. Thread-safe as that ledger is.
 */
final class ShieldedLedger implements Ledger {

    private final Ledger ledger;
    private final InterruptShield shield;

    ShieldedLedger(Ledger ledger, InterruptShield shield) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.shield = Objects.requireNonNull(shield, "shield");
    }

    @Override
    public EventEnvelope append(EventDraft draft) {
        return shield.shielded(() -> ledger.append(draft));
    }

    @Override
    public long size() {
        return ledger.size();
    }

    @Override
    public Optional<EventEnvelope> head() {
        return shield.shielded(ledger::head);
    }

    @Override
    public Hash headHash() {
        return shield.shielded(ledger::headHash);
    }

    @Override
    public EventEnvelope read(long position) {
        return shield.shielded(() -> ledger.read(position));
    }

    @Override
    public Stream<EventEnvelope> entries(long fromPosition) {
        return shieldedStream(shield.shielded(() -> ledger.entries(fromPosition)));
    }

    @Override
    public Stream<EventEnvelope> entriesSince(Hash hash) {
        return shieldedStream(shield.shielded(() -> ledger.entriesSince(hash)));
    }

    @Override
    public Subscription subscribe(long fromPosition, dev.os2.ledger.EventListener listener) {
        Subscription s = shield.shielded(() -> ledger.subscribe(fromPosition, listener));
        return new Subscription() {
            @Override
            public boolean active() {
                return s.active();
            }

            @Override
            public Optional<Throwable> failure() {
                return s.failure();
            }

            @Override
            public void close() {
                shield.shieldedRun(s::close);
            }
        };
    }

    @Override
    public VerifyResult verify() {
        return shield.shielded(ledger::verify);
    }

    @Override
    public VerifyResult verify(VerifyMode mode) {
        return shield.shielded(() -> ledger.verify(mode));
    }

    @Override
    public VerifyResult verify(long fromPosition, long toPositionExclusive) {
        return shield.shielded(() -> ledger.verify(fromPosition, toPositionExclusive));
    }

    @Override
    public VerifyResult verify(long fromPosition, long toPositionExclusive, VerifyMode mode) {
        return shield.shielded(() -> ledger.verify(fromPosition, toPositionExclusive, mode));
    }

    @Override
    public Optional<Hash> chainId() {
        return shield.shielded(ledger::chainId);
    }

    @Override
    public void close() {
        shield.shieldedRun(ledger::close);
    }

    @Override
    public String toString() {
        return ledger.toString();
    }

    private Stream<EventEnvelope> shieldedStream(Stream<EventEnvelope> entries) {
        Spliterator<EventEnvelope> inner = entries.spliterator();
        Spliterator<EventEnvelope> outer = new Spliterator<>() {
            @Override
            public boolean tryAdvance(Consumer<? super EventEnvelope> action) {
                // The action runs outside the shield: only the read of the next entry is I/O.
                EventEnvelope[] next = new EventEnvelope[1];
                boolean more = shield.shielded(() -> inner.tryAdvance(e -> next[0] = e));
                if (more) {
                    action.accept(next[0]);
                }
                return more;
            }

            @Override
            public Spliterator<EventEnvelope> trySplit() {
                return null;
            }

            @Override
            public long estimateSize() {
                return inner.estimateSize();
            }

            @Override
            public int characteristics() {
                return inner.characteristics() & (ORDERED | NONNULL | IMMUTABLE);
            }
        };
        return StreamSupport.stream(outer, false).onClose(() -> shield.shieldedRun(entries::close));
    }
}
