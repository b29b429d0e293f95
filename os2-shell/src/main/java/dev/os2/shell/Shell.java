package dev.os2.shell;

import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelToken;
import dev.os2.kernel.TokenId;
import dev.os2.shell.line.LineParser;
import dev.os2.shell.line.LineSyntaxException;
import dev.os2.shell.line.Script;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The shell's interpreter: runs lines of the line language ({@link LineParser}) by dispatching each
 * command to the same picocli command tree that runs commands one-shot ({@link Os2#commandLine}),
 * with a {@link Session} whose program is empty (hints read {@code ledger-verify}, not
 * {@code ./os2 ledger-verify}). It keeps the job table, routes output through the
 * {@link ShellConsole}, and records every command in the session's {@link Transcript}.
 *
 * <p>Each list of a line ({@code a | b && c}) is a {@link ShellJob} run on threads of its own; the
 * calling thread waits for a foreground job and returns at once for a background one
 * ({@code &}). The commands of a pipeline run concurrently, joined by {@link Pipe}s; the exit
 * status of a pipeline is its last command's. Commands know nothing of all this: they write to
 * their command line's writers and read {@link ShellServices#input()}.
 *
 * <p>Thread-safe: lines are run by one thread (the prompt, a script), while jobs, signal handlers
 * and the job-control commands ({@code jobs}, {@code fg}, {@code kill}…) call it from others.
 */
final class Shell implements AutoCloseable {

    /** How the shell gets its lines; recorded in the transcript as the session's mode. */
    enum Mode {
        /** A person at a terminal. */
        INTERACTIVE("interactive"),
        /** Lines read from a pipe or file on standard input. */
        STDIN("stdin"),
        /** One line given with {@code -c}. */
        COMMAND("command"),
        /** A script run one-shot with {@code ./os2 run-script}. */
        SCRIPT("script");

        private final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }
    }

    /** Most nested {@code run-script}s (a script that runs itself would otherwise never end). */
    static final int SCRIPT_DEPTH_MAX = 8;
    /** How long leaving the shell waits for interrupted jobs to stop, in milliseconds. */
    static final long EXIT_GRACE_MILLIS = 5_000;

    /** What a command of the shell runs with; one per thread running a command. */
    private record StageContext(ShellJob job, OutputStream stdout, boolean terminal, String source, int scriptDepth) {
    }

    private final ThreadLocal<StageContext> context = new ThreadLocal<>();
    private final Session base;
    private final ShellServices services;
    private final Workspace workspace;
    private final ShellConsole console;
    private final Transcript transcript;
    private final Mode mode;
    private final boolean debug;
    private final boolean stdoutTerminal;
    private final long startNanos = System.nanoTime();
    private final Instant startedAt = Instant.now();
    private CommandLine model;
    private final Map<String, Deque<CommandLine>> idle = new TreeMap<>();
    // Guarded by this.
    private final TreeMap<Integer, ShellJob> jobs = new TreeMap<>();
    private final List<String> sessionLines = new ArrayList<>();
    private ShellJob current;
    private boolean exitWarned;
    private Integer exitStatus;
    private int lastStatus;
    private volatile ShellJob foreground;
    private volatile BufferedReader firstInput;

    /**
     * Creates the interpreter.
     *
     * @param base the session the shell was started with: its environment and terminal flags
     * @param services the shell's services, in shared mode; the shell attaches itself to them
     * @param workspace the shell's workspace, which exists
     * @param console where output goes
     * @param transcript where commands are recorded
     * @param mode how lines arrive
     * @param debug whether internal errors of the shell show their stack trace
     */
    Shell(Session base, ShellServices services, Workspace workspace, ShellConsole console, Transcript transcript, Mode mode,
            boolean debug) {
        this.services = Objects.requireNonNull(services, "services");
        this.workspace = Objects.requireNonNull(workspace, "workspace");
        this.console = Objects.requireNonNull(console, "console");
        this.transcript = Objects.requireNonNull(transcript, "transcript");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.debug = debug;
        this.stdoutTerminal = mode == Mode.INTERACTIVE || base.stdoutTerminal();
        Map<String, String> env = new TreeMap<>(base.environment());
        // Commands default to the shell's workspace, so that --workspace is needed only for another.
        env.put(Session.WORKSPACE_VARIABLE, workspace.directory().toString());
        this.base = new Session(env, stdoutTerminal, base.terminalColumns(), "", mode == Mode.INTERACTIVE || base.stderrTerminal(),
                services);
        services.attach(this);
    }

    // --- what the commands and the prompt ask of the shell --------------------------------------------

    /** The shell's session (no terminal: for looking things up, not for running commands). */
    Session session() {
        return base;
    }

    /** A session for a command whose standard output is a terminal ({@code terminal}) or not. */
    Session session(boolean terminal) {
        int columns = terminal ? (console.interactive() ? console.columns() : base.terminalColumns()) : 0;
        return new Session(base.environment(), terminal, columns, "", base.stderrTerminal(), services);
    }

    /** The command tree, for completion; never executed. Built on first use. */
    synchronized CommandLine model() {
        if (model == null) {
            model = Os2.commandLine(session(false));
        }
        return model;
    }

    Workspace workspace() {
        return workspace;
    }

    ShellConsole console() {
        return console;
    }

    ShellServices services() {
        return services;
    }

    Transcript transcript() {
        return transcript;
    }

    Mode mode() {
        return mode;
    }

    /** Wall-clock nanoseconds since the shell started; for {@code uptime}, never for the kernel. */
    long uptimeNanos() {
        return System.nanoTime() - startNanos;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** The exit status of the last line run. */
    synchronized int lastStatus() {
        return lastStatus;
    }

    /** The lines run in this session, oldest first. */
    synchronized List<String> sessionLines() {
        return List.copyOf(sessionLines);
    }

    /** The exit status the shell leaves with, once {@code exit} was accepted; else empty. */
    synchronized Optional<Integer> exitRequested() {
        return Optional.ofNullable(exitStatus);
    }

    /**
     * Asks the shell to leave after the current line. With jobs still running or stopped, the
     * first request only warns (on {@code err}) and returns false; the next one is accepted, and
     * leaving interrupts those jobs.
     */
    synchronized boolean requestExit(int status, PrintWriter err) {
        long live = jobs.values().stream().filter(j -> j.state() != ShellJob.State.DONE).count();
        if (live > 0 && !exitWarned && mode == Mode.INTERACTIVE) {
            exitWarned = true;
            err.println("os2: there " + (live == 1 ? "is 1 job" : "are " + live + " jobs") + " still running or stopped. "
                    + "`jobs` lists them; exit again to interrupt them and leave.");
            err.flush();
            return false;
        }
        exitStatus = status;
        return true;
    }

    /** The jobs in the table (background, stopped, or done but not yet reported), by number. */
    synchronized List<ShellJob> jobs() {
        return new ArrayList<>(jobs.values());
    }

    /** Forgets jobs whose end was reported. */
    synchronized void forgetReported() {
        jobs.values().removeIf(j -> j.state() == ShellJob.State.DONE && j.reported());
    }

    /**
     * The job {@code spec} names: {@code %N} or {@code N}, or {@code %+}, {@code %%} or null for
     * the current job (the last one started in the background or stopped).
     *
     * @throws InputException if there is no such job
     */
    synchronized ShellJob job(String spec) {
        if (spec == null || spec.equals("%+") || spec.equals("%%") || spec.equals("+")) {
            if (current == null || !jobs.containsValue(current)) {
                ShellJob last = jobs.isEmpty() ? null : jobs.lastEntry().getValue();
                if (last == null) {
                    throw new InputException("there is no current job", "Start one with `COMMAND &`; `jobs` lists them.");
                }
                return last;
            }
            return current;
        }
        String digits = spec.startsWith("%") ? spec.substring(1) : spec;
        if (!digits.matches("[0-9]{1,9}")) {
            throw new InputException("'" + Table.clean(Table.fit(spec, 40)) + "' is not a job",
                    "Name a job as %N, for example %1; `jobs` lists them.");
        }
        ShellJob j = jobs.get(Integer.parseInt(digits));
        if (j == null) {
            throw new InputException("there is no job %" + digits, "`jobs` lists the jobs.");
        }
        return j;
    }

    /** The job the calling thread runs a command of, or null outside the shell's jobs. */
    ShellJob currentJob() {
        StageContext c = context.get();
        return c == null ? null : c.job();
    }

    /** Whether the command on the calling thread writes to the terminal (for {@code top}'s refresh). */
    boolean writesToTerminal() {
        StageContext c = context.get();
        return c != null && c.terminal() && console.interactive() && c.job().foreground();
    }

    /**
     * Brings {@code job} to the foreground on behalf of the calling command ({@code fg}) and waits
     * for it to finish or stop. Ctrl-C interrupts it; Ctrl-Z stops it again.
     *
     * @return its exit status, or {@link Os2#EXIT_STOPPED} if it stopped again
     * @throws InterruptedException if the caller was interrupted (the job was interrupted too)
     */
    int foreground(ShellJob job) throws InterruptedException {
        ShellJob caller = currentJob();
        if (caller != null) {
            caller.adopt(job);
        }
        try {
            job.resume(true);
            synchronized (this) {
                current = job;
            }
            int status = job.awaitDoneOrStopped();
            if (status < 0) {
                return Os2.EXIT_STOPPED;
            }
            job.markReported();
            forgetReported();
            return status;
        } finally {
            if (caller != null) {
                caller.adopt(null);
            }
        }
    }

    /** Interrupts the foreground job and the job it waits for (Ctrl-C during a command). */
    void interruptForeground() {
        // The whole chain first: an interrupted fg stops adopting its job at once.
        List<ShellJob> chain = new ArrayList<>();
        ShellJob j = foreground;
        while (j != null && chain.size() < SCRIPT_DEPTH_MAX + 2) {
            chain.add(j);
            j = j.adopted();
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            chain.get(i).interrupt(this::cancelToken);
        }
    }

    /** Stops the job at the end of the foreground chain (Ctrl-Z during a command). */
    void stopForeground() {
        ShellJob j = foreground;
        if (j == null) {
            return;
        }
        int depth = 0;
        while (j.adopted() != null && depth++ < SCRIPT_DEPTH_MAX + 2) {
            j = j.adopted();
        }
        j.stop();
    }

    /** Interrupts a job ({@code kill %N}) and cancels the kernel token its commands annotated. */
    void kill(ShellJob job) {
        job.interrupt(this::cancelToken);
    }

    /**
     * Cancels a token in the shell's workspace kernel, if the shell holds it open: at the running
     * handler's next call into the kernel when the token runs (the kernel is busy with it), else
     * at once. Best effort, on a thread of its own (the caller may be a signal handler, which must
     * not wait for the kernel); never throws.
     */
    void cancelToken(long id) {
        if (services.openLedgerSize(workspace).isEmpty()) {
            return;
        }
        Thread.ofPlatform().daemon().name("os2-cancel-token-" + id).start(() -> cancelNow(id));
    }

    private void cancelNow(long id) {
        try {
            services.withKernel(workspace, wk -> {
                KernelInput.CancelToken cancel = new KernelInput.CancelToken(TokenId.of(id));
                Optional<KernelToken> token = wk.kernel().state().token(TokenId.of(id));
                if (token.isPresent() && token.get().status() == KernelToken.Status.RUNNING) {
                    wk.kernel().offer(cancel);
                } else if (token.isPresent()) {
                    wk.kernel().execute(cancel);
                }
                return null;
            });
        } catch (RuntimeException e) {
            // The token ended meanwhile, or the kernel is gone: nothing to cancel.
        } finally {
            services.takeLedgerTouch();
        }
    }

    // --- running lines -------------------------------------------------------------------------------

    /**
     * Runs one line: parses it, then runs each of its lists, waiting for the foreground ones. A
     * line that does not parse is reported on standard error as one line and has exit status 2.
     *
     * @param line the line (may hold newlines inside quotes or after a backslash)
     * @param source where it came from, for the transcript: {@code interactive}, {@code stdin},
     *     {@code command} or a script's path
     * @param lineNumber its line number in the source
     * @return the exit status of its last foreground list (0 if it only started background jobs,
     *     or held no command)
     */
    int runLine(String line, String source, long lineNumber) {
        return runLine(line, source, lineNumber, null);
    }

    private int runLine(String line, String source, long lineNumber, StageContext within) {
        Script script;
        try {
            script = LineParser.parse(line);
        } catch (LineSyntaxException e) {
            String message = "os2: syntax error: " + Os2.sentence(e.getMessage()) + (e.incomplete()
                    ? " Complete the line." : " Run `help` for the line language.");
            if (within != null) {
                // Inside run-script: the script reports the line; the error goes to the job's stderr.
                writeError(within.job(), message);
            } else {
                console.print(true, message + "\n");
            }
            transcript.syntaxError(source, lineNumber, line, e.getMessage());
            setLastStatus(Os2.EXIT_USAGE);
            return Os2.EXIT_USAGE;
        }
        if (script.isEmpty()) {
            return within == null ? lastStatus() : Os2.EXIT_OK;
        }
        if (within == null) {
            synchronized (this) {
                sessionLines.add(line);
            }
        }
        int status = Os2.EXIT_OK;
        for (Script.AndOrList list : script.lists()) {
            if (exitRequested().isPresent()) {
                break;
            }
            status = runList(list, line, source, lineNumber, within);
            if (within != null && within.job().interrupted()) {
                status = Os2.EXIT_INTERRUPTED;
                break;
            }
        }
        if (within == null) {
            setLastStatus(status);
        }
        return status;
    }

    private synchronized void setLastStatus(int status) {
        lastStatus = status;
    }

    private int runList(Script.AndOrList list, String line, String source, long lineNumber, StageContext within) {
        if (within != null && !list.background()) {
            // A foreground list of a script runs as part of the run-script command's own job.
            return drive(within.job(), list, line, source, lineNumber, within);
        }
        ShellJob job = new ShellJob(services, console, list, !list.background());
        if (list.background()) {
            number(job);
        }
        Thread driver = Thread.ofPlatform().daemon().name("os2-job-" + Math.max(job.number(), 0)).unstarted(() -> {
            int status = Os2.EXIT_INTERNAL;
            try {
                status = drive(job, list, line, source, lineNumber, null);
            } finally {
                job.leave(Thread.currentThread());
                job.finish(status);
                finished(job);
            }
        });
        job.enter(driver);
        if (!list.background()) {
            foreground = job;
        }
        driver.start();
        if (list.background()) {
            if (mode == Mode.INTERACTIVE && within == null) {
                console.print(true, "[" + job.number() + "] " + job.text() + "\n");
            }
            return Os2.EXIT_OK;
        }
        int status = job.awaitForeground();
        if (foreground == job) {
            foreground = null;
        }
        if (status < 0) {
            number(job);
            console.print(true, "\n[" + job.number() + "]+ Stopped  " + job.text() + "\n");
            return Os2.EXIT_STOPPED;
        }
        return status;
    }

    /** Gives {@code job} the smallest free job number, and makes it the current job. */
    private synchronized void number(ShellJob job) {
        if (job.number() == 0) {
            int n = 1;
            while (jobs.containsKey(n)) {
                n++;
            }
            job.number(n);
            jobs.put(n, job);
        }
        current = job;
    }

    /** A job ended: a background one is announced (interactive) and kept until reported. */
    private void finished(ShellJob job) {
        if (job.number() == 0) {
            return;
        }
        if (mode == Mode.INTERACTIVE && !job.foreground()) {
            console.printAbove(true, "[" + job.number() + "] " + describeEnd(job) + "  " + job.text());
            job.markReported();
            forgetReported();
        }
    }

    /** How a finished job ended, as {@code jobs} shows it. */
    static String describeEnd(ShellJob job) {
        int status = job.status();
        return switch (status) {
            case Os2.EXIT_OK -> "Done";
            case Os2.EXIT_INTERRUPTED -> "Interrupted";
            default -> "Exit " + status;
        };
    }

    /** Runs a list's pipelines on the calling thread, honouring {@code &&} and {@code ||}. */
    private int drive(ShellJob job, Script.AndOrList list, String line, String source, long lineNumber, StageContext within) {
        int status;
        try {
            status = runPipeline(job, list.first(), line, source, lineNumber, within);
            for (Script.Step step : list.rest()) {
                if (job.interrupted()) {
                    break;
                }
                boolean run = step.connector() == Script.Connector.AND ? status == Os2.EXIT_OK : status != Os2.EXIT_OK;
                if (run) {
                    status = runPipeline(job, step.pipeline(), line, source, lineNumber, within);
                }
            }
        } catch (RuntimeException | Error e) {
            writeError(job, "os2: internal error in the shell: " + e + ". This is a bug in OS2; run the shell with --debug "
                    + "and report the stack trace.");
            if (debug) {
                writeStackTrace(job, e);
            }
            status = Os2.EXIT_INTERNAL;
        }
        return job.interrupted() ? Os2.EXIT_INTERRUPTED : status;
    }

    private int runPipeline(ShellJob job, Script.Pipeline pipeline, String line, String source, long lineNumber,
            StageContext within) {
        List<Script.Command> commands = pipeline.commands();
        int n = commands.size();
        Pipe[] pipes = new Pipe[n - 1];
        for (int i = 0; i < n - 1; i++) {
            pipes[i] = new Pipe();
        }
        int[] statuses = new int[n];
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            InputStream in = i == 0 ? null : pipes[i - 1].reader();
            OutputStream out = i == n - 1 ? (within != null ? within.stdout() : job.stdout()) : pipes[i].writer();
            boolean terminal = i == n - 1 && (within != null ? within.terminal() : stdoutTerminal);
            Runnable stage = () -> statuses[index] = runStage(job, commands.get(index), index, n, in, out, index < n - 1,
                    terminal, line, source, lineNumber, within);
            if (i == n - 1) {
                stage.run();
            } else {
                Thread t = Thread.ofPlatform().daemon().name("os2-job-" + job.number() + "-stage-" + i).unstarted(() -> {
                    try {
                        stage.run();
                    } finally {
                        job.leave(Thread.currentThread());
                    }
                });
                job.enter(t);
                started.add(t);
                t.start();
            }
        }
        boolean interrupted = false;
        for (Thread t : started) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    // The job was interrupted; its stages were too. Wait for them to stop.
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return statuses[n - 1];
    }

    /** Runs one command with its standard input and output, and records it. */
    private int runStage(ShellJob job, Script.Command command, int index, int stages, InputStream in, OutputStream out,
            boolean outIsPipe, boolean terminal, String line, String source, long lineNumber, StageContext within) {
        List<String> words = withoutProgramName(command.words());
        HashingOutputStream stdout = new HashingOutputStream(out, () -> {
            if (job.interrupted()) {
                throw new CommandInterruptedException();
            }
        });
        PrintWriter pw = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        PrintWriter ew = new PrintWriter(new OutputStreamWriter(new Unclosable(job.stderr()), StandardCharsets.UTF_8), true);
        BufferedReader input = in != null ? new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                : firstStageInput(index, within);
        StageContext previous = context.get();
        context.set(new StageContext(job, stdout, terminal, source, within == null ? 0 : within.scriptDepth()));
        // A line of run-script runs on the script command's thread: the script's details are set
        // aside, and put back after. Elsewhere this only clears what an earlier command left.
        ShellServices.Outer outer = services.setAside();
        services.setInput(input);
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        int status;
        CommandLine cl = borrow(terminal);
        try {
            cl.setOut(pw);
            cl.setErr(ew);
            status = words.isEmpty() ? Os2.EXIT_OK : cl.execute(words.toArray(String[]::new));
        } catch (BrokenPipeException e) {
            status = Os2.EXIT_BROKEN_PIPE;
        } catch (CommandInterruptedException e) {
            status = Os2.EXIT_INTERRUPTED;
        } catch (RuntimeException e) {
            ew.println("os2: internal error: " + e + ". This is a bug in OS2; run the command again with --debug and report it.");
            if (debug) {
                e.printStackTrace(ew);
            }
            status = Os2.EXIT_INTERNAL;
        } finally {
            try {
                pw.flush();
            } catch (BrokenPipeException | CommandInterruptedException ignored) {
                // The output had nowhere to go; the status says why.
            }
            ew.flush();
            giveBack(terminal, cl);
            if (previous == null) {
                context.remove();
            } else {
                context.set(previous);
            }
            if (outIsPipe) {
                try {
                    out.close();
                } catch (IOException | RuntimeException ignored) {
                    // Closing a pipe's write end does not fail.
                }
            }
            if (in != null) {
                try {
                    in.close();
                } catch (IOException | RuntimeException ignored) {
                    // Closing a pipe's read end does not fail.
                }
            }
        }
        long duration = System.nanoTime() - t0;
        if (job.interrupted()) {
            status = Os2.EXIT_INTERRUPTED;
        }
        Map<String, Object> details = services.takeAnnotations();
        // Only what went through the kernel: a command that never reached it produced no entries.
        ShellServices.LedgerTouch ledger = services.takeLedgerTouch().orElse(null);
        if (within != null) {
            services.restore(outer, ledger);
        }
        transcript.command(new Transcript.Command(source, lineNumber, line, job.number(), job.list().background(), index,
                stages, command.words(), started, duration, status, stdout.sha256(), stdout.bytes(), ledger, details));
        return status;
    }

    /** The standard input of a pipeline's first command: empty, except for a {@code -c} line. */
    private BufferedReader firstStageInput(int index, StageContext within) {
        BufferedReader first = firstInput;
        if (index == 0 && within == null && first != null) {
            firstInput = null;
            return first;
        }
        return new BufferedReader(Reader.nullReader());
    }

    /** Gives the first command of the next line the process's standard input ({@code shell -c}). */
    void passStandardInput() {
        firstInput = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }

    /** {@code ./os2 ledger-verify} typed in the shell out of habit runs {@code ledger-verify}. */
    static List<String> withoutProgramName(List<String> words) {
        if (!words.isEmpty() && (words.get(0).equals("os2") || words.get(0).endsWith("/os2"))) {
            return words.subList(1, words.size());
        }
        return words;
    }

    private void writeError(ShellJob job, String message) {
        byte[] b = (message + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            job.stderr().write(b, 0, b.length);
        } catch (IOException | RuntimeException e) {
            console.print(true, message + "\n");
        }
    }

    private void writeStackTrace(ShellJob job, Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new PrintWriter(w));
        writeError(job, w.toString().stripTrailing());
    }

    // --- run-script ----------------------------------------------------------------------------------

    /**
     * Runs the lines of a file in this shell, on behalf of the calling command ({@code run-script}):
     * each line's foreground lists run as part of the calling command's job, and their output goes
     * to its standard output. Lines that a backslash or an open quote continue are joined.
     *
     * @param file the script
     * @param keepGoing whether to go on after a line that fails
     * @param err where failures are reported
     * @return 0 if every line succeeded; else the exit status of the (last) line that failed
     * @throws InputException if the file cannot be read, or scripts nest too deeply
     */
    int runScript(Path file, boolean keepGoing, PrintWriter err) {
        StageContext caller = context.get();
        int depth = caller == null ? 1 : caller.scriptDepth() + 1;
        if (depth > SCRIPT_DEPTH_MAX) {
            throw new InputException("run-script is nested more than " + SCRIPT_DEPTH_MAX + " deep (a script that runs itself?)",
                    "Check the script's run-script lines.");
        }
        List<String> lines = readScript(file);
        String source = file.toString();
        StageContext within = caller == null ? null
                : new StageContext(caller.job(), caller.stdout(), caller.terminal(), source, depth);
        int failures = 0;
        int lastFailure = Os2.EXIT_OK;
        List<Long> failed = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        long startLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (pending.isEmpty()) {
                startLine = i + 1;
            } else {
                pending.append('\n');
            }
            pending.append(lines.get(i));
            String text = pending.toString();
            if (i + 1 < lines.size() && incomplete(text)) {
                continue;
            }
            pending.setLength(0);
            int status = within != null ? runLine(text, source, startLine, within) : runLine(text, source, startLine);
            if (within != null && within.job().interrupted()) {
                return Os2.EXIT_INTERRUPTED;
            }
            if (exitRequested().isPresent()) {
                break;
            }
            if (status != Os2.EXIT_OK) {
                failures++;
                lastFailure = status;
                failed.add(startLine);
                err.println("os2: run-script: line " + startLine + " of " + file + " failed (exit " + status + "): "
                        + Table.clean(Table.fit(text.strip(), 120)) + (keepGoing ? "" : ". Stopped there; --keep-going runs the rest."));
                err.flush();
                if (!keepGoing) {
                    return status;
                }
            }
        }
        if (keepGoing && failures > 0) {
            err.println("os2: run-script: " + failures + " of the lines of " + file + " failed: line"
                    + (failures == 1 ? " " : "s ") + String.join(", ", failed.stream().map(String::valueOf).toList()) + ".");
            err.flush();
        }
        return lastFailure;
    }

    private static boolean incomplete(String text) {
        try {
            LineParser.parse(text);
            return false;
        } catch (LineSyntaxException e) {
            return e.incomplete();
        }
    }

    private static List<String> readScript(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputException("there is no script file " + file, "Check the path; it is relative to the current directory.");
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<String> lines = new ArrayList<>();
            String l;
            while ((l = r.readLine()) != null) {
                if (lines.size() >= 1_000_000) {
                    throw new InputException("the script " + file + " has more than 1,000,000 lines", "Split it.");
                }
                lines.add(l);
            }
            return lines;
        } catch (IOException e) {
            throw new InputException("cannot read the script " + file + ": " + Workspace.describe(e),
                    "Check that it is a UTF-8 text file you can read.");
        }
    }

    // --- reading lines from a stream ------------------------------------------------------------------

    /**
     * Runs the lines of {@code in} until its end or {@code exit}, with no prompt: the shell fed
     * by a pipe. Then waits for background jobs.
     *
     * @return the exit status of the last line, or the one {@code exit} gave
     */
    int runStream(Reader in, String source) throws IOException {
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        StringBuilder pending = new StringBuilder();
        long lineNumber = 0;
        long startLine = 0;
        String l;
        while ((l = r.readLine()) != null) {
            lineNumber++;
            if (pending.isEmpty()) {
                startLine = lineNumber;
            } else {
                pending.append('\n');
            }
            pending.append(l);
            if (incomplete(pending.toString())) {
                continue;
            }
            String text = pending.toString();
            pending.setLength(0);
            runLine(text, source, startLine);
            if (exitRequested().isPresent()) {
                break;
            }
        }
        if (!pending.isEmpty() && exitRequested().isEmpty()) {
            runLine(pending.toString(), source, startLine);
        }
        if (exitRequested().isEmpty()) {
            awaitJobs();
        }
        return exitRequested().orElse(lastStatus());
    }

    /** Runs one line ({@code shell -c}) and waits for the jobs it started. */
    int runCommand(String line) {
        passStandardInput();
        int status = runLine(line, "command", 1);
        if (exitRequested().isEmpty()) {
            awaitJobs();
        }
        return exitRequested().orElse(status);
    }

    /** Waits for every job of the table to finish; a stopped one is resumed in the background first. */
    void awaitJobs() {
        for (ShellJob j : jobs()) {
            if (j.state() == ShellJob.State.STOPPED) {
                j.resume(false);
            }
            try {
                j.awaitDone();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // --- command lines -------------------------------------------------------------------------------

    /**
     * A command line for one command: an idle one built earlier for the same terminal flag and
     * width, or a new one. Command lines are reused one at a time (picocli resets every option
     * before each parse), never shared between threads.
     */
    private CommandLine borrow(boolean terminal) {
        String key = key(terminal);
        synchronized (idle) {
            Deque<CommandLine> free = idle.get(key);
            if (free != null && !free.isEmpty()) {
                return free.pop();
            }
        }
        return Os2.commandLine(session(terminal));
    }

    private void giveBack(boolean terminal, CommandLine cl) {
        String key = key(terminal);
        synchronized (idle) {
            Deque<CommandLine> free = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (free.size() < 4) {
                free.push(cl);
            }
        }
    }

    /** Builds an idle command line ahead of need (the prompt does this while the user types). */
    void prepare(boolean terminal) {
        giveBack(terminal, Os2.commandLine(session(terminal)));
    }

    private String key(boolean terminal) {
        return terminal ? "t" + session(true).terminalColumns() : "p";
    }

    // --- leaving -------------------------------------------------------------------------------------

    /**
     * Interrupts the jobs still running or stopped, waits a little for them to stop, and ends the
     * transcript with {@code status}. Does not close the services.
     */
    void end(int status) {
        List<ShellJob> live = jobs().stream().filter(j -> j.state() != ShellJob.State.DONE).toList();
        for (ShellJob j : live) {
            j.interrupt(this::cancelToken);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_GRACE_MILLIS);
        for (ShellJob j : live) {
            for (Thread t : j.threads()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    t.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        transcript.end(status);
    }

    @Override
    public void close() {
        transcript.close();
        services.attach(null);
    }

    /** An output stream whose close does nothing (a job's standard error outlives each command). */
    private static final class Unclosable extends OutputStream {
        private final OutputStream target;

        Unclosable(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }

        @Override
        public void close() {
            // Left open for the job's other commands.
        }
    }
}
