package dev.os2.shell;

import java.io.InputStreamReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code shell [-c LINE]}: the OS2 shell, the main way to use OS2. At a terminal it is an
 * interactive prompt ({@link Repl}); with standard input from a pipe or file it runs one line after
 * another with no prompt; with {@code -c} it runs one line. Every command of {@code ./os2} runs in
 * it, with pipelines, background jobs, the job and process commands and text filters
 * ({@link Shell}). Each session writes a transcript to {@code logs/} ({@link Transcript}).
 */
@Command(name = ShellCommand.NAME,
        usageHelpAutoWidth = true,
        header = "Start the OS2 shell: every command at one prompt, with pipelines, jobs and history.",
        description = {
            "At a terminal: an interactive prompt with line editing, history (kept in the workspace), Tab completion of "
                    + "commands, options, capability and snapshot ids and file names, and help. It opens the workspace "
                    + "(creating it if new), verifies the ledger to its head, and warms the Python engine in the background. "
                    + "The workspace's kernel is opened when a command first needs it and stays open until the shell ends, "
                    + "shared by every command and job.",
            "With standard input from a pipe or file: runs one line after another, without prompt or banner; blank lines "
                    + "and # comments are skipped. With -c: runs LINE. Either way the exit status is the last command's.",
            "Lines: `a | b` pipes a's output into b; `a &` runs a in the background; `a && b`, `a || b`, `a ; b`; quotes "
                    + "and backslashes as in a POSIX shell. Every session's commands, with their exit status, output hash "
                    + "and ledger positions, are written to logs/<time>.jsonl in the workspace."
        })
public final class ShellCommand implements Callable<Integer>, SessionCommand {

    /** The command's name. */
    public static final String NAME = "shell";
    /** The option that runs one line. */
    public static final String LINE_OPTION = "-c";

    private final Session session;

    @Mixin
    private CommonOptions common;

    @Option(names = LINE_OPTION, paramLabel = "LINE", description = "Run LINE, then leave.")
    private String line;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public ShellCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (session.services().shell().isPresent()) {
            throw new InputException("the shell is already running", "Type the commands at its prompt; `run-script FILE` runs a "
                    + "file of them.");
        }
        Workspace ws = common.workspace();
        boolean created = !ws.exists();
        ws.create();
        Shell.Mode mode = line != null ? Shell.Mode.COMMAND : stdinTerminal() ? Shell.Mode.INTERACTIVE : Shell.Mode.STDIN;
        try (ShellServices services = ShellServices.shared()) {
            Transcript transcript = Transcript.start(ws, mode.wireName());
            if (!transcript.enabled() && mode == Shell.Mode.INTERACTIVE) {
                System.err.println("os2: cannot write a transcript to " + ws.logsDirectory() + "; commands run without one.");
            }
            if (mode == Shell.Mode.INTERACTIVE) {
                return new Repl(session, services, ws, transcript, common.debug()).run(created);
            }
            Shell shell = new Shell(session, services, ws, ShellConsole.plain(System.out, System.err), transcript, mode,
                    common.debug());
            int status = Os2.EXIT_INTERNAL;
            try {
                status = mode == Shell.Mode.COMMAND ? shell.runCommand(line)
                        : shell.runStream(new InputStreamReader(System.in, StandardCharsets.UTF_8), "stdin");
                return status;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the standard input", e);
            } finally {
                shell.end(status);
                shell.close();
                System.out.flush();
            }
        }
    }

    /**
     * Whether standard input is a terminal: what the launcher found ({@code os2.stdin.terminal}),
     * else what Java can tell.
     */
    static boolean stdinTerminal() {
        String property = System.getProperty("os2.stdin.terminal");
        if (property != null) {
            return Boolean.parseBoolean(property);
        }
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22+: a console exists even when redirected; isTerminal() tells.
            Method isTerminal = java.io.Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
