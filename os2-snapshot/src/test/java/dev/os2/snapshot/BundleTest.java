package dev.os2.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.Hash;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle format: round trip, torn writes, damage and re-framed tampering are each refused
 * with their own reason; the store's writes are atomic, idempotent and refuse conflicts.
 */
class BundleTest {

    private static final boolean STRESS = Boolean.getBoolean("os2.stress");

    @TempDir
    Path dir;

    private SnapshotState snapshot;
    private byte[] bytes;

    @BeforeEach
    void takeASnapshot() {
        KernelConfig config = Fixture.config(21);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            for (int i = 0; i < 4; i++) {
                Fixture.submit(k, Fixture.WORK, "{\"cost\":" + (3 * i) + "}");
            }
            k.step();
            snapshot = svc.create("bundle-test");
        }
        bytes = SnapshotBundle.encode(snapshot);
    }

    @Test
    void aBundleReadsBackToTheSameSnapshotAndBytes() {
        SnapshotState back = SnapshotBundle.decode(bytes, null);
        assertEquals(snapshot.header(), back.header());
        assertEquals(snapshot.state().toJson(), back.state().toJson());
        assertArrayEquals(bytes, SnapshotBundle.encode(back));
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length);
        assertEquals("{\"format\":1,\"frame\":\"begin\",\"type\":\"os2.snapshot.bundle\"}", lines[0]);
        assertEquals(snapshot.header().toJson().text(), lines[1]);
        assertTrue(lines[3].startsWith("{\"bytes\":"), lines[3]);
    }

    @Test
    void everyTruncationIsATornWrite() {
        for (int length = 0; length < bytes.length; length++) {
            SnapshotFileException e = refused(Arrays.copyOf(bytes, length));
            assertEquals(SnapshotFileException.Problem.TORN, e.problem(), "truncated to " + length + " bytes: " + e.getMessage());
        }
    }

    @Test
    void everyBitFlipIsRefusedAsDamage() {
        int lastNewline = bytes.length - 1;
        String text = new String(bytes, StandardCharsets.UTF_8);
        int stateStart = text.indexOf('\n', text.indexOf('\n') + 1) + 1;
        int stateEnd = text.lastIndexOf('\n', text.length() - 2);
        for (int i = 0; i < bytes.length; i++) {
            if (!STRESS && i > stateStart + 64 && i < stateEnd - 64 && i % 7 != 0) {
                // Every byte of the frames and the header; a sample of the state's middle unless stressed.
                continue;
            }
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = bytes.clone();
                damaged[i] ^= (byte) (1 << bit);
                SnapshotFileException e = refused(damaged);
                SnapshotFileException.Problem expected = i == lastNewline ? SnapshotFileException.Problem.TORN
                        : SnapshotFileException.Problem.CORRUPT;
                assertEquals(expected, e.problem(), "bit " + bit + " of byte " + i + ": " + e.getMessage());
            }
        }
    }

    @Test
    void reframedTamperingWithTheStateOrItsHashIsAStateMismatch() {
        String clock = "\"clock\":" + snapshot.state().clock();
        assertReframedRefused(SnapshotFileException.Problem.STATE_MISMATCH, 2, s -> s.replace(clock, "\"clock\":" + (snapshot.state().clock() + 1)));
        assertReframedRefused(SnapshotFileException.Problem.STATE_MISMATCH, 2, s -> s.replace("\"tokens_used\":0", "\"tokens_used\":1"));
        String hash = snapshot.header().stateHash().toHex();
        assertReframedRefused(SnapshotFileException.Problem.STATE_MISMATCH, 1, s -> s.replace(hash, Hash.sha256(new byte[1]).toHex()));
        assertReframedRefused(SnapshotFileException.Problem.STATE_MISMATCH, 1, s -> s.replace("\"timestamp_ticks\":" + snapshot.timestamp(),
                "\"timestamp_ticks\":" + (snapshot.timestamp() + 5)));
        // Not canonical, or not a state at all.
        assertReframedRefused(SnapshotFileException.Problem.MALFORMED, 2, s -> " " + s);
        assertReframedRefused(SnapshotFileException.Problem.MALFORMED, 2, s -> "{}");
        assertReframedRefused(SnapshotFileException.Problem.MALFORMED, 1, s -> s.replace("\"id\":\"s", "\"id\":\"x"));
        assertReframedRefused(SnapshotFileException.Problem.UNSUPPORTED_FORMAT, 1, s -> s.replace("\"state_format\":1", "\"state_format\":2"));
        assertReframedRefused(SnapshotFileException.Problem.UNSUPPORTED_FORMAT, 0, s -> s.replace("\"format\":1", "\"format\":2"));
        assertReframedRefused(SnapshotFileException.Problem.MALFORMED, 0, s -> s.replace("os2.snapshot.bundle", "os2.other"));
    }

    /** Replaces line {@code line} and writes a fresh, correct end frame, as a forger would. */
    private void assertReframedRefused(SnapshotFileException.Problem expected, int line, UnaryOperator<String> change) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        String changed = change.apply(lines[line]);
        assertFalse(changed.equals(lines[line]), "the change must change something");
        lines[line] = changed;
        byte[] forged = reframe(lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n");
        SnapshotFileException e = refused(forged);
        assertEquals(expected, e.problem(), e.getMessage());
    }

    static byte[] reframe(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ObjectNode end = JsonNodeFactory.instance.objectNode();
        end.put("bytes", b.length);
        end.put("frame", "end");
        end.put("sha256", Hash.sha256(b).toHex());
        return (body + CanonicalJson.of(end).text() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void somethingElseIsNotABundle() {
        assertEquals(SnapshotFileException.Problem.MALFORMED, refused("hello\nworld\n".getBytes(StandardCharsets.UTF_8)).problem());
        assertEquals(SnapshotFileException.Problem.MALFORMED, refused("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8)).problem());
        assertEquals(SnapshotFileException.Problem.MALFORMED, refused("not json".getBytes(StandardCharsets.UTF_8)).problem());
    }

    private static SnapshotFileException refused(byte[] content) {
        try {
            SnapshotBundle.decode(content, null);
        } catch (SnapshotFileException e) {
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError("refused with " + e + " instead of a SnapshotFileException", e);
        }
        fail("accepted a bundle that should have been refused");
        return null;
    }

    @Test
    void theStoreWritesOnceAtomicallyAndRefusesAConflict() throws IOException {
        SnapshotStore store = SnapshotStore.at(dir.resolve("snapshots"));
        assertTrue(store.put(snapshot));
        assertFalse(store.put(snapshot), "the same snapshot again changes nothing");
        assertArrayEquals(bytes, Files.readAllBytes(store.bundleFile(snapshot.id())));
        try (Stream<Path> files = Files.list(store.directory())) {
            assertEquals(List.of(snapshot.id() + SnapshotStore.BUNDLE_SUFFIX), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary file is left behind");
        }
        // Another snapshot under the same id (another ledger's s<n>) is refused.
        SnapshotState other;
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(Fixture.config(22), ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            for (int i = 0; i < 4; i++) {
                Fixture.submit(k, Fixture.WORK, "{\"cost\":" + (3 * i) + "}");
            }
            k.step();
            other = svc.create("bundle-test");
        }
        assertEquals(snapshot.id(), other.id());
        SnapshotFileException e = assertThrows(SnapshotFileException.class, () -> store.put(other));
        assertEquals(SnapshotFileException.Problem.CONFLICT, e.problem());
        assertArrayEquals(bytes, Files.readAllBytes(store.bundleFile(snapshot.id())));
    }

    @Test
    void listingShowsHeadersAndDamagedBundles() throws IOException {
        SnapshotStore store = SnapshotStore.at(dir);
        assertEquals(List.of(), store.list(), "an absent folder is an empty store");
        store.put(snapshot);
        Path torn = dir.resolve("s999" + SnapshotStore.BUNDLE_SUFFIX);
        Files.write(torn, Arrays.copyOf(bytes, bytes.length / 2));
        Files.writeString(dir.resolve("notes.txt"), "not a bundle");
        List<SnapshotStore.Listing> list = store.list();
        assertEquals(2, list.size());
        SnapshotStore.Listing.Readable r = assertInstanceOf(SnapshotStore.Listing.Readable.class, list.get(0));
        assertEquals(snapshot.header(), r.header());
        SnapshotStore.Listing.Damaged d = assertInstanceOf(SnapshotStore.Listing.Damaged.class, list.get(1));
        assertEquals(SnapshotFileException.Problem.TORN, d.problem().problem());
        assertEquals(snapshot.header(), store.header(snapshot.id()));
        SnapshotFileException missing = assertThrows(SnapshotFileException.class, () -> store.read(new SnapshotId(12345)));
        assertEquals(SnapshotFileException.Problem.MISSING, missing.problem());
    }

    @Test
    void exportAndImportCarryBundleAndTokenAndCheckThem() throws IOException {
        SnapshotStore store = SnapshotStore.at(dir.resolve("a"));
        store.put(snapshot);
        SnapshotToken token = SnapshotAuth.sign(snapshot, dev.os2.ledger.SigningKey.fromSeed(new byte[32]));
        store.putToken(token);
        Path exported = store.exportTo(snapshot.id(), dir.resolve("export"));
        assertTrue(Files.exists(exported.resolveSibling(snapshot.id() + SnapshotStore.TOKEN_SUFFIX)));
        SnapshotStore b = SnapshotStore.at(dir.resolve("b"));
        SnapshotState imported = b.importFrom(exported);
        assertEquals(snapshot.header(), imported.header());
        assertEquals(token, b.readToken(snapshot.id()));
        // A damaged file is never imported.
        Path damaged = dir.resolve("damaged").resolve(snapshot.id() + SnapshotStore.BUNDLE_SUFFIX);
        Files.createDirectories(damaged.getParent());
        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 4;
        Files.write(damaged, flipped);
        SnapshotStore c = SnapshotStore.at(dir.resolve("c"));
        assertEquals(SnapshotFileException.Problem.CORRUPT, assertThrows(SnapshotFileException.class, () -> c.importFrom(damaged)).problem());
        assertFalse(c.contains(snapshot.id()));
    }
}
