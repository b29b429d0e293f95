package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.ChronicleLedger;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jline.reader.History;
import org.jline.reader.LineReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The shell's session commands: {@code env}, {@code date}, {@code uptime}, {@code uname},
 * {@code whoami}, {@code history} and {@code exit}. They run one-shot too; {@code history} then
 * reads the workspace's history file.
 */
final class SessionCommands {

    /** The environment variables OS2 reads, which {@code env} shows. */
    static final List<String> VARIABLES = List.of(Session.WORKSPACE_VARIABLE, "NO_COLOR", "OS2_JAVA_HOME", "OS2_JAVA_OPTS",
            "TERM", "COLUMNS");

    private SessionCommands() {
    }

    /**
     * The kernel's state in {@code ws} for looking: the shell's open kernel, else rebuilt read-only;
     * empty when the workspace has no ledger.
     */
    static Optional<KernelState> state(Session session, Workspace ws) {
        if (!ws.hasLedger()) {
            return Optional.empty();
        }
        try (WorkspaceKernel wk = session.services().openForReading(ws)) {
            return Optional.of(wk.state());
        }
    }

    /** The OS2 version in the jar manifest, or {@code dev}. */
    static String version() {
        String v = Os2.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** {@code 1h 02m 03s} for a duration. */
    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, (s % 3600) / 60, s % 60);
    }

    /** {@code env}: the environment OS2 reads, and the shell's settings. */
    @Command(name = "env", usageHelpAutoWidth = true,
            header = "Show the environment variables OS2 reads and the shell's settings.",
            description = "Print NAME=value lines: the environment variables OS2 reads (those that are set) and the settings of "
                    + "this session (os2.*): workspace, subject, whether output is a terminal, colour, width, mode, transcript, "
                    + "and at a terminal the kind of terminal JLine set up.")
    static final class Env implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "--json", description = "One JSON object: {\"environment\":{…},\"settings\":{…}}.")
        private boolean json;

        Env(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Map<String, String> env = new TreeMap<>();
            for (String name : VARIABLES) {
                String value = session.environment().get(name);
                if (value != null) {
                    env.put(name, value);
                }
            }
            Map<String, String> settings = new TreeMap<>();
            settings.put("os2.workspace", common.workspace().directory().toString());
            settings.put("os2.subject", ShellServices.OPERATOR_SUBJECT);
            settings.put("os2.terminal", Boolean.toString(session.stdoutTerminal()));
            settings.put("os2.colour", Boolean.toString(session.colour()));
            settings.put("os2.columns", Integer.toString(session.terminalColumns()));
            Optional<Shell> shell = session.services().shell();
            settings.put("os2.mode", shell.map(s -> s.mode().wireName()).orElse("one-shot"));
            shell.map(Shell::transcript).filter(Transcript::enabled)
                    .ifPresent(t -> settings.put("os2.transcript", t.file().toString()));
            shell.map(s -> s.console().terminal()).ifPresent(t -> {
                // Which JLine terminal the shell got: a system terminal (JNI, or exec of stty) or a dumb one.
                settings.put("os2.terminal.type", t.getType());
                settings.put("os2.terminal.provider", t.getClass().getSimpleName());
            });
            settings.put("os2.version", version());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                env.forEach(o.putObject("environment")::put);
                settings.forEach(o.putObject("settings")::put);
                out.println(o);
            } else {
                env.forEach((k, v) -> out.println(k + "=" + Table.clean(v)));
                settings.forEach((k, v) -> out.println(k + "=" + Table.clean(v)));
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code date}: the wall clock, or the kernel's virtual clock. */
    @Command(name = "date", usageHelpAutoWidth = true,
            header = "Show the date and time (wall clock), or the kernel's virtual clock.",
            description = "Print the wall-clock date and time (ISO-8601, local time zone). With --ticks, print the workspace "
                    + "kernel's virtual clock instead: the time the kernel runs on, in ticks, which only recorded costs and "
                    + "explicit ticks advance.")
    static final class Date implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "--ticks", description = "Print the kernel's virtual clock in ticks.")
        private boolean ticks;

        @Option(names = "--json", description = "One JSON object: {\"wall_clock\":…,\"virtual_clock_ticks\":N|null}.")
        private boolean json;

        Date(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String wall = OffsetDateTime.now(ZoneId.systemDefault()).withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            if (json || ticks) {
                Optional<Long> clock = state(session, common.workspace()).map(KernelState::clock);
                if (json) {
                    ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                    o.put("wall_clock", wall);
                    if (clock.isPresent()) {
                        o.put("virtual_clock_ticks", clock.get());
                    } else {
                        o.putNull("virtual_clock_ticks");
                    }
                    out.println(o);
                } else if (clock.isPresent()) {
                    out.println(clock.get());
                } else {
                    throw new InputException("there is no ledger in " + common.workspace().directory() + ", so no kernel clock",
                            "Run `" + session.hint("ledger-demo") + "` to start a kernel there.");
                }
            } else {
                out.println(wall);
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code uptime}: the kernel's virtual clock and the session's wall time. */
    @Command(name = "uptime", usageHelpAutoWidth = true,
            header = "Show the kernel's virtual clock and how long this session has run.",
            description = "Print how far the workspace kernel's virtual clock has advanced (ticks: recorded costs and explicit "
                    + "ticks, the same on every replay) and, separately, the wall-clock time since this shell session (or this "
                    + "process, one-shot) started, with the ledger's size and the live tokens.")
    static final class Uptime implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "--json", description = "One JSON object: virtual_clock_ticks, session_wall_millis, ledger_entries, "
                + "live_tokens, jobs.")
        private boolean json;

        Uptime(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Optional<KernelState> state = state(session, common.workspace());
            Optional<Shell> shell = session.services().shell();
            Duration wall = shell.map(s -> Duration.ofNanos(s.uptimeNanos())).orElseGet(() -> Duration.between(
                    ProcessHandle.current().info().startInstant().orElse(Instant.now()), Instant.now()));
            long entries = -1;
            if (common.workspace().hasLedger()) {
                entries = session.services().openLedgerSize(common.workspace()).orElseGet(() -> {
                    try (var ledger = common.workspace().openLedgerReadOnly()) {
                        return ledger.size();
                    }
                });
            }
            int jobs = shell.map(s -> s.jobs().size()).orElse(0);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                if (state.isPresent()) {
                    o.put("virtual_clock_ticks", state.get().clock());
                    o.put("live_tokens", state.get().liveTokenCount());
                } else {
                    o.putNull("virtual_clock_ticks");
                    o.put("live_tokens", 0);
                }
                o.put("session_wall_millis", wall.toMillis());
                o.put("ledger_entries", Math.max(0, entries));
                o.put("jobs", jobs);
                out.println(o);
            } else {
                out.println("kernel clock  " + state.map(s -> s.clock() + " ticks (virtual)").orElse("no kernel yet (no ledger)"));
                out.println("session       up " + duration(wall) + " (wall clock, since the "
                        + (shell.isPresent() ? "shell" : "process") + " started)");
                out.println("ledger        " + (entries < 0 ? "none" : entries + (entries == 1 ? " entry" : " entries"))
                        + ", " + state.map(KernelState::liveTokenCount).orElse(0) + " live tokens, " + jobs
                        + (jobs == 1 ? " job" : " jobs"));
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code uname}: what this system is. */
    @Command(name = "uname", usageHelpAutoWidth = true,
            header = "Show the name and version of this system.",
            description = "Print OS2; with -a also its version, the ledger and snapshot formats it writes, the Java it runs "
                    + "on and the host's operating system and architecture.")
    static final class Uname implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = {"-a", "--all"}, description = "Print everything.")
        private boolean all;

        @Option(names = "--json", description = "One JSON object with every field.")
        private boolean json;

        Uname(Session session) {
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String os = System.getProperty("os.name", "?") + " " + System.getProperty("os.arch", "?");
            if (json) {
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                o.put("system", "OS2");
                o.put("version", version());
                o.put("kernel_state_format", KernelState.FORMAT);
                o.put("ledger_payload_bytes_max", ChronicleLedger.MAX_PAYLOAD_BYTES_LIMIT);
                o.put("java_version", Runtime.version().toString());
                o.put("host", os);
                out.println(o);
            } else if (all) {
                out.println("OS2 " + version() + " (kernel state format " + KernelState.FORMAT + ") on Java "
                        + Runtime.version().feature() + ", " + os);
            } else {
                out.println("OS2");
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code whoami}: the operator's subject. */
    @Command(name = "whoami", usageHelpAutoWidth = true,
            header = "Show the subject the shell's operator acts as.",
            description = "Print the subject the operator's work runs as in the kernel (" + ShellServices.OPERATOR_SUBJECT
                    + "): the subject that capability grants for the shell's own work name.")
    static final class Whoami implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        Whoami(Session session) {
        }

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(ShellServices.OPERATOR_SUBJECT);
            spec.commandLine().getOut().flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code history [N]}: the lines typed. */
    @Command(name = "history", usageHelpAutoWidth = true,
            header = "Show the lines typed in the shell, numbered.",
            description = "Print the shell's history, numbered, oldest first: at a terminal the workspace's history file ("
                    + Workspace.HISTORY_FILE + ", shared by every session in the workspace; Up and Ctrl-R recall its lines), "
                    + "otherwise the lines of this session. One-shot it prints the history file.")
    static final class HistoryCommand implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "Only the last N lines.")
        private Integer last;

        HistoryCommand(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            if (last != null && last < 0) {
                throw new InputException("history takes a count of 0 or more, got " + last, "");
            }
            List<String> lines = new ArrayList<>();
            Optional<Shell> shell = session.services().shell();
            LineReader reader = shell.map(s -> s.console().reader()).orElse(null);
            if (reader != null) {
                for (History.Entry e : reader.getHistory()) {
                    lines.add(e.line());
                }
            } else if (shell.isPresent()) {
                lines.addAll(shell.get().sessionLines());
            } else {
                lines.addAll(HistoryFile.read(common.workspace().historyFile()));
            }
            int from = last == null ? 0 : Math.max(0, lines.size() - last);
            PrintWriter out = spec.commandLine().getOut();
            int width = Integer.toString(lines.size()).length();
            for (int i = from; i < lines.size(); i++) {
                out.println(String.format(Locale.ROOT, "%" + Math.max(4, width) + "d  %s", i + 1,
                        Table.clean(lines.get(i).replace("\n", " "))));
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code exit [STATUS]}: leave the shell. */
    @Command(name = "exit", usageHelpAutoWidth = true,
            header = "Leave the shell (also Ctrl-D at an empty prompt).",
            description = "Leave the shell with STATUS (default: the status of the last command). With jobs still running or "
                    + "stopped, the first exit only warns; the second interrupts them and leaves.")
    static final class Exit implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(index = "0", arity = "0..1", paramLabel = "STATUS", description = "The exit status, 0 to 255.")
        private Integer status;

        Exit(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            if (status != null && (status < 0 || status > 255)) {
                throw new InputException("exit takes a status from 0 to 255, got " + status, "");
            }
            Optional<Shell> shell = session.services().shell();
            int value = status != null ? status : shell.map(Shell::lastStatus).orElse(Os2.EXIT_OK);
            if (shell.isPresent() && !shell.get().requestExit(value, spec.commandLine().getErr())) {
                return Os2.EXIT_CHECK_FAILED;
            }
            return value;
        }
    }
}
