package dev.os2.shell.bench;

import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.EntryCursor;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.EventListener;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerException;
import dev.os2.ledger.Subscription;
import dev.os2.ledger.VerifyResult;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Chronicle ledger that can be killed at a chosen position, for {@code scenario-run}'s fault
 * injection: when an append would write the entry at the kill position, the ledger closes its
 * files at once and the append fails with a {@link LedgerException} (category {@code IO}), as if
 * the process had died just before writing it. Nothing more is written; the kernel that was
 * appending stops with the fault, and the files are reopened and recovered from like after a
 * crash. Every other call goes to the Chronicle ledger unchanged.
 *
 * <p>In-process, the files are closed rather than abandoned (an abandoned writer would keep the
 * directory's lock in this process); what the kernel sees is the same as after a crash: the
 * ledger holds exactly the entries acknowledged before the kill.
 *
 * <p>Thread-safe as far as the Chronicle ledger is; the kill itself is meant for one writer.
 */
final class CrashingLedger implements Ledger {

    private final ChronicleLedger inner;
    private long killPosition = -1;
    private boolean killed;
    private long killedAt = -1;
    private Hash headAtKill;

    CrashingLedger(ChronicleLedger inner) {
        this.inner = inner;
    }

    /** The Chronicle ledger underneath. */
    ChronicleLedger chronicle() {
        return inner;
    }

    /** Arms the kill: the append of the entry at {@code position} fails and closes the files. */
    void killAt(long position) {
        killPosition = position;
    }

    /** The armed kill position, or -1. */
    long killPosition() {
        return killPosition;
    }

    /** Whether the ledger was killed. */
    boolean killed() {
        return killed;
    }

    /** The position the ledger was killed before (its size then), or -1. */
    long killedAt() {
        return killedAt;
    }

    /** The head hash when it was killed, or null. */
    Hash headAtKill() {
        return headAtKill;
    }

    @Override
    public synchronized EventEnvelope append(EventDraft draft) {
        if (!killed && killPosition >= 0 && inner.size() >= killPosition) {
            killed = true;
            killedAt = inner.size();
            headAtKill = inner.headHash();
            inner.close();
        }
        if (killed) {
            throw new LedgerException(LedgerException.Category.IO, "the ledger was killed before entry " + killedAt
                    + " (a fault injected by scenario-run)");
        }
        return inner.append(draft);
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public Optional<EventEnvelope> head() {
        return inner.head();
    }

    @Override
    public Hash headHash() {
        return inner.headHash();
    }

    @Override
    public EventEnvelope read(long position) {
        return inner.read(position);
    }

    @Override
    public Stream<EventEnvelope> entries(long fromPosition) {
        return inner.entries(fromPosition);
    }

    @Override
    public EntryCursor cursor(long fromPosition) {
        // Replays of the run read through here: the store's own cursor reads its stored bytes.
        return inner.cursor(fromPosition);
    }

    @Override
    public Stream<EventEnvelope> entriesSince(Hash hash) {
        return inner.entriesSince(hash);
    }

    @Override
    public Subscription subscribe(long fromPosition, EventListener listener) {
        return inner.subscribe(fromPosition, listener);
    }

    @Override
    public VerifyResult verify() {
        return inner.verify();
    }

    @Override
    public VerifyResult verify(VerifyMode mode) {
        return inner.verify(mode);
    }

    @Override
    public VerifyResult verify(long fromPosition, long toPositionExclusive) {
        return inner.verify(fromPosition, toPositionExclusive);
    }

    @Override
    public VerifyResult verify(long fromPosition, long toPositionExclusive, VerifyMode mode) {
        return inner.verify(fromPosition, toPositionExclusive, mode);
    }

    @Override
    public Optional<Hash> chainId() {
        return inner.chainId();
    }

    @Override
    public void close() {
        inner.close();
    }
}
