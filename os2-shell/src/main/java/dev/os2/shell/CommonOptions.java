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
}
