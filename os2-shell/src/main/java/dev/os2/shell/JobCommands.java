package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.KernelToken;
import dev.os2.kernel.TokenId;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The shell's job control: {@code jobs}, {@code fg}, {@code bg}, {@code kill}, {@code wait} and
 * {@code sleep}. Jobs live in the shell, so all but {@code kill TOKEN} and {@code sleep} explain
 * that they work only there when run one-shot.
 */
final class JobCommands {

    /** Longest {@code sleep}, in seconds. */
    static final long SLEEP_SECONDS_MAX = 1_000_000;

    private JobCommands() {
    }

    /** The shell the command runs in, or an input error naming {@code command}. */
    static Shell shell(Session session, String command) {
        return session.services().shell().orElseThrow(() -> new InputException(command
                + " works only inside the shell, where jobs live", "Start the shell with `" + session.hint("shell") + "`."));
    }

    /** How {@code jobs} describes a job's state. */
    static String state(ShellJob job) {
        return switch (job.state()) {
            case RUNNING -> "Running";
            case STOPPED -> "Stopped (waits at its next output)";
            case DONE -> Shell.describeEnd(job);
        };
    }

    /** {@code jobs}: the background and stopped jobs. */
    @Command(name = "jobs", usageHelpAutoWidth = true,
            header = "List the shell's background and stopped jobs.",
            description = "List the jobs of this shell session that run in the background (started with `COMMAND &`), are "
                    + "stopped (Ctrl-Z), or ended since they were last listed: [N], the state and the command. %%N names a job "
                    + "for fg, bg, kill and wait.")
    static final class Jobs implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "--json", description = "One JSON object: {\"jobs\":[{number, state, status, command}…]}.")
        private boolean json;

        Jobs(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Shell shell = shell(session, "jobs");
            PrintWriter out = spec.commandLine().getOut();
            ShellJob self = shell.currentJob();
            List<ShellJob> jobs = shell.jobs().stream().filter(j -> j != self).toList();
            if (json) {
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                ArrayNode list = o.putArray("jobs");
                for (ShellJob j : jobs) {
                    ObjectNode n = list.addObject();
                    n.put("number", j.number());
                    n.put("state", j.state().name().toLowerCase(java.util.Locale.ROOT));
                    if (j.state() == ShellJob.State.DONE) {
                        n.put("status", j.status());
                    } else {
                        n.putNull("status");
                    }
                    n.put("command", j.text());
                }
                out.println(o);
            } else {
                for (ShellJob j : jobs) {
                    out.println("[" + j.number() + "]  " + String.format(java.util.Locale.ROOT, "%-12s", state(j)) + "  " + j.text());
                }
            }
            out.flush();
            for (ShellJob j : jobs) {
                if (j.state() == ShellJob.State.DONE) {
                    j.markReported();
                }
            }
            shell.forgetReported();
            return Os2.EXIT_OK;
        }
    }

    /** {@code fg [JOB]}: a job to the foreground. */
    @Command(name = "fg", usageHelpAutoWidth = true,
            header = "Bring a job to the foreground and wait for it.",
            description = "Resume JOB (a stopped one, or one running in the background) in the foreground: its output goes to "
                    + "the terminal and the prompt waits for it. Ctrl-C interrupts it, Ctrl-Z stops it again. "
                    + "Exit status: the job's.")
    static final class Fg implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "%%N, or N. Default: the current job.")
        private String job;

        Fg(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Shell shell = shell(session, "fg");
            ShellJob target = shell.job(job);
            if (target.state() == ShellJob.State.DONE) {
                target.markReported();
                shell.forgetReported();
                spec.commandLine().getErr().println("os2: job %" + target.number() + " has already ended ("
                        + Shell.describeEnd(target) + ").");
                return target.status();
            }
            spec.commandLine().getErr().println(target.text());
            spec.commandLine().getErr().flush();
            try {
                return shell.foreground(target);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandInterruptedException();
            }
        }
    }

    /** {@code bg [JOB]}: a stopped job resumes in the background. */
    @Command(name = "bg", usageHelpAutoWidth = true,
            header = "Resume a stopped job in the background.",
            description = "Resume JOB, stopped with Ctrl-Z, in the background: its output appears above the prompt, line by line.")
    static final class Bg implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "%%N, or N. Default: the current job.")
        private String job;

        Bg(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Shell shell = shell(session, "bg");
            ShellJob target = shell.job(job);
            if (target.state() != ShellJob.State.STOPPED) {
                throw new InputException("job %" + target.number() + " is not stopped (it is "
                        + state(target).toLowerCase(java.util.Locale.ROOT) + ")", "bg resumes a job stopped with Ctrl-Z.");
            }
            target.resume(false);
            spec.commandLine().getErr().println("[" + target.number() + "] " + target.text() + " &");
            spec.commandLine().getErr().flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code kill %JOB | TOKEN…}: interrupt jobs, cancel tokens. */
    @Command(name = "kill", usageHelpAutoWidth = true,
            header = "Interrupt a job, or cancel a kernel token.",
            description = {
                "%%N interrupts job N of this shell: its commands stop at their next output (or sooner, if they check), and the "
                        + "kernel token a command of it runs is cancelled. A number without %% cancels that token in the "
                        + "workspace's kernel: a waiting or ready token at once (token_cancelled, with its dependents); a running "
                        + "one at its handler's next call into the kernel.",
                "Exit status: 0 if every target was interrupted or cancelled, 1 if a token had already ended, 2 for an "
                        + "unknown job or token."
            })
    static final class Kill implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(arity = "1..*", paramLabel = "TARGET", description = "%%N for a job, a number for a token (ps lists them).")
        private List<String> targets = new ArrayList<>();

        Kill(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            int status = Os2.EXIT_OK;
            List<Long> cancelled = new ArrayList<>();
            for (String target : targets) {
                if (target.startsWith("%")) {
                    Shell shell = shell(session, "kill " + Table.clean(Table.fit(target, 20)));
                    ShellJob job = shell.job(target);
                    if (job == shell.currentJob()) {
                        throw new InputException("kill cannot interrupt its own job", "");
                    }
                    shell.kill(job);
                    out.println("Interrupted job %" + job.number() + ": " + job.text());
                    continue;
                }
                if (!target.matches("[0-9]{1,18}")) {
                    throw new InputException("'" + Table.clean(Table.fit(target, 40)) + "' is neither a job (%N) nor a token id",
                            "`jobs` lists the jobs, `ps` the tokens.");
                }
                long id = Long.parseLong(target);
                int one = cancel(id, out);
                if (one == Os2.EXIT_OK) {
                    cancelled.add(id);
                }
                status = Math.max(status, one);
            }
            if (!cancelled.isEmpty()) {
                session.services().annotate("action", "cancel_token");
                session.services().annotate("token", cancelled.size() == 1 ? cancelled.get(0) : cancelled);
            }
            out.flush();
            return status;
        }

        private int cancel(long id, PrintWriter out) {
            Workspace ws = common.workspace();
            if (!ws.hasLedger()) {
                throw new InputException("there is no ledger in " + ws.directory() + ", so no token " + id,
                        "`ps` lists the live tokens.");
            }
            return session.services().withKernel(ws, wk -> {
                KernelState state = wk.kernel().state();
                Optional<KernelToken.Status> status = state.status(TokenId.of(id));
                if (status.isEmpty()) {
                    throw new InputException("the kernel never had a token " + id + " (the next id is "
                            + state.nextTokenId().value() + ")", "`ps` lists the live tokens.");
                }
                if (!status.get().live()) {
                    out.println("Token " + id + " has already ended: " + LedgerDemoCommand.outcome(status.get()) + ".");
                    return Os2.EXIT_CHECK_FAILED;
                }
                KernelInput.CancelToken cancel = new KernelInput.CancelToken(TokenId.of(id));
                if (status.get() == KernelToken.Status.RUNNING) {
                    // The kernel is busy running it; the cancel applies at its handler's next call into the kernel.
                    wk.kernel().offer(cancel);
                    out.println("Token " + id + " is running: it is cancelled at its handler's next call into the kernel.");
                    return Os2.EXIT_OK;
                }
                KernelResponse r = wk.kernel().execute(cancel);
                if (!r.ok()) {
                    out.println("Token " + id + " was not cancelled: " + r.reason() + (r.detail() == null ? "" : ", " + r.detail()) + ".");
                    return Os2.EXIT_CHECK_FAILED;
                }
                out.println("Cancelled token " + id + " (ledger position " + r.position() + ").");
                return Os2.EXIT_OK;
            });
        }
    }

    /** {@code wait [JOB…]}: wait for background jobs. */
    @Command(name = "wait", usageHelpAutoWidth = true,
            header = "Wait for background jobs to finish.",
            description = "Wait until JOB (or every job of the shell, when none is named) has finished. A stopped job is "
                    + "resumed in the background first. Exit status: the last named job's, else 0.")
    static final class Wait implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(arity = "0..*", paramLabel = "JOB", description = "%%N, or N.")
        private List<String> targets = new ArrayList<>();

        Wait(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Shell shell = shell(session, "wait");
            ShellJob self = shell.currentJob();
            List<ShellJob> jobs = new ArrayList<>();
            if (targets.isEmpty()) {
                shell.jobs().stream().filter(j -> j != self).forEach(jobs::add);
            } else {
                for (String t : targets) {
                    jobs.add(shell.job(t));
                }
            }
            int status = Os2.EXIT_OK;
            for (ShellJob j : jobs) {
                if (j.state() == ShellJob.State.STOPPED) {
                    j.resume(false);
                }
                try {
                    status = j.awaitDone();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CommandInterruptedException();
                }
                j.markReported();
            }
            shell.forgetReported();
            return targets.isEmpty() ? Os2.EXIT_OK : status;
        }
    }

    /** {@code sleep SECONDS}: wait, interruptibly. */
    @Command(name = "sleep", usageHelpAutoWidth = true,
            header = "Wait for a number of seconds (wall clock).",
            description = "Wait SECONDS seconds of wall-clock time (decimals allowed), for scripts and to try out jobs: "
                    + "`sleep 30 &`, `jobs`, `kill %%1`. Ctrl-C interrupts it. It does not advance the kernel's virtual clock.")
    static final class Sleep implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(index = "0", paramLabel = "SECONDS", description = "How long, 0 to " + SLEEP_SECONDS_MAX + ".")
        private BigDecimal seconds;

        Sleep(Session session) {
        }

        @Override
        public Integer call() {
            if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(SLEEP_SECONDS_MAX)) > 0) {
                throw new InputException("sleep takes 0 to " + SLEEP_SECONDS_MAX + " seconds, got " + seconds.toPlainString(), "");
            }
            long millis = seconds.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandInterruptedException();
            }
            return Os2.EXIT_OK;
        }
    }
}
