package dev.os2.shell.bench;

import dev.os2.shell.CommonOptions;
import dev.os2.shell.Os2;
import dev.os2.shell.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code deterministic-benchmark}: the group of {@code run} (run the scenarios, write the reports)
 * and {@code status} (list earlier runs, flag regressions). Without a subcommand it shows its help
 * and fails as a usage error.
 */
@Command(name = "deterministic-benchmark",
        usageHelpAutoWidth = true,
        synopsisSubcommandLabel = "(run | status)",
        header = "Run reproducible scenario workloads and compare their figures with earlier runs.",
        description = {
            "run: runs seeded scenarios (scheduler-mix, capability-churn, ledger-heavy, snapshot-replay, python) twice each "
                    + "through the real kernel, a Chronicle ledger, snapshots and the Python sandbox; checks that both runs end "
                    + "at the same ledger head; writes releases/<tag>/benchmarks/<scenario>.json and index.html.",
            "status: lists the runs recorded under releases/ and flags regressions against the previous run."
        },
        subcommands = {BenchmarkRunCommand.class, BenchmarkStatusCommand.class})
public final class DeterministicBenchmarkCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    // The options every command has; the subcommands have their own.
    @Mixin
    private CommonOptions common;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public DeterministicBenchmarkCommand(Session session) {
        this.session = session;
    }

    /** Without a subcommand: the help on stderr, and a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("os2: deterministic-benchmark needs a subcommand. For example `"
                + session.hint("deterministic-benchmark run --scenario all") + "`, or `"
                + session.hint("deterministic-benchmark status") + "`.");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Os2.EXIT_USAGE;
    }
}
