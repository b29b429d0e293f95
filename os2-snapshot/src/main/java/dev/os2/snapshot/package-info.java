/**
 * Snapshots of an OS2 kernel: taken in O(1), kept as framed bundles, compared, signed, verified,
 * replayed and restored.
 *
 * <p>A kernel's state is one immutable value built from persistent maps, so a snapshot is the
 * state as it is at a ledger entry ({@code snapshot_created}), with a {@link
 * dev.os2.snapshot.SnapshotHeader header} naming that entry. {@link dev.os2.snapshot.SnapshotService}
 * takes them from a running kernel (on request, when handlers ask for a checkpoint, every N
 * entries) and rolls the kernel back to one; {@link dev.os2.snapshot.SnapshotStore} keeps them in
 * the workspace as {@link dev.os2.snapshot.SnapshotBundle bundles}, the one durable format here;
 * {@link dev.os2.snapshot.StateDiff} compares two states in time proportional to what differs;
 * {@link dev.os2.snapshot.SnapshotAuth} signs a {@link dev.os2.snapshot.SnapshotToken token}
 * binding a snapshot to its ledger and checks all of it; {@link dev.os2.snapshot.SnapshotReplay}
 * re-runs the ledger after a snapshot in a scratch state machine and names the first entry that
 * does not come out as recorded; {@link dev.os2.snapshot.ReadyFlag} marks a verified snapshot for
 * release.
 *
 * <p>Everything here builds on the kernel's seams ({@code CreateSnapshot}, {@code RestoreSnapshot},
 * {@code ReadyFlag} inputs, {@code Kernel.replay} with options, {@code KernelState.diff}); the
 * kernel knows nothing of files, keys or stores.
 */
package dev.os2.snapshot;
