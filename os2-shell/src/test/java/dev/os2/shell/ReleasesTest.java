package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.os2.ledger.Checkpoint;
import dev.os2.ledger.PublicKey;
import dev.os2.shell.docs.ReleaseManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The releases committed under {@code releases/} are intact: each version folder with a manifest
 * holds every file its manifest lists, with the listed size and SHA-256, and its checkpoint is
 * signed by the published release key over the ledger head the manifest names. A release folder
 * is never changed after its release, so any difference is damage (or an edit that belongs in a
 * new version).
 */
class ReleasesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyCommittedReleaseMatchesItsManifestAndItsSignedCheckpoint() throws IOException {
        Path root = Checkouts.root();
        List<Path> releases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root.resolve("releases"))) {
            dirs.filter(d -> Files.isRegularFile(d.resolve(ReleaseManifest.FILE))).sorted().forEach(releases::add);
        }
        for (Path release : releases) {
            String version = release.getFileName().toString();
            JsonNode m = JSON.readTree(release.resolve(ReleaseManifest.FILE).toFile());
            assertEquals(ReleaseManifest.TYPE, m.path("type").asText(), version);
            assertEquals(version, m.path("version").asText(), "the folder is named after its version");
            assertEquals("intact", m.path("ledger").path("status").asText(), version);
            assertEquals("set", m.path("ready_flag").path("flag").asText(), version);

            List<JsonNode> files = new ArrayList<>();
            m.path("snapshots").forEach(files::add);
            m.path("benchmarks").path("deterministic").forEach(files::add);
            m.path("benchmarks").path("jmh").forEach(files::add);
            assertTrue(m.path("snapshots").size() >= 2, version + ": the ready snapshot's bundle and token are archived");
            assertTrue(m.path("benchmarks").path("deterministic").size() >= 1, version + ": deterministic-benchmark reports");
            for (JsonNode f : files) {
                Path file = root.resolve(f.path("file").asText());
                assertTrue(Files.isRegularFile(file), version + ": " + f.path("file").asText() + " is missing");
                assertEquals(f.path("bytes").asLong(), Files.size(file), version + ": size of " + file);
                assertEquals(f.path("sha256").asText(), sha256(file), version + ": SHA-256 of " + file);
            }

            Checkpoint checkpoint = Checkpoint.read(release.resolve("checkpoint.json"));
            PublicKey key = PublicKey.read(release.resolve("release.pub.json"));
            assertEquals(key.keyId(), checkpoint.keyId(), version + ": the checkpoint names the published key");
            assertTrue(key.verify(checkpoint.statement(), checkpoint.signature()), version + ": the checkpoint's signature");
            assertEquals(m.path("ledger").path("chain_id").asText(), checkpoint.chainId().toHex(), version);
            // The checkpoint is signed after the ready flag, so it covers the whole ledger the manifest describes.
            assertEquals(m.path("ledger").path("head").asText(), checkpoint.headHash().toHex(), version);
            assertEquals(m.path("ledger").path("entries").asLong(), checkpoint.position() + 1, version);
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
