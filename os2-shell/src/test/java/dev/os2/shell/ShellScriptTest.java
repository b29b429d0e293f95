package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real shell in a child JVM, fed scripts on its standard input as a pipe: every command of the
 * shell and the existing ones (ledger, registry, snapshots, ready flag, simulate) run, with the
 * pipeline {@code ledger-inspect --json | grep capability_violation | wc -l}, filters, lists,
 * quoting, a background job that is killed, run-script with and without --keep-going, and the
 * one-line errors for unknown commands and bad lines. The output is cut into sections by
 * {@code echo '== name'} lines. Then each session's transcript is checked record by record, and a
 * command run one-shot writes its own one-record transcript.
 */
class ShellScriptTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
        String describe() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        /** The stdout sections started by {@code == name} lines. */
        Map<String, String> sections() {
            Map<String, String> sections = new LinkedHashMap<>();
            String name = "";
            StringBuilder text = new StringBuilder();
            for (String line : out.split("\n", -1)) {
                if (line.startsWith("== ")) {
                    sections.put(name, text.toString());
                    name = line.substring(3);
                    text.setLength(0);
                } else {
                    text.append(line).append('\n');
                }
            }
            sections.put(name, text.toString());
            return sections;
        }
    }

    private Run shell(Path workspace, String script, String... more) throws IOException, InterruptedException {
        Path in = Files.writeString(dir.resolve("stdin-" + System.nanoTime() + ".txt"), script);
        List<String> args = new ArrayList<>(List.of("shell", "--workspace", workspace.toString()));
        args.addAll(List.of(more));
        return run(in, args.toArray(String[]::new));
    }

    private Run run(Path stdin, String... args) throws IOException, InterruptedException {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.os2(args)).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("NO_COLOR");
        pb.environment().remove(Session.WORKSPACE_VARIABLE);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the shell did not finish in 120 s:\n" + Files.readString(out) + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static List<JsonNode> transcript(Path file) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            records.add(JSON.readTree(line));
        }
        return records;
    }

    private static List<Path> logs(Path workspace) throws IOException {
        try (Stream<Path> files = Files.list(workspace.resolve("logs"))) {
            return files.sorted().toList();
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The command records of {@code records} whose command is {@code name}. */
    private static List<JsonNode> commands(List<JsonNode> records, String name) {
        return records.stream().filter(r -> r.path("type").asText().equals("command") && r.path("command").asText().equals(name))
                .toList();
    }

    @Test
    void theShellRunsAScriptFromAPipeAndRecordsEveryCommand() throws Exception {
        Path ws = dir.resolve("ws");
        Path releases = dir.resolve("releases");
        Path failing = Files.writeString(dir.resolve("failing.os2"), """
                echo one
                ledger-verify --workspace %s
                echo three
                """.formatted(dir.resolve("no-such-workspace")));
        Path numbers = Files.writeString(dir.resolve("numbers.os2"), "echo 10\necho 9 ; echo 100\necho 9\n");

        // Part one: a fresh workspace, the demo, pipelines, filters, jobs, scripts and errors.
        Run a = shell(ws, """
                # A comment, then a blank line, both skipped.

                echo '== whoami'
                whoami
                echo '== uname'
                uname
                uname -a
                echo '== demo'
                ledger-demo | tail -n 1
                ledger-verify
                echo '== pipeline'
                ledger-inspect --json | grep capability_violation | wc -l
                echo '== filters'
                ledger-inspect --json | head -n 5 | wc -l
                ledger-inspect --json | grep -c kind
                ledger-inspect --json | grep -c -i -E '"KIND":"(TOKEN_COMPLETED|CHARGE)"'
                ledger-inspect --json | grep -v '"kind":"charge"' | wc -l
                ledger-inspect --json | tail -n 2 | wc -l
                run-script %s | sort -n
                run-script %s | sort -r -u
                echo hello world | wc -w -c
                echo '== registry'
                cap-list
                cap-show fs.read --json | grep -c '"id":"fs.read"'
                echo '== snapshot'
                snapshot-create --label first
                echo '== clock'
                date --ticks
                uptime
                ps
                top
                echo '== kill token'
                kill 999
                echo '== jobs'
                sleep 30 &
                jobs
                kill %%1
                wait %%1
                jobs
                echo '== lists'
                echo x | grep y || echo no-match
                echo x | grep x && echo matched
                echo a ; echo b
                echo 'single | quoted' "double \\"q\\"" back\\ slash
                echo '== stop'
                run-script %s
                echo '== keep going'
                run-script --keep-going %s
                echo '== errors'
                no-such-command
                ledger-verfy
                | grep x
                echo '== help'
                help ps | head -n 1
                man grep | head -n 2
                env | grep os2.subject
                history | tail -n 1
                echo '== simulate'
                simulate --seed 7 --steps 200 | tail -n 1
                exit 3
                echo not-reached
                """.formatted(numbers, numbers, failing, failing));
        assertEquals(3, a.status(), "exit 3 is the session's status: " + a.describe());
        Map<String, String> s = a.sections();
        assertEquals("", s.get(""), "no prompt or banner: " + a.describe());
        assertEquals("operator\n", s.get("whoami"), a.describe());
        assertTrue(s.get("uname").matches("OS2\nOS2 \\S+ \\(kernel state format 1\\) on Java \\d+, .*\n"), a.describe());
        assertTrue(s.get("demo").matches("\\s+ledger-demo\\s+another round with a new agent; the chain continues\n"
                + "intact: \\d+ entries, head [0-9a-f]{64}\n"), a.describe());
        assertEquals("1\n", s.get("pipeline"), a.describe());
        String[] filters = s.get("filters").split("\n");
        assertEquals("5", filters[0], a.describe());
        long entries = Long.parseLong(filters[1]);
        assertTrue(entries >= 24, a.describe());
        assertEquals("5", filters[2], "3 charges and 1 completion, case-insensitive, extended: " + a.describe());
        assertEquals(entries - 4, Long.parseLong(filters[3]), "all but the 4 charges: " + a.describe());
        assertEquals("2", filters[4], a.describe());
        assertEquals(List.of("9", "9", "10", "100"), List.of(filters).subList(5, 9), "sort -n of a script's output: " + a.describe());
        assertEquals(List.of("9", "100", "10"), List.of(filters).subList(9, 12), "sort -r -u: " + a.describe());
        assertEquals("2 12", filters[12], a.describe());
        assertTrue(s.get("registry").contains("fs.read") && s.get("registry").contains("net.fetch"), a.describe());
        assertTrue(s.get("registry").endsWith("1\n"), a.describe());
        Matcher took = Pattern.compile("Took snapshot (s\\d+) \"first\"").matcher(s.get("snapshot"));
        assertTrue(took.find(), a.describe());
        String snapshot = took.group(1);
        String[] clock = s.get("clock").split("\n");
        assertTrue(clock[0].matches("\\d+"), a.describe());
        assertTrue(clock[1].startsWith("kernel clock  " + clock[0] + " ticks (virtual)"), a.describe());
        assertTrue(clock[2].startsWith("session       up "), a.describe());
        assertTrue(s.get("clock").contains("No live tokens.\nTokens: 0 live (0 waiting, 0 ready, 0 running); 3 submitted"), a.describe());
        assertTrue(s.get("clock").contains("top - kernel clock " + clock[0] + " ticks (virtual)"), a.describe());
        assertEquals("", s.get("kill token"), a.describe());
        assertTrue(a.err().contains("os2: the kernel never had a token 999"), a.describe());
        assertTrue(s.get("jobs").startsWith("[1]  Running       sleep 30\nInterrupted job %1: sleep 30\n"), a.describe());
        assertFalse(s.get("jobs").contains("[1]  Interrupted"), "wait reported the job, so jobs forgot it: " + a.describe());
        assertEquals("no-match\nx\nmatched\na\nb\nsingle | quoted double \"q\" back slash\n", s.get("lists"), a.describe());
        assertEquals("one\n", s.get("stop"), a.describe());
        assertTrue(a.err().contains("os2: run-script: line 2 of " + failing + " failed (exit 2): ledger-verify --workspace "),
                a.describe());
        assertTrue(a.err().contains("Stopped there; --keep-going runs the rest."), a.describe());
        assertEquals("one\nthree\n", s.get("keep going"), a.describe());
        assertTrue(a.err().contains("os2: run-script: 1 of the lines of " + failing + " failed: line 2."), a.describe());
        assertEquals("", s.get("errors"), a.describe());
        assertTrue(a.err().contains("os2: unknown command 'no-such-command'."), a.describe());
        assertTrue(a.err().contains("Did you mean ledger-verify"), a.describe());
        assertTrue(a.err().contains("os2: syntax error: unexpected '|' at column 1; a command must come first."), a.describe());
        assertFalse(a.err().contains("\tat "), "no stack traces: " + a.describe());
        assertFalse(a.err().contains("./os2"), "hints inside the shell have no program name: " + a.describe());
        String[] help = s.get("help").split("\n");
        assertEquals("List the kernel's live tokens with their state, subject and budget used.", help[0], a.describe());
        assertEquals(List.of("NAME", "       grep - Print the lines of the standard input that match a pattern."),
                List.of(help).subList(1, 3), a.describe());
        assertEquals("os2.subject=operator", help[3], a.describe());
        assertTrue(help[4].matches(" +\\d+  history \\| tail -n 1"), "the line itself is the newest: " + a.describe());
        assertTrue(s.get("simulate").strip().matches("[0-9a-f]{64}"), a.describe());
        assertFalse(a.out().contains("not-reached"), a.describe());
        assertFalse(a.out().contains("\u001b"), "no colour into a pipe: " + a.describe());

        // Part two: the snapshot commands and the ready flag, in a second session on the same workspace.
        Run b = shell(ws, """
                echo '== auth'
                snapshot-auth %1$s
                echo '== verify'
                snapshot-verify %1$s
                snapshot-replay %1$s
                snapshot-list | grep -c %1$s
                snapshot-show %1$s | grep -c 'token'
                echo '== flag'
                kernel-ready-flag --set %1$s --release 9.9.9 --releases %2$s
                kernel-ready-flag --status --release 9.9.9
                echo '== restore'
                snapshot-create --label second
                snapshot-restore %1$s
                ledger-verify
                echo '== more'
                ledger-checkpoint | head -n 1
                snapshot-diff %1$s %1$s | tail -n 1
                snapshot-export %1$s %3$s
                snapshot-import %3$s/%1$s.snapshot.jsonl --workspace %4$s
                date | grep -c -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
                ps --json | grep -c '"clock_ticks"'
                top -n 1 | head -n 1
                echo '== fg and bg'
                sleep 0.1 &
                fg %%1
                sleep 30 &
                bg %%1
                kill %%1
                """.formatted(snapshot, releases, dir.resolve("export"), dir.resolve("other")));
        assertEquals(0, b.status(), b.describe());
        Map<String, String> t = b.sections();
        assertTrue(t.get("auth").contains(snapshot), b.describe());
        assertTrue(t.get("verify").startsWith("valid: "), b.describe());
        assertTrue(t.get("verify").contains("identical through position "), b.describe());
        assertTrue(t.get("flag").contains("snapshot " + snapshot + " verified and flagged ready"), b.describe());
        assertTrue(t.get("flag").contains("Release 9.9.9: snapshot " + snapshot + " is flagged ready"), b.describe());
        assertTrue(Files.exists(releases.resolve("9.9.9/snapshots/" + snapshot + ".snapshot.jsonl")));
        assertTrue(t.get("restore").contains("Restored snapshot " + snapshot), b.describe());
        assertTrue(t.get("restore").contains("intact"), b.describe());
        String[] more = t.get("more").split("\n");
        assertTrue(more[0].startsWith("Signed the ledger's head: position "), b.describe());
        assertTrue(more[1].contains("the states are equal"), b.describe());
        assertTrue(Files.exists(dir.resolve("export").resolve(snapshot + ".snapshot.jsonl")), b.describe());
        assertTrue(more[more.length - 4].startsWith("Imported " + snapshot), b.describe());
        assertEquals(List.of("1", "1"), List.of(more[more.length - 3], more[more.length - 2]), b.describe());
        assertTrue(more[more.length - 1].startsWith("top - kernel clock "), b.describe());
        assertEquals("Interrupted job %1: sleep 30\n", t.get("fg and bg").strip() + "\n", b.describe());
        assertTrue(b.err().contains("sleep 0.1\n"), "fg names the job it waits for: " + b.describe());
        assertTrue(b.err().contains("os2: job %1 is not stopped (it is running). bg resumes a job stopped with Ctrl-Z."), b.describe());

        // One transcript per session, each a record per command.
        List<Path> sessions = logs(ws);
        assertEquals(2, sessions.size(), sessions.toString());
        List<JsonNode> records = transcript(sessions.get(0));
        JsonNode start = records.get(0);
        assertEquals("session_started", start.get("type").asText());
        assertEquals(Transcript.FORMAT, start.get("format").asInt());
        assertEquals("stdin", start.get("mode").asText());
        assertEquals(ws.toAbsolutePath().normalize().toString(), start.get("workspace").asText());
        JsonNode end = records.get(records.size() - 1);
        assertEquals("session_ended", end.get("type").asText());
        assertEquals(3, end.get("status").asInt());
        for (int i = 1; i < records.size() - 1; i++) {
            JsonNode r = records.get(i);
            assertEquals("command", r.get("type").asText(), r.toString());
            assertEquals(i, r.get("seq").asInt(), "sequence numbers follow the file: " + r);
            assertTrue(List.of("stdin", failing.toString(), numbers.toString()).contains(r.get("source").asText()), r.toString());
            assertTrue(r.get("line_number").asInt() > 0, r.toString());
            if (!r.get("outcome").asText().equals("syntax_error")) {
                for (String field : List.of("args", "started_at", "duration_ms", "status", "outcome", "output_sha256", "output_bytes",
                        "ledger", "details", "stage", "stages", "job", "background")) {
                    assertTrue(r.has(field), field + " in " + r);
                }
                assertTrue(r.get("output_sha256").asText().matches("[0-9a-f]{64}"), r.toString());
            }
        }
        assertEquals(end.get("commands").asInt(), records.size() - 2);
        JsonNode whoami = commands(records, "whoami").get(0);
        assertEquals(sha256("operator\n"), whoami.get("output_sha256").asText());
        assertEquals(9, whoami.get("output_bytes").asInt());
        assertEquals(0, whoami.get("status").asInt());
        assertEquals("ok", whoami.get("outcome").asText());
        assertEquals(4, whoami.get("line_number").asInt(), "the comment and the blank line count as lines");
        JsonNode demo = commands(records, "ledger-demo").get(0);
        assertEquals(0, demo.get("ledger").get("size_before").asLong(), demo.toString());
        assertEquals(entries, demo.get("ledger").get("size_after").asLong(), demo.toString());
        assertEquals(List.of(0, 1), List.of(demo.get("stage").asInt(), commands(records, "tail").get(0).get("stage").asInt()));
        assertTrue(commands(records, "tail").get(0).get("ledger").isNull(), "tail never reached the kernel");
        List<JsonNode> pipeline = records.stream().filter(r -> r.path("line").asText()
                .equals("ledger-inspect --json | grep capability_violation | wc -l")).toList();
        assertEquals(List.of("ledger-inspect", "grep", "wc"), pipeline.stream().map(r -> r.get("command").asText()).sorted(
                (x, y) -> Integer.compare(List.of("ledger-inspect", "grep", "wc").indexOf(x), List.of("ledger-inspect", "grep", "wc")
                        .indexOf(y))).toList());
        assertTrue(pipeline.stream().allMatch(r -> r.get("stages").asInt() == 3), pipeline.toString());
        assertEquals(sha256("1\n"), pipeline.stream().filter(r -> r.get("command").asText().equals("wc")).findFirst()
                .orElseThrow().get("output_sha256").asText());
        JsonNode sleep = commands(records, "sleep").get(0);
        assertEquals(1, sleep.get("job").asInt(), sleep.toString());
        assertTrue(sleep.get("background").asBoolean(), sleep.toString());
        assertEquals(Os2.EXIT_INTERRUPTED, sleep.get("status").asInt(), sleep.toString());
        assertEquals("interrupted", sleep.get("outcome").asText(), sleep.toString());
        assertEquals(Os2.EXIT_INTERRUPTED, commands(records, "wait").get(0).get("status").asInt());
        assertEquals(0, commands(records, "kill").get(1).get("status").asInt(), "kill %1");
        assertEquals(2, commands(records, "kill").get(0).get("status").asInt(), "kill 999");
        List<JsonNode> scripts = commands(records, "run-script");
        assertEquals(List.of(0, 0, 2, 2), scripts.stream().map(r -> r.get("status").asInt()).toList());
        assertTrue(records.stream().anyMatch(r -> r.path("source").asText().equals(failing.toString())
                && r.path("command").asText().equals("ledger-verify") && r.path("line_number").asInt() == 2), "script lines are recorded");
        JsonNode unknown = commands(records, "no-such-command").get(0);
        assertEquals("usage_error", unknown.get("outcome").asText());
        assertTrue(records.stream().anyMatch(r -> r.path("outcome").asText().equals("syntax_error")
                && r.path("line").asText().equals("| grep x") && r.path("command").isNull()));
        assertEquals(3, commands(records, "exit").get(0).get("status").asInt());
        assertTrue(commands(records, "echo").stream().noneMatch(r -> r.get("args").toString().contains("not-reached")));
        JsonNode create = commands(records, "snapshot-create").get(0);
        assertTrue(create.get("ledger").get("size_after").asLong() > create.get("ledger").get("size_before").asLong(), create.toString());

        // The second session's kernel recovered from the ledger; its writes are recorded with positions.
        List<JsonNode> second = transcript(sessions.get(1));
        JsonNode restore = commands(second, "snapshot-restore").get(0);
        assertEquals(0, restore.get("status").asInt(), restore.toString());
        assertTrue(restore.get("ledger").get("size_after").asLong() > restore.get("ledger").get("size_before").asLong(),
                "a restore is recorded: " + restore);

        // One-shot: the same command, the same output, and a one-record transcript of its own.
        Run oneShot = run(null, "whoami", "--workspace", ws.toString());
        assertEquals(0, oneShot.status(), oneShot.describe());
        assertEquals("operator\n", oneShot.out());
        List<Path> after = logs(ws);
        assertEquals(3, after.size(), after.toString());
        Path newest = after.stream().filter(p -> !sessions.contains(p)).findFirst().orElseThrow();
        List<JsonNode> one = transcript(newest);
        assertEquals(3, one.size(), one.toString());
        assertEquals("one-shot", one.get(0).get("mode").asText());
        assertEquals("whoami", one.get(1).get("command").asText());
        assertEquals(sha256("operator\n"), one.get(1).get("output_sha256").asText());
        assertNotNull(one.get(2).get("ended_at"));
    }
}
