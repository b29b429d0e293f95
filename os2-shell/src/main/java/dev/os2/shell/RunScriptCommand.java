package dev.os2.shell;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code run-script PATH [--keep-going]}: runs a file of shell lines. In the shell, its lines run
 * in the same session (its jobs, its transcript); one-shot, in a session of their own.
 */
@Command(name = "run-script",
        usageHelpAutoWidth = true,
        header = "Run a file of shell lines, stopping at the first that fails.",
        description = {
            "Run the lines of PATH as the shell would: pipelines, && and ||, background jobs, quotes, # comments; a line "
                    + "that ends inside quotes or with a backslash or an operator continues on the next. It stops at the first "
                    + "line whose exit status is not 0 and says which line it was; with --keep-going it runs every line and "
                    + "lists those that failed.",
            "Exit status: 0 if every line succeeded, else the status of the (last) line that failed."
        })
public final class RunScriptCommand implements Callable<Integer>, SessionCommand {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "PATH", description = "The script, a UTF-8 text file of shell lines.")
    private Path path;

    @Option(names = "--keep-going", description = "Run every line, even after one fails.")
    private boolean keepGoing;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public RunScriptCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        session.services().annotate("script", path.toString());
        if (session.services().shell().isPresent()) {
            return session.services().shell().get().runScript(path, keepGoing, err);
        }
        // One-shot: a shell session of its own, reading no standard input, with its own transcript.
        Workspace ws = common.workspace();
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new InputException("there is no script file " + path, "Check the path; it is relative to the current directory.");
        }
        ws.create();
        try (ShellServices services = ShellServices.shared()) {
            Shell shell = new Shell(session, services, ws, ShellConsole.plain(System.out, System.err),
                    Transcript.start(ws, Shell.Mode.SCRIPT.wireName()), Shell.Mode.SCRIPT, common.debug());
            int status = Os2.EXIT_INTERNAL;
            try {
                status = shell.runScript(path, keepGoing, err);
                if (shell.exitRequested().isEmpty()) {
                    shell.awaitJobs();
                }
                status = shell.exitRequested().orElse(status);
                return status;
            } finally {
                err.flush();
                shell.end(status);
                shell.close();
                System.out.flush();
            }
        }
    }
}
