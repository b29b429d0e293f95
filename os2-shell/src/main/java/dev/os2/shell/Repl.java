package dev.os2.shell;

import dev.os2.kernel.KernelConfig;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.VerifyResult;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive shell on a terminal: the boot sequence, then the prompt loop. Lines are edited
 * with JLine (history in the workspace, completion from the command model, a continuation prompt
 * for an open quote or a trailing operator) and run by the {@link Shell}.
 *
 * <p><b>Boot.</b> A few lines of progress, each as its step ends: the workspace opened (created if
 * new), the ledger verified to its head (entries and short head hash; a broken chain is reported
 * and the shell still starts, so it can be inspected; a ledger that takes longer than
 * {@link #VERIFY_WAIT_MILLIS} is verified in the background and its result shown above the
 * prompt), the kernel's policy and limits, and the Python engine, which warms up in the
 * background after the prompt appears; its completion is shown above the prompt too. The
 * terminal is set up while the ledger is verified, from the moment the program starts.
 *
 * <p><b>Keys.</b> Ctrl-C at the prompt clears the line; during a command it interrupts it (exit
 * 130). Ctrl-Z during a command stops it (its output waits) and returns to the prompt. Ctrl-D at an
 * empty prompt leaves, like {@code exit}.
 */
final class Repl {

    /** The system property that, set to {@code false}, keeps the boot from warming up the Python engine. */
    static final String WARM_UP_PROPERTY = "os2.shell.warm-up";

    /** How long the boot waits for the ledger check before showing the prompt, in milliseconds. */
    static final long VERIFY_WAIT_MILLIS = 1_500;

    private final Session session;
    private final ShellServices services;
    private final Workspace workspace;
    private final Transcript transcript;
    private final boolean debug;
    private final boolean colour;
    private final boolean unicode;
    private final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    Repl(Session session, ShellServices services, Workspace workspace, Transcript transcript, boolean debug) {
        this.session = session;
        this.services = services;
        this.workspace = workspace;
        this.transcript = transcript;
        this.debug = debug;
        String noColour = session.environment().get("NO_COLOR");
        this.colour = noColour == null || noColour.isEmpty();
        this.unicode = utf8Locale(session);
    }

    /** The system terminal being set up ahead of the shell, or null. */
    private static volatile CompletableFuture<Terminal> earlyTerminal;
    /** The ledger check started ahead of the shell, and the workspace it checks; or null. */
    private static volatile CompletableFuture<LedgerCheck> earlyCheck;
    private static volatile Workspace earlyCheckWorkspace;

    /**
     * Starts the slow parts of the boot on daemon threads, if standard input is a terminal: setting
     * up the system terminal, and checking the ledger of the workspace that {@code args} and the
     * environment most likely select. The program's entry point calls this for {@code shell}
     * before it builds the command tree, so that all three take their time at once. The guess of
     * the workspace is used only if the parser selects the same one.
     *
     * @param args the program's arguments, starting with {@code shell}
     * @param environment the process's environment
     */
    static void startEarly(String[] args, java.util.Map<String, String> environment) {
        if (!ShellCommand.stdinTerminal()) {
            return;
        }
        earlyTerminal = setUpTerminal();
        String dir = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals(CommonOptions.WORKSPACE_OPTION) && i + 1 < args.length) {
                dir = args[i + 1];
            } else if (args[i].startsWith(CommonOptions.WORKSPACE_OPTION + "=")) {
                dir = args[i].substring(CommonOptions.WORKSPACE_OPTION.length() + 1);
            }
        }
        String variable = environment.get(Session.WORKSPACE_VARIABLE);
        if (dir == null) {
            dir = variable == null || variable.isBlank() ? Session.DEFAULT_WORKSPACE : variable;
        }
        try {
            Workspace ws = Workspace.at(Path.of(dir));
            earlyCheckWorkspace = ws;
            earlyCheck = checkLedgerAsync(ws);
        } catch (RuntimeException e) {
            // Not a path: the parser will say so; the boot checks the ledger itself.
            earlyCheckWorkspace = null;
        }
    }

    private static CompletableFuture<LedgerCheck> checkLedgerAsync(Workspace ws) {
        return CompletableFuture.supplyAsync(() -> checkLedger(ws),
                task -> Thread.ofPlatform().daemon().name("os2-ledger-check").start(task));
    }

    private static CompletableFuture<Terminal> setUpTerminal() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return TerminalBuilder.builder().system(true).dumb(false).name("os2").nativeSignals(true).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> Thread.ofPlatform().daemon().name("os2-terminal-setup").start(task));
    }

    /** Whether the locale variables say the terminal takes UTF-8 (for the boot's check marks). */
    private static boolean utf8Locale(Session session) {
        for (String name : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String v = session.environment().get(name);
            if (v != null && !v.isEmpty()) {
                String upper = v.toUpperCase(Locale.ROOT);
                return upper.contains("UTF-8") || upper.contains("UTF8");
            }
        }
        return false;
    }

    /**
     * Boots and runs the prompt until {@code exit} or Ctrl-D.
     *
     * @param created whether the workspace was created just now
     * @return the exit status
     */
    int run(boolean created) {
        Style style = new Style(colour);
        CompletableFuture<Terminal> early = earlyTerminal;
        earlyTerminal = null;
        CompletableFuture<Terminal> terminalSetUp = early != null ? early : setUpTerminal();

        CompletableFuture<LedgerCheck> check = earlyCheckWorkspace != null && earlyCheckWorkspace.equals(workspace)
                ? earlyCheck : checkLedgerAsync(workspace);
        earlyCheck = null;
        earlyCheckWorkspace = null;
        CompletableFuture<String> verification = check.thenApply(c -> describe(c, style));

        String version = SessionCommands.version();
        out.println(style.bold("OS2 " + version) + style.dim("  deterministic capability microkernel"));
        step(style, true, "workspace", workspace.directory() + (created ? " (new)" : ""));
        String verified = null;
        try {
            // A long ledger is verified in the background; the prompt does not wait for it.
            verified = verification.get(VERIFY_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            out.println(verified);
        } catch (TimeoutException e) {
            step(style, false, "ledger", "verifying to its head in the background");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            out.println(line(style, false, "ledger", "not verified: " + e.getCause()));
        }
        KernelConfig defaults = KernelConfig.defaults();
        List<String> bound = ShellCapabilities.all(services).stream().map(r -> r.descriptor().id()).toList();
        step(style, true, "policy", "kernel default limits (" + defaults.maxLiveTokens() + " live tokens, "
                + defaults.queueCapacity() + " queued inputs, " + (defaults.maxPayloadBytes() >> 10) + " KiB payloads); "
                + (bound.isEmpty() ? "no shell capabilities" : "shell capabilities " + String.join(", ", bound))
                + "; subject " + ShellServices.OPERATOR_SUBJECT);

        Terminal terminal;
        try {
            terminal = terminalSetUp.join();
        } catch (CompletionException e) {
            throw new InputException("cannot set up the terminal: " + e.getCause().getMessage(),
                    "Run the shell with its input from a file or pipe instead, for example `" + session.hint("shell < script") + "`.");
        }
        ShellConsole console = ShellConsole.interactive(terminal, System.err);
        Shell shell = new Shell(session, services, workspace, console, transcript, Shell.Mode.INTERACTIVE, debug);
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("os2")
                .parser(new ShellLineParser())
                .completer(new ShellCompleter(shell::model))
                .variable(LineReader.HISTORY_FILE, workspace.historyFile())
                .variable(LineReader.HISTORY_SIZE, 1_000)
                .variable(LineReader.HISTORY_FILE_SIZE, 10_000)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%M> ")
                .variable(LineReader.LIST_MAX, 200)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
                .option(LineReader.Option.AUTO_FRESH_LINE, true)
                .option(LineReader.Option.AUTO_GROUP, false)
                .option(LineReader.Option.GROUP, false)
                .build();
        if (!colour) {
            reader.option(LineReader.Option.DISABLE_HIGHLIGHTER, true);
            for (String v : new String[] {LineReader.COMPLETION_STYLE_STARTING, LineReader.COMPLETION_STYLE_DESCRIPTION,
                LineReader.COMPLETION_STYLE_GROUP, LineReader.COMPLETION_STYLE_SELECTION, LineReader.COMPLETION_STYLE_BACKGROUND,
                LineReader.COMPLETION_STYLE_LIST_STARTING, LineReader.COMPLETION_STYLE_LIST_DESCRIPTION,
                LineReader.COMPLETION_STYLE_LIST_GROUP, LineReader.COMPLETION_STYLE_LIST_SELECTION,
                LineReader.COMPLETION_STYLE_LIST_BACKGROUND}) {
                reader.setVariable(v, "");
            }
        }
        console.attach(reader);
        if (verified == null) {
            verification.thenAccept(text -> console.printAbove(false, text));
        }
        terminal.handle(Terminal.Signal.INT, s -> shell.interruptForeground());
        terminal.handle(Terminal.Signal.TSTP, s -> shell.stopForeground());

        // Diagnostics and tests turn the warm-up off; the first Python run then warms the engine itself.
        boolean warmUp = !"false".equals(System.getProperty(WARM_UP_PROPERTY));
        step(style, false, "python", warmUp ? "engine warming up in the background (python commands wait for it only if it has "
                + "not finished)" : "engine not warmed up (" + WARM_UP_PROPERTY + "=false); the first python command warms it");
        Duration ready = Duration.between(ProcessHandle.current().info().startInstant().orElse(shell.startedAt()), Instant.now());
        out.println(style.dim("Ready in " + String.format(Locale.ROOT, "%.1f", ready.toMillis() / 1000.0) + " s. ")
                + "Type " + style.name("help") + " for the commands, Tab to complete, Ctrl-D to leave.");
        if (warmUp) {
            warmUpPython(console, style);
        }
        Thread.ofPlatform().daemon().name("os2-prepare").start(() -> {
            // The first Tab and the first command find their command trees built.
            shell.model();
            shell.prepare(true);
        });

        int status = Os2.EXIT_OK;
        long lineNumber = 0;
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt(shell, style));
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    if (shell.requestExit(shell.lastStatus(), err)) {
                        out.println();
                        break;
                    }
                    continue;
                }
                lineNumber++;
                try {
                    shell.runLine(line, "interactive", lineNumber);
                } catch (RuntimeException e) {
                    err.println("os2: internal error in the shell: " + e + ". This is a bug in OS2; run the shell with --debug "
                            + "and report the stack trace.");
                    if (debug) {
                        e.printStackTrace(err);
                    }
                }
                if (shell.exitRequested().isPresent()) {
                    break;
                }
            }
            status = shell.exitRequested().orElse(shell.lastStatus());
        } finally {
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                err.println("os2: cannot save the history to " + workspace.historyFile() + ": " + e.getMessage() + ".");
            }
            shell.end(status);
            shell.close();
            try {
                terminal.close();
            } catch (IOException e) {
                // Leaving anyway.
            }
        }
        return status;
    }

    private String prompt(Shell shell, Style style) {
        int last = shell.lastStatus();
        return style.name("os2") + style.dim(":" + workspace.directory().getFileName()) + (last == 0 ? "" : style.bad(" [" + last + "]"))
                + "> ";
    }

    /** Prints one line of the boot. */
    private void step(Style style, boolean done, String what, String detail) {
        out.println(line(style, done, what, detail));
    }

    /** One line of the boot: a check mark (or a pending mark) and what was done. */
    private String line(Style style, boolean done, String what, String detail) {
        String mark = done ? (unicode ? "✓" : "ok") : (unicode ? "…" : "..");
        return "  " + (done ? style.good(mark) : style.dim(mark)) + " " + what + " ".repeat(Math.max(1, 10 - what.length())) + detail;
    }

    /**
     * What the boot found in the ledger.
     *
     * @param absent whether the workspace has no ledger yet
     * @param size its number of entries
     * @param head its head hash, or null
     * @param broken where its chain breaks, or null when it is intact
     * @param error why it could not be read, or null
     */
    record LedgerCheck(boolean absent, long size, Hash head, VerifyResult.Broken broken, String error) {
    }

    /** Verifies {@code ws}'s ledger to its head, read-only. Never throws. */
    static LedgerCheck checkLedger(Workspace ws) {
        if (!ws.hasLedger()) {
            return new LedgerCheck(true, 0, null, null, null);
        }
        try (Ledger ledger = ws.openLedgerReadOnly()) {
            long size = ledger.size();
            VerifyResult result = ledger.verify();
            return new LedgerCheck(false, size, ledger.headHash(), result instanceof VerifyResult.Broken b ? b : null, null);
        } catch (RuntimeException e) {
            return new LedgerCheck(false, 0, null, null, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The boot line for what the ledger check found. */
    private String describe(LedgerCheck c, Style style) {
        String cross = "  " + style.bad(unicode ? "✗" : "!!") + " ledger    ";
        if (c.absent()) {
            return line(style, true, "ledger", "empty: a kernel starts on it when a command first needs one");
        }
        if (c.error() != null) {
            return cross + Table.clean(Os2.sentence(c.error()));
        }
        if (c.broken() != null) {
            return cross + style.bad("broken at position " + c.broken().position()) + ": " + Table.clean(c.broken().detail())
                    + "; `ledger-verify` shows it, commands that write refuse it";
        }
        return line(style, true, "ledger", "verified to head: " + c.size() + (c.size() == 1 ? " entry" : " entries") + ", head "
                + c.head().toHex().substring(0, 12));
    }

    /** Starts the Python engine's warm-up on a daemon thread; its end is shown above the prompt. */
    private void warmUpPython(ShellConsole console, Style style) {
        Thread.ofPlatform().daemon().name("os2-python-warm-up").start(() -> {
            try {
                services.python().warmUp();
                long millis = services.python().warmUpMillis().orElse(0L);
                console.printAbove(false, style.dim((unicode ? "✓" : "ok") + " python engine warm in "
                        + String.format(Locale.ROOT, "%.1f", millis / 1000.0) + " s"));
            } catch (RuntimeException | LinkageError e) {
                console.printAbove(true, style.warn("python engine failed to warm up: " + e.getMessage()
                        + "; python commands will report it"));
            }
        });
    }
}
