package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.InvalidInputException;
import dev.os2.kernel.KernelResponse;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerKeys;
import dev.os2.ledger.PublicKey;
import dev.os2.snapshot.ReadyFlag;
import dev.os2.snapshot.SnapshotFileException;
import dev.os2.snapshot.SnapshotId;
import dev.os2.snapshot.SnapshotStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kernel-ready-flag --set ID | --clear | --status}: marks a verified snapshot as ready for a
 * release (recorded in the ledger) and archives its bundle and token under
 * {@code releases/<version>/snapshots/}; clears the mark; or shows it.
 */
@Command(name = "kernel-ready-flag",
        usageHelpAutoWidth = true,
        header = "Mark a verified snapshot as ready for release, clear the mark, or show it.",
        description = {
            "--set ID verifies snapshot ID (bundle, state hash, its token with the workspace key, the ledger chain), copies "
                    + "its bundle and token to RELEASES/VERSION/snapshots/, and records a ready_flag entry in the ledger. "
                    + "--clear records that no snapshot is ready for the version. --status shows the latest flag of the "
                    + "version from the ledger (read-only).",
            "Exit 1 when --set finds that the snapshot does not verify (nothing is changed)."
        })
public final class KernelReadyFlagCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Action action;

    /** Exactly one of the three. */
    static final class Action {
        @Option(names = "--set", paramLabel = "ID", completionCandidates = SnapshotIds.class, description = "Flag snapshot ID as ready.")
        String set;

        @Option(names = "--clear", description = "Record that no snapshot is ready.")
        boolean clear;

        @Option(names = "--status", description = "Show the flag.")
        boolean status;
    }

    @Option(names = "--release", paramLabel = "VERSION",
            description = "The release version. Default: this OS2's version (\"dev\" for a development build).")
    private String release;

    @Option(names = "--releases", paramLabel = "DIR", defaultValue = "releases",
            description = "The releases folder the snapshot is archived in. Default: ${DEFAULT-VALUE}.")
    private Path releases;

    @Option(names = "--key", paramLabel = "NAME", defaultValue = LedgerKeys.DEFAULT_KEY_NAME,
            description = "The workspace key the token must be signed with. Default: ${DEFAULT-VALUE}.")
    private String keyName;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public KernelReadyFlagCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        String version = release != null ? release : defaultVersion();
        Workspace ws = common.workspace();
        PrintWriter out = spec.commandLine().getOut();
        Style style = Style.of(session);
        if (action.status) {
            ReadyFlag.Status st;
            try (Ledger ledger = common.openLedgerReadOnly(session)) {
                st = ReadyFlag.status(ledger, version);
            }
            if (json) {
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                o.put("version", version);
                switch (st) {
                    case ReadyFlag.Status.Set s -> {
                        o.put("flag", "set");
                        o.put("snapshot", s.snapshot().toString());
                        o.put("entry", s.entry());
                    }
                    case ReadyFlag.Status.Cleared c -> {
                        o.put("flag", "cleared");
                        o.put("entry", c.entry());
                    }
                    case ReadyFlag.Status.Unset u -> o.put("flag", "unset");
                }
                out.println(o);
            } else {
                out.println(switch (st) {
                    case ReadyFlag.Status.Set s -> "Release " + version + ": snapshot " + style.bold(s.snapshot().toString())
                            + " is flagged ready (ledger position " + s.entry() + ").";
                    case ReadyFlag.Status.Cleared c -> "Release " + version + ": no snapshot is ready; the flag was cleared at ledger position "
                            + c.entry() + ".";
                    case ReadyFlag.Status.Unset u -> "Release " + version + ": no snapshot was ever flagged ready.";
                });
            }
            out.flush();
            return Os2.EXIT_OK;
        }
        try {
            if (action.clear) {
                KernelResponse r = session.services().withKernel(ws, wk -> ReadyFlag.clear(wk.kernel(), version));
                out.println(json ? "{\"flag\":\"cleared\",\"entry\":" + r.position() + ",\"version\":\"" + version + "\"}"
                        : "Release " + version + ": cleared the ready flag (ledger position " + r.position() + ").");
                out.flush();
                return Os2.EXIT_OK;
            }
            SnapshotId sid = SnapshotShowCommand.parseId(action.set, session);
            SnapshotStore store = SnapshotShowCommand.store(ws);
            LedgerKeys keys = LedgerKeys.at(ws.keysDirectory());
            if (!keys.contains(keyName)) {
                throw new InputException("the workspace has no key named " + keyName + ", so no snapshot was signed with it",
                        "Mint a token with `" + session.hint("snapshot-auth " + sid + common.workspaceHint(session)) + "` first.");
            }
            PublicKey key = keys.load(keyName).publicKey();
            ReadyFlag.SetResult result = session.services().withKernel(ws,
                    wk -> ReadyFlag.set(wk.kernel(), store, sid, key, releases, version));
            switch (result) {
                case ReadyFlag.SetResult.Flagged f -> {
                    if (json) {
                        ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                        o.put("flag", "set");
                        o.put("version", version);
                        o.put("snapshot", sid.toString());
                        o.put("entry", f.response().position());
                        o.put("archived_bundle", f.archivedBundle().toAbsolutePath().normalize().toString());
                        o.put("archived_token", f.archivedToken().toAbsolutePath().normalize().toString());
                        out.println(o);
                    } else {
                        out.println("Release " + version + ": snapshot " + style.bold(sid.toString()) + " verified and flagged ready "
                                + "(ledger position " + f.response().position() + ").");
                        out.println("  archived  " + f.archivedBundle().toAbsolutePath().normalize());
                        out.println("            " + f.archivedToken().toAbsolutePath().normalize());
                    }
                }
                case ReadyFlag.SetResult.Refused r -> {
                    if (!json) {
                        out.print("Not flagged: ");
                    }
                    SnapshotVerifyCommand.printVerdict(out, json, r.verdict(), style);
                    out.flush();
                    return Os2.EXIT_CHECK_FAILED;
                }
            }
        } catch (InvalidInputException e) {
            throw new InputException("--release: " + e.getMessage(), "Use 1 to 64 characters from A-Z, a-z, 0-9 and . _ + -.");
        } catch (SnapshotFileException e) {
            throw SnapshotShowCommand.inputError(e, session);
        } catch (IllegalArgumentException e) {
            throw new InputException("--key " + Table.clean(Table.fit(keyName, 80)) + " is not a valid key name: " + e.getMessage(),
                    "Use 1 to 64 characters from a-z, 0-9, _ and -, starting with a letter or digit.");
        }
        out.flush();
        return Os2.EXIT_OK;
    }

    /** This build's version from the jar manifest, or {@code dev}. */
    static String defaultVersion() {
        String v = Os2.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
