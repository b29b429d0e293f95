/**
 * The performance engineer's evidence: {@code deterministic-benchmark} and {@code scenario-run}.
 *
 * <p>{@code deterministic-benchmark run} drives seeded scenario workloads ({@link
 * dev.os2.shell.bench.Scenario}) through the real kernel, a Chronicle ledger in a scratch folder,
 * the snapshot module and the Python sandbox. Each scenario runs twice; the two ledger heads must
 * be identical, because everything the kernel records depends only on the seed, the scenario and
 * the size. The timings around it (throughput, latency percentiles in HdrHistogram) are
 * measurements of this machine and are not deterministic; they are taken with
 * {@code System.nanoTime()} in this package only, never inside the deterministic core, and never
 * steer the workload. {@link dev.os2.shell.bench.BenchmarkReport} defines the report file;
 * {@link dev.os2.shell.bench.HtmlReport} draws the self-contained HTML page;
 * {@link dev.os2.shell.bench.ReportHistory} finds earlier runs and flags regressions.
 *
 * <p>{@code scenario-run} is a seeded simulation with fault injection ({@link
 * dev.os2.shell.bench.FaultSimulation}): the kernel's random workload, with the ledger killed and
 * recovered mid-run, capabilities revoked under load, budgets exhausted and snapshot bundles
 * corrupted on a schedule derived from the seed alone, asserting the kernel's invariants
 * throughout. A failure names its seed and the command that reproduces it.
 */
package dev.os2.shell.bench;
