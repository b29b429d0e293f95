package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger-checkpoint} and {@code ledger-verify --checkpoint --public-key} against real
 * Chronicle workspaces: a checkpoint holds, keeps holding as the chain grows, and fails (exit 1)
 * for an altered checkpoint, another key or another ledger; missing files and half the options
 * are input errors (exit 2).
 */
class CheckpointCommandsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private CliRun os2(String... args) {
        return CliRun.run(Session.of(Map.of()), args);
    }

    @Test
    void aCheckpointHoldsForItsLedgerAndOnlyForIt() throws IOException {
        String ws = dir.resolve("ws").toString();
        assertEquals(0, os2("ledger-demo", "--workspace", ws).status());

        CliRun signed = os2("ledger-checkpoint", "--workspace", ws, "--json");
        assertEquals(0, signed.status(), signed.describe());
        JsonNode s = JSON.readTree(signed.out());
        long last = LedgerCommandsTest.DEMO_ENTRIES - 1;
        assertEquals(last, s.get("position").asLong());
        assertTrue(s.get("key_created").asBoolean());
        Path checkpoint = Path.of(s.get("checkpoint_file").asText());
        Path publicKey = Path.of(s.get("public_key_file").asText());
        assertEquals(dir.resolve("ws").resolve("checkpoints").resolve("checkpoint-" + last + ".json"), checkpoint);
        assertTrue(Files.isRegularFile(checkpoint) && Files.isRegularFile(publicKey), signed.describe());
        String head = os2("ledger-verify", "--workspace", ws, "--json").out();
        assertEquals(JSON.readTree(head).get("head").asText(), s.get("head_hash").asText());

        CliRun holds = os2("ledger-verify", "--workspace", ws, "--checkpoint", checkpoint.toString(),
                "--public-key", publicKey.toString());
        assertEquals(0, holds.status(), holds.describe());
        assertTrue(holds.out().startsWith("checkpoint holds: signed by " + s.get("key_id").asText()), holds.describe());

        // The chain grows; the checkpoint still holds, and a second one reuses the key.
        assertEquals(0, os2("ledger-demo", "--workspace", ws).status());
        CliRun later = os2("ledger-verify", "--workspace", ws, "--json", "--checkpoint", checkpoint.toString(),
                "--public-key", publicKey.toString());
        assertEquals(0, later.status(), later.describe());
        JsonNode v = JSON.readTree(later.out());
        assertEquals("intact", v.get("status").asText());
        long entries = LedgerCommandsTest.DEMO_ENTRIES + LedgerCommandsTest.LATER_DEMO_ENTRIES;
        assertEquals(entries, v.get("entries").asLong());
        assertEquals("valid", v.get("checkpoint").get("status").asText());
        assertEquals(last, v.get("checkpoint").get("position").asLong());
        CliRun second = os2("ledger-checkpoint", "--workspace", ws);
        assertEquals(0, second.status(), second.describe());
        assertTrue(second.out().contains("position " + (entries - 1)), second.describe());
        assertFalse(second.out().contains("created now"), second.describe());
        Path secondCheckpoint = dir.resolve("ws").resolve("checkpoints").resolve("checkpoint-" + (entries - 1) + ".json");
        assertTrue(Files.isRegularFile(secondCheckpoint), second.describe());

        // An altered checkpoint: the signature no longer verifies.
        Path altered = dir.resolve("altered.json");
        Files.writeString(altered, Files.readString(checkpoint).replace("\"position\":" + last, "\"position\":" + (last - 1)));
        CliRun bad = os2("ledger-verify", "--workspace", ws, "--json", "--checkpoint", altered.toString(),
                "--public-key", publicKey.toString());
        assertEquals(1, bad.status(), bad.describe());
        assertEquals("bad_signature", JSON.readTree(bad.out()).get("checkpoint").get("reason").asText());

        // Another workspace's key, and another workspace's ledger.
        String other = dir.resolve("other").toString();
        assertEquals(0, os2("ledger-demo", "--workspace", other).status());
        JsonNode otherSigned = JSON.readTree(os2("ledger-checkpoint", "--workspace", other, "--json").out());
        CliRun wrongKey = os2("ledger-verify", "--workspace", ws, "--checkpoint", checkpoint.toString(),
                "--public-key", otherSigned.get("public_key_file").asText());
        assertEquals(1, wrongKey.status(), wrongKey.describe());
        assertTrue(wrongKey.out().startsWith("checkpoint does not hold: wrong key: "), wrongKey.describe());
        assertTrue(wrongKey.out().contains("intact: " + entries + " entries"), "the chain itself is still reported: " + wrongKey.describe());
        // Both demo ledgers start with the same entries, so the other ledger (one demo run) is the
        // same chain but lacks the position of the second checkpoint (two demo runs).
        CliRun shorter = os2("ledger-verify", "--workspace", other, "--json", "--checkpoint", secondCheckpoint.toString(),
                "--public-key", publicKey.toString());
        assertEquals(1, shorter.status(), shorter.describe());
        assertEquals("position_beyond_ledger", JSON.readTree(shorter.out()).get("checkpoint").get("reason").asText());
    }

    @Test
    void missingFilesAndHalfTheOptionsAreInputErrors() throws IOException {
        String ws = dir.resolve("ws").toString();
        assertEquals(0, os2("ledger-demo", "--workspace", ws).status());
        JsonNode s = JSON.readTree(os2("ledger-checkpoint", "--workspace", ws, "--json").out());
        String checkpoint = s.get("checkpoint_file").asText();
        String publicKey = s.get("public_key_file").asText();
        String[][] cases = {
            {"ledger-verify", "--workspace", ws, "--checkpoint", checkpoint},
            {"ledger-verify", "--workspace", ws, "--public-key", publicKey},
            {"ledger-verify", "--workspace", ws, "--checkpoint", dir.resolve("none.json").toString(), "--public-key", publicKey},
            {"ledger-verify", "--workspace", ws, "--checkpoint", checkpoint, "--public-key", dir.resolve("none.json").toString()},
            {"ledger-verify", "--workspace", ws, "--checkpoint", checkpoint, "--public-key", checkpoint},
            {"ledger-checkpoint", "--workspace", ws, "--key", "Not A Name"},
            {"ledger-checkpoint", "--workspace", dir.resolve("nothing").toString()},
        };
        for (String[] args : cases) {
            CliRun run = os2(args);
            assertEquals(2, run.status(), run.describe());
            assertTrue(run.err().startsWith("os2: "), run.describe());
            assertEquals(1, run.err().strip().lines().count(), run.describe());
        }
        assertFalse(Files.exists(dir.resolve("nothing")), "checkpointing a missing workspace creates nothing");
    }
}
