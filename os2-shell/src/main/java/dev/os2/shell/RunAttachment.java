package dev.os2.shell;

import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.TokenId;
import dev.os2.shell.python.RunResult;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * What a command hands the handlers of the token it runs: the workspace (for the Python path, pip's
 * install folder, git's clones), where output goes as it is produced, and a place for the handler
 * to leave what the command shows afterwards (the Python run's result, an interruption).
 *
 * <p>Handlers are code, not state: the kernel calls them with a {@link HandlerContext} only. The
 * shell runs its tokens on the command's own thread ({@code kernel.runUntilIdle()}), which is the
 * kernel thread during the run, so the attachment travels in a thread-local and a handler finds it
 * with {@link #of(HandlerContext)}, which answers only for the token it was made for (a token of
 * someone else that runs in the same step gets none). Without an attachment a handler still runs:
 * output is only captured and hashed, and nothing of the workspace is reachable.
 *
 * <p>Threads: made, used and closed on one thread; {@link #of} is called on the same thread.
 */
final class RunAttachment implements AutoCloseable {

    private static final ThreadLocal<RunAttachment> CURRENT = new ThreadLocal<>();

    private final TokenId token;
    private final Workspace workspace;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final RunAttachment previous;
    private final boolean toolOutput;
    private RunResult pythonResult;
    private boolean interrupted;

    private RunAttachment(TokenId token, Workspace workspace, OutputStream stdout, OutputStream stderr,
            RunAttachment previous, boolean toolOutput) {
        this.toolOutput = toolOutput;
        this.token = token;
        this.workspace = workspace;
        this.stdout = stdout;
        this.stderr = stderr;
        this.previous = previous;
    }

    /**
     * Attaches to the current thread until {@link #close()}.
     *
     * @param token the token the command runs
     * @param workspace the workspace it runs in
     * @param stdout where the token's output goes as produced
     * @param stderr where its diagnostics go as produced
     * @param toolOutput whether the host-tool handlers ({@code net.http}, {@code git.remote},
     *     {@code pip.install}) write what they fetch or print to these streams: true for the
     *     {@code curl}, {@code git} and {@code pip} commands, false for a script, which gets the
     *     tools' results instead
     * @return the attachment, to close when the kernel step is over
     */
    static RunAttachment attach(TokenId token, Workspace workspace, OutputStream stdout, OutputStream stderr,
            boolean toolOutput) {
        RunAttachment a = new RunAttachment(Objects.requireNonNull(token, "token"), Objects.requireNonNull(workspace, "workspace"),
                Objects.requireNonNull(stdout, "stdout"), Objects.requireNonNull(stderr, "stderr"), CURRENT.get(), toolOutput);
        CURRENT.set(a);
        return a;
    }

    /** The attachment of the token {@code ctx} belongs to, if the thread running it has one. */
    static Optional<RunAttachment> of(HandlerContext ctx) {
        RunAttachment a = CURRENT.get();
        return a != null && a.token.equals(ctx.token()) ? Optional.of(a) : Optional.empty();
    }

    /** The token this attachment is for. */
    TokenId token() {
        return token;
    }

    /** The workspace the token runs in. */
    Workspace workspace() {
        return workspace;
    }

    /** Where the token's output goes. */
    OutputStream stdout() {
        return stdout;
    }

    /** Where the token's diagnostics go. */
    OutputStream stderr() {
        return stderr;
    }

    /** Whether host-tool handlers write their output to this attachment's streams. */
    boolean toolOutput() {
        return toolOutput;
    }

    /** The result of the token's Python run, left by {@code python.exec}'s handler; empty if it did not run. */
    Optional<RunResult> pythonResult() {
        return Optional.ofNullable(pythonResult);
    }

    void pythonResult(RunResult value) {
        pythonResult = value;
    }

    /**
     * Whether a handler saw the thread interrupted and stopped its work. The handler clears the
     * flag so that the kernel can record the outcome; the command sets it again once it has closed
     * the workspace kernel (the ledger's file channels close themselves on an interrupted thread).
     */
    boolean interrupted() {
        return interrupted;
    }

    void markInterrupted() {
        interrupted = true;
    }

    /** Detaches; the command hands a swallowed interrupt back ({@link #interrupted()}) when its kernel is closed. */
    @Override
    public void close() {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
