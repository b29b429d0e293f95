package dev.os2.shell;

import dev.os2.shell.line.LineParser;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The transcript of a command run one-shot ({@code ./os2 <command>}): a session file of one
 * command record in the command's workspace, as a shell session would write, so that the
 * workspace's {@code logs/} tells what was done to it however it was done. It is written only
 * when the workspace exists (a command that fails because there is no workspace creates none),
 * and not for {@code shell} and {@code run-script}, which write their own. Not thread-safe: one
 * per process.
 */
final class OneShotRun {

    private final Session session;
    private final HashingOutputStream stdout;
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();

    OneShotRun(Session session, OutputStream processStdout) {
        this.session = Objects.requireNonNull(session, "session");
        this.stdout = new HashingOutputStream(processStdout, () -> { });
    }

    /** The process's standard output, counted and hashed on its way. */
    OutputStream stdout() {
        return stdout;
    }

    /** Writes the transcript of the command {@code cl} ran with {@code args}, if it should be. */
    void record(CommandLine cl, String[] args, int status) {
        if (args.length == 0) {
            return;
        }
        long duration = System.nanoTime() - startNanos;
        ParseResult pr = cl.getParseResult();
        ParseResult sub = pr == null ? null : pr.subcommand();
        if (pr != null && sub == null) {
            return; // --help or --version of the program itself: not a command.
        }
        if (sub != null && sub.commandSpec().userObject() instanceof SessionCommand) {
            return;
        }
        Path dir = sub == null ? null : sub.matchedOptionValue(CommonOptions.WORKSPACE_OPTION, (Path) null);
        Workspace ws = Workspace.at(dir != null ? dir : session.defaultWorkspace());
        try {
            if (!ws.exists()) {
                return;
            }
        } catch (RuntimeException e) {
            return;
        }
        List<String> words = Arrays.asList(args);
        Transcript t = Transcript.start(ws, "one-shot");
        t.command(new Transcript.Command("one-shot", 1, words.stream().map(LineParser::quote).collect(Collectors.joining(" ")),
                0, false, 0, 1, words, startedAt, duration, status, stdout.sha256(), stdout.bytes(),
                session.services().takeLedgerTouch().orElse(null), session.services().takeAnnotations()));
        t.end(status);
    }
}
