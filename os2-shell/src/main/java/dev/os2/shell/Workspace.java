package dev.os2.shell;

import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.Ledger;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The folder where OS2 keeps its data, selected with {@code --workspace} (default {@code ./os2-data},
 * or {@code $OS2_WORKSPACE}). Its layout:
 * <pre>
 *   ledger/      the hash-chained event ledger (Chronicle Queue files)
 *   keys/        signing keys for checkpoints and snapshot tokens
 *   snapshots/   snapshot bundles
 *   checkpoints/ signed ledger checkpoints
 *   logs/        command transcripts, one file per session
 *   simulations/ ledgers written by {@code simulate}, one folder per seed and step count
 *   history      the interactive shell's line history (a file, shared by its sessions)
 *   python/      the operator's Python modules (and, created when needed: site-packages/ for
 *                {@code pip install}, repos/ for {@code git clone})
 * </pre>
 * A directory counts as a workspace when it holds at least one of these folders. OS2 creates a
 * workspace only in a directory that is new or empty, so that pointing {@code --workspace} at the
 * wrong folder (a home directory, a source tree) does not scatter files in it.
 *
 * <p>Instances are immutable values; the methods touch the file system as each one says. Not
 * thread-safe against other processes changing the directory while it is being created.
 */
public final class Workspace {

    /** The ledger's folder inside a workspace. */
    public static final String LEDGER_DIRECTORY = "ledger";
    /** The signing keys' folder inside a workspace. */
    public static final String KEYS_DIRECTORY = "keys";
    /** The snapshots' folder inside a workspace. */
    public static final String SNAPSHOTS_DIRECTORY = "snapshots";
    /** The signed checkpoints' folder inside a workspace. */
    public static final String CHECKPOINTS_DIRECTORY = "checkpoints";
    /** The transcripts' folder inside a workspace. */
    public static final String LOGS_DIRECTORY = "logs";
    /** The folder of {@code simulate}'s ledgers inside a workspace. */
    public static final String SIMULATIONS_DIRECTORY = "simulations";
    /** The operator's Python modules inside a workspace (scripts import them; {@code pyvm run} runs them). */
    public static final String PYTHON_DIRECTORY = "python";

    /** The interactive shell's history file inside a workspace. */
    public static final String HISTORY_FILE = "history";

    private static final List<String> LAYOUT = List.of(LEDGER_DIRECTORY, KEYS_DIRECTORY, SNAPSHOTS_DIRECTORY,
            CHECKPOINTS_DIRECTORY, LOGS_DIRECTORY, SIMULATIONS_DIRECTORY, PYTHON_DIRECTORY);

    private final Path directory;

    private Workspace(Path directory) {
        this.directory = directory;
    }

    /** The workspace at {@code directory} (made absolute against the current directory); touches nothing. */
    public static Workspace at(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return new Workspace(directory.toAbsolutePath().normalize());
    }

    /** The workspace's own folder, absolute. */
    public Path directory() {
        return directory;
    }

    /** {@code <workspace>/ledger}. */
    public Path ledgerDirectory() {
        return directory.resolve(LEDGER_DIRECTORY);
    }

    /** {@code <workspace>/keys}. */
    public Path keysDirectory() {
        return directory.resolve(KEYS_DIRECTORY);
    }

    /** {@code <workspace>/snapshots}. */
    public Path snapshotsDirectory() {
        return directory.resolve(SNAPSHOTS_DIRECTORY);
    }

    /** {@code <workspace>/checkpoints}. */
    public Path checkpointsDirectory() {
        return directory.resolve(CHECKPOINTS_DIRECTORY);
    }

    /** {@code <workspace>/logs}. */
    public Path logsDirectory() {
        return directory.resolve(LOGS_DIRECTORY);
    }

    /** {@code <workspace>/simulations}. */
    public Path simulationsDirectory() {
        return directory.resolve(SIMULATIONS_DIRECTORY);
    }

    /** {@code <workspace>/history}: the interactive shell's line history, one file for all its sessions. */
    public Path historyFile() {
        return directory.resolve(HISTORY_FILE);
    }

    /** Whether the directory holds at least one folder of the workspace layout. */
    public boolean exists() {
        return LAYOUT.stream().anyMatch(name -> Files.isDirectory(directory.resolve(name)));
    }

    /**
     * Creates the workspace layout, keeping whatever is already there.
     *
     * @return this workspace
     * @throws InputException if the path is a file, if it is a non-empty directory that is not a
     *     workspace, or if the folders cannot be created (permissions, read-only disk)
     */
    public Workspace create() {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new InputException("the workspace " + directory + " is a file, not a directory",
                    "Pass --workspace with a directory (it is created if it does not exist).");
        }
        if (Files.isDirectory(directory) && !exists() && !isEmpty(directory)) {
            throw new InputException("the directory " + directory + " is not an OS2 workspace (it has none of "
                    + String.join("/, ", LAYOUT) + "/) and is not empty",
                    "Pass --workspace with a new or empty directory, or with an existing workspace.");
        }
        try {
            for (String name : LAYOUT) {
                Files.createDirectories(directory.resolve(name));
            }
        } catch (IOException e) {
            throw new InputException("cannot create the workspace " + directory + ": " + describe(e),
                    "Pass --workspace with a directory you can write to.");
        }
        return this;
    }

    /**
     * Opens the workspace's ledger for appending, creating the workspace and an empty ledger if
     * needed. The caller closes it.
     *
     * @throws InputException if the workspace cannot be created
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be opened (not a ledger, locked by
     *     another writer, another format, read-only)
     */
    public Ledger openLedger() {
        create();
        return ChronicleLedger.open(ledgerDirectory());
    }

    /**
     * Opens the workspace's existing ledger for reading only; it changes no file. The caller closes it.
     *
     * @throws InputException if the workspace has no ledger
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be opened (not a ledger, another format)
     */
    public Ledger openLedgerReadOnly() {
        Path ledger = ledgerDirectory();
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new InputException("the workspace " + directory + " is a file, not a directory",
                    "Pass --workspace with an OS2 workspace directory.");
        }
        if (!hasLedger()) {
            throw new InputException("there is no ledger in " + directory + " (" + LEDGER_DIRECTORY + "/ is "
                    + (Files.isDirectory(ledger) ? "empty" : "missing") + ")",
                    "Run ledger-demo to create one, or pass --workspace with an existing workspace.");
        }
        return ChronicleLedger.builder(ledger).readOnly(true).open();
    }

    /** Whether {@code ledger/} exists and holds anything (a ledger, or something else that is not one). */
    public boolean hasLedger() {
        Path ledger = ledgerDirectory();
        return Files.isDirectory(ledger) && !isEmpty(ledger);
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new InputException("cannot list " + dir + ": " + describe(e), "Check its permissions.");
        }
    }

    /** A short reason for an I/O failure, without the Java class names. */
    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Workspace w && w.directory.equals(directory);
    }

    @Override
    public int hashCode() {
        return directory.hashCode();
    }

    @Override
    public String toString() {
        return directory.toString();
    }
}
