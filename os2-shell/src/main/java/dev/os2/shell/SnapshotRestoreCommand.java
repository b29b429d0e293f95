package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.InvalidInputException;
import dev.os2.snapshot.SnapshotId;
import dev.os2.snapshot.SnapshotPolicy;
import dev.os2.snapshot.SnapshotService;
import dev.os2.snapshot.SnapshotState;
import dev.os2.snapshot.SnapshotStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code snapshot-restore ID}: rolls the workspace kernel back to a snapshot. The ledger stays
 * append-only and records the rollback ({@code restore_snapshot}) naming the snapshot.
 */
@Command(name = "snapshot-restore",
        usageHelpAutoWidth = true,
        header = "Roll the kernel back to a snapshot (recorded in the ledger).",
        description = {
            "Check that snapshot ID is the one this workspace's ledger recorded at its position, then make the kernel continue "
                    + "from its state. The ledger is not rewritten: it records a restore_snapshot entry naming the snapshot, "
                    + "so history still explains the present, and replays and recoveries pass through it.",
            "Exit 1 when the snapshot does not belong to this ledger (nothing is changed)."
        })
public final class SnapshotRestoreCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID", completionCandidates = SnapshotIds.class,
            description = "The snapshot id.")
    private String id;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotRestoreCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Workspace ws = common.workspace();
        SnapshotStore store = SnapshotShowCommand.store(ws);
        SnapshotId sid = SnapshotShowCommand.parseId(id, session);
        SnapshotState s = SnapshotShowCommand.read(store, sid, session);
        if (!ws.hasLedger()) {
            throw new InputException("there is no ledger in " + ws.directory() + " to restore into", "Pass --workspace with the snapshot's workspace.");
        }
        SnapshotService.RestoreResult r;
        try {
            r = session.services().withKernel(ws, wk -> {
                try (SnapshotService svc = SnapshotService.attach(wk.kernel(), store, SnapshotPolicy.MANUAL)) {
                    return svc.restore(s);
                }
            });
        } catch (InvalidInputException e) {
            throw new InputException("the kernel refused the restore: " + e.getMessage(), "");
        }
        PrintWriter out = spec.commandLine().getOut();
        Style style = Style.of(session);
        switch (r) {
            case SnapshotService.RestoreResult.Restored done -> {
                if (json) {
                    ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                    o.put("restored", sid.toString());
                    o.put("position", done.response().position());
                    o.put("hash", done.response().hash().toHex());
                    o.put("state_hash", s.header().stateHash().toHex());
                    out.println(o);
                } else {
                    out.println("Restored snapshot " + style.bold(sid.toString()) + " \"" + Table.clean(s.label()) + "\": the kernel continues from "
                            + "its state (hash " + s.header().stateHash().toShortHex() + ", time " + s.timestamp() + " ticks).");
                    out.println("The ledger recorded the rollback at position " + done.response().position() + " (hash "
                            + done.response().hash().toHex() + ").");
                }
            }
            case SnapshotService.RestoreResult.Refused refused -> {
                SnapshotVerifyCommand.printVerdict(out, json, refused.verdict(), style);
                out.flush();
                return Os2.EXIT_CHECK_FAILED;
            }
        }
        out.flush();
        return Os2.EXIT_OK;
    }
}
