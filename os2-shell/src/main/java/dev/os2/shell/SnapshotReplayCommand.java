package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.KernelConfig;
import dev.os2.snapshot.ReplayOutcome;
import dev.os2.snapshot.SnapshotReplay;
import dev.os2.snapshot.SnapshotState;
import dev.os2.snapshot.SnapshotStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code snapshot-replay ID|genesis}: restores a snapshot into a scratch state machine and re-runs
 * the ledger after it, comparing every entry with the recorded one. Exit 0 when identical, 1 at the
 * first divergence (named with both entries).
 */
@Command(name = "snapshot-replay",
        usageHelpAutoWidth = true,
        header = "Re-run the ledger from a snapshot and compare every entry.",
        description = {
            "Restore snapshot ID (or the empty state, with `genesis`) into a scratch kernel, apply the recorded inputs and "
                    + "the recorded handler outcomes after its position, and compare every entry produced with the recorded "
                    + "one, byte for byte. Ends with \"identical through position P, head H\", or names the first position "
                    + "where replay and record differ, with both hashes and both entries. The live kernel is not touched; "
                    + "the ledger is opened read-only. Rollbacks in the ledger are replayed from the snapshots folder.",
            "Exit 1 at a divergence, or when the snapshot does not belong to this ledger."
        })
public final class SnapshotReplayCommand implements Callable<Integer> {

    private static final long PROGRESS_MIN_ENTRIES = 20_000;

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID|genesis", completionCandidates = SnapshotIds.class,
            description = "The snapshot id, or genesis to replay the whole ledger.")
    private String from;

    @Option(names = "--until", paramLabel = "POSITION", description = "Stop after this ledger position. Default: the head.")
    private Long until;

    @Option(names = "--strict", description = "Call handlers marked deterministic again instead of repeating their recorded "
            + "outcomes (only handlers this command knows; the workspace kernel has none bound).")
    private boolean strict;

    @Option(names = "--json", description = "Print the outcome as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotReplayCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Workspace ws = common.workspace();
        SnapshotStore store = SnapshotShowCommand.store(ws);
        SnapshotState snapshot = "genesis".equals(from) ? null : SnapshotShowCommand.read(store, SnapshotShowCommand.parseId(from, session), session);
        if (until != null && until < 0) {
            throw new InputException("--until must be a ledger position (0 or more), got " + until, "");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplayOutcome outcome;
        try (WorkspaceKernel wk = common.openKernelReadOnly(session)) {
            KernelConfig config = WorkspaceKernel.config(wk.state().seed(), List.of());
            long first = snapshot == null ? 0 : snapshot.position() + 1;
            if (until != null && until < first - 1) {
                throw new InputException("--until " + until + " is before snapshot " + snapshot.id() + " at position "
                        + snapshot.position(), "Give a position at or after the snapshot's.");
            }
            long total = (until == null ? wk.ledger().size() - 1 : Math.min(until, wk.ledger().size() - 1)) - first + 1;
            boolean showProgress = !json && total >= PROGRESS_MIN_ENTRIES;
            long[] lastShown = {first};
            SnapshotReplay.Request request = new SnapshotReplay.Request(until == null ? -1 : until, strict,
                    showProgress ? (position, end) -> {
                        if (position - lastShown[0] >= Math.max(1, (end - first) / 20)) {
                            lastShown[0] = position;
                            err.println("replayed " + (position - first) + " of " + (end - first) + " entries ("
                                    + (100 * (position - first) / Math.max(1, end - first)) + "%)");
                            err.flush();
                        }
                    } : null, store);
            outcome = SnapshotReplay.replay(config, wk.ledger(), snapshot, request);
        }
        if (json) {
            ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
            switch (outcome) {
                case ReplayOutcome.Identical same -> {
                    o.put("outcome", "identical");
                    o.put("from", same.from() == null ? "genesis" : same.from().toString());
                    o.put("first_position", same.firstPosition());
                    o.put("through_position", same.throughPosition());
                    o.put("head_hash", same.head().toHex());
                    o.put("state_hash", same.stateHash().toHex());
                    o.put("strict", same.strict());
                }
                case ReplayOutcome.Diverged d -> {
                    o.put("outcome", "diverged");
                    o.put("position", d.position());
                    o.put("problem", d.problem());
                    o.put("recorded_hash", d.recordedHash() == null ? null : d.recordedHash().toHex());
                    o.put("replayed_hash", d.replayedHash() == null ? null : d.replayedHash().toHex());
                    o.set("recorded", d.recorded() == null ? null : dev.os2.ledger.CanonicalJson.parse(d.recorded().toJson()).toJsonNode());
                    o.set("replayed", d.replayed() == null ? null : dev.os2.ledger.CanonicalJson.parse(d.replayed().toJson()).toJsonNode());
                }
                case ReplayOutcome.Refused r -> {
                    o.put("outcome", "refused");
                    o.put("reason", r.verdict().reason().name().toLowerCase(java.util.Locale.ROOT));
                    o.put("detail", r.verdict().detail());
                }
            }
            out.println(o);
        } else {
            Style style = Style.of(session);
            switch (outcome) {
                case ReplayOutcome.Identical same -> out.println(style.good("identical") + " through position " + same.throughPosition()
                        + ", head " + same.head().toHex() + " (" + same.entries() + " entries replayed from "
                        + (same.from() == null ? "genesis" : "snapshot " + same.from()) + "; state hash " + same.stateHash().toHex() + ")");
                case ReplayOutcome.Diverged d -> {
                    out.println(style.bad("diverged") + " at position " + d.position() + ": " + d.problem());
                    out.println("  recorded  " + (d.recorded() == null ? "(nothing)" : d.recordedHash().toHex() + " " + d.recorded().toJson()));
                    out.println("  replayed  " + (d.replayed() == null ? "(nothing)" : d.replayedHash().toHex() + " " + d.replayed().toJson()));
                }
                case ReplayOutcome.Refused r -> out.println(style.bad("not replayed") + " (" + r.verdict().reason().name()
                        .toLowerCase(java.util.Locale.ROOT) + "): " + r.verdict().detail());
            }
        }
        out.flush();
        return outcome instanceof ReplayOutcome.Identical ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }
}
