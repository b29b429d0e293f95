package dev.os2.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.os2.kernel.InvalidInputException;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel-ready flag: only a verified snapshot is flagged; the ledger records set and clear; the archive holds bundle and token. */
class ReadyFlagTest {

    @TempDir
    Path dir;

    @Test
    void setClearAndStatus() throws IOException {
        KernelConfig config = Fixture.config(81);
        SnapshotStore store = SnapshotStore.at(dir.resolve("snapshots"));
        Path releases = dir.resolve("releases");
        SigningKey key = SigningKey.fromSeed(new byte[32]);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, store, SnapshotPolicy.MANUAL)) {
            assertInstanceOf(ReadyFlag.Status.Unset.class, ReadyFlag.status(ledger, "1.0.0"));
            SnapshotState s = svc.create("rc1");
            // Without a token the snapshot is not verified, and nothing happens.
            long size = ledger.size();
            ReadyFlag.SetResult.Refused refused = assertInstanceOf(ReadyFlag.SetResult.Refused.class,
                    ReadyFlag.set(k, store, s.id(), key.publicKey(), releases, "1.0.0"));
            assertEquals(SnapshotVerification.Reason.TOKEN_MISSING, refused.verdict().reason());
            assertEquals(size, ledger.size());
            assertFalse(Files.exists(releases));
            // With a token from another key, neither.
            store.putToken(SnapshotAuth.sign(s, SigningKey.fromSeed(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})));
            assertEquals(SnapshotVerification.Reason.WRONG_KEY, assertInstanceOf(ReadyFlag.SetResult.Refused.class,
                    ReadyFlag.set(k, store, s.id(), key.publicKey(), releases, "1.0.0")).verdict().reason());
            // Signed with the workspace key: flagged, archived, recorded.
            store.putToken(SnapshotAuth.sign(s, key));
            ReadyFlag.SetResult.Flagged flagged = assertInstanceOf(ReadyFlag.SetResult.Flagged.class,
                    ReadyFlag.set(k, store, s.id(), key.publicKey(), releases, "1.0.0"));
            Path archive = ReadyFlag.archiveDirectory(releases, "1.0.0");
            assertEquals(archive.resolve(s.id() + SnapshotStore.BUNDLE_SUFFIX), flagged.archivedBundle());
            assertArrayEquals(Files.readAllBytes(store.bundleFile(s.id())), Files.readAllBytes(flagged.archivedBundle()));
            assertArrayEquals(Files.readAllBytes(store.tokenFile(s.id())), Files.readAllBytes(flagged.archivedToken()));
            assertEquals("ready_flag", ledger.read(flagged.response().position()).kind());
            assertEquals(new ReadyFlag.Status.Set("1.0.0", s.id(), flagged.response().position()), ReadyFlag.status(ledger, "1.0.0"));
            assertInstanceOf(ReadyFlag.Status.Unset.class, ReadyFlag.status(ledger, "2.0.0"), "flags are per version");
            // The archived bundle verifies on its own, with its token beside it.
            assertEquals(true, SnapshotAuth.verify(ledger, flagged.archivedBundle(), null, key.publicKey()).valid());
            // Clear.
            long cleared = ReadyFlag.clear(k, "1.0.0").position();
            assertEquals(new ReadyFlag.Status.Cleared("1.0.0", cleared), ReadyFlag.status(ledger, "1.0.0"));
            // A malformed version is refused before anything is written.
            long before = ledger.size();
            assertThrows(InvalidInputException.class, () -> ReadyFlag.set(k, store, s.id(), key.publicKey(), releases, "../x"));
            assertThrows(InvalidInputException.class, () -> ReadyFlag.clear(k, "has space"));
            assertEquals(before, ledger.size());
            // The flag entries replay.
            assertEquals(k.state().stateHash(), Kernel.replay(config, ledger, null, 0).stateHash());
        }
    }
}
