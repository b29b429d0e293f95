package dev.os2.snapshot;

import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelClosedException;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.ReplayDivergenceException;
import dev.os2.kernel.ReplayOptions;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replays a ledger from a snapshot (or from genesis) in a scratch kernel and compares every entry
 * it produces with the recorded one: the auditor's proof that a run is reproducible.
 *
 * <p>The snapshot's state is restored into a new state machine of its own; the live kernel, if
 * any, is not touched, and the ledger is only read. The recorded inputs are applied where they
 * were recorded, and each handler is replaced by its recorded actions and result; in strict mode
 * the handlers marked {@link DeterministicHandler} are called again instead, and whatever they do
 * must come out as recorded. Rollbacks in the ledger ({@code restore_snapshot}) are replayed too:
 * the state they name is found among the snapshots the replay passes, then in a store.
 *
 * <p>The outcome is {@link ReplayOutcome.Identical} ("identical through position P, head H"),
 * {@link ReplayOutcome.Diverged} naming the first differing position with both entries, or
 * {@link ReplayOutcome.Refused} when the snapshot is not one of this ledger's. Runs on the calling
 * thread; thread-safe as far as the ledger is.
 */
public final class SnapshotReplay {

    private SnapshotReplay() {
    }

    /** Receives progress on the replaying thread. */
    @FunctionalInterface
    public interface Progress {
        /**
         * The replay has checked every entry before {@code position}.
         *
         * @param position entries checked so far (the next position)
         * @param end the position after the last one to replay
         */
        void progressed(long position, long end);
    }

    /**
     * What to replay.
     *
     * @param untilPosition the last position to replay (inclusive), or -1 for the whole ledger as
     *     it is when the replay starts
     * @param strict call the handlers marked {@link DeterministicHandler} again
     * @param progress told at every step boundary, or null
     * @param store where to find the states that rollbacks name when the replay did not pass them, or null
     */
    public record Request(long untilPosition, boolean strict, Progress progress, SnapshotStore store) {

        /** The whole ledger, not strict, no progress, no store. */
        public static final Request DEFAULT = new Request(-1, false, null, null);

        /**
         * Validates the position.
         *
         * @throws IllegalArgumentException if untilPosition is below -1
         */
        public Request {
            if (untilPosition < -1) {
                throw new IllegalArgumentException("untilPosition is a ledger position or -1 for the end, got " + untilPosition);
            }
        }

        /** This request, through {@code position}. */
        public Request until(long position) {
            return new Request(position, strict, progress, store);
        }

        /** This request, strict or not. */
        public Request withStrict(boolean value) {
            return new Request(untilPosition, value, progress, store);
        }

        /** This request, reporting to {@code value}. */
        public Request withProgress(Progress value) {
            return new Request(untilPosition, strict, value, store);
        }

        /** This request, resolving rollbacks from {@code value}. */
        public Request withStore(SnapshotStore value) {
            return new Request(untilPosition, strict, progress, value);
        }
    }

    /**
     * Replays {@code ledger} from {@code from} (after its position), or from genesis when
     * {@code from} is null, with the kernel configuration that recorded it.
     *
     * @param config the configuration of the kernel that wrote the ledger (seed, limits, capabilities
     *     with their handlers; the handlers are called only in strict mode)
     * @throws IllegalArgumentException if the until position is before the snapshot's position
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be read (a storage fault)
     */
    public static ReplayOutcome replay(KernelConfig config, Ledger ledger, SnapshotState from, Request request) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(request, "request");
        long size = ledger.size();
        long first = from == null ? 0 : from.position() + 1;
        if (from != null) {
            SnapshotVerification v = SnapshotAuth.verifyInLedger(ledger, from);
            if (v instanceof SnapshotVerification.Invalid invalid) {
                return new ReplayOutcome.Refused(invalid);
            }
        }
        if (size == 0) {
            throw new IllegalArgumentException("the ledger is empty: there is nothing to replay");
        }
        long through = request.untilPosition() == -1 ? size - 1 : Math.min(request.untilPosition(), size - 1);
        if (through < first - 1) {
            throw new IllegalArgumentException("cannot replay until position " + through + ": snapshot " + from.id()
                    + " is at position " + from.position() + ", so replay starts at " + first);
        }
        Set<String> reexecute = new TreeSet<>();
        if (request.strict()) {
            for (KernelInput.RegisterCapability r : config.capabilities()) {
                CapabilityHandler h = r.handler();
                if (h instanceof DeterministicHandler) {
                    reexecute.add(r.descriptor().id());
                }
            }
        }
        long end = through + 1;
        Progress progress = request.progress();
        SnapshotStore store = request.store();
        ReplayOptions options = new ReplayOptions(through, reexecute,
                progress == null ? null : (position, state) -> progress.progressed(position, end),
                store == null ? null : (id, position, stateHash) -> resolve(store, position, stateHash));
        KernelState state;
        try {
            state = Kernel.replay(config, ledger, from == null ? null : from.state(), first, options);
        } catch (ReplayDivergenceException e) {
            return diverged(e);
        } catch (KernelClosedException e) {
            if (e.getCause() instanceof ReplayDivergenceException d) {
                return diverged(d);
            }
            throw e;
        }
        Hash head = through < 0 ? Hash.GENESIS : ledger.read(through).hash();
        return new ReplayOutcome.Identical(from == null ? null : from.id(), first, through, head, state.stateHash(), request.strict());
    }

    private static KernelState resolve(SnapshotStore store, long position, Hash stateHash) {
        SnapshotId id = new SnapshotId(position);
        if (!store.contains(id)) {
            return null;
        }
        SnapshotState s = store.read(id);
        return s.header().stateHash().equals(stateHash) ? s.state() : null;
    }

    private static ReplayOutcome.Diverged diverged(ReplayDivergenceException e) {
        String message = e.getMessage();
        int nl = message.indexOf('\n');
        String problem = nl < 0 ? message : message.substring(0, nl);
        String prefix = "replay diverges at position " + e.position() + ": ";
        if (problem.startsWith(prefix)) {
            problem = problem.substring(prefix.length());
        }
        return new ReplayOutcome.Diverged(e.position(), problem, e.recorded(), e.replayed());
    }
}
