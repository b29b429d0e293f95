package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.KernelToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ps} and {@code top}: the kernel's live tokens, as a process table, with their state,
 * subject, capability and budget used against its limit. The state comes from the shell's open
 * kernel, or is rebuilt read-only from the ledger.
 */
final class ProcessCommands {

    private static final List<String> HEADERS = List.of("TOKEN", "STATE", "SUBJECT", "CAPABILITY", "PRIO", "TOKENS", "MEMORY",
            "NETWORK", "DEADLINE", "JOB", "KIND");
    private static final int[] WIDTHS = {12, 8, 32, 32, 6, 24, 24, 24, 14, 5, 12};

    private ProcessCommands() {
    }

    /** {@code used/limit}, with {@code none} for no limit. */
    static String usage(long used, long limit) {
        return used + "/" + RegistryView.limit(limit);
    }

    /** Which job of the shell runs each token, from the tokens its commands annotated. */
    static Map<Long, Integer> jobsByToken(Session session) {
        Map<Long, Integer> byToken = new TreeMap<>();
        Optional<Shell> shell = session.services().shell();
        if (shell.isEmpty()) {
            return byToken;
        }
        for (ShellJob job : shell.get().jobs()) {
            for (Thread t : job.threads()) {
                Object token = session.services().peekAnnotations(t).get("token");
                if (token instanceof Number n) {
                    byToken.put(n.longValue(), job.number());
                }
            }
        }
        return byToken;
    }

    /** Prints the table of live tokens, or says there are none. */
    static void printTable(PrintWriter out, Session session, KernelState state) {
        List<KernelToken> live = state.liveTokens();
        if (live.isEmpty()) {
            out.println("No live tokens.");
            return;
        }
        Map<Long, Integer> jobs = jobsByToken(session);
        Style style = Style.of(session);
        Table table = new Table(out, style, HEADERS, WIDTHS, (column, text) -> column == 1 && text.startsWith("running")
                ? style.good(text) : text, session.terminalColumns());
        for (KernelToken t : live) {
            Budget b = t.budget();
            Integer job = jobs.get(t.id().value());
            table.add(List.of(Long.toString(t.id().value()), t.status().name().toLowerCase(Locale.ROOT), t.subject(),
                    t.capabilityId(), Integer.toString(t.priority()), usage(t.usage().tokens(), b.tokens()),
                    usage(t.usage().memoryBytes(), b.memoryBytes()), usage(t.usage().networkBytes(), b.networkBytes()),
                    RegistryView.limit(b.deadlineTicks()), job == null ? "-" : "%" + job, t.kind() == null ? "-" : t.kind()));
        }
        table.flush();
    }

    /** One line of counts: live tokens by state, and how the others ended. */
    static String summary(KernelState state) {
        long waiting = 0;
        long ready = 0;
        long running = 0;
        for (KernelToken t : state.liveTokens()) {
            switch (t.status()) {
                case WAITING -> waiting++;
                case READY -> ready++;
                case RUNNING -> running++;
                case COMPLETED, FAILED, CANCELLED, REJECTED, BUDGET_EXCEEDED, VIOLATION -> {
                }
            }
        }
        KernelState.TokenCounts c = state.counts();
        return state.liveTokenCount() + " live (" + waiting + " waiting, " + ready + " ready, " + running + " running); "
                + c.submitted() + " submitted: " + c.completed() + " completed, " + c.failed() + " failed, " + c.cancelled()
                + " cancelled, " + c.rejected() + " rejected, " + c.budgetExceeded() + " over budget, " + c.violations()
                + " violations";
    }

    /** A token as JSON for {@code ps --json}. */
    static ObjectNode json(KernelToken t, Integer job) {
        ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
        o.put("token", t.id().value());
        o.put("state", t.status().name().toLowerCase(Locale.ROOT));
        o.put("subject", t.subject());
        o.put("capability", t.capabilityId());
        o.put("grant", t.grant().value());
        o.put("priority", t.priority());
        if (t.kind() == null) {
            o.putNull("kind");
        } else {
            o.put("kind", t.kind());
        }
        o.put("submitted_at_tick", t.submittedAtTick());
        ObjectNode used = o.putObject("used");
        used.put("tokens", t.usage().tokens());
        used.put("memory_bytes", t.usage().memoryBytes());
        used.put("network_bytes", t.usage().networkBytes());
        ObjectNode budget = o.putObject("budget");
        putLimit(budget, "tokens", t.budget().tokens());
        putLimit(budget, "memory_bytes", t.budget().memoryBytes());
        putLimit(budget, "network_bytes", t.budget().networkBytes());
        putLimit(budget, "deadline_ticks", t.budget().deadlineTicks());
        if (job == null) {
            o.putNull("job");
        } else {
            o.put("job", job);
        }
        return o;
    }

    private static void putLimit(ObjectNode o, String name, long value) {
        if (value == Budget.UNLIMITED) {
            o.putNull(name);
        } else {
            o.put(name, value);
        }
    }

    /** The state to show, or an input error when the workspace has no kernel yet. */
    static KernelState stateOrExplain(Session session, CommonOptions common) {
        return SessionCommands.state(session, common.workspace()).orElseThrow(() -> new InputException("there is no ledger in "
                + common.workspace().directory() + ", so no kernel and no tokens yet",
                "Run `" + session.hint("ledger-demo") + "` to start a kernel there."));
    }

    /** {@code ps}: the live tokens. */
    @Command(name = "ps", usageHelpAutoWidth = true,
            header = "List the kernel's live tokens with their state, subject and budget used.",
            description = "List the tokens of the workspace's kernel that are waiting, ready or running, in id order: state, "
                    + "subject, capability, priority, and each budget as used/limit (cost units, memory bytes, network bytes; "
                    + "none means no limit), the virtual-time deadline, and the shell job that runs it. Then one line of "
                    + "counts. `kill TOKEN` cancels one.")
    static final class Ps implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "--json", description = "One JSON object: {\"clock_ticks\":N,\"tokens\":[…],\"counts\":{…}}.")
        private boolean json;

        Ps(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            KernelState state = stateOrExplain(session, common);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<Long, Integer> jobs = jobsByToken(session);
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                o.put("clock_ticks", state.clock());
                ArrayNode tokens = o.putArray("tokens");
                for (KernelToken t : state.liveTokens()) {
                    tokens.add(json(t, jobs.get(t.id().value())));
                }
                KernelState.TokenCounts c = state.counts();
                ObjectNode counts = o.putObject("counts");
                counts.put("submitted", c.submitted());
                counts.put("completed", c.completed());
                counts.put("failed", c.failed());
                counts.put("cancelled", c.cancelled());
                counts.put("rejected", c.rejected());
                counts.put("budget_exceeded", c.budgetExceeded());
                counts.put("violations", c.violations());
                out.println(o);
            } else {
                printTable(out, session, state);
                out.println("Tokens: " + summary(state) + ". Clock " + state.clock() + " ticks.");
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code top}: the live tokens, refreshed. */
    @Command(name = "top", usageHelpAutoWidth = true,
            header = "Show the live tokens and the kernel's counters, refreshed until q.",
            description = "Show the kernel's clock, counters and live tokens (as ps does), redrawn every interval on a terminal "
                    + "until q or Ctrl-C; one frame otherwise (in a pipeline or a script), or -n frames.")
    static final class Top implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "-n", paramLabel = "FRAMES", description = "Stop after FRAMES frames. Default: until q on a terminal, "
                + "else 1.")
        private Integer frames;

        @Option(names = "--interval-ms", paramLabel = "MILLIS", defaultValue = "1000",
                description = "Time between frames, 100 to 60000 milliseconds. Default: ${DEFAULT-VALUE}.")
        private long intervalMillis;

        Top(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() throws IOException {
            if (frames != null && frames < 1) {
                throw new InputException("-n takes 1 or more frames, got " + frames, "");
            }
            if (intervalMillis < 100 || intervalMillis > 60_000) {
                throw new InputException("--interval-ms takes 100 to 60000, got " + intervalMillis, "");
            }
            stateOrExplain(session, common);
            PrintWriter out = spec.commandLine().getOut();
            Optional<Shell> shell = session.services().shell();
            Terminal terminal = null;
            boolean own = false;
            if (shell.isPresent() && shell.get().writesToTerminal()) {
                terminal = shell.get().console().terminal();
            } else if (shell.isEmpty() && session.stdoutTerminal() && Boolean.getBoolean("os2.stdin.terminal")) {
                terminal = TerminalBuilder.builder().system(true).dumb(false).build();
                own = true;
            }
            if (terminal == null) {
                int n = frames == null ? 1 : frames;
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        out.println();
                        pause();
                    }
                    out.print(frame(false));
                    out.flush();
                }
                return Os2.EXIT_OK;
            }
            try {
                return refresh(terminal, out, own);
            } finally {
                if (own) {
                    terminal.close();
                }
            }
        }

        private int refresh(Terminal terminal, PrintWriter out, boolean own) throws IOException {
            Attributes saved = terminal.enterRawMode();
            Thread me = Thread.currentThread();
            Terminal.SignalHandler previous = own ? terminal.handle(Terminal.Signal.INT, s -> me.interrupt()) : null;
            NonBlockingReader keys = terminal.reader();
            // Screen switching is terminal control, not output: it goes to the terminal itself, so
            // that leaving happens even when the command's output was cut off by an interrupt.
            terminal.writer().print("\u001b[?1049h");
            terminal.writer().flush();
            try {
                int shown = 0;
                while (frames == null || shown < frames) {
                    out.print("\u001b[H" + frame(true).replace("\n", "\u001b[K\n") + "\u001b[J");
                    out.flush();
                    shown++;
                    if (frames != null && shown >= frames) {
                        break;
                    }
                    int key;
                    try {
                        key = keys.read(intervalMillis);
                    } catch (java.io.InterruptedIOException e) {
                        throw new CommandInterruptedException();
                    }
                    if (Thread.interrupted()) {
                        throw new CommandInterruptedException();
                    }
                    if (key == 'q' || key == 'Q' || key == 3 || key == -1) {
                        break;
                    }
                }
                return Os2.EXIT_OK;
            } finally {
                try {
                    out.flush();
                } catch (CommandInterruptedException | BrokenPipeException e) {
                    // The frame in progress is dropped; the screen is restored below all the same.
                }
                terminal.writer().print("\u001b[?1049l");
                terminal.writer().flush();
                terminal.setAttributes(saved);
                if (previous != null) {
                    terminal.handle(Terminal.Signal.INT, previous);
                }
            }
        }

        private void pause() {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandInterruptedException();
            }
        }

        private String frame(boolean live) {
            KernelState state = stateOrExplain(session, common);
            Optional<Shell> shell = session.services().shell();
            Duration wall = shell.map(s -> Duration.ofNanos(s.uptimeNanos())).orElseGet(() -> Duration.between(
                    ProcessHandle.current().info().startInstant().orElse(Instant.now()), Instant.now()));
            StringWriter text = new StringWriter();
            PrintWriter w = new PrintWriter(text);
            Style style = Style.of(session);
            w.println(style.bold("top") + " - kernel clock " + state.clock() + " ticks (virtual), up " + SessionCommands.duration(wall)
                    + " (wall clock), registry version " + state.registryVersion()
                    + shell.map(s -> ", " + s.jobs().size() + (s.jobs().size() == 1 ? " job" : " jobs")).orElse(""));
            w.println("Tokens: " + summary(state) + ".");
            w.println();
            printTable(w, session, state);
            if (live) {
                w.println();
                w.println(style.dim("q or Ctrl-C to leave; every " + intervalMillis + " ms"));
            }
            w.flush();
            return text.toString();
        }
    }
}
