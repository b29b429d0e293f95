package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The snapshot commands in-process against real Chronicle workspaces: create, list, show, diff,
 * auth, verify (and refusals with exit 1), replay from a snapshot and from genesis, restore, export
 * and import into another workspace, and the kernel-ready flag.
 */
class SnapshotCommandsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final Session session = Session.of(Map.of());

    private CliRun os2(String... args) {
        return CliRun.run(session, args);
    }

    private CliRun ok(String... args) {
        CliRun r = os2(args);
        assertEquals(0, r.status(), r.describe());
        return r;
    }

    @Test
    void theSnapshotLifecycleThroughTheCommandLine() throws IOException {
        String ws = dir.resolve("ws").toString();
        ok("ledger-demo", "--workspace", ws);
        JsonNode first = JSON.readTree(ok("snapshot-create", "--label", "after demo", "--workspace", ws, "--json").out());
        String a = first.get("id").asText();
        assertTrue(Files.exists(Path.of(first.get("bundle_file").asText())));
        ok("ledger-demo", "--workspace", ws);
        CliRun created = ok("snapshot-create", "--label", "after second demo", "--workspace", ws);
        String b = created.out().substring("Took snapshot ".length()).split(" ")[0];
        assertTrue(created.out().contains("snapshot-auth " + b), created.describe());

        CliRun list = ok("snapshot-list", "--workspace", ws);
        assertTrue(list.out().contains(a) && list.out().contains(b) && list.out().contains("2 snapshots."), list.describe());
        CliRun show = ok("snapshot-show", b, "--workspace", ws);
        assertTrue(show.out().contains("token       none"), show.describe());

        CliRun diff = ok("snapshot-diff", a, b, "--workspace", ws);
        assertTrue(diff.out().contains("clock: "), diff.describe());
        JsonNode diffJson = JSON.readTree(ok("snapshot-diff", a, b, "--workspace", ws, "--json").out());
        assertTrue(diffJson.get("deltas").size() > 0, diffJson.toString());

        // Unsigned: verify says so; signed: valid.
        CliRun unsigned = os2("snapshot-verify", a, "--workspace", ws);
        assertEquals(2, unsigned.status(), unsigned.describe());
        CliRun auth = ok("snapshot-auth", a, "--workspace", ws);
        assertTrue(auth.out().contains("created now"), auth.describe());
        CliRun verify = ok("snapshot-verify", a, "--workspace", ws);
        assertTrue(verify.out().startsWith("valid: "), verify.describe());
        JsonNode verdict = JSON.readTree(ok("snapshot-verify", a, "--workspace", ws, "--json").out());
        assertTrue(verdict.get("valid").asBoolean());

        // A tampered token is refused with its reason, exit 1.
        Path token = Path.of(ws, "snapshots", a + ".token.json");
        String good = Files.readString(token);
        String sig = JSON.readTree(good).get("signature").asText();
        Files.writeString(token, good.replace(sig, (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1)));
        CliRun tampered = os2("snapshot-verify", a, "--workspace", ws, "--json");
        assertEquals(1, tampered.status(), tampered.describe());
        assertEquals("bad_signature", JSON.readTree(tampered.out()).get("reason").asText());
        Files.writeString(token, good);

        // Replay from the snapshot and from genesis: identical through the head.
        CliRun replay = ok("snapshot-replay", a, "--workspace", ws);
        assertTrue(replay.out().startsWith("identical through position "), replay.describe());
        JsonNode genesis = JSON.readTree(ok("snapshot-replay", "genesis", "--workspace", ws, "--json").out());
        assertEquals("identical", genesis.get("outcome").asText());
        long until = first.get("position").asLong() + 3;
        JsonNode partial = JSON.readTree(ok("snapshot-replay", a, "--until", Long.toString(until), "--workspace", ws, "--json").out());
        assertEquals(until, partial.get("through_position").asLong());

        // Restore the first snapshot; the state is its state again, and the ledger still replays.
        CliRun restore = ok("snapshot-restore", a, "--workspace", ws);
        assertTrue(restore.out().contains("recorded the rollback at position"), restore.describe());
        JsonNode afterRestore = JSON.readTree(ok("snapshot-create", "--label", "after restore", "--workspace", ws, "--json").out());
        assertEquals(first.get("state_hash").asText(), afterRestore.get("state_hash").asText());
        ok("snapshot-replay", "genesis", "--workspace", ws);
        ok("ledger-verify", "--workspace", ws);

        // The ready flag: set (verified, archived, recorded), status, clear.
        Path releases = dir.resolve("releases");
        CliRun set = ok("kernel-ready-flag", "--set", a, "--release", "1.2.3", "--releases", releases.toString(), "--workspace", ws);
        assertTrue(set.out().contains("flagged ready"), set.describe());
        assertTrue(Files.exists(releases.resolve("1.2.3/snapshots/" + a + ".snapshot.jsonl")));
        assertTrue(Files.exists(releases.resolve("1.2.3/snapshots/" + a + ".token.json")));
        CliRun status = ok("kernel-ready-flag", "--status", "--release", "1.2.3", "--workspace", ws);
        assertTrue(status.out().contains("snapshot " + a + " is flagged ready"), status.describe());
        CliRun refused = os2("kernel-ready-flag", "--set", b, "--release", "1.2.3", "--releases", releases.toString(), "--workspace", ws);
        assertEquals(1, refused.status(), refused.describe());
        assertTrue(refused.out().contains("token_missing"), refused.describe());
        ok("kernel-ready-flag", "--clear", "--release", "1.2.3", "--workspace", ws);
        assertTrue(ok("kernel-ready-flag", "--status", "--release", "1.2.3", "--workspace", ws).out().contains("cleared"));

        // Export, import into another workspace: there it is another ledger's snapshot.
        Path out = dir.resolve("export");
        ok("snapshot-export", a, out.toString(), "--workspace", ws);
        String other = dir.resolve("other").toString();
        ok("ledger-demo", "--workspace", other);
        ok("snapshot-import", out.resolve(a + ".snapshot.jsonl").toString(), "--workspace", other);
        CliRun foreign = os2("snapshot-verify", a, "--workspace", other, "--public-key", Path.of(ws, "keys", "ledger.pub.json").toString(),
                "--json");
        assertEquals(1, foreign.status(), foreign.describe());
        // Both ledgers were started by a kernel with the same seed and settings, so they share their
        // first entry (the chain id); they part after it, and the snapshot's position shows it.
        assertTrue(java.util.Set.of("other_ledger", "position_beyond_ledger", "head_mismatch")
                .contains(JSON.readTree(foreign.out()).get("reason").asText()), foreign.describe());
        CliRun restoreForeign = os2("snapshot-restore", a, "--workspace", other);
        assertEquals(1, restoreForeign.status(), restoreForeign.describe());

        // Bad input: one line, exit 2.
        CliRun badId = os2("snapshot-show", "x42", "--workspace", ws);
        assertEquals(2, badId.status(), badId.describe());
        assertTrue(badId.err().startsWith("os2: 'x42' is not a snapshot id."), badId.describe());
        CliRun missing = os2("snapshot-show", "s99999", "--workspace", ws);
        assertEquals(2, missing.status(), missing.describe());
    }
}
