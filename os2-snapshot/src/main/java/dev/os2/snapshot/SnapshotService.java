package dev.os2.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Subscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Takes, keeps and restores the snapshots of one running {@link Kernel}: the snapshot module's
 * entry point for a live kernel.
 *
 * <p><b>How a snapshot is taken.</b> The kernel records {@code create_snapshot} and then
 * {@code snapshot_created} (see {@link KernelInput.CreateSnapshot}). The service listens to the
 * kernel's ledger; when {@code snapshot_created} is recorded it takes {@link Kernel#state()} there,
 * on the kernel thread, which is O(1): the state is persistent and shares its structure with every
 * later state. It checks the state's hash against the one the entry records and keeps the
 * {@link SnapshotState} in memory. Writing bundles (linear in the state) is done outside the
 * kernel thread: by {@link #create} for everything taken so far, or by {@link #save}.
 *
 * <p><b>Policy.</b> With a {@link SnapshotPolicy}, the service also asks for snapshots itself, by
 * offering {@code CreateSnapshot} to the kernel: when a handler requests a checkpoint, and every
 * N entries. Those requests are recorded inputs like any other, so replays reproduce them.
 *
 * <p><b>Restore.</b> {@link #restore} rolls the kernel back to a snapshot after checking that the
 * snapshot belongs to the kernel's ledger; the ledger records the rollback.
 *
 * <p>Thread-safe. The listener runs on the kernel thread; the other methods on any thread, and
 * {@link #create} and {@link #restore} follow {@link Kernel#execute}'s rules (not from a handler).
 */
public final class SnapshotService implements AutoCloseable {

    private final Kernel kernel;
    private final SnapshotStore store;
    private final SnapshotPolicy policy;
    private final Hash chainId;
    private final Subscription subscription;

    // Guarded by this.
    private final TreeMap<Long, SnapshotState> taken = new TreeMap<>();
    private final ArrayDeque<SnapshotState> unsaved = new ArrayDeque<>();
    /** Positions of create_snapshot entries whose snapshot_created has not come yet, oldest first. */
    private final ArrayDeque<Long> requested = new ArrayDeque<>();
    /** Snapshots by the position of the create_snapshot entry that asked for them. */
    private final Map<Long, CompletableFuture<SnapshotState>> byRequest = new HashMap<>();
    private long entriesSinceSnapshot;
    private boolean periodicAsked;
    private RuntimeException failure;

    private SnapshotService(Kernel kernel, SnapshotStore store, SnapshotPolicy policy) {
        this.kernel = kernel;
        this.store = store;
        this.policy = policy;
        this.chainId = kernel.ledger().chainId().orElseThrow(() -> new IllegalStateException("the kernel's ledger is empty"));
        this.subscription = kernel.subscribe(kernel.ledger().size(), this::onEntry);
    }

    /**
     * Starts taking snapshots of {@code kernel} from its next ledger entry on.
     *
     * @param store where {@link #save} writes bundles, or null to keep snapshots in memory only
     * @param policy when the service asks for snapshots by itself
     * @throws NullPointerException if kernel or policy is null
     * @throws dev.os2.kernel.KernelClosedException if the kernel is closed
     */
    public static SnapshotService attach(Kernel kernel, SnapshotStore store, SnapshotPolicy policy) {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(policy, "policy");
        return new SnapshotService(kernel, store, policy);
    }

    /** The chain id of the kernel's ledger. */
    public Hash chainId() {
        return chainId;
    }

    /** The kernel. */
    public Kernel kernel() {
        return kernel;
    }

    // --- the listener, on the kernel thread ------------------------------------------------------------

    private void onEntry(EventEnvelope e) {
        try {
            switch (e.kind()) {
                case "create_snapshot" -> {
                    synchronized (this) {
                        requested.add(e.position());
                    }
                }
                case KernelEvents.SNAPSHOT_CREATED -> captured(e);
                case KernelEvents.CHECKPOINT_REQUESTED -> {
                    if (policy.onCheckpoint()) {
                        kernel.offer(new KernelInput.CreateSnapshot(e.payload().toJsonNode().get("label").asText()));
                    }
                }
                default -> {
                }
            }
            entriesSinceSnapshot++;
            if (policy.everyEntries() > 0 && entriesSinceSnapshot >= policy.everyEntries() && !periodicAsked) {
                // One request at a time; a full sequencer answers queue_full at once, and the next entry asks again.
                periodicAsked = kernel.offer(new KernelInput.CreateSnapshot("every " + policy.everyEntries() + " entries"))
                        .getNow(null) == null;
            }
        } catch (RuntimeException ex) {
            synchronized (this) {
                if (failure == null) {
                    failure = ex;
                }
            }
        }
    }

    private void captured(EventEnvelope e) {
        // On the kernel thread, Kernel.state() is the live state: everything recorded so far, and
        // snapshot_created itself changes nothing.
        KernelState state = kernel.state();
        JsonNode p = e.payload().toJsonNode();
        Hash recorded = Hash.parse(p.get("state_hash").asText());
        if (!state.stateHash().equals(recorded)) {
            throw new IllegalStateException("snapshot_created at position " + e.position() + " records state hash " + recorded.toHex()
                    + ", but the kernel's state there hashes to " + state.stateHash().toHex());
        }
        SnapshotId id = new SnapshotId(e.position());
        SnapshotHeader header = new SnapshotHeader(id, p.get("label").asText(), chainId, e.position(), e.hash(), recorded,
                state.clock(), KernelState.FORMAT, KernelEvents.FORMAT);
        SnapshotState snapshot = new SnapshotState(header, state);
        CompletableFuture<SnapshotState> done;
        synchronized (this) {
            taken.put(e.position(), snapshot);
            if (store != null) {
                unsaved.add(snapshot);
            }
            Long request = requested.poll();
            done = request == null ? null : byRequest.computeIfAbsent(request, k -> new CompletableFuture<>());
            entriesSinceSnapshot = 0;
            periodicAsked = false;
        }
        if (done != null) {
            done.complete(snapshot);
        }
    }

    // --- the caller's side -------------------------------------------------------------------------------

    /**
     * Takes a snapshot now: executes {@code CreateSnapshot(label)} and returns the snapshot, after
     * writing it (and any taken before) to the store. When a dedicated loop runs the kernel and
     * applies the request while a token runs, waits for that run to end.
     *
     * @throws dev.os2.kernel.InvalidInputException if the label is malformed
     * @throws SnapshotFileException if the store cannot be written (the snapshot is still taken and kept)
     * @throws IllegalStateException if the service failed to take the snapshot (see the cause)
     */
    public SnapshotState create(String label) {
        checkFailure();
        KernelResponse r = kernel.execute(new KernelInput.CreateSnapshot(label));
        CompletableFuture<SnapshotState> f;
        synchronized (this) {
            f = byRequest.computeIfAbsent(r.position(), k -> new CompletableFuture<>());
        }
        SnapshotState s;
        try {
            s = f.isDone() || r.disposition() != KernelResponse.Disposition.QUEUED ? f.getNow(null) : f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the snapshot", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the snapshot was not taken", e.getCause());
        }
        synchronized (this) {
            byRequest.remove(r.position());
        }
        if (s == null) {
            checkFailure();
            throw new IllegalStateException("the kernel recorded create_snapshot at position " + r.position()
                    + " but no snapshot_created reached the service");
        }
        save();
        return s;
    }

    /**
     * Writes the snapshots taken since the last save to the store, oldest first.
     *
     * @return how many bundles were written
     * @throws SnapshotFileException if one cannot be written (it and later ones stay unsaved)
     */
    public int save() {
        if (store == null) {
            return 0;
        }
        int written = 0;
        while (true) {
            SnapshotState next;
            synchronized (this) {
                next = unsaved.peek();
            }
            if (next == null) {
                return written;
            }
            store.put(next);
            synchronized (this) {
                unsaved.poll();
            }
            written++;
        }
    }

    /** The snapshots taken since the service was attached, by position. */
    public synchronized List<SnapshotState> taken() {
        return List.copyOf(new ArrayList<>(taken.values()));
    }

    /**
     * The snapshot {@code id}: one taken by this service, else the store's.
     *
     * @return the snapshot, or empty if neither has it
     * @throws SnapshotFileException if the store's bundle is damaged or unreadable
     */
    public Optional<SnapshotState> find(SnapshotId id) {
        synchronized (this) {
            SnapshotState s = taken.get(id.position());
            if (s != null) {
                return Optional.of(s);
            }
        }
        if (store != null && store.contains(id)) {
            return Optional.of(store.read(id));
        }
        return Optional.empty();
    }

    /** What {@link #restore} did. */
    public sealed interface RestoreResult {
        /**
         * The kernel continues from the snapshot's state; the ledger recorded the rollback.
         *
         * @param snapshot the snapshot restored
         * @param response the kernel's answer, with the position and hash of the {@code restore_snapshot} entry
         */
        record Restored(SnapshotId snapshot, KernelResponse response) implements RestoreResult {
        }

        /**
         * Nothing happened: the snapshot does not belong to the kernel's ledger.
         *
         * @param verdict why
         */
        record Refused(SnapshotVerification.Invalid verdict) implements RestoreResult {
        }
    }

    /**
     * Rolls the kernel back to {@code snapshot}: checks that it is the snapshot this kernel's
     * ledger recorded at its position ({@link SnapshotAuth#verifyInLedger}, which reads the chain
     * up to there), then executes {@link KernelInput.RestoreSnapshot}.
     *
     * @throws dev.os2.kernel.InvalidInputException if the kernel refuses (a token is running)
     */
    public RestoreResult restore(SnapshotState snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        SnapshotVerification v = SnapshotAuth.verifyInLedger(kernel.ledger(), snapshot);
        if (v instanceof SnapshotVerification.Invalid invalid) {
            return new RestoreResult.Refused(invalid);
        }
        KernelResponse r = kernel.execute(new KernelInput.RestoreSnapshot(snapshot.id().toString(), snapshot.position(), snapshot.state()));
        return new RestoreResult.Restored(snapshot.id(), r);
    }

    private void checkFailure() {
        RuntimeException f;
        synchronized (this) {
            f = failure;
        }
        if (f != null) {
            throw new IllegalStateException("the snapshot service failed: " + f.getMessage(), f);
        }
        if (!subscription.active() && !kernel.isClosed()) {
            throw new IllegalStateException("the snapshot service no longer listens to the kernel", subscription.failure().orElse(null));
        }
    }

    /** Stops listening. Snapshots taken stay available; unsaved ones are not written. */
    @Override
    public void close() {
        subscription.close();
    }
}
