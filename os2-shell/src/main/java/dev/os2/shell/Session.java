package dev.os2.shell;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the commands may know about where they run: the environment variables that change their
 * behaviour, whether standard output is a terminal, and how the user started the program (for
 * the hints commands print). Built once per process (or per shell session) and handed to every
 * command, so tests can supply their own instead of the real environment.
 *
 * @param environment the environment variables; only {@code OS2_WORKSPACE} and {@code NO_COLOR}
 *     are read
 * @param stdoutTerminal whether standard output is an interactive terminal (colour is used only then)
 * @param terminalColumns the terminal's width in characters, used to fit tables; 0 when unknown
 *     or not a terminal
 * @param program how to write the program's name in hints, for example {@code ./os2}; empty inside
 *     the interactive shell, where commands are typed without it
 * @param stderrTerminal whether standard error is an interactive terminal (progress of long runs
 *     is shown only then)
 * @param services what the commands of this program share: the way to the workspace kernel and
 *     the Python sandbox
 */
public record Session(Map<String, String> environment, boolean stdoutTerminal, int terminalColumns, String program,
        boolean stderrTerminal, ShellServices services) {

    /** The environment variable that sets the default workspace. */
    public static final String WORKSPACE_VARIABLE = "OS2_WORKSPACE";
    /** The workspace used when neither {@code --workspace} nor {@code OS2_WORKSPACE} is given. */
    public static final String DEFAULT_WORKSPACE = "os2-data";

    /** Copies the environment into a sorted map so that nothing depends on hash order. */
    public Session {
        environment = Map.copyOf(new TreeMap<>(Objects.requireNonNull(environment, "environment")));
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(services, "services");
        if (terminalColumns < 0) {
            throw new IllegalArgumentException("terminalColumns must be 0 (unknown) or positive, got " + terminalColumns);
        }
    }

    /** A session whose standard error is a terminal exactly when its standard output is, with one-shot services. */
    public Session(Map<String, String> environment, boolean stdoutTerminal, int terminalColumns, String program) {
        this(environment, stdoutTerminal, terminalColumns, program, stdoutTerminal, ShellServices.oneShot());
    }

    /**
     * The session of this process: the real environment, and what the {@code ./os2} launcher
     * passes as system properties: {@code os2.stdout.terminal} (true when stdout is a terminal),
     * {@code os2.terminal.columns} (its width), {@code os2.program} (how the user invoked it) and
     * {@code os2.stderr.terminal} (true when stderr is a terminal).
     */
    public static Session ofProcess() {
        boolean terminal = Boolean.getBoolean("os2.stdout.terminal");
        int columns = Math.max(0, Integer.getInteger("os2.terminal.columns", 0));
        return new Session(System.getenv(), terminal, terminal ? columns : 0, System.getProperty("os2.program", "os2"),
                Boolean.getBoolean("os2.stderr.terminal"), ShellServices.oneShot());
    }

    /** A session for tests and embedders: the given environment, no terminal, program {@code os2}. */
    public static Session of(Map<String, String> environment) {
        return new Session(environment, false, 0, "os2", false, ShellServices.oneShot());
    }

    /**
     * Whether output may be coloured: only on a terminal, and never when {@code NO_COLOR} is set to
     * a non-empty value (see no-color.org).
     */
    public boolean colour() {
        String noColour = environment.get("NO_COLOR");
        return stdoutTerminal && (noColour == null || noColour.isEmpty());
    }

    /** The default workspace: {@code $OS2_WORKSPACE} when set and not empty, else {@code os2-data}. */
    public Path defaultWorkspace() {
        String value = environment.get(WORKSPACE_VARIABLE);
        return Path.of(value == null || value.isBlank() ? DEFAULT_WORKSPACE : value);
    }

    /** The way to write {@code command} so the user can type it, for example {@code ./os2 ledger-verify}. */
    public String hint(String command) {
        return program.isEmpty() ? command : program + " " + command;
    }
}
