package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.InvalidInputException;
import dev.os2.snapshot.SnapshotFileException;
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
import picocli.CommandLine.Spec;

/**
 * {@code snapshot-create --label TAG}: takes a snapshot of the workspace kernel's state now. The
 * ledger records it ({@code create_snapshot}, {@code snapshot_created}); the bundle is written to
 * {@code snapshots/s<position>.snapshot.jsonl}.
 */
@Command(name = "snapshot-create",
        usageHelpAutoWidth = true,
        header = "Take a snapshot of the kernel's state, recorded in the ledger.",
        description = {
            "Open the workspace's kernel (its state rebuilt from the ledger), record a snapshot in the ledger, and write "
                    + "its bundle to snapshots/. The snapshot's id is s<position> of its snapshot_created entry; it belongs "
                    + "to that position and head hash. Taking it does not change the state."
        })
public final class SnapshotCreateCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--label", paramLabel = "TAG", required = true, description = "A name for people, 1 to 128 characters.")
    private String label;

    @Option(names = "--json", description = "Print the snapshot's header and bundle file as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotCreateCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Workspace ws = common.workspace();
        SnapshotStore store = SnapshotShowCommand.store(ws);
        SnapshotState s;
        try {
            s = session.services().withKernel(ws, wk -> {
                try (SnapshotService svc = SnapshotService.attach(wk.kernel(), store, SnapshotPolicy.MANUAL)) {
                    return svc.create(label);
                }
            });
        } catch (InvalidInputException e) {
            throw new InputException("--label: " + e.getMessage(), "Give a label of 1 to 128 characters.");
        } catch (SnapshotFileException e) {
            throw SnapshotShowCommand.inputError(e, session);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = SnapshotShowCommand.headerJson(s.header());
            o.put("bundle_file", store.bundleFile(s.id()).toAbsolutePath().normalize().toString());
            out.println(o);
        } else {
            Style style = Style.of(session);
            String where = common.workspaceHint(session);
            out.println("Took snapshot " + style.bold(s.id().toString()) + " \"" + Table.clean(s.label()) + "\" at position "
                    + s.position() + " (head " + s.header().headHash().toHex() + ")");
            out.println("  state hash  " + s.header().stateHash().toHex() + ", time " + s.timestamp() + " ticks");
            out.println("  bundle      " + store.bundleFile(s.id()).toAbsolutePath().normalize());
            out.println("Sign it with `" + session.hint("snapshot-auth " + s.id() + where) + "`.");
        }
        out.flush();
        return Os2.EXIT_OK;
    }
}
