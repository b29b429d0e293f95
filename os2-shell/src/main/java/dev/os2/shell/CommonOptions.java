package dev.os2.shell;

import dev.os2.ledger.Ledger;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command has: {@code --workspace DIR}, {@code --debug} and {@code --help}. Mixed into each
 * command with {@code @Mixin}; the default workspace comes from the {@link Session} through the
 * command line's default value provider (see {@link Os2#commandLine(Session)}).
 */
public final class CommonOptions {

    /** The long name of the workspace option. */
    public static final String WORKSPACE_OPTION = "--workspace";
    /** The long name of the debug option. */
    public static final String DEBUG_OPTION = "--debug";

    @Option(names = WORKSPACE_OPTION, paramLabel = "DIR",
            description = "Where OS2 keeps its data (ledger, keys, snapshots, logs). "
                    + "Default: ${DEFAULT-VALUE} ($OS2_WORKSPACE when set, else ./os2-data).")
    private Path workspace;

    @Option(names = DEBUG_OPTION, description = "Print the stack trace of an error.")
    private boolean debug;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** Creates the options with nothing set; picocli fills them in. */
    public CommonOptions() {
    }

    /** The selected workspace; touches nothing on disk. */
    public Workspace workspace() {
        return Workspace.at(workspace == null ? Path.of(Session.DEFAULT_WORKSPACE) : workspace);
    }

    /** Whether {@code --debug} was given. */
    public boolean debug() {
        return debug;
    }

    /**
     * {@code " --workspace DIR"} when the selected workspace is not the session's default, else
     * empty: appended to the commands a hint suggests, so they can be pasted as they are. The
     * directory is shown relative to the current one when inside it, and quoted for a POSIX shell
     * when it needs to be.
     */
    String workspaceHint(Session session) {
        Workspace selected = workspace();
        if (Workspace.at(session.defaultWorkspace()).equals(selected)) {
            return "";
        }
        Path shown = selected.directory();
        Path cwd = Path.of("").toAbsolutePath();
        if (shown.startsWith(cwd) && !shown.equals(cwd)) {
            shown = cwd.relativize(shown);
        }
        String text = shown.toString();
        return " --workspace " + (text.matches("[A-Za-z0-9._/+@:-]+") ? text : "'" + text.replace("'", "'\\''") + "'");
    }

    /**
     * Opens the workspace's ledger read-only, or explains how to create one.
     *
     * @throws InputException if the workspace has no ledger yet
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be opened
     */
    Ledger openLedgerReadOnly(Session session) {
        Workspace ws = workspace();
        if (!ws.hasLedger()) {
            throw new InputException("there is no ledger in " + ws.directory() + " yet",
                    "Run `" + session.hint("ledger-demo") + "` to create one there, or pass --workspace with an existing workspace.");
        }
        return ws.openLedgerReadOnly();
    }

    /**
     * Opens the workspace's kernel read-only (state rebuilt by replay, or in the shell taken from
     * its open kernel; nothing written), or explains how to create one.
     *
     * @throws InputException if the workspace has no ledger yet, or its ledger is not a workspace kernel's
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be opened, is broken or does not replay
     */
    WorkspaceKernel openKernelReadOnly(Session session) {
        Workspace ws = workspace();
        if (!ws.hasLedger()) {
            throw new InputException("there is no ledger in " + ws.directory() + " yet",
                    "Run `" + session.hint("ledger-demo") + "` to create one there, or pass --workspace with an existing workspace.");
        }
        return session.services().openForReading(ws);
    }
}
