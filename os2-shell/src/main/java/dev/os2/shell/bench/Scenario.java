package dev.os2.shell.bench;

import java.util.List;
import java.util.Optional;

/**
 * One reproducible workload of {@code deterministic-benchmark}: it drives a fresh kernel on a
 * Chronicle ledger in a scratch folder with inputs drawn from a generator seeded by the seed alone,
 * measures its operations, and returns the ledger head, which must come out the same in every run
 * with the same seed and size.
 *
 * <p>Rules every scenario keeps: what it submits, and in which order, depends only on the seed,
 * the size and the kernel's answers (which are themselves deterministic); timings are recorded in
 * the context's {@link Latencies} and never consulted; nothing machine-specific (paths, times)
 * reaches the ledger.
 */
sealed interface Scenario
        permits SchedulerMixScenario, CapabilityChurnScenario, LedgerHeavyScenario, SnapshotReplayScenario, PythonScenario {

    /** The scenario's name on the command line and in reports, for example {@code scheduler-mix}. */
    String name();

    /** One sentence on what the scenario exercises. */
    String description();

    /** What one operation of the headline figures is, for example {@code token run}. */
    String operation();

    /** The latency kinds that make up the headline operation (its throughput and percentiles). */
    List<String> headlineKinds();

    /**
     * Runs the workload once in {@code context}'s scratch folder, which it may fill and leaves to
     * the caller to delete.
     *
     * @return the deterministic outcome; its problems list what the scenario's own checks found
     * @throws Exception a failure of the machinery (a storage fault, a sandbox that would not start)
     */
    ScenarioResult run(ScenarioContext context) throws Exception;

    /** Every scenario, in the order {@code --scenario all} runs them. */
    static List<Scenario> all() {
        return List.of(new SchedulerMixScenario(), new CapabilityChurnScenario(), new LedgerHeavyScenario(),
                new SnapshotReplayScenario(), new PythonScenario());
    }

    /** The scenario called {@code name}, if there is one. */
    static Optional<Scenario> named(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
