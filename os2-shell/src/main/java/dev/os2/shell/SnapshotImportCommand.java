package dev.os2.shell;

import dev.os2.snapshot.SnapshotFileException;
import dev.os2.snapshot.SnapshotState;
import dev.os2.snapshot.SnapshotStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code snapshot-import BUNDLE}: brings a bundle (and the token beside it) into the workspace, checked. */
@Command(name = "snapshot-import",
        usageHelpAutoWidth = true,
        header = "Bring a snapshot bundle (and its token) into the workspace.",
        description = {
            "Check BUNDLE completely (frames, checksum, state hash) and store it in the workspace's snapshots/ folder, with "
                    + "the token beside it (ID.token.json) if there is one. Whether it belongs to this workspace's ledger is "
                    + "snapshot-verify's question. A different snapshot with the same id is refused."
        })
public final class SnapshotImportCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "The bundle file.")
    private Path bundle;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotImportCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        SnapshotStore store = SnapshotShowCommand.store(common.workspace().create());
        SnapshotState s;
        try {
            s = store.importFrom(bundle);
        } catch (SnapshotFileException e) {
            throw SnapshotShowCommand.inputError(e, null);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Imported " + s.id() + " \"" + Table.clean(s.label()) + "\" (position " + s.position() + ", state hash "
                + s.header().stateHash().toShortHex() + "). Check it against this workspace's ledger with `"
                + session.hint("snapshot-verify " + s.id() + common.workspaceHint(session)) + "`.");
        out.flush();
        return Os2.EXIT_OK;
    }
}
