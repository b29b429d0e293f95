/**
 * Kernel benchmarks, each OS2 figure beside its peer in the same run.
 *
 * <p>{@link dev.os2.bench.kernel.SchedulerBench} times the kernel's scheduling path (admission,
 * budget and grant accounting, the ready queue, the token's lifecycle) against a bare
 * {@link java.util.PriorityQueue} ordering the same tokens, with the ledger taken out of the
 * picture by a {@link dev.os2.bench.kernel.DiscardingLedger}.
 * {@link dev.os2.bench.kernel.EndToEndBench} times submit to completed through the public API on
 * the in-memory and the Chronicle ledger, beside appending the same entries to the same ledger
 * without a kernel. {@link dev.os2.bench.kernel.ReplayBench} times the replay of a recorded run
 * ({@code SnapshotReplay} from genesis) beside the live run that recorded it. Every score is in
 * tokens per second.
 */
package dev.os2.bench.kernel;
