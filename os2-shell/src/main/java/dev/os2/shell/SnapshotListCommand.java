package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.snapshot.SnapshotFileException;
import dev.os2.snapshot.SnapshotHeader;
import dev.os2.snapshot.SnapshotStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code snapshot-list}: the snapshots in the workspace's {@code snapshots/} folder, by position,
 * from their headers; damaged bundles are listed with their problem.
 */
@Command(name = "snapshot-list",
        usageHelpAutoWidth = true,
        header = "List the workspace's snapshots.",
        description = {
            "List the bundles in the workspace's snapshots/ folder by ledger position: id, label, position, virtual time, "
                    + "state hash, and whether a signed token was minted. Only the headers and end frames are read; "
                    + "snapshot-show and snapshot-verify check a bundle completely. Damaged bundles are listed last."
        })
public final class SnapshotListCommand implements Callable<Integer> {

    private static final List<String> HEADERS = List.of("ID", "POSITION", "TIME", "STATE HASH", "TOKEN", "LABEL");
    private static final int[] WIDTHS = {20, 12, 14, 16, 6, 64};

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--json", description = "Print {\"snapshots\":[header…],\"damaged\":[{file, problem, detail}…]}.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotListCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        SnapshotStore store = SnapshotShowCommand.store(common.workspace());
        List<SnapshotStore.Listing> list;
        try {
            list = store.list();
        } catch (SnapshotFileException e) {
            throw SnapshotShowCommand.inputError(e, session);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
            ArrayNode ok = o.putArray("snapshots");
            ArrayNode damaged = o.putArray("damaged");
            for (SnapshotStore.Listing l : list) {
                switch (l) {
                    case SnapshotStore.Listing.Readable r -> {
                        ObjectNode h = SnapshotShowCommand.headerJson(r.header());
                        h.put("token", Files.exists(store.tokenFile(r.header().id())));
                        ok.add(h);
                    }
                    case SnapshotStore.Listing.Damaged d -> {
                        ObjectNode n = damaged.addObject();
                        n.put("file", d.file().toAbsolutePath().normalize().toString());
                        n.put("problem", d.problem().problem().name().toLowerCase(java.util.Locale.ROOT));
                        n.put("detail", d.problem().getMessage());
                    }
                }
            }
            out.println(o);
            out.flush();
            return Os2.EXIT_OK;
        }
        String where = common.workspaceHint(session);
        if (list.isEmpty()) {
            out.println("No snapshots in " + store.directory().toAbsolutePath().normalize() + " yet; `"
                    + session.hint("snapshot-create --label TAG" + where) + "` takes one.");
            out.flush();
            return Os2.EXIT_OK;
        }
        Style style = Style.of(session);
        Table table = new Table(out, style, HEADERS, WIDTHS, (column, text) -> column == 0 ? style.name(text) : text,
                session.terminalColumns());
        int damaged = 0;
        for (SnapshotStore.Listing l : list) {
            switch (l) {
                case SnapshotStore.Listing.Readable r -> {
                    SnapshotHeader h = r.header();
                    table.add(List.of(h.id().toString(), Long.toString(h.position()), Long.toString(h.timestampTicks()),
                            h.stateHash().toShortHex(), Files.exists(store.tokenFile(h.id())) ? "yes" : "no", h.label()));
                }
                case SnapshotStore.Listing.Damaged d -> damaged++;
            }
        }
        table.flush();
        for (SnapshotStore.Listing l : list) {
            if (l instanceof SnapshotStore.Listing.Damaged d) {
                out.println(style.bad("damaged") + "  " + d.problem().getMessage());
            }
        }
        out.println();
        out.println((list.size() - damaged) + (list.size() - damaged == 1 ? " snapshot" : " snapshots")
                + (damaged == 0 ? "" : ", " + damaged + " damaged") + ". `" + session.hint("snapshot-show ID" + where) + "` shows one.");
        out.flush();
        return Os2.EXIT_OK;
    }
}
