package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.KernelState;
import dev.os2.snapshot.SnapshotFileException;
import dev.os2.snapshot.SnapshotHeader;
import dev.os2.snapshot.SnapshotId;
import dev.os2.snapshot.SnapshotState;
import dev.os2.snapshot.SnapshotStore;
import dev.os2.snapshot.SnapshotToken;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code snapshot-show ID}: one snapshot of the workspace: its header (label, the ledger position
 * and head it belongs to, state hash, virtual time, formats), a summary of its state, and whether
 * a signed token was minted for it. The bundle is read completely and checked (frames, checksum,
 * state hash). Also holds what the other snapshot commands share: reading an id argument, opening
 * the store, turning file problems into one-line errors.
 */
@Command(name = "snapshot-show",
        usageHelpAutoWidth = true,
        header = "Show one snapshot: its header, a summary of its state, its token.",
        description = {
            "Read the bundle of snapshot ID from the workspace's snapshots/ folder, check it (frames, checksum, that the "
                    + "state hashes to the header's state hash), and show the header (label, ledger position and head hash "
                    + "it belongs to, state hash, virtual time, kernel formats), a summary of the state (clock, live tokens, "
                    + "grants, capabilities, token counts) and the signed token, if one was minted (snapshot-auth).",
            "Exit 2 when there is no such snapshot or its bundle is damaged."
        })
public final class SnapshotShowCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID", completionCandidates = SnapshotIds.class,
            description = "The snapshot id, s<position> (snapshot-list lists them).")
    private String id;

    @Option(names = "--json", description = "Print the header, the state summary and the token as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotShowCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        SnapshotStore store = store(common.workspace());
        SnapshotId sid = parseId(id, session);
        SnapshotState s = read(store, sid, session);
        SnapshotToken token = Files.exists(store.tokenFile(sid)) ? readToken(store, sid) : null;
        PrintWriter out = spec.commandLine().getOut();
        KernelState st = s.state();
        if (json) {
            ObjectNode o = headerJson(s.header());
            ObjectNode summary = o.putObject("state");
            summary.put("clock", st.clock());
            summary.put("live_tokens", st.liveTokenCount());
            summary.put("grants", st.grants().size());
            summary.put("capabilities", st.capabilities().size());
            summary.put("next_token", st.nextTokenId().value());
            summary.put("registry_version", st.registryVersion());
            KernelState.TokenCounts c = st.counts();
            ObjectNode counts = summary.putObject("counts");
            counts.put("submitted", c.submitted());
            counts.put("completed", c.completed());
            counts.put("failed", c.failed());
            counts.put("cancelled", c.cancelled());
            counts.put("rejected", c.rejected());
            counts.put("budget_exceeded", c.budgetExceeded());
            counts.put("violations", c.violations());
            o.put("bundle_file", store.bundleFile(sid).toAbsolutePath().normalize().toString());
            if (token == null) {
                o.putNull("token");
            } else {
                ObjectNode t = o.putObject("token");
                t.put("key_id", token.keyId());
                t.put("file", store.tokenFile(sid).toAbsolutePath().normalize().toString());
            }
            out.println(o);
            out.flush();
            return Os2.EXIT_OK;
        }
        Style style = Style.of(session);
        SnapshotHeader h = s.header();
        out.println("Snapshot " + style.bold(h.id().toString()) + " \"" + Table.clean(h.label()) + "\"");
        out.println("  ledger      position " + h.position() + ", head " + h.headHash().toHex());
        out.println("  chain       " + h.chainId().toHex());
        out.println("  state hash  " + h.stateHash().toHex());
        out.println("  time        " + h.timestampTicks() + " ticks (virtual)");
        out.println("  formats     kernel state " + h.stateFormat() + ", kernel events " + h.eventFormat() + ", bundle "
                + dev.os2.snapshot.SnapshotBundle.FORMAT);
        KernelState.TokenCounts c = st.counts();
        out.println("  state       " + st.liveTokenCount() + " live tokens, " + st.grants().size() + " grants, " + st.capabilities().size()
                + " capabilities; tokens submitted " + c.submitted() + ", completed " + c.completed() + ", failed " + c.failed()
                + ", cancelled " + c.cancelled() + ", rejected " + c.rejected() + ", over budget " + c.budgetExceeded()
                + ", violations " + c.violations());
        out.println("  bundle      " + store.bundleFile(sid).toAbsolutePath().normalize());
        String where = common.workspaceHint(session);
        out.println("  token       " + (token == null ? "none; `" + session.hint("snapshot-auth " + sid + where) + "` mints one"
                : "signed by " + token.keyId() + " (" + store.tokenFile(sid).toAbsolutePath().normalize() + ")"));
        out.flush();
        return Os2.EXIT_OK;
    }

    // --- shared by the snapshot commands -----------------------------------------------------------------

    /** The workspace's snapshot store. */
    static SnapshotStore store(Workspace workspace) {
        return SnapshotStore.at(workspace.snapshotsDirectory());
    }

    /** Reads an id argument, or explains its form. */
    static SnapshotId parseId(String text, Session session) {
        if (!SnapshotId.isId(text)) {
            throw new InputException("'" + Table.clean(Table.fit(text, 60)) + "' is not a snapshot id",
                    "A snapshot id is s<position>, such as s42; `" + session.hint("snapshot-list") + "` lists them.");
        }
        return SnapshotId.parse(text);
    }

    /** Reads and checks a snapshot from the store, or explains why it cannot. */
    static SnapshotState read(SnapshotStore store, SnapshotId id, Session session) {
        try {
            return store.read(id);
        } catch (SnapshotFileException e) {
            throw inputError(e, session);
        }
    }

    /** Reads a token from the store, or explains why it cannot. */
    static SnapshotToken readToken(SnapshotStore store, SnapshotId id) {
        try {
            return store.readToken(id);
        } catch (SnapshotFileException e) {
            throw inputError(e, null);
        }
    }

    /** A snapshot file problem as a one-line input error. */
    static InputException inputError(SnapshotFileException e, Session session) {
        String remedy = switch (e.problem()) {
            case MISSING -> session == null ? "Check the path." : "`" + session.hint("snapshot-list") + "` lists the snapshots there are.";
            case UNREADABLE -> "Check that it is a file you can read.";
            case UNWRITABLE -> "Check the permissions of the folder and the free disk space.";
            case TORN -> "The write that made it was cut short; take or import the snapshot again.";
            case CORRUPT, STATE_MISMATCH -> "The file was damaged or altered; use another copy.";
            case MALFORMED -> "Use the file as OS2 wrote it; it was changed or is another kind of file.";
            case UNSUPPORTED_FORMAT -> "Open it with the OS2 version that wrote it.";
            case CONFLICT -> "Remove the existing snapshot first if it is not needed.";
        };
        return new InputException(e.getMessage(), remedy);
    }

    /** The header as a JSON object (the bundle's header form plus nothing). */
    static ObjectNode headerJson(SnapshotHeader h) {
        ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
        o.put("id", h.id().toString());
        o.put("label", h.label());
        o.put("chain_id", h.chainId().toHex());
        o.put("position", h.position());
        o.put("head_hash", h.headHash().toHex());
        o.put("state_hash", h.stateHash().toHex());
        o.put("timestamp_ticks", h.timestampTicks());
        o.put("state_format", h.stateFormat());
        o.put("event_format", h.eventFormat());
        return o;
    }
}
