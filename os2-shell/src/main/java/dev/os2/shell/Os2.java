package dev.os2.shell;

import dev.os2.kernel.InvalidInputException;
import dev.os2.ledger.InvalidPayloadException;
import dev.os2.ledger.LedgerException;
import dev.os2.ledger.SignatureFileException;
import dev.os2.shell.bench.DeterministicBenchmarkCommand;
import dev.os2.shell.bench.ScenarioRunCommand;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code os2} command: the root of the command tree that the {@code ./os2} launcher runs one
 * command of, and that the interactive shell ({@link ShellCommand}) runs line by line.
 *
 * <p>Exit status: {@link #EXIT_OK} when the command did what it was asked, {@link #EXIT_CHECK_FAILED}
 * when it ran but its check failed (for example {@code ledger-verify} found damage),
 * {@link #EXIT_USAGE} for a usage, input or environment error (nothing was changed), and
 * {@link #EXIT_INTERNAL} when OS2 itself failed. Errors are printed as one line,
 * {@code os2: <what was wrong>. <what to do>}, with the stack trace only under {@code --debug}.
 */
@Command(name = "os2",
        mixinStandardHelpOptions = true,
        versionProvider = Os2.Version.class,
        usageHelpAutoWidth = true,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "OS2: a deterministic capability microkernel with a tamper-evident, hash-chained ledger.",
            "Every command takes --workspace DIR (default ./os2-data, or $OS2_WORKSPACE) and --help.",
            "The interactive shell, `shell`, runs the same commands line by line, with pipelines, jobs and completion."
        },
        footer = {"", "Exit status: 0 ok, 1 the command's check failed, 2 usage or input error, 3 internal error.",
            "The launcher also runs the test suite: ./os2 test [Maven arguments]."},
        // One line per command, in the order `help` lists them.
        subcommands = {
            ShellCommand.class,
            HelpCommands.Help.class,
            HelpCommands.Man.class,
            LedgerDemoCommand.class,
            LedgerVerifyCommand.class,
            LedgerInspectCommand.class,
            LedgerCheckpointCommand.class,
            CapListCommand.class,
            CapShowCommand.class,
            SimulateCommand.class,
            SnapshotCreateCommand.class,
            SnapshotListCommand.class,
            SnapshotShowCommand.class,
            SnapshotDiffCommand.class,
            SnapshotAuthCommand.class,
            SnapshotVerifyCommand.class,
            SnapshotReplayCommand.class,
            SnapshotRestoreCommand.class,
            SnapshotExportCommand.class,
            SnapshotImportCommand.class,
            KernelReadyFlagCommand.class,
            // Python, capability management and the host-tool wrappers.
            PythonCommand.class,
            PyvmCommand.class,
            PyxCommand.class,
            CapGrantCommand.class,
            CapRevokeCommand.class,
            CapDeriveCommand.class,
            PolicyLoadCommand.class,
            PipCommand.class,
            GitCommand.class,
            CurlCommand.class,
            // Shell built-ins: scripts, jobs, processes, the session, text filters.
            RunScriptCommand.class,
            JobCommands.Jobs.class,
            JobCommands.Fg.class,
            JobCommands.Bg.class,
            JobCommands.Kill.class,
            JobCommands.Wait.class,
            JobCommands.Sleep.class,
            ProcessCommands.Ps.class,
            ProcessCommands.Top.class,
            SessionCommands.Env.class,
            SessionCommands.Date.class,
            SessionCommands.Uptime.class,
            SessionCommands.Uname.class,
            SessionCommands.Whoami.class,
            SessionCommands.HistoryCommand.class,
            SessionCommands.Exit.class,
            TextFilters.Echo.class,
            TextFilters.Grep.class,
            TextFilters.Head.class,
            TextFilters.Tail.class,
            TextFilters.Wc.class,
            TextFilters.Sort.class,
            // Benchmarks, simulation and the release workflow.
            DeterministicBenchmarkCommand.class,
            ScenarioRunCommand.class,
            DocumentModuleTreeCommand.class,
            DocumentCommandsCommand.class,
            ReleaseManifestCommand.class,
        })
public final class Os2 implements Callable<Integer> {

    /** The command did what it was asked. */
    public static final int EXIT_OK = 0;
    /** The command ran, and the check it performs failed (for example the ledger is damaged). */
    public static final int EXIT_CHECK_FAILED = 1;
    /** Bad usage or input, or an environment that does not allow the command; nothing was changed. */
    public static final int EXIT_USAGE = 2;
    /** OS2 itself failed: a bug. {@code --debug} shows the stack trace. */
    public static final int EXIT_INTERNAL = 3;
    /** The command was interrupted (Ctrl-C, or {@code kill %JOB} in the shell): 128 + SIGINT, as POSIX shells report it. */
    public static final int EXIT_INTERRUPTED = 130;
    /** A command of a shell pipeline stopped because the next one finished reading: 128 + SIGPIPE. */
    public static final int EXIT_BROKEN_PIPE = 141;
    /** The shell's foreground job was stopped with Ctrl-Z: 128 + SIGTSTP. */
    public static final int EXIT_STOPPED = 148;

    private final Session session;

    @Spec
    private CommandSpec spec;

    private Os2(Session session) {
        this.session = session;
    }

    /** Without a command: shows the list of commands on stderr and fails as a usage error. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("os2: no command given. Run one of the commands below, for example `" + session.hint("shell") + "`.");
        spec.commandLine().usage(err);
        return EXIT_USAGE;
    }

    /**
     * Runs one command with the process's session and exits the JVM with its status. Output is
     * UTF-8.
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(ShellCommand.NAME) && !List.of(args).contains(ShellCommand.LINE_OPTION)) {
            // The terminal and the ledger check take a while; they do so while the command tree is built.
            Repl.startEarly(args, System.getenv());
        }
        Session session = Session.ofProcess();
        CommandLine cl = commandLine(session);
        OneShotRun run = new OneShotRun(session, System.out);
        cl.setOut(new PrintWriter(new OutputStreamWriter(run.stdout(), StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        int status = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        run.record(cl, args, status);
        session.services().close();
        System.exit(status);
    }

    /**
     * Builds the command tree for {@code session}: commands receive the session, the default
     * {@code --workspace} comes from it, and errors are mapped to one-line messages and exit
     * statuses. The caller sets the output writers ({@link CommandLine#setOut}, {@link CommandLine#setErr})
     * and calls {@link CommandLine#execute}. Not thread-safe: one execution at a time.
     */
    public static CommandLine commandLine(Session session) {
        CommandLine cl = new CommandLine(new Os2(session), new SessionFactory(session));
        cl.setDefaultValueProvider(arg -> arg instanceof OptionSpec option
                && CommonOptions.WORKSPACE_OPTION.equals(option.longestName())
                ? session.defaultWorkspace().toString() : null);
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(session.colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        cl.setParameterExceptionHandler((ex, args) -> usageError(ex, session));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> failure(ex, commandLine, session));
        cl.setExecutionStrategy(new CommandLine.RunLast());
        PyvmCommand.configure(cl);
        return cl;
    }

    private static int usageError(ParameterException ex, Session session) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String command = cl.getCommandSpec().qualifiedName().replaceFirst("^os2 ?", "");
        String message = sentence(ex.getMessage());
        if (ex instanceof UnmatchedArgumentException unmatched && command.isEmpty() && !unmatched.getUnmatched().isEmpty()
                && !unmatched.getUnmatched().get(0).startsWith("-")) {
            message = "unknown command '" + Table.clean(unmatched.getUnmatched().get(0)) + "'.";
        }
        String remedy;
        if (ex instanceof UnmatchedArgumentException unmatched && command.isEmpty()
                && unmatched.getUnmatched().stream().anyMatch(a -> a.startsWith(CommonOptions.WORKSPACE_OPTION))) {
            remedy = "Put --workspace after the command, for example `" + session.hint("ledger-verify --workspace DIR") + "`.";
        } else if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            List<String> suggestions = unmatched.getSuggestions();
            remedy = "Did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
                    + "? Run `" + session.hint(command.isEmpty() ? "help" : command + " --help") + "` for the list.";
        } else {
            remedy = "Run `" + session.hint(command.isEmpty() ? "help" : command + " --help") + "` for the options.";
        }
        err.println("os2: " + message + " " + remedy);
        return EXIT_USAGE;
    }

    private static int failure(Exception ex, CommandLine commandLine, Session session) {
        if (ex instanceof BrokenPipeException) {
            // Like SIGPIPE in a POSIX shell: the next command stopped reading; nothing to report.
            return EXIT_BROKEN_PIPE;
        }
        PrintWriter err = commandLine.getErr();
        Failure f = Failure.of(ex, session);
        err.println("os2: " + f.message());
        if (debugRequested(commandLine)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return f.status();
    }

    private static boolean debugRequested(CommandLine commandLine) {
        ParseResult pr = commandLine.getParseResult();
        return pr != null && pr.hasMatchedOption(CommonOptions.DEBUG_OPTION);
    }

    /** {@code text} as a sentence: no trailing white space, ending in one full stop. */
    static String sentence(String text) {
        String s = text == null ? "" : text.strip();
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        return s + ".";
    }

    /** What the user is told about an exception, and the exit status that goes with it. */
    record Failure(String message, int status) {

        static Failure of(Exception ex, Session session) {
            if (ex instanceof CommandInterruptedException || interrupted(ex)) {
                return new Failure("interrupted.", EXIT_INTERRUPTED);
            }
            if (ex instanceof InputException input) {
                return new Failure(join(input.problem(), input.remedy()), EXIT_USAGE);
            }
            if (ex instanceof InvalidInputException invalid) {
                // Commands check their input first; this is what the kernel refused that they did not foresee.
                return new Failure(join(invalid.getMessage(), "Nothing was recorded; correct the input and try again."),
                        EXIT_USAGE);
            }
            if (ex instanceof InvalidPayloadException invalid) {
                return new Failure(join(invalid.getMessage(), "Nothing was recorded; correct the input and try again."),
                        EXIT_USAGE);
            }
            if (ex instanceof LedgerException ledger) {
                return ofLedger(ledger, session);
            }
            if (ex instanceof SignatureFileException file) {
                return new Failure(join(file.getMessage(), switch (file.problem()) {
                    case MISSING -> "Check the path.";
                    case UNREADABLE -> "Check that it is a file you can read.";
                    case MALFORMED, UNSUPPORTED_FORMAT, KEY_MISMATCH -> "Use the file as OS2 wrote it; it was changed or is another kind of file.";
                    case ALREADY_EXISTS -> "Choose another name, or remove the file if you are sure it is not needed.";
                    case UNWRITABLE -> "Check the permissions of its folder, or write it somewhere else.";
                }), EXIT_USAGE);
            }
            return new Failure(join("internal error: " + ex.getClass().getSimpleName()
                    + (ex.getMessage() == null ? "" : ": " + ex.getMessage()),
                    "This is a bug in OS2; run the command again with --debug and report the stack trace."), EXIT_INTERNAL);
        }

        /** Whether the exception comes from the thread being interrupted (the shell stopping a command). */
        private static boolean interrupted(Throwable ex) {
            if (!Thread.currentThread().isInterrupted()) {
                return false;
            }
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException
                        || t instanceof java.nio.channels.ClosedByInterruptException || t instanceof CommandInterruptedException) {
                    return true;
                }
                if (t.getCause() == t) {
                    break;
                }
            }
            return ex.getMessage() != null && ex.getMessage().contains("interrupted");
        }

        private static Failure ofLedger(LedgerException ex, Session session) {
            String message = ex.getMessage();
            return switch (ex.category()) {
                case NOT_A_LEDGER -> new Failure(join(message,
                        "Pass --workspace with an OS2 workspace, or with a new directory to start one."), EXIT_USAGE);
                case UNSUPPORTED_FORMAT -> new Failure(join(message,
                        "Open it with the OS2 version that wrote it."), EXIT_USAGE);
                case LOCKED -> new Failure(join(message,
                        "Another OS2 process is writing to this ledger; wait for it to finish, or use another --workspace."),
                        EXIT_USAGE);
                case READ_ONLY -> new Failure(join(message,
                        "Make the workspace writable, or pass --workspace with a writable directory."), EXIT_USAGE);
                case DISK_FULL -> new Failure(join(message,
                        "Free some disk space and run the command again; the ledger is unchanged."), EXIT_USAGE);
                case CORRUPT -> new Failure(join(message, message.contains("ledger-verify") ? ""
                        : "Run `" + session.hint("ledger-verify") + "` to find the first bad position."), EXIT_CHECK_FAILED);
                case IO -> new Failure(join(message,
                        "Check the disk and the permissions of the workspace, then try again."), EXIT_USAGE);
            };
        }

        private static String join(String problem, String remedy) {
            String p = sentence(problem);
            return remedy.isEmpty() ? p : p + " " + remedy;
        }
    }

    /** Creates commands, handing the session to those whose constructor takes one. */
    private record SessionFactory(Session session) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            Constructor<K> withSession;
            try {
                withSession = cls.getDeclaredConstructor(Session.class);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
            return withSession.newInstance(session);
        }
    }

    /** {@code --version}: the version in the jar's manifest and the Java running it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Os2.class.getPackage().getImplementationVersion();
            return new String[] {"os2 " + (version == null ? "(development build)" : version)
                    + " on Java " + Runtime.version()};
        }
    }
}
