package dev.os2.ledger;

import java.util.Iterator;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Reads stored entries one by one, in position order, off their stored bytes: for a reader that
 * looks at most entries only to compare them with entries it makes itself (a replay) and needs
 * the whole {@link EventEnvelope} of a few. Made by {@link Ledger#cursor(long)}.
 *
 * <p>Every entry the cursor moves to is checked as {@link Ledger#read(long)} checks it: it must
 * sit at its position and match its stored hash; a damaged entry throws the same
 * {@link LedgerException} (category {@link LedgerException.Category#CORRUPT}) that reading it
 * would. Decoding the entry into an envelope is left until {@link #envelope()} asks for it, and
 * {@link #sealOf} decides whether the entry is the seal of a draft by comparing canonical bytes,
 * which never needs it. An entry whose hash is right but whose bytes are not a canonical envelope
 * (one a ledger never writes) is refused as unreadable, as reading it would be, by whichever of
 * {@link #kind()}, {@link #envelope()} or {@link #sealOf} looks at it first.
 *
 * <p>Not thread-safe: one reader at a time. Close it (try-with-resources) to release what the
 * store holds for it.
 */
public interface EntryCursor extends AutoCloseable {

    /**
     * Moves to the next stored entry and checks it; false, staying put, when there is none
     * (entries appended after the cursor was made are not seen).
     *
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT} if the entry is
     *     unreadable, misplaced or does not match its stored hash
     */
    boolean next();

    /**
     * The position of the current entry.
     *
     * @throws IllegalStateException before the first {@link #next()}
     */
    long position();

    /**
     * The current entry's kind.
     *
     * @throws IllegalStateException before the first {@link #next()}
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT} if the entry is not a
     *     canonical envelope
     */
    String kind();

    /**
     * The current entry, decoded; the same envelope on every call.
     *
     * @throws IllegalStateException before the first {@link #next()}
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT} if the entry is not a
     *     canonical envelope
     */
    EventEnvelope envelope();

    /**
     * The current entry if it is the seal of {@code draft} at {@code position} after
     * {@code prevHash}, else null: what {@link EventEnvelope#isSealOf} says of the
     * {@link #envelope()}, decided on the stored bytes. The stored canonical bytes are compared,
     * byte for byte, with the canonical bytes of the entry that sealing the draft there would
     * make; canonical bytes are equal exactly when every field is, and the stored hash was
     * checked over the stored bytes, so equal bytes mean that sealing the draft gives this very
     * entry, hash included. The envelope returned is then made from the draft's fields and the
     * stored hash, without decoding.
     *
     * @throws IllegalStateException before the first {@link #next()}
     * @throws NullPointerException if prevHash or draft is null
     * @throws LedgerException with {@link LedgerException.Category#CORRUPT} if the bytes differ
     *     and the entry is not a canonical envelope
     */
    EventEnvelope sealOf(long position, Hash prevHash, EventDraft draft);

    /** Releases what the store holds for this cursor. Idempotent. */
    @Override
    void close();

    /**
     * A cursor over decoded entries: what {@link Ledger#cursor(long)} gives for a ledger that
     * keeps no stored bytes of its own to read (a wrapper around another ledger, for example).
     * Closing the cursor closes the stream.
     */
    static EntryCursor over(Stream<EventEnvelope> entries) {
        Objects.requireNonNull(entries, "entries");
        Iterator<EventEnvelope> it = entries.iterator();
        return new EntryCursor() {
            private EventEnvelope current;

            @Override
            public boolean next() {
                if (!it.hasNext()) {
                    return false;
                }
                current = it.next();
                return true;
            }

            @Override
            public long position() {
                return envelope().position();
            }

            @Override
            public String kind() {
                return envelope().kind();
            }

            @Override
            public EventEnvelope envelope() {
                if (current == null) {
                    throw new IllegalStateException("the cursor is before its first entry");
                }
                return current;
            }

            @Override
            public EventEnvelope sealOf(long position, Hash prevHash, EventDraft draft) {
                EventEnvelope e = envelope();
                return e.isSealOf(position, prevHash, draft) ? e : null;
            }

            @Override
            public void close() {
                entries.close();
            }
        };
    }
}
