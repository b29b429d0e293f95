package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.InvalidInputException;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.ReplayDivergenceException;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerException;
import dev.os2.ledger.VerifyResult;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The one way a command gets a workspace's kernel: the kernel whose ledger is
 * {@code <workspace>/ledger} (a {@link ChronicleLedger}), with its state rebuilt from that ledger.
 *
 * <p>{@link #open} is for commands that change things: it creates the workspace and an empty
 * ledger if needed, checks the chain, and {@link Kernel#recover recovers} the kernel from the
 * ledger (replaying every entry, checking that each comes out the same) so that new inputs
 * continue the chain. {@link #openReadOnly} is for commands that only look: it opens the ledger
 * read-only and rebuilds the state by replay ({@link Kernel#replay}); nothing is written.
 *
 * <p><b>The workspace kernel's configuration</b> is the kernel's defaults (limits, no policy file)
 * with the seed recorded in the ledger's first entry, {@code kernel_started}; a new ledger gets
 * {@link #DEFAULT_SEED}. Capabilities live in the ledger (their {@code register_capability}
 * entries), but handlers are code: a command that runs tokens passes its capabilities with their
 * handlers to {@link #open(Workspace, List)}, which registers those the ledger does not know yet
 * and binds the handlers of those it does.
 *
 * <p><b>Errors</b> reach the user as one line ({@link Os2}): a ledger that was not written by a
 * kernel, or by one with other settings, or a capability registered with another descriptor, is
 * an {@link InputException} (exit 2); a broken chain, or one that verifies but does not replay, is
 * a {@link LedgerException} of category {@link LedgerException.Category#CORRUPT CORRUPT} (exit 1).
 * In every error case nothing was written and the ledger is closed again.
 *
 * <p>Not thread-safe: one command uses one instance from one thread, then closes it. The shell
 * keeps one open for its whole session and hands each command a view of it
 * ({@link ShellServices#withKernel}); the {@link Kernel} itself is thread-safe.
 */
public final class WorkspaceKernel implements AutoCloseable {

    /** The seed of the kernel of a new workspace. */
    public static final long DEFAULT_SEED = 0;

    private final Workspace workspace;
    private final Ledger ledger;
    private final Kernel kernel;
    private final KernelState readOnlyState;
    private final long sizeAtOpen;
    /** Null when this instance owns its kernel and ledger; else what closing a view does (may be a no-op). */
    private final Runnable viewClose;

    private WorkspaceKernel(Workspace workspace, Ledger ledger, Kernel kernel, KernelState readOnlyState, long sizeAtOpen,
            Runnable viewClose) {
        this.workspace = workspace;
        this.ledger = ledger;
        this.kernel = kernel;
        this.readOnlyState = readOnlyState;
        this.sizeAtOpen = sizeAtOpen;
        this.viewClose = viewClose;
    }

    /**
     * Opens the workspace's kernel for reading and writing, with no handlers bound: enough for
     * registry changes (grant, derive, revoke), ticks and snapshots, but a token of a capability
     * without a handler fails when it runs. Same as {@code open(workspace, List.of())}.
     *
     * @throws InputException if the workspace cannot be created, or its ledger is not a workspace kernel's
     * @throws LedgerException if the ledger cannot be opened (locked by another process, read-only,
     *     not a ledger), its chain is broken, or it does not replay ({@code CORRUPT})
     */
    public static WorkspaceKernel open(Workspace workspace) {
        return open(workspace, List.of());
    }

    /**
     * Opens the workspace's kernel for reading and writing: creates the workspace and an empty
     * ledger if needed, verifies the chain, and recovers the kernel from the ledger (a new ledger
     * gets a fresh kernel, whose {@code kernel_started} entry is written now). Each of
     * {@code capabilities} is registered (recorded) if the ledger does not know it yet, else its
     * handler is bound to the registered capability, whose descriptor must be equal. A token whose
     * handler was running when an earlier process stopped is recorded as failed. The caller closes
     * the result.
     *
     * @param workspace the workspace
     * @param capabilities capabilities with the handlers this command runs them with
     * @throws InputException if the workspace cannot be created, its ledger is not a workspace
     *     kernel's, or a capability is registered there with another descriptor
     * @throws LedgerException if the ledger cannot be opened (locked by another process, read-only,
     *     not a ledger), its chain is broken, or it does not replay ({@code CORRUPT})
     */
    public static WorkspaceKernel open(Workspace workspace, List<KernelInput.RegisterCapability> capabilities) {
        return open(workspace, capabilities, UnaryOperator.identity());
    }

    /**
     * {@link #open(Workspace, List)}, with the ledger wrapped by {@code wrap} before the kernel
     * sees it (the shell's shared kernel keeps interrupts away from ledger I/O this way).
     */
    static WorkspaceKernel open(Workspace workspace, List<KernelInput.RegisterCapability> capabilities,
            UnaryOperator<Ledger> wrap) {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(capabilities, "capabilities");
        Ledger ledger = wrap.apply(workspace.openLedger());
        try {
            long sizeAtOpen = ledger.size();
            long seed = checkChain(workspace, ledger, true);
            KernelConfig config = config(seed, capabilities);
            Kernel kernel;
            try {
                kernel = Kernel.recover(config, ledger);
            } catch (ReplayDivergenceException e) {
                throw divergence(workspace, ledger, e);
            } catch (InvalidInputException e) {
                throw new InputException("cannot open the kernel of " + workspace.directory() + ": " + e.getMessage(),
                        "The workspace was used with other capability definitions; pass --workspace with a new directory.");
            }
            return new WorkspaceKernel(workspace, ledger, kernel, null, sizeAtOpen, null);
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /**
     * Opens the workspace's existing ledger read-only and rebuilds the kernel's state by replaying
     * it; writes nothing. A ledger that ends while a token's handler ran (the process that wrote
     * it stopped) gives the state a recovery would: that token failed. The caller closes the result.
     *
     * @throws InputException if the workspace has no ledger, or its ledger is not a workspace kernel's
     * @throws LedgerException if the ledger cannot be opened (not a ledger, another format), its
     *     chain is broken, or it does not replay ({@code CORRUPT})
     */
    public static WorkspaceKernel openReadOnly(Workspace workspace) {
        Objects.requireNonNull(workspace, "workspace");
        Ledger ledger = workspace.openLedgerReadOnly();
        try {
            long seed = checkChain(workspace, ledger, false);
            KernelState state = ledger.size() == 0 ? KernelState.initial(seed) : replay(workspace, config(seed, List.of()), ledger);
            return new WorkspaceKernel(workspace, ledger, null, state, ledger.size(), null);
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /**
     * The configuration of a workspace kernel with {@code seed} and {@code capabilities}: the
     * kernel's defaults otherwise. The ledger's {@code kernel_started} entry records the settings
     * (not the capabilities), so a ledger replays only under a configuration with the same seed.
     */
    static KernelConfig config(long seed, List<KernelInput.RegisterCapability> capabilities) {
        KernelConfig.Builder b = KernelConfig.builder().seed(seed);
        for (KernelInput.RegisterCapability r : capabilities) {
            b.capability(r.descriptor(), r.handler());
        }
        return b.build();
    }

    /**
     * Checks that the chain is intact and that it is a kernel's ledger, and returns the seed it
     * records ({@link #DEFAULT_SEED} for an empty ledger).
     */
    private static long checkChain(Workspace workspace, Ledger ledger, boolean forWriting) {
        if (ledger.size() == 0) {
            return DEFAULT_SEED;
        }
        // Recovery would also stop at damage, but as a replay divergence; verifying first names
        // the first bad position the way ledger-verify does.
        if (ledger.verify() instanceof VerifyResult.Broken broken) {
            throw new LedgerException(LedgerException.Category.CORRUPT, "the ledger in " + workspace.directory()
                    + " is broken at position " + broken.position() + " ("
                    + LedgerVerifyCommand.problemName(broken.problem()).replace('_', ' ') + "): " + broken.detail()
                    + (forWriting ? "; nothing was appended" : ""));
        }
        EventEnvelope first = ledger.read(0);
        if (!first.kind().equals(KernelEvents.KERNEL_STARTED)) {
            throw new InputException("the ledger in " + workspace.directory() + " was not written by an OS2 kernel: its first"
                    + " entry is " + Table.clean(first.kind()) + ", where a kernel's ledger starts with " + KernelEvents.KERNEL_STARTED,
                    "It may come from an older OS2; pass --workspace with a new directory (ledger-verify and ledger-inspect"
                            + " still read this one).");
        }
        JsonNode seed = first.payload().toJsonNode().get("seed");
        try {
            return Long.parseLong(seed.asText());
        } catch (NullPointerException | NumberFormatException e) {
            throw new InputException("the kernel_started entry of the ledger in " + workspace.directory()
                    + " has no valid seed", "Pass --workspace with a new directory.");
        }
    }

    /** The state after replaying every entry of {@code ledger}, which is only read. */
    private static KernelState replay(Workspace workspace, KernelConfig config, Ledger ledger) {
        try {
            return Kernel.replay(config, ledger, null, 0);
        } catch (ReplayDivergenceException e) {
            if (e.recorded() != null || e.position() < ledger.size()) {
                throw divergence(workspace, ledger, e);
            }
            // The ledger ends while a handler ran: the writer stopped mid-run, and a replay that may
            // not append cannot finish that token. Recover a copy in memory, as open() would on disk.
            return recoverCopy(workspace, config, ledger);
        }
    }

    private static KernelState recoverCopy(Workspace workspace, KernelConfig config, Ledger ledger) {
        try (InMemoryLedger copy = InMemoryLedger.create(ChronicleLedger.MAX_PAYLOAD_BYTES_LIMIT);
                Stream<EventEnvelope> entries = ledger.entries(0)) {
            Iterator<EventEnvelope> it = entries.iterator();
            while (it.hasNext()) {
                EventEnvelope e = it.next();
                copy.append(new EventDraft(e.kind(), e.capabilityId(), e.virtualTime(), e.payload(), e.eventId()));
            }
            if (!copy.headHash().equals(ledger.headHash())) {
                throw new IllegalStateException("the in-memory copy of the ledger has another head hash");
            }
            try (Kernel kernel = Kernel.recover(config, copy)) {
                return kernel.state();
            } catch (ReplayDivergenceException e) {
                throw divergence(workspace, ledger, e);
            }
        }
    }

    private static RuntimeException divergence(Workspace workspace, Ledger ledger, ReplayDivergenceException e) {
        if (e.position() == 0) {
            return new InputException("the ledger in " + workspace.directory() + " was written by a kernel with other"
                    + " settings than a workspace kernel's (the kernel's default limits and no policy file)",
                    "Open it with the program that wrote it; ledger-verify and ledger-inspect read any ledger.");
        }
        String first = e.getMessage().lines().findFirst().orElse("");
        return new LedgerException(LedgerException.Category.CORRUPT, "the ledger in " + workspace.directory()
                + " does not replay: its hash chain is intact (ledger-verify passes), but " + first
                + "; it was rewritten with recomputed hashes, or written by another version of OS2", e);
    }

    /**
     * The number of entries the ledger held when it was opened, before anything opening it
     * recorded (for a new ledger {@code kernel_started} and the registrations; for an existing one
     * the registrations of new capabilities and the failure of a token an earlier process left
     * running): the position of the first entry this command caused.
     */
    public long sizeAtOpen() {
        return sizeAtOpen;
    }

    /** The workspace. */
    public Workspace workspace() {
        return workspace;
    }

    /** Whether this was opened by {@link #openReadOnly}. */
    public boolean readOnly() {
        return kernel == null;
    }

    /**
     * The kernel, recovered and ready for inputs.
     *
     * @throws IllegalStateException if opened read-only (use {@link #state()} and {@link #ledger()})
     */
    public Kernel kernel() {
        if (kernel == null) {
            throw new IllegalStateException("the workspace kernel was opened read-only: use state() and ledger()");
        }
        return kernel;
    }

    /** The workspace's ledger (read-only when opened read-only). */
    public Ledger ledger() {
        return ledger;
    }

    /** The kernel's current state: after the replay when read-only, else the kernel's latest. */
    public KernelState state() {
        return kernel == null ? readOnlyState : kernel.state();
    }

    /**
     * A view of this open kernel for one command of the shell, which keeps the kernel open across
     * commands: the same kernel and ledger, with {@link #sizeAtOpen()} as given; closing the view
     * runs {@code onClose} and leaves the kernel open.
     */
    WorkspaceKernel view(long commandSizeAtOpen, Runnable onClose) {
        if (viewClose != null || kernel == null) {
            throw new IllegalStateException("a view is taken of an open, writable workspace kernel");
        }
        return new WorkspaceKernel(workspace, ledger, kernel, null, commandSizeAtOpen, onClose);
    }

    /**
     * A read-only view of this open kernel: its state now and its ledger, as
     * {@link #openReadOnly} would give them, without replaying anything. Closing the view runs
     * {@code onClose} and leaves the kernel open.
     */
    WorkspaceKernel readOnlyView(Runnable onClose) {
        if (viewClose != null || kernel == null) {
            throw new IllegalStateException("a view is taken of an open, writable workspace kernel");
        }
        return new WorkspaceKernel(workspace, ledger, null, kernel.state(), ledger.size(), onClose);
    }

    /**
     * Closes the kernel and the ledger. Idempotent. A view (see the shell's shared kernel) leaves
     * them open.
     */
    @Override
    public void close() {
        if (viewClose != null) {
            viewClose.run();
            return;
        }
        try {
            if (kernel != null) {
                kernel.close();
            }
        } finally {
            ledger.close();
        }
    }

    @Override
    public String toString() {
        return "WorkspaceKernel[" + workspace + (readOnly() ? ", read-only" : "") + "]";
    }
}
