package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger commands driven in-process against a real Chronicle workspace: the demo, verify and
 * inspect in all their forms, tampering detected at the right position, and bad input refused
 * with one line and exit 2.
 */
class LedgerCommandsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern HEAD = Pattern.compile("Head hash: ([0-9a-f]{64})");
    /** Entries of a fresh workspace's demo: kernel_started, two registrations, the grant and three tokens. */
    static final int DEMO_ENTRIES = 38;
    /** Entries each later demo run adds: the grant and three tokens. */
    static final int LATER_DEMO_ENTRIES = 19;

    @TempDir
    Path dir;

    private final Session session = Session.of(Map.of());

    private CliRun os2(String... args) {
        return CliRun.run(session, args);
    }

    private static String demoHead(CliRun demo) {
        Matcher m = HEAD.matcher(demo.out());
        assertTrue(m.find(), demo.describe());
        return m.group(1);
    }

    private static List<JsonNode> jsonLines(CliRun run) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : run.outLines()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    void demoThenVerifyThenInspectInEveryForm() throws IOException {
        String ws = dir.resolve("ws").toString();

        CliRun demo = os2("ledger-demo", "--workspace", ws);
        assertEquals(0, demo.status(), demo.describe());
        assertTrue(demo.out().contains("intact, " + DEMO_ENTRIES + " entries"), demo.describe());
        assertEquals("", demo.err(), demo.describe());
        String head = demoHead(demo);
        for (String folder : List.of("ledger", "keys", "snapshots", "logs")) {
            assertTrue(Files.isDirectory(dir.resolve("ws").resolve(folder)), folder);
        }

        CliRun verify = os2("ledger-verify", "--workspace", ws);
        assertEquals(0, verify.status(), verify.describe());
        assertEquals("intact: " + DEMO_ENTRIES + " entries, head " + head, verify.out().strip());

        CliRun verifyJson = os2("ledger-verify", "--workspace", ws, "--json");
        assertEquals(0, verifyJson.status(), verifyJson.describe());
        JsonNode v = JSON.readTree(verifyJson.out());
        assertEquals("intact", v.get("status").asText());
        assertEquals(DEMO_ENTRIES, v.get("entries").asLong());
        assertEquals(head, v.get("head").asText());

        // The table: a header and one aligned row per entry.
        CliRun table = os2("ledger-inspect", "--workspace", ws);
        assertEquals(0, table.status(), table.describe());
        List<String> lines = table.outLines();
        assertEquals(DEMO_ENTRIES + 1, lines.size(), table.describe());
        assertTrue(lines.get(0).startsWith("POS"), table.describe());
        int kindColumn = lines.get(0).indexOf("KIND");
        int hashColumn = lines.get(0).indexOf("HASH");
        assertTrue(lines.get(DEMO_ENTRIES).substring(kindColumn).startsWith("capability_violation"), table.describe());
        for (int i = 1; i < lines.size(); i++) {
            assertTrue(lines.get(i).startsWith(Integer.toString(i - 1) + " "), lines.get(i));
            assertTrue(lines.get(i).substring(hashColumn).matches("[0-9a-f]{12}  .*"), lines.get(i));
        }
        assertTrue(lines.get(DEMO_ENTRIES).contains(head.substring(0, 12)), table.describe());
        assertFalse(table.out().contains("\u001b"), "no colour when stdout is not a terminal");

        // JSON lines: the full entries, chained, ending at the head.
        List<JsonNode> all = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json"));
        assertEquals(DEMO_ENTRIES, all.size());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, all.get(i).get("position").asLong());
            String prev = i == 0 ? "0".repeat(64) : all.get(i - 1).get("hash").asText();
            assertEquals(prev, all.get(i).get("prev_hash").asText());
        }
        assertEquals(head, all.get(DEMO_ENTRIES - 1).get("hash").asText());
        assertEquals("kernel_started", all.get(0).get("kind").asText());
        assertEquals("token_started", all.get(23).get("kind").asText());

        // --since: a full hash, a unique prefix, and the head (nothing after it).
        String hash2 = all.get(2).get("hash").asText();
        List<JsonNode> since = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json", "--since", hash2));
        assertEquals(java.util.stream.LongStream.range(3, DEMO_ENTRIES).boxed().toList(),
                since.stream().map(n -> n.get("position").asLong()).toList());
        List<JsonNode> sincePrefix = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json", "--since",
                hash2.substring(0, 12).toUpperCase()));
        assertEquals(since, sincePrefix);
        CliRun sinceHead = os2("ledger-inspect", "--workspace", ws, "--since", head);
        assertEquals(0, sinceHead.status(), sinceHead.describe());
        assertEquals("No entries match.", sinceHead.out().strip());

        // --kind and --limit, alone and together.
        List<JsonNode> scheduled = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json", "--kind", "token_scheduled"));
        assertEquals(List.of(22L, 27L, 33L), scheduled.stream().map(n -> n.get("position").asLong()).toList());
        CliRun violations = os2("ledger-inspect", "--workspace", ws, "--kind", "capability_violation");
        assertEquals(2, violations.outLines().size(), violations.describe());
        List<JsonNode> limited = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json", "--limit", "2"));
        assertEquals(List.of(0L, 1L), limited.stream().map(n -> n.get("position").asLong()).toList());
        List<JsonNode> combined = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json",
                "--since", all.get(0).get("hash").asText(), "--kind", "token_scheduled", "--limit", "1"));
        assertEquals(List.of(22L), combined.stream().map(n -> n.get("position").asLong()).toList());

        // Running the demo again continues the chain from the old head.
        CliRun again = os2("ledger-demo", "--workspace", ws);
        assertEquals(0, again.status(), again.describe());
        assertTrue(again.out().contains("held " + DEMO_ENTRIES + " entries"), again.describe());
        assertTrue(again.out().contains("intact, " + (DEMO_ENTRIES + LATER_DEMO_ENTRIES) + " entries"), again.describe());
        List<JsonNode> after = jsonLines(os2("ledger-inspect", "--workspace", ws, "--json", "--since", head));
        assertEquals(LATER_DEMO_ENTRIES, after.size());
        assertEquals(DEMO_ENTRIES, after.get(0).get("position").asLong());
        assertEquals(head, after.get(0).get("prev_hash").asText());
        assertEquals(demoHead(again), after.get(LATER_DEMO_ENTRIES - 1).get("hash").asText());
        assertEquals(0, os2("ledger-verify", "--workspace", ws).status());
    }

    @Test
    void theDemoIsDeterministicAndTheDefaultWorkspaceComesFromTheEnvironment() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        CliRun first = CliRun.run(Session.of(Map.of("OS2_WORKSPACE", a.toString())), "ledger-demo");
        CliRun second = os2("ledger-demo", "--workspace", b.toString());
        assertEquals(0, first.status(), first.describe());
        assertEquals(0, second.status(), second.describe());
        assertTrue(Files.isDirectory(a.resolve("ledger")), "OS2_WORKSPACE selected the workspace");
        assertEquals(demoHead(first), demoHead(second), "same events, same head hash, in any workspace");
        assertTrue(first.out().contains("intact, " + DEMO_ENTRIES + " entries"), first.describe());

        // The README shows the head hash of a fresh demo; it must be the real one.
        CliRun fresh = os2("ledger-demo", "--workspace", dir.resolve("c").toString());
        Path readme = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath()
                .getParent().resolve("README.md");
        Matcher documented = HEAD.matcher(Files.readString(readme));
        assertTrue(documented.find(), "README.md shows a head hash");
        assertEquals(demoHead(fresh), documented.group(1), "README.md's head hash is the demo's");
    }

    @Test
    void aFlippedByteInTheQueueFileIsFoundAtItsPosition() throws IOException {
        String ws = dir.resolve("ws").toString();
        assertEquals(0, os2("ledger-demo", "--workspace", ws).status());

        // Position 23 is the first token_started entry; change one letter of its kind inside the
        // Chronicle data file, so it still decodes but no longer matches its hash.
        byte[] needle = "\"kind\":\"token_started\"".getBytes(StandardCharsets.UTF_8);
        int flipped = 0;
        try (Stream<Path> files = Files.walk(dir.resolve("ws").resolve("ledger"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".cq4")).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                int at = indexOf(bytes, needle);
                if (at >= 0) {
                    int target = at + needle.length - 5; // the 'r' of "started"
                    assertEquals('r', bytes[target]);
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.write(ByteBuffer.wrap(new byte[] {'x'}), target);
                    }
                    flipped++;
                }
            }
        }
        assertEquals(1, flipped, "the entry was found in exactly one queue file");

        CliRun verify = os2("ledger-verify", "--workspace", ws);
        assertEquals(1, verify.status(), verify.describe());
        assertTrue(verify.out().startsWith("broken at position 23: hash mismatch: "), verify.describe());

        CliRun json = os2("ledger-verify", "--workspace", ws, "--json");
        assertEquals(1, json.status(), json.describe());
        JsonNode v = JSON.readTree(json.out());
        assertEquals("broken", v.get("status").asText());
        assertEquals(23, v.get("position").asLong());
        assertEquals("hash_mismatch", v.get("problem").asText());
        assertEquals(23, v.get("verified_entries").asLong());
        assertFalse(v.get("detail").asText().isEmpty());

        // Inspect shows what is readable, then reports the damage; the kernel commands refuse the
        // ledger with one line naming the position, and the demo appends nothing.
        CliRun inspect = os2("ledger-inspect", "--workspace", ws, "--json");
        assertEquals(1, inspect.status(), inspect.describe());
        assertEquals(23, inspect.outLines().size(), inspect.describe());
        assertTrue(inspect.err().startsWith("os2: ") && inspect.err().contains("position 23"), inspect.describe());
        List<byte[]> before = queueFiles(dir.resolve("ws"));
        for (String[] args : new String[][] {{"ledger-demo", "--workspace", ws}, {"cap-list", "--workspace", ws},
                {"cap-show", "fs.read", "--workspace", ws}}) {
            CliRun run = os2(args);
            assertEquals(1, run.status(), run.describe());
            assertTrue(run.err().startsWith("os2: the ledger in ") && run.err().contains("is broken at position 23 (hash mismatch)"),
                    run.describe());
            assertEquals(1, run.err().strip().lines().count(), run.describe());
        }
        List<byte[]> after = queueFiles(dir.resolve("ws"));
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            assertTrue(java.util.Arrays.equals(before.get(i), after.get(i)), "nothing was appended");
        }
    }

    private static List<byte[]> queueFiles(Path workspace) throws IOException {
        List<byte[]> contents = new ArrayList<>();
        try (Stream<Path> files = Files.walk(workspace.resolve("ledger"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList()) {
                contents.add(Files.readAllBytes(f));
            }
        }
        assertFalse(contents.isEmpty(), "the ledger has queue files");
        return contents;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void badOptionsAreOneLineAndExitTwo() {
        String ws = dir.resolve("ws").toString();
        assertEquals(0, os2("ledger-demo", "--workspace", ws).status());
        String[][] cases = {
            {"ledger-inspect", "--workspace", ws, "--limit", "0"},
            {"ledger-inspect", "--workspace", ws, "--limit", "many"},
            {"ledger-inspect", "--workspace", ws, "--since", "not-a-hash"},
            {"ledger-inspect", "--workspace", ws, "--since", "ab"},
            {"ledger-inspect", "--workspace", ws, "--since", "ab".repeat(32)},
            {"ledger-inspect", "--workspace", ws, "--since", "abcdef0123"},
            {"ledger-inspect", "--workspace", ws, "--frobnicate"},
            {"ledger-inspect", "--workspace"},
            {"ledger-demo", "--workspace", ws, "--events", "3"},
            {"ledger-verfy"},
            {"--workspace", ws, "ledger-verify"},
            {},
        };
        for (String[] args : cases) {
            CliRun run = os2(args);
            assertEquals(2, run.status(), run.describe());
            assertTrue(run.err().startsWith("os2: "), run.describe());
            assertFalse(run.err().contains("\tat "), "no stack trace without --debug: " + run.describe());
            if (args.length > 0) {
                assertEquals(1, run.err().strip().lines().count(), "one line: " + run.describe());
            }
        }
        CliRun unknown = os2("ledger-inspect", "--workspace", ws, "--since", "ab".repeat(32));
        assertTrue(unknown.err().contains("no entry in the ledger"), unknown.describe());
        CliRun typo = os2("ledger-verfy");
        assertTrue(typo.err().contains("unknown command 'ledger-verfy'") && typo.err().contains("ledger-verify"), typo.describe());
        CliRun misplaced = os2("--workspace", ws, "ledger-verify");
        assertTrue(misplaced.err().contains("Put --workspace after the command"), misplaced.describe());
        // The failed demos appended nothing.
        assertTrue(os2("ledger-verify", "--workspace", ws).out().startsWith("intact: " + DEMO_ENTRIES + " entries"));
    }

    @Test
    void aWorkspaceWithoutALedgerOrWithSomethingElseIsExitTwo() throws IOException {
        Path empty = dir.resolve("empty");
        CliRun missing = os2("ledger-verify", "--workspace", empty.toString());
        assertEquals(2, missing.status(), missing.describe());
        assertTrue(missing.err().contains("there is no ledger in") && missing.err().contains("ledger-demo"), missing.describe());
        assertFalse(Files.exists(empty), "verify creates nothing");
        assertEquals(2, os2("ledger-inspect", "--workspace", empty.toString()).status());

        // A ledger folder with something that is not a ledger in it.
        Path junk = dir.resolve("junk");
        Files.createDirectories(junk.resolve("ledger"));
        Files.writeString(junk.resolve("ledger").resolve("notes.txt"), "not a ledger\n");
        for (String command : List.of("ledger-verify", "ledger-inspect", "ledger-demo")) {
            CliRun run = os2(command, "--workspace", junk.toString());
            assertEquals(2, run.status(), run.describe());
            assertTrue(run.err().startsWith("os2: ") && run.err().contains("not"), run.describe());
            assertEquals(1, run.err().strip().lines().count(), run.describe());
            if (!command.equals("ledger-demo")) {
                try (Stream<Path> left = Files.list(junk.resolve("ledger"))) {
                    assertEquals(List.of(junk.resolve("ledger").resolve("notes.txt")), left.toList(),
                            "the read-only " + command + " added nothing");
                }
            }
        }
        assertEquals("not a ledger\n", Files.readString(junk.resolve("ledger").resolve("notes.txt")));

        // A non-empty directory that is not a workspace is not turned into one.
        Path project = dir.resolve("project");
        Files.createDirectories(project);
        Files.writeString(project.resolve("README"), "hello\n");
        CliRun demo = os2("ledger-demo", "--workspace", project.toString());
        assertEquals(2, demo.status(), demo.describe());
        assertTrue(demo.err().contains("is not an OS2 workspace"), demo.describe());
        try (Stream<Path> left = Files.list(project)) {
            assertEquals(1, left.count(), "nothing was created");
        }

        // A file where the workspace should be.
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertEquals(2, os2("ledger-demo", "--workspace", file.toString()).status());
        assertEquals(2, os2("ledger-verify", "--workspace", file.toString()).status());
    }

    @Test
    void debugShowsTheStackTrace() {
        CliRun run = os2("ledger-verify", "--workspace", dir.resolve("none").toString(), "--debug");
        assertEquals(2, run.status(), run.describe());
        assertTrue(run.err().startsWith("os2: there is no ledger"), run.describe());
        assertTrue(run.err().contains("\tat dev.os2.shell."), run.describe());
    }

    @Test
    void colourOnlyOnATerminalWithoutNoColor() {
        String ws = dir.resolve("ws").toString();
        Session terminal = new Session(Map.of(), true, 100, "./os2");
        Session noColour = new Session(Map.of("NO_COLOR", "1"), true, 100, "./os2");
        CliRun coloured = CliRun.run(terminal, "ledger-demo", "--workspace", ws);
        assertEquals(0, coloured.status(), coloured.describe());
        assertTrue(coloured.out().contains("\u001b["), coloured.describe());
        assertTrue(coloured.out().contains("./os2 ledger-verify --workspace"), "hints use the program name: " + coloured.describe());
        CliRun plain = CliRun.run(noColour, "ledger-inspect", "--workspace", ws);
        assertEquals(0, plain.status(), plain.describe());
        assertFalse(plain.out().contains("\u001b"), plain.describe());
        for (String line : plain.outLines()) {
            assertTrue(line.length() <= 100, "fits the terminal's 100 columns: " + line);
        }
        assertTrue(CliRun.run(terminal, "ledger-verify", "--workspace", ws).out().contains("\u001b[32mintact"));
    }

    @Test
    void helpListsEveryCommandAndEveryCommandTakesWorkspace() {
        CliRun help = os2("help");
        assertEquals(0, help.status(), help.describe());
        var commands = Os2.commandLine(session).getSubcommands();
        for (String name : commands.keySet()) {
            assertTrue(help.out().contains(name), name + " in " + help.describe());
            if (name.equals("help")) {
                continue;
            }
            CliRun commandHelp = os2(name, "--help");
            assertEquals(0, commandHelp.status(), commandHelp.describe());
            // The documentation commands work on a checkout (--root), not on a workspace.
            boolean onCheckout = commands.get(name).getCommandSpec().findOption("--root") != null
                    && commands.get(name).getCommandSpec().findOption(CommonOptions.WORKSPACE_OPTION) == null;
            if (!onCheckout) {
                assertTrue(commandHelp.out().contains("--workspace=DIR"), commandHelp.describe());
                assertTrue(commandHelp.out().contains("Default: os2-data"), commandHelp.describe());
            }
            assertEquals(0, os2("help", name).status());
        }
        assertTrue(commands.keySet().containsAll(List.of("ledger-demo", "ledger-verify", "ledger-inspect")));
    }
}
