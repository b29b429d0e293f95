package dev.os2.ledger;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The ledger logic every store shares: sealing, the chain head, size limits, reads, streams,
 * subscriptions and verification. A store supplies only the storage of opaque records (see
 * {@link RecordCodec}) in position order, so both stores behave identically by construction.
 */
abstract class RecordLedger implements Ledger {

    /** Default largest canonical payload, in bytes: 1 MiB. */
    static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    /** Largest record buffer kept between appends; a larger one (a big payload) is let go. */
    private static final int SEAL_BUFFER_KEPT_BYTES = 64 << 10;

    private final int maxPayloadBytes;
    private final List<Sub> subscriptions = new ArrayList<>();
    /** Where appends seal their record; reused under this ledger's lock. */
    private EventEnvelope.CanonicalBuffer sealBuffer = new EventEnvelope.CanonicalBuffer(512);
    private final MessageDigest sealDigest = Hash.newSha256();
    private long size;
    private EventEnvelope head;
    /** Why the head cannot be reported (the last stored record is damaged), or null. */
    private String damagedHead;
    private String unwritableReason;
    private LedgerException.Category unwritableCategory = LedgerException.Category.CORRUPT;
    private boolean closed;

    RecordLedger(int maxPayloadBytes) {
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, got " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    // --- what a store provides --------------------------------------------------------------------

    /**
     * Stores the record in {@code buffer[offset, offset + length)}; throws {@link LedgerException}
     * if it cannot, and then nothing is stored. The array is the ledger's reusable seal buffer:
     * the store copies what it keeps and must not hold on to the array after returning. Called
     * with this ledger's lock held.
     */
    abstract void storeRecord(long position, byte[] buffer, int offset, int length);

    /**
     * Makes the record just stored as durable as the store promises before the append is
     * acknowledged (a store that forces its file to the device does so here). Called with this
     * ledger's lock held, after the size and head include the record. A {@link LedgerException}
     * thrown here means the record is stored but not as durable as promised: the append fails
     * and the ledger refuses further appends.
     */
    void commitStored() {
    }

    /**
     * The raw record at stored index {@code index}, or null if there is none. A store that
     * cannot read its storage there throws {@link LedgerException} with
     * {@link LedgerException.Category#CORRUPT}; verification reports that as an unreadable entry.
     */
    abstract byte[] loadRecord(long index);

    /** Number of records stored, whether readable or not. */
    abstract long storedRecordCount();

    /**
     * Records from {@code index} on, in stored order. Stores override this for fast sequential
     * reads. Like {@link #loadRecord(long)}, the iterator throws {@link LedgerException} with
     * {@link LedgerException.Category#CORRUPT} for storage it cannot read.
     */
    CloseableIterator<byte[]> records(long index) {
        return new CloseableIterator<>() {
            long next = index;
            final long end = storedRecordCount();

            @Override
            public boolean hasNext() {
                return next < end;
            }

            @Override
            public byte[] next() {
                if (next >= end) {
                    throw new NoSuchElementException();
                }
                return loadRecord(next++);
            }
        };
    }

    /** The head recorded at the last clean close, if the store keeps one. */
    Optional<SealedHead> sealedHead() {
        return Optional.empty();
    }

    /**
     * Checks what the store holds after its last record, once every record verified: null when
     * nothing is there that should not be, the problem otherwise (as a {@code Broken} at
     * position {@code storedCount}). Called with this ledger's lock held.
     */
    VerifyResult.Broken verifyAfterLast(long storedCount) {
        return null;
    }

    /** Releases the store's resources. Called once, after the ledger is marked closed. */
    abstract void closeStorage();

    /** A position and hash a store recorded as its head. */
    record SealedHead(long position, Hash hash) {
    }

    /** An iterator over store resources. */
    interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
        @Override
        default void close() {
        }
    }

    // --- shared logic -----------------------------------------------------------------------------

    /**
     * Reads the head from the last stored record. Stores call this once after opening. A damaged
     * last record leaves the ledger readable and verifiable but refuses appends, because the chain
     * cannot be continued from a hash that cannot be trusted.
     */
    final void loadHead() {
        long count = storedRecordCount();
        size = count;
        head = null;
        damagedHead = null;
        unwritableReason = null;
        unwritableCategory = LedgerException.Category.CORRUPT;
        if (count > 0) {
            EventEnvelope last = trustedRecord(count - 1);
            if (last != null) {
                head = last;
            } else {
                unwritableReason = "the last stored entry (position " + (count - 1) + ") is damaged; "
                        + "run ledger-verify to find the first bad position";
                damagedHead = unwritableReason;
                return;
            }
        }
        Optional<SealedHead> sealed = sealedHead();
        if (sealed.isPresent()) {
            // A chain shorter than the head sealed at the last clean close lost entries; appending
            // would bury that evidence under new entries, so the ledger stays read-only until
            // someone has looked.
            SealedHead s = sealed.get();
            EventEnvelope atSealed = s.position() < count ? trustedRecord(s.position()) : null;
            if (atSealed == null || !atSealed.hash().equals(s.hash())) {
                unwritableReason = "the ledger was closed with its head at position " + s.position() + " ("
                        + s.hash().toShortHex() + ") but holds " + count + " entries that do not reach it; "
                        + "run ledger-verify";
            }
        }
    }

    /** The record at {@code index} if it decodes, sits at its position and matches its hash; null otherwise. */
    private EventEnvelope trustedRecord(long index) {
        byte[] record;
        try {
            record = loadRecord(index);
        } catch (LedgerException e) {
            if (e.category() != LedgerException.Category.CORRUPT) {
                throw e;
            }
            return null;
        }
        if (RecordCodec.decode(record) instanceof RecordCodec.Ok ok && ok.envelope().position() == index
                && RecordCodec.hashMatches(record, ok.envelope().prevHash())) {
            return ok.envelope();
        }
        return null;
    }

    /**
     * Refuses further appends with {@code reason}, for a store that found its storage can no
     * longer be trusted to keep what it acknowledges.
     */
    final synchronized void markUnwritable(LedgerException.Category category, String reason) {
        if (unwritableReason == null) {
            unwritableReason = reason;
            unwritableCategory = category;
        }
    }

    /** Why appends are refused, or null when they are not. */
    final synchronized String unwritableReason() {
        return unwritableReason;
    }

    final int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    @Override
    public final synchronized EventEnvelope append(EventDraft draft) {
        ensureOpen();
        Objects.requireNonNull(draft, "draft");
        if (draft.payload().utf8Length() > maxPayloadBytes) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.TOO_LARGE,
                    "payload is " + draft.payload().utf8Length() + " bytes; the limit is " + maxPayloadBytes + " bytes");
        }
        if (unwritableReason != null) {
            throw new LedgerException(unwritableCategory, "cannot append: " + unwritableReason);
        }
        // The draft was validated when it was made; sealing writes the record straight into the
        // reused buffer and hashes it where it lies.
        Hash prevHash = head == null ? Hash.GENESIS : head.hash();
        EventEnvelope envelope = RecordCodec.sealInto(sealBuffer, sealDigest, size, prevHash, draft);
        try {
            storeRecord(size, sealBuffer.bytes(), RecordCodec.SEALED_RECORD_OFFSET,
                    sealBuffer.length() - RecordCodec.SEALED_RECORD_OFFSET);
        } finally {
            if (sealBuffer.capacity() > SEAL_BUFFER_KEPT_BYTES) {
                sealBuffer = new EventEnvelope.CanonicalBuffer(512);
            }
        }
        size++;
        head = envelope;
        try {
            commitStored();
        } catch (LedgerException e) {
            // The entry is stored (readers see it) but not as durable as promised: deliver it so
            // subscribers stay in step with the store, then stop taking appends.
            markUnwritable(e.category(), "entry " + envelope.position() + " was stored but not made durable: " + e.getMessage());
            deliver(envelope);
            throw e;
        }
        deliver(envelope);
        return envelope;
    }

    @Override
    public final synchronized long size() {
        return size;
    }

    @Override
    public final synchronized Optional<EventEnvelope> head() {
        ensureHeadKnown();
        return Optional.ofNullable(head);
    }

    @Override
    public final synchronized Hash headHash() {
        ensureHeadKnown();
        return head == null ? Hash.GENESIS : head.hash();
    }

    /** A ledger whose last record is damaged has no head it can vouch for: say so rather than guess. */
    private void ensureHeadKnown() {
        if (damagedHead != null) {
            throw new LedgerException(LedgerException.Category.CORRUPT, "the ledger has no trustworthy head: " + damagedHead);
        }
    }

    @Override
    public final EventEnvelope read(long position) {
        long limit;
        synchronized (this) {
            ensureOpen();
            limit = size;
        }
        if (position < 0 || position >= limit) {
            throw new NoSuchElementException("no entry at position " + position + "; the ledger has " + limit + " entries");
        }
        return decodeAt(position, loadRecord(position));
    }

    private static EventEnvelope decodeAt(long position, byte[] record) {
        return decodeAt(position, record, true);
    }

    /**
     * The envelope in {@code record}, which must decode and sit at {@code position}; with
     * {@code checkHash}, it must also match its stored hash (the caller may have checked that).
     */
    private static EventEnvelope decodeAt(long position, byte[] record, boolean checkHash) {
        RecordCodec.Decoded decoded = RecordCodec.decode(record);
        if (decoded instanceof RecordCodec.Ok ok) {
            EventEnvelope e = ok.envelope();
            if (e.position() != position) {
                throw new LedgerException(LedgerException.Category.CORRUPT, "the entry stored at position " + position
                        + " says it is at position " + e.position() + "; run ledger-verify");
            }
            // The pair check: the hash was computed on append and is checked again on every read,
            // so a changed entry is never handed out as if it were the recorded one.
            if (checkHash && !RecordCodec.hashMatches(record, e.prevHash())) {
                throw new LedgerException(LedgerException.Category.CORRUPT, "the entry at position " + position
                        + " does not match its stored hash " + e.hash().toHex() + ": it was changed; run ledger-verify");
            }
            return e;
        }
        RecordCodec.Bad bad = (RecordCodec.Bad) decoded;
        throw new LedgerException(LedgerException.Category.CORRUPT,
                "the entry at position " + position + " is unreadable (" + bad.detail() + "); run ledger-verify");
    }

    @Override
    public final Stream<EventEnvelope> entries(long fromPosition) {
        long limit;
        synchronized (this) {
            ensureOpen();
            limit = size;
        }
        if (fromPosition < 0 || fromPosition > limit) {
            throw new NoSuchElementException("cannot read from position " + fromPosition + "; the ledger has " + limit + " entries");
        }
        CloseableIterator<byte[]> raw = records(fromPosition);
        Iterator<EventEnvelope> it = new Iterator<>() {
            long next = fromPosition;

            @Override
            public boolean hasNext() {
                return next < limit && raw.hasNext();
            }

            @Override
            public EventEnvelope next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long position = next++;
                return decodeAt(position, raw.next());
            }
        };
        return StreamSupport.stream(Spliterators.spliterator(it, limit - fromPosition,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false).onClose(raw::close);
    }

    @Override
    public final EntryCursor cursor(long fromPosition) {
        long limit;
        synchronized (this) {
            ensureOpen();
            limit = size;
        }
        if (fromPosition < 0 || fromPosition > limit) {
            throw new NoSuchElementException("cannot read from position " + fromPosition + "; the ledger has " + limit + " entries");
        }
        return new RecordCursor(records(fromPosition), fromPosition, limit);
    }

    /**
     * The cursor over stored records: each record's position and hash are checked on its bytes
     * as it is reached ({@link RecordCodec.ChainCheck#matchesUnlinked}); a record that fails is
     * handed to the full read, which names the fault exactly as {@link #read(long)} does. The
     * envelope is decoded only when asked, and {@link #sealOf} compares canonical bytes.
     */
    private static final class RecordCursor implements EntryCursor {
        private final CloseableIterator<byte[]> raw;
        private final long limit;
        private final RecordCodec.ChainCheck check = new RecordCodec.ChainCheck(Hash.GENESIS);
        /** Where {@link #sealOf} writes the canonical bytes it compares; reused. */
        private EventEnvelope.CanonicalBuffer buffer = new EventEnvelope.CanonicalBuffer(512);
        private long nextPosition;
        private long position = -1;
        private byte[] record;
        private String kind;
        private EventEnvelope envelope;

        RecordCursor(CloseableIterator<byte[]> raw, long fromPosition, long limit) {
            this.raw = raw;
            this.nextPosition = fromPosition;
            this.limit = limit;
        }

        @Override
        public boolean next() {
            if (nextPosition >= limit || !raw.hasNext()) {
                return false;
            }
            long p = nextPosition++;
            byte[] r = raw.next();
            position = p;
            record = r;
            kind = null;
            envelope = null;
            if (!check.matchesUnlinked(r, p)) {
                // Damaged (or stored in a form the check on bytes does not take): the full read decides.
                envelope = decodeAt(p, r, true);
            }
            return true;
        }

        private void requireCurrent() {
            if (record == null) {
                throw new IllegalStateException("the cursor is before its first entry");
            }
        }

        @Override
        public long position() {
            requireCurrent();
            return position;
        }

        @Override
        public String kind() {
            requireCurrent();
            if (kind == null) {
                String k = envelope != null ? envelope.kind() : RecordCodec.kindOf(record);
                kind = k != null ? k : envelope().kind();
            }
            return kind;
        }

        @Override
        public EventEnvelope envelope() {
            requireCurrent();
            if (envelope == null) {
                envelope = decodeAt(position, record, false); // the hash was checked on the bytes in next()
            }
            return envelope;
        }

        @Override
        public EventEnvelope sealOf(long atPosition, Hash prevHash, EventDraft draft) {
            Objects.requireNonNull(prevHash, "prevHash");
            Objects.requireNonNull(draft, "draft");
            requireCurrent();
            if (envelope != null) {
                return envelope.isSealOf(atPosition, prevHash, draft) ? envelope : null;
            }
            if (atPosition == position && atPosition >= 0 && atPosition <= EventDraft.MAX_SAFE_INTEGER) {
                EventEnvelope.CanonicalBuffer out = buffer;
                out.setLength(0);
                EventEnvelope.writeCanonical(out, atPosition, draft.eventId(), draft.kind(), draft.capabilityId(),
                        draft.virtualTime(), draft.payload(), prevHash, null);
                int n = out.length();
                byte[] r = record;
                if (n == r.length - RecordCodec.HEADER_BYTES
                        && Arrays.equals(out.bytes(), 0, n, r, RecordCodec.HEADER_BYTES, r.length)) {
                    String eventId = draft.eventId() != null ? draft.eventId() : out.generatedId();
                    envelope = new EventEnvelope(EventEnvelope.FORMAT, atPosition, eventId, draft.kind(), draft.capabilityId(),
                            draft.virtualTime(), draft.payload(), prevHash,
                            Hash.wrap(Arrays.copyOfRange(r, 1, RecordCodec.HEADER_BYTES)));
                    if (out.capacity() > SEAL_BUFFER_KEPT_BYTES) {
                        buffer = new EventEnvelope.CanonicalBuffer(512);
                    }
                    return envelope;
                }
                if (out.capacity() > SEAL_BUFFER_KEPT_BYTES) {
                    buffer = new EventEnvelope.CanonicalBuffer(512);
                }
            }
            // Not the seal: decoding refuses a record that is no canonical envelope, as reading it would.
            envelope();
            return null;
        }

        @Override
        public void close() {
            raw.close();
        }
    }

    @Override
    public final Stream<EventEnvelope> entriesSince(Hash hash) {
        Objects.requireNonNull(hash, "hash");
        if (hash.equals(Hash.GENESIS)) {
            // GENESIS is the prev_hash of entry 0: "since genesis" is the whole ledger.
            return entries(0);
        }
        // Compare the stored hashes without decoding; the entry found is then read, and so checked.
        byte[] wanted = hash.toBytes();
        long limit;
        synchronized (this) {
            ensureOpen();
            limit = size;
        }
        long found = -1;
        try (CloseableIterator<byte[]> raw = records(0)) {
            for (long index = 0; index < limit && raw.hasNext(); index++) {
                byte[] record = raw.next();
                if (record != null && record.length >= RecordCodec.HEADER_BYTES
                        && Arrays.equals(record, 1, RecordCodec.HEADER_BYTES, wanted, 0, Hash.LENGTH_BYTES)) {
                    found = index;
                    break;
                }
            }
        }
        if (found < 0) {
            throw new NoSuchElementException("no entry in this ledger has hash " + hash.toHex());
        }
        read(found); // the entry named must itself be intact
        return entries(found + 1);
    }

    @Override
    public final synchronized Subscription subscribe(long fromPosition, EventListener listener) {
        ensureOpen();
        Objects.requireNonNull(listener, "listener");
        if (fromPosition < 0 || fromPosition > size) {
            throw new NoSuchElementException("cannot subscribe from position " + fromPosition + "; the ledger has " + size + " entries");
        }
        Sub sub = new Sub(listener);
        try (Stream<EventEnvelope> backlog = entries(fromPosition)) {
            Iterator<EventEnvelope> it = backlog.iterator();
            while (it.hasNext() && sub.active()) {
                sub.deliver(it.next());
            }
        }
        if (sub.active()) {
            subscriptions.add(sub);
        }
        return sub;
    }

    /**
     * Hands {@code envelope} to every subscription. A listener that throws a RuntimeException
     * loses its subscription (see {@link Subscription#failure()}); one that throws an Error loses
     * it too, and the Error is rethrown once every other subscription has the entry, so that an
     * OutOfMemoryError or a failed assertion is never swallowed and no other subscriber misses
     * the entry.
     */
    private void deliver(EventEnvelope envelope) {
        if (subscriptions.isEmpty()) {
            return;
        }
        Error error = null;
        for (Sub sub : List.copyOf(subscriptions)) {
            try {
                sub.deliver(envelope);
            } catch (Error e) {
                if (error == null) {
                    error = e;
                } else if (error != e) {
                    error.addSuppressed(e);
                }
            }
        }
        subscriptions.removeIf(s -> !s.active());
        if (error != null) {
            throw error;
        }
    }

    @Override
    public final VerifyResult verify() {
        return verify(VerifyMode.CHAIN);
    }

    @Override
    public final VerifyResult verify(VerifyMode mode) {
        Objects.requireNonNull(mode, "mode");
        long stored;
        synchronized (this) {
            ensureOpen();
            stored = storedRecordCount();
        }
        VerifyResult result = verifyRecords(0, stored, mode);
        if (!(result instanceof VerifyResult.Intact intact)) {
            return result;
        }
        Optional<SealedHead> sealed = sealedHead();
        if (sealed.isPresent()) {
            SealedHead s = sealed.get();
            if (stored <= s.position()) {
                return new VerifyResult.Broken(stored, VerifyResult.Problem.TRUNCATED_LEDGER,
                        "the chain ends after " + stored + " entries, but the ledger was closed with its head at position "
                                + s.position() + " (" + s.hash().toShortHex() + ")", stored);
            }
            EventEnvelope sealedEntry = trustedRecord(s.position());
            if (sealedEntry == null) {
                return new VerifyResult.Broken(s.position(), VerifyResult.Problem.HEAD_MISMATCH,
                        "the entry at the position the ledger was closed with (" + s.position()
                                + ") cannot be read back by position", s.position());
            }
            Hash atSealed = sealedEntry.hash();
            if (!atSealed.equals(s.hash())) {
                return new VerifyResult.Broken(s.position(), VerifyResult.Problem.HEAD_MISMATCH,
                        "the entry at position " + s.position() + " has hash " + atSealed.toHex()
                                + " but the ledger was closed with head hash " + s.hash().toHex(), s.position());
            }
        }
        synchronized (this) {
            // Only meaningful while nothing was appended since the records were checked: after an
            // append, what follows the checked records is a real entry.
            if (storedRecordCount() == stored) {
                VerifyResult.Broken after = verifyAfterLast(stored);
                if (after != null) {
                    return after;
                }
            }
        }
        return intact;
    }

    @Override
    public final VerifyResult verify(long fromPosition, long toPositionExclusive) {
        return verify(fromPosition, toPositionExclusive, VerifyMode.CHAIN);
    }

    @Override
    public final VerifyResult verify(long fromPosition, long toPositionExclusive, VerifyMode mode) {
        Objects.requireNonNull(mode, "mode");
        long stored;
        synchronized (this) {
            ensureOpen();
            stored = storedRecordCount();
        }
        if (fromPosition < 0 || toPositionExclusive < fromPosition || fromPosition > stored) {
            throw new IllegalArgumentException("bad range [" + fromPosition + ", " + toPositionExclusive
                    + ") for a ledger of " + stored + " stored entries");
        }
        return verifyRecords(fromPosition, Math.min(toPositionExclusive, stored), mode);
    }

    private VerifyResult verifyRecords(long from, long to, VerifyMode mode) {
        Hash prev = Hash.GENESIS;
        if (from > 0) {
            byte[] beforeRecord;
            try {
                beforeRecord = loadRecord(from - 1);
            } catch (LedgerException e) {
                if (e.category() != LedgerException.Category.CORRUPT) {
                    throw e;
                }
                return new VerifyResult.Broken(from - 1, VerifyResult.Problem.UNREADABLE_RECORD,
                        "the entry before the range is unreadable: " + e.getMessage(), 0);
            }
            RecordCodec.Decoded before = RecordCodec.decode(beforeRecord);
            if (!(before instanceof RecordCodec.Ok ok)) {
                return new VerifyResult.Broken(from - 1, ((RecordCodec.Bad) before).problem(),
                        "the entry before the range is unreadable: " + ((RecordCodec.Bad) before).detail(), 0);
            }
            prev = ok.envelope().hash();
        }
        ChainChecker checker = new ChainChecker(from, prev, mode);
        try (CloseableIterator<byte[]> it = records(from)) {
            for (long index = from; index < to; index++) {
                byte[] record;
                try {
                    record = it.hasNext() ? it.next() : null;
                } catch (LedgerException e) {
                    if (e.category() != LedgerException.Category.CORRUPT) {
                        throw e;
                    }
                    // The store cannot read its storage here: the entry is as good as damaged.
                    return new VerifyResult.Broken(index, VerifyResult.Problem.UNREADABLE_RECORD,
                            "the store cannot read the entry: " + e.getMessage(), checker.good);
                }
                VerifyResult.Broken broken = checker.check(index, record);
                if (broken != null) {
                    return broken;
                }
            }
        }
        return new VerifyResult.Intact(from, to - from, checker.prev());
    }

    /**
     * Checks records one by one against the expected position and previous hash. In
     * {@link VerifyMode#CHAIN} mode a record is first given to the allocation-free
     * {@link RecordCodec.ChainCheck} on its stored bytes; a record that passes is good (that
     * class says why this is sound). A record that does not pass, and every record in
     * {@link VerifyMode#DEEP} mode, is decoded in full and checked field by field, which names
     * the problem. So both modes stop at the same first bad record of a ledger whose damage was
     * not re-sealed, with the same problem; only the deep mode refuses a record whose hash is
     * right but whose bytes are not a canonical envelope.
     */
    static final class ChainChecker {
        private final boolean deep;
        private final RecordCodec.ChainCheck chain;
        private long expected;
        private Hash prev;
        private long good;

        ChainChecker(long expected, Hash prev, VerifyMode mode) {
            this.expected = expected;
            this.prev = prev;
            this.deep = switch (mode) {
                case CHAIN -> false;
                case DEEP -> true;
            };
            this.chain = deep ? null : new RecordCodec.ChainCheck(prev);
        }

        /** The hash of the last good record, or the start. */
        Hash prev() {
            if (!deep && prev == null) {
                prev = chain.prev();
            }
            return prev;
        }

        /** Null when the record at {@code index} is good; the failure otherwise. */
        VerifyResult.Broken check(long index, byte[] record) {
            if (!deep && chain.accept(record, expected)) {
                prev = null; // now held by the chain check; made into a Hash only when asked
                expected++;
                good++;
                return null;
            }
            VerifyResult.Broken broken = checkDecoded(index, record);
            if (broken == null && !deep) {
                // The full check found nothing the fast one did: trust the full check, which
                // decides, and carry its hash over.
                chain.advance(prev);
            }
            return broken;
        }

        private VerifyResult.Broken checkDecoded(long index, byte[] record) {
            Hash previous = prev();
            RecordCodec.Decoded decoded = RecordCodec.decode(record);
            if (decoded instanceof RecordCodec.Bad bad) {
                return new VerifyResult.Broken(index, bad.problem(), bad.detail(), good);
            }
            EventEnvelope e = ((RecordCodec.Ok) decoded).envelope();
            if (e.position() > expected) {
                return new VerifyResult.Broken(index, VerifyResult.Problem.GAP,
                        "expected position " + expected + " but found " + e.position() + ": entries are missing", good);
            }
            if (e.position() < expected) {
                return new VerifyResult.Broken(index, VerifyResult.Problem.DUPLICATE,
                        "expected position " + expected + " but found " + e.position() + " again", good);
            }
            if (!e.prevHash().equals(previous)) {
                return new VerifyResult.Broken(index, VerifyResult.Problem.BROKEN_LINK,
                        "prev_hash is " + e.prevHash().toHex() + " but the previous entry's hash is " + previous.toHex(), good);
            }
            Hash actual = e.recomputeHash();
            if (!actual.equals(e.hash())) {
                return new VerifyResult.Broken(index, VerifyResult.Problem.HASH_MISMATCH,
                        "stored hash " + e.hash().toHex() + " but the content hashes to " + actual.toHex(), good);
            }
            prev = e.hash();
            expected++;
            good++;
            return null;
        }
    }

    @Override
    public final void close() {
        List<Sub> ended;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ended = List.copyOf(subscriptions);
            subscriptions.clear();
        }
        ended.forEach(Sub::close);
        closeStorage();
    }

    final synchronized boolean isClosed() {
        return closed;
    }

    final void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the ledger is closed");
        }
    }

    private static final class Sub implements Subscription {
        private final EventListener listener;
        private volatile boolean active = true;
        private volatile Throwable failure;

        Sub(EventListener listener) {
            this.listener = listener;
        }

        void deliver(EventEnvelope envelope) {
            if (!active) {
                return;
            }
            try {
                listener.onEvent(envelope);
            } catch (RuntimeException e) {
                failure = e;
                active = false;
            } catch (Error e) {
                // Ended like any failed subscription, but not swallowed: the caller rethrows it.
                failure = e;
                active = false;
                throw e;
            }
        }

        @Override
        public boolean active() {
            return active;
        }

        @Override
        public Optional<Throwable> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public void close() {
            active = false;
        }
    }
}
