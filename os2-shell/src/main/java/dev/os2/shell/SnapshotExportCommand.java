package dev.os2.shell;

import dev.os2.snapshot.SnapshotFileException;
import dev.os2.snapshot.SnapshotId;
import dev.os2.snapshot.SnapshotStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code snapshot-export ID DIR}: copies a snapshot's bundle (and token) out of the workspace, checked. */
@Command(name = "snapshot-export",
        usageHelpAutoWidth = true,
        header = "Copy a snapshot's bundle and token to a folder.",
        description = {
            "Check snapshot ID's bundle and copy it, with its token if one was minted, into DIR (created if needed), "
                    + "atomically. With a copy of the ledger and the public key file, snapshot-verify checks it anywhere; "
                    + "snapshot-import brings it into another workspace."
        })
public final class SnapshotExportCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID", completionCandidates = SnapshotIds.class,
            description = "The snapshot id.")
    private String id;

    @Parameters(index = "1", paramLabel = "DIR", description = "The folder to copy into.")
    private Path target;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotExportCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        SnapshotStore store = SnapshotShowCommand.store(common.workspace());
        SnapshotId sid = SnapshotShowCommand.parseId(id, session);
        Path bundle;
        try {
            bundle = store.exportTo(sid, target);
        } catch (SnapshotFileException e) {
            throw SnapshotShowCommand.inputError(e, session);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Exported " + sid + " to " + bundle.toAbsolutePath().normalize());
        out.flush();
        return Os2.EXIT_OK;
    }
}
