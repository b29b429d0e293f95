package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Ledger;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same Python scripts with the same seeds and budgets, run by the real shell in two separate
 * JVM processes at once ({@code os2 shell --workspace W} fed its commands through a pipe, each on
 * a fresh workspace): byte-identical output, the same stops at the same statements (the budget,
 * including for {@code while True: pass}, never the wall-clock watchdog), the same transcript
 * details, and the same ledger head.
 */
class PythonProcessesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Every source of entropy and time the prelude virtualises, and identity-based hashing. */
    static final String ENTROPY = """
            import random, uuid, secrets, os, time, datetime
            print(random.random(), random.randint(0, 10**9), random.Random().random())
            print(random.SystemRandom().random(), secrets.token_hex(8), os.urandom(8).hex())
            print(uuid.uuid4(), uuid.uuid1())
            print(time.time(), time.monotonic(), time.perf_counter_ns(), time.strftime('%Y-%m-%d %H:%M:%S'))
            print(datetime.datetime.now().isoformat(), datetime.date.today(), datetime.datetime.utcnow())
            class Point:
                def __init__(self, x):
                    self.x = x
            points = {Point(i) for i in range(20)}
            print([p.x for p in points], [hash(p) for p in points][:3], repr(Point(7)))
            print({str(i) for i in range(20)}, {i * 7919 % 101 for i in range(20)}, os.getpid())
            """;

    /** A loop that the budget stops in the middle of its body, printing as it goes. */
    static final String LOOP = """
            total = 0
            i = 0
            while True:
                total += i * i
                if i % 100 == 0:
                    print(i, total)
                i += 1
            """;

    /** The loop the issue names: one line, no output, nothing but the loop's back edge to meter. */
    static final String SPIN = "while True: pass\n";

    /** A failure whose traceback passes through the standard library. */
    static final String FAILURE = """
            import json
            def parse(text):
                return json.loads(text)
            parse('{"broken": ')
            """;

    static final String COMMANDS = """
            python --seed 20260101 --token-budget 50000 entropy.py
            python --seed 7 --token-budget 3000 loop.py
            python --seed 7 --token-budget 20000 spin.py
            python --seed 7 failure.py
            pyx --seed 3 '[__import__("random").random() for _ in range(2)]'
            """;

    @TempDir
    Path dir;

    /** One shell process's results. */
    private record Shell(String name, int status, byte[] out, String err, Path workspace) {
        String describe() {
            return "--- " + name + ": exit " + status + "\n--- stdout\n" + new String(out, StandardCharsets.UTF_8) + "--- stderr\n" + err;
        }

        /** Standard error without the JVM's own warnings, which are not the shell's output. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.startsWith("WARNING:")).toList();
        }
    }

    @Test
    void twoShellProcessesGiveByteIdenticalOutputStopsAndLedgers() throws Exception {
        for (String[] script : new String[][] {{"entropy.py", ENTROPY}, {"loop.py", LOOP}, {"spin.py", SPIN},
                {"failure.py", FAILURE}}) {
            Files.writeString(dir.resolve(script[0]), script[1]);
        }
        // Both at once: each builds and warms its own Python engine.
        Process a = start("a");
        Process b = start("b");
        Shell first = finish("a", a);
        Shell second = finish("b", b);
        String both = first.describe() + second.describe();

        // The last command (pyx) completed; the others stopped or failed, which the shell goes past.
        assertEquals(0, first.status(), both);
        assertEquals(0, second.status(), both);
        assertTrue(Arrays.equals(first.out(), second.out()), "byte-identical standard output\n" + both);
        assertEquals(first.errLines(), second.errLines(), both);

        // Each run stopped where it should, the same way in both.
        String out = new String(first.out(), StandardCharsets.UTF_8);
        List<String> err = first.errLines();
        assertTrue(out.contains("\n0 0\n100 338350\n"), "the loop printed until its stop: " + both);
        assertTrue(err.stream().anyMatch(l -> l.startsWith("os2: the token budget ran out after 3000 statements at loop.py:")), both);
        assertTrue(err.stream().anyMatch(l -> l.startsWith("os2: the token budget ran out after 20000 statements at spin.py:1 "
                + "(resource_budget_exceeded: tokens, ")), "while True: pass stops on the budget: " + both);
        assertTrue(err.stream().anyMatch(l -> l.startsWith("json.decoder.JSONDecodeError: ")), both);
        assertTrue(err.stream().anyMatch(l -> l.contains("File \"failure.py\", line 4")), both);
        assertFalse(both.contains("watchdog"), "no run met the wall-clock fuse: " + both);

        // The transcripts: the same commands, statuses, outcomes, output hashes and details.
        List<JsonNode> commands = commands(first.workspace());
        assertEquals(commands, commands(second.workspace()));
        assertEquals(List.of("token_completed", "resource_budget_exceeded", "resource_budget_exceeded", "token_failed",
                "token_completed"), commands.stream().map(c -> c.path("details").path("outcome").asText()).toList(), commands.toString());
        assertEquals(20000, commands.get(2).path("details").path("statements_used").asLong(), commands.toString());

        // The ledgers: the same head, and no stop by a fuse in either.
        List<String> kinds = kinds(first.workspace());
        assertEquals(head(first.workspace()), head(second.workspace()));
        assertEquals(kinds, kinds(second.workspace()));
        assertFalse(kinds.contains("custom.python_watchdog_stopped"), kinds.toString());
        assertEquals(2, kinds.stream().filter("resource_budget_exceeded"::equals).count(), kinds.toString());
    }

    /** Starts {@code os2 shell} on a fresh workspace and writes the commands into its standard input, a pipe. */
    private Process start(String name) throws IOException {
        Path workspace = dir.resolve(name);
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.os2("shell", "--workspace", workspace.toString())).directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().remove(Session.WORKSPACE_VARIABLE);
        Process p = pb.start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(COMMANDS.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    private Shell finish(String name, Process p) throws IOException, InterruptedException {
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("shell " + name + " did not finish in 5 minutes:\n" + Files.readString(dir.resolve(name + ".err")));
        }
        return new Shell(name, p.exitValue(), Files.readAllBytes(dir.resolve(name + ".out")),
                Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8), dir.resolve(name));
    }

    /** The transcript's command records, without what differs between sessions (times, the workspace's path). */
    private static List<JsonNode> commands(Path workspace) throws IOException {
        List<Path> logs;
        try (Stream<Path> files = Files.list(workspace.resolve("logs"))) {
            logs = files.sorted().toList();
        }
        assertEquals(1, logs.size(), logs.toString());
        List<JsonNode> commands = new ArrayList<>();
        for (String line : Files.readAllLines(logs.get(0), StandardCharsets.UTF_8)) {
            JsonNode record = JSON.readTree(line);
            if (record.path("type").asText().equals("command")) {
                ObjectNode kept = JSON.createObjectNode();
                for (String field : List.of("seq", "line", "command", "args", "status", "outcome", "output_sha256", "output_bytes",
                        "details")) {
                    kept.set(field, record.path(field));
                }
                kept.set("ledger_size_after", record.path("ledger").path("size_after"));
                commands.add(kept);
            }
        }
        return commands;
    }

    private static String head(Path workspace) {
        try (Ledger ledger = Workspace.at(workspace).openLedgerReadOnly()) {
            return ledger.headHash().toHex();
        }
    }

    private static List<String> kinds(Path workspace) {
        try (Ledger ledger = Workspace.at(workspace).openLedgerReadOnly(); Stream<EventEnvelope> entries = ledger.entries(0)) {
            return entries.map(EventEnvelope::kind).toList();
        }
    }
}
