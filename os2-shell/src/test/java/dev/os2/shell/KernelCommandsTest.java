package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo through the real kernel and the registry commands, in-process against real Chronicle
 * workspaces: the demo's three tokens end as the story says; cap-list and cap-show show the
 * registered capabilities, the grant and the usage the tokens left; the chain verifies and the
 * violation is in the ledger; a second demo run recovers the kernel and continues the chain; bad
 * input is one line and exit 2, and the read-only commands write nothing.
 */
class KernelCommandsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final Session session = Session.of(Map.of());

    private CliRun os2(String... args) {
        return CliRun.run(session, args);
    }

    private static List<JsonNode> jsonLines(CliRun run) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : run.outLines()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    void theDemoRunsThroughTheKernelAndTheRegistryShowsWhatItDid() throws IOException {
        String ws = dir.resolve("ws").toString();
        CliRun demo = os2("ledger-demo", "--workspace", ws);
        assertEquals(0, demo.status(), demo.describe());
        assertEquals("", demo.err(), demo.describe());
        assertTrue(demo.out().contains("A new kernel started on it (seed 0) with the shell's own capabilities (the operator holds\n"
                + "python.exec and shell.tool; the others are granted to no one) and registered fs.read and net.fetch."),
                demo.describe());
        assertTrue(demo.out().contains("-> token_completed\n"), demo.describe());
        assertTrue(demo.out().contains("-> resource_budget_exceeded: tokens, tried to charge 120 with 80 left"), demo.describe());
        assertTrue(demo.out().contains("-> capability_violation: not_granted, agent:researcher-1 holds no grant of net.fetch"),
                demo.describe());

        // The kernel recorded every step: inputs first, then their effects.
        List<String> kinds = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json")).stream()
                .map(n -> n.get("kind").asText()).toList();
        // The shell's own five capabilities come first, then the demo's two, the operator's two grants and the demo's.
        List<String> setup = new ArrayList<>(List.of("kernel_started"));
        for (int i = 0; i < 7; i++) {
            setup.addAll(List.of("register_capability", "capability_registered"));
        }
        for (int i = 0; i < 3; i++) {
            setup.addAll(List.of("grant_capability", "capability_granted"));
        }
        assertEquals(setup, kinds.subList(0, setup.size()));
        assertEquals(List.of(
                "submit_token", "token_scheduled", "token_started", "charge", "token_completed",
                "submit_token", "token_scheduled", "token_started", "charge", "charge", "resource_budget_exceeded",
                "submit_token", "token_scheduled", "token_started", "charge", "capability_invoked", "capability_violation"),
                kinds.subList(setup.size(), kinds.size()));

        // cap-list: both capabilities with their limits, the grant, and the usage.
        CliRun list = os2("cap-list", "--workspace", ws);
        assertEquals(0, list.status(), list.describe());
        List<String> rows = list.outLines();
        assertTrue(rows.get(0).matches("CAPABILITY +SHAPE .*"), list.describe());
        List<String> demoRows = rows.stream().filter(r -> r.startsWith("fs.read ") || r.startsWith("net.fetch ")).toList();
        assertTrue(demoRows.get(0).matches("fs\\.read +path: string, follow_links\\?: boolean +2000 +10/1000 ticks +none +1 active +3 +360 +0 +reads a file.*"),
                list.describe());
        assertTrue(demoRows.get(1).matches("net\\.fetch +url: string +500 +none +100 +0 +0 +0 +1 +fetches a URL.*"), list.describe());
        assertTrue(list.out().contains("7 capabilities, registry version 10."), list.describe());

        JsonNode registry = JSON.readTree(os2("cap-list", "--workspace", ws, "--json").out());
        assertEquals(10, registry.get("registry_version").asLong());
        List<String> ids = new ArrayList<>();
        registry.get("capabilities").forEach(c -> ids.add(c.get("id").asText()));
        assertEquals(List.of("fs.read", "git.remote", "net.fetch", "net.http", "pip.install", "python.exec", "shell.tool"), ids);

        // cap-show fs.read: the descriptor, the usage and the grant with its terms.
        CliRun show = os2("cap-show", "fs.read", "--workspace", ws);
        assertEquals(0, show.status(), show.describe());
        assertTrue(show.out().startsWith("fs.read: reads a file under the granted paths"), show.describe());
        assertTrue(show.out().contains("  invocation shape  path: string, follow_links?: boolean"), show.describe());
        assertTrue(show.out().contains("  token ceiling     2000 cost units per invocation"), show.describe());
        assertTrue(show.out().contains("  rate limit        10 invocations per 1000 ticks, per grant"), show.describe());
        assertTrue(show.out().contains("  usage             3 invocations, 360 cost units charged, 0 violations"), show.describe());
        assertTrue(show.out().matches("(?s).*\ng3 +agent:researcher-1 +1 +active +- +never +2000 +1000 +3 +360 +\\{\"paths\":\\[\"reports/\"\\]\\}\n.*"),
                show.describe());

        JsonNode read = JSON.readTree(os2("cap-show", "fs.read", "--workspace", ws, "--json").out());
        assertEquals(read, registry.get("capabilities").get(0), "cap-show --json is cap-list --json's entry");
        assertEquals("path", read.get("shape").get(0).get("name").asText());
        assertTrue(read.get("shape").get(0).get("required").asBoolean());
        assertFalse(read.get("shape").get(1).get("required").asBoolean());
        assertEquals(2000, read.get("token_ceiling").asLong());
        assertTrue(read.get("max_invocations").isNull());
        assertEquals(10, read.get("rate_limit").get("invocations").asLong());
        assertEquals(1000, read.get("rate_limit").get("window_ticks").asLong());
        JsonNode grant = read.get("grants").get(0);
        assertEquals("agent:researcher-1", grant.get("subject").asText());
        assertEquals(1, grant.get("version").asLong());
        assertFalse(grant.get("revoked").asBoolean());
        assertTrue(grant.get("derived_from").isNull());
        assertTrue(grant.get("expires_at_tick").isNull());
        assertEquals(1000, grant.get("budget_tokens").asLong());
        assertEquals(360, grant.get("usage").get("tokens_charged").asLong());
        JsonNode fetch = JSON.readTree(os2("cap-show", "net.fetch", "--workspace", ws, "--json").out());
        assertEquals(0, fetch.get("grants").size(), "net.fetch was never granted");
        assertEquals(1, fetch.get("usage").get("violations").asLong());

        // The chain verifies, and the violation is in it.
        CliRun verify = os2("ledger-verify", "--workspace", ws);
        assertEquals(0, verify.status(), verify.describe());
        List<JsonNode> violations = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json", "--kind", "capability_violation"));
        assertEquals(1, violations.size());
        assertEquals("net.fetch", violations.get(0).get("capability_id").asText());
        assertEquals("not_granted", violations.get(0).get("payload").get("reason").asText());
        assertEquals(3, violations.get(0).get("payload").get("token").asLong());

        // Again: the kernel is recovered from the ledger and a second agent gets its own grant.
        CliRun again = os2("ledger-demo", "--workspace", ws);
        assertEquals(0, again.status(), again.describe());
        assertTrue(again.out().contains("The kernel recovered its state by replaying them"), again.describe());
        assertTrue(again.out().contains("agent:researcher-2"), again.describe());
        assertTrue(again.out().contains("  token 4: "), "token ids continue: " + again.describe());
        JsonNode after = JSON.readTree(os2("cap-show", "fs.read", "--workspace", ws, "--json").out());
        assertEquals(List.of("agent:researcher-1", "agent:researcher-2"), after.get("grants").findValuesAsText("subject"));
        assertEquals(6, after.get("usage").get("invocations").asLong());
        assertEquals(2, jsonLines(os2("ledger-inspect", "--workspace", ws, "--json", "--kind", "capability_violation")).size());
        assertEquals(0, os2("ledger-verify", "--workspace", ws).status());
    }

    @Test
    void unknownCapabilitiesMissingLedgersAndEmptyRegistries() throws IOException {
        String ws = dir.resolve("ws").toString();
        assertEquals(0, os2("ledger-demo", "--workspace", ws).status());
        List<byte[]> before = queueFiles(dir.resolve("ws"));

        CliRun unknown = os2("cap-show", "fs.reed", "--workspace", ws);
        assertEquals(2, unknown.status(), unknown.describe());
        assertEquals("os2: no capability fs.reed; `os2 cap-list --workspace " + ws + "` lists them (did you mean fs.read?).",
                unknown.err().strip());
        CliRun far = os2("cap-show", "fs.write", "--workspace", ws, "--json");
        assertEquals(2, far.status(), far.describe());
        assertTrue(far.err().startsWith("os2: no capability fs.write; `os2 cap-list") && !far.err().contains("did you mean"),
                far.describe());
        assertEquals("", far.out(), far.describe());

        String[][] usage = {
            {"cap-show", "--workspace", ws},
            {"cap-show", "fs.read", "net.fetch", "--workspace", ws},
            {"cap-list", "--workspace", ws, "--verbose"},
            {"cap-list", "--workspace", dir.resolve("none").toString()},
            {"cap-show", "fs.read", "--workspace", dir.resolve("none").toString()},
        };
        for (String[] args : usage) {
            CliRun run = os2(args);
            assertEquals(2, run.status(), run.describe());
            assertTrue(run.err().startsWith("os2: "), run.describe());
            assertEquals(1, run.err().strip().lines().count(), run.describe());
        }
        assertTrue(os2("cap-list", "--workspace", dir.resolve("none").toString()).err().contains("there is no ledger"));
        assertFalse(Files.exists(dir.resolve("none")), "looking creates nothing");

        List<byte[]> after = queueFiles(dir.resolve("ws"));
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            assertTrue(java.util.Arrays.equals(before.get(i), after.get(i)), "the read-only commands wrote nothing");
        }

        // A kernel ledger with nothing registered yet: a helpful line, and an empty JSON list.
        Path fresh = dir.resolve("fresh");
        try (WorkspaceKernel wk = WorkspaceKernel.open(Workspace.at(fresh))) {
            assertEquals(1, wk.ledger().size(), "just kernel_started");
        }
        CliRun empty = os2("cap-list", "--workspace", fresh.toString());
        assertEquals(0, empty.status(), empty.describe());
        assertTrue(empty.out().startsWith("No capabilities are registered in " + fresh + " yet; `os2 ledger-demo --workspace "),
                empty.describe());
        assertEquals("{\"registry_version\":0,\"capabilities\":[]}",
                os2("cap-list", "--workspace", fresh.toString(), "--json").out().strip());
    }

    @Test
    void capShowCompletesTheIdsOfTheDefaultWorkspace() {
        Path ws = dir.resolve("ws");
        Session inWorkspace = Session.of(Map.of(Session.WORKSPACE_VARIABLE, ws.toString()));
        CommandLine cl = Os2.commandLine(inWorkspace);
        Iterable<String> candidates = cl.getSubcommands().get("cap-show").getCommandSpec().positionalParameters().get(0)
                .completionCandidates();
        assertEquals(List.of(), toList(candidates), "no ledger yet: no candidates, and no error");
        assertFalse(Files.exists(ws), "asking for candidates creates nothing");
        assertEquals(0, CliRun.run(inWorkspace, "ledger-demo").status());
        assertEquals(List.of("fs.read", "git.remote", "net.fetch", "net.http", "pip.install", "python.exec", "shell.tool"),
                toList(candidates), "read when asked, not when the command line was built");
    }

    private static List<String> toList(Iterable<String> items) {
        List<String> list = new ArrayList<>();
        items.forEach(list::add);
        return list;
    }

    static List<byte[]> queueFiles(Path workspace) throws IOException {
        List<byte[]> contents = new ArrayList<>();
        try (Stream<Path> files = Files.walk(workspace.resolve("ledger"))) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                contents.add(Files.readAllBytes(f));
            }
        }
        assertFalse(contents.isEmpty(), "the ledger has files");
        return contents;
    }
}
