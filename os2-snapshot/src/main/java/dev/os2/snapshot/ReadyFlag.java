package dev.os2.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.PublicKey;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The kernel-ready flag: marks a verified snapshot as the one ready for a release. Setting it
 * verifies the snapshot (bundle, token, key and ledger), archives its bundle and token under
 * {@code <releases>/<version>/snapshots/}, and records a {@code ready_flag} entry in the ledger;
 * clearing records a {@code ready_flag} entry without a snapshot. The flag's value is the latest
 * such entry for the version, so the ledger is the only truth about it.
 */
public final class ReadyFlag {

    private ReadyFlag() {
    }

    /** The flag of one release version. */
    public sealed interface Status {
        /** The release version. */
        String version();

        /**
         * A snapshot is flagged ready.
         *
         * @param version the release
         * @param snapshot the snapshot flagged
         * @param entry the position of the {@code ready_flag} entry
         */
        record Set(String version, SnapshotId snapshot, long entry) implements Status {
        }

        /**
         * The flag was cleared.
         *
         * @param version the release
         * @param entry the position of the {@code ready_flag} entry that cleared it
         */
        record Cleared(String version, long entry) implements Status {
        }

        /**
         * The flag was never set for this version.
         *
         * @param version the release
         */
        record Unset(String version) implements Status {
        }
    }

    /** What {@link #set} did. */
    public sealed interface SetResult {
        /**
         * Flagged: archived and recorded.
         *
         * @param snapshot the snapshot
         * @param archivedBundle the bundle's copy under the release
         * @param archivedToken the token's copy under the release
         * @param response the kernel's answer for the {@code ready_flag} entry
         */
        record Flagged(SnapshotId snapshot, Path archivedBundle, Path archivedToken, KernelResponse response) implements SetResult {
        }

        /**
         * Nothing happened: the snapshot did not verify.
         *
         * @param verdict why
         */
        record Refused(SnapshotVerification.Invalid verdict) implements SetResult {
        }
    }

    /** The folder a release's snapshots are archived in: {@code <releases>/<version>/snapshots}. */
    public static Path archiveDirectory(Path releasesDirectory, String version) {
        return releasesDirectory.resolve(version).resolve("snapshots");
    }

    /**
     * Verifies snapshot {@code id} from {@code store} with its stored token and {@code key} against
     * the kernel's ledger; if it holds, archives its bundle and token and records the flag.
     *
     * @throws dev.os2.kernel.InvalidInputException if the version is malformed
     * @throws SnapshotFileException if the snapshot is not in the store, or the archive cannot be written
     */
    public static SetResult set(Kernel kernel, SnapshotStore store, SnapshotId id, PublicKey key, Path releasesDirectory, String version) {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(releasesDirectory, "releasesDirectory");
        // Validates the version before anything is written.
        KernelInput.ReadyFlag input = new KernelInput.ReadyFlag(version, id.toString());
        if (!store.contains(id)) {
            throw new SnapshotFileException(store.bundleFile(id), SnapshotFileException.Problem.MISSING, "there is no snapshot " + id + " in the store");
        }
        SnapshotVerification v = SnapshotAuth.verify(kernel.ledger(), store.bundleFile(id), store.tokenFile(id), key);
        if (v instanceof SnapshotVerification.Invalid invalid) {
            return new SetResult.Refused(invalid);
        }
        // Archive first: a flag in the ledger must never point at an archive that is not there.
        Path archive = archiveDirectory(releasesDirectory, version);
        Path bundle = store.exportTo(id, archive);
        KernelResponse r = kernel.execute(input);
        return new SetResult.Flagged(id, bundle, SnapshotStore.at(archive).tokenFile(id), r);
    }

    /**
     * Records that no snapshot is ready for {@code version}. The archive stays.
     *
     * @throws dev.os2.kernel.InvalidInputException if the version is malformed
     */
    public static KernelResponse clear(Kernel kernel, String version) {
        Objects.requireNonNull(kernel, "kernel");
        return kernel.execute(new KernelInput.ReadyFlag(version, null));
    }

    /**
     * The flag of {@code version}: the latest {@code ready_flag} entry for it, searched from the
     * head backwards (linear in the entries after it).
     *
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be read
     */
    public static Status status(Ledger ledger, String version) {
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(version, "version");
        for (long p = ledger.size() - 1; p >= 0; p--) {
            EventEnvelope e = ledger.read(p);
            if (!"ready_flag".equals(e.kind())) {
                continue;
            }
            JsonNode n = e.payload().toJsonNode();
            if (!version.equals(n.path("version").asText(null))) {
                continue;
            }
            JsonNode s = n.get("snapshot");
            return s == null || s.isNull() ? new Status.Cleared(version, p) : new Status.Set(version, SnapshotId.parse(s.asText()), p);
        }
        return new Status.Unset(version);
    }
}
