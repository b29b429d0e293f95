/**
 * Snapshot benchmarks, each OS2 figure beside its peer in the same run.
 *
 * <p>{@link dev.os2.bench.snapshot.SnapshotBench} times taking a snapshot of states of 10 to
 * 1,000,000 entries against deep-copying the same state held in a {@link java.util.HashMap};
 * {@link dev.os2.bench.snapshot.DiffBench} times the structural diff of two large states k
 * changes apart against comparing two HashMaps. The states are built through the real kernel by
 * {@link dev.os2.bench.snapshot.StateFixture}. Replay against live execution is
 * {@link dev.os2.bench.kernel.ReplayBench}.
 */
package dev.os2.bench.snapshot;
