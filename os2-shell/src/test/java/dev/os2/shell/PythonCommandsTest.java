package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.KernelEvents;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Ledger;
import dev.os2.shell.python.RunOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code python}, {@code pyvm run} and {@code pyx} through the one-shot command line, on a real
 * kernel and a real Chronicle ledger, with the real sandbox: each run is a {@code python.exec}
 * token whose life the ledger records; the budget stops a script at the same statement every time;
 * a recorded run replays without Python; an interrupt stops a run and is recorded as such.
 */
class PythonCommandsTest {

    @TempDir
    Path dir;

    private final Session session = ShellTestSessions.session();

    private CliRun os2(String... args) {
        return CliRun.run(session, args);
    }

    private String ws(String name) {
        return dir.resolve(name).toString();
    }

    static List<EventEnvelope> entries(Path workspace) {
        try (Ledger ledger = Workspace.at(workspace).openLedgerReadOnly(); Stream<EventEnvelope> s = ledger.entries(0)) {
            return s.toList();
        }
    }

    /** The kinds of the entries of token {@code token}, in order. */
    static List<String> tokenKinds(List<EventEnvelope> entries, long token) {
        List<String> kinds = new ArrayList<>();
        for (EventEnvelope e : entries) {
            if (e.payload().toJsonNode().path("token").asLong(-1) == token) {
                kinds.add(e.kind());
            }
        }
        return kinds;
    }

    static JsonNode last(List<EventEnvelope> entries, String kind) {
        JsonNode found = null;
        for (EventEnvelope e : entries) {
            if (e.kind().equals(kind)) {
                found = e.payload().toJsonNode();
            }
        }
        if (found == null) {
            throw new AssertionError("no " + kind + " in " + entries.stream().map(EventEnvelope::kind).toList());
        }
        return found;
    }

    @Test
    void escapeSequencesFromAScriptReachATerminalOnlyAsVisibleText() {
        // A session whose stdout and stderr are terminals: the script's output must not be able to
        // clear the screen, move the cursor or retitle the window.
        Session terminal = new Session(Map.of(), true, 100, "os2", true, ShellTestSessions.services());
        CliRun run = CliRun.run(terminal, "python", "--workspace", ws("escapes"), "-c",
                "import sys\nprint('\\x1b[2Jcleared\\x1b]0;title\\x07')\nprint('\\x1b[31mred', file=sys.stderr)");
        assertEquals(0, run.status(), run.describe());
        assertFalse(run.out().contains("\u001b") || run.out().contains("\u0007"), run.describe());
        assertFalse(run.err().contains("\u001b"), run.describe());
        assertTrue(run.out().contains("\\x1b[2Jcleared"), run.describe());
        assertTrue(run.err().contains("\\x1b[31mred"), run.describe());
    }

    @Test
    void aRunIsAKernelTokenWithItsOutputHashRecorded() {
        session.services().takeAnnotations();
        CliRun run = os2("python", "--workspace", ws("w"), "--seed", "7", "-c", "import sys\nprint('hello', sys.argv)\nprint('oops', file=sys.stderr)");
        assertEquals(0, run.status(), run.describe());
        assertEquals("hello ['<string>']\n", run.out());
        assertEquals("oops\n", run.err());

        List<EventEnvelope> entries = entries(dir.resolve("w"));
        long token = last(entries, KernelEvents.TOKEN_STARTED).path("token").asLong();
        assertEquals(List.of("submit_token", KernelEvents.TOKEN_SCHEDULED, KernelEvents.TOKEN_STARTED, KernelEvents.CHARGE,
                "custom.python_output", KernelEvents.TOKEN_COMPLETED), tokenKinds(entries, token));
        JsonNode output = last(entries, "custom.python_output").path("data");
        String hash = RunOutput.hash("hello ['<string>']\n".getBytes(StandardCharsets.UTF_8), "oops\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(hash, output.path("output_sha256").asText());
        assertEquals("7", output.path("seed").asText());
        assertEquals(output.path("statements").asLong(), last(entries, KernelEvents.CHARGE).path("amount").asLong());

        // The operator got python.exec (and shell.tool) when the shell first opened the workspace, and nothing else.
        List<String> granted = entries.stream().filter(e -> e.kind().equals(KernelEvents.CAPABILITY_GRANTED))
                .map(EventEnvelope::capabilityId).toList();
        assertEquals(List.of(ShellCapabilities.PYTHON_EXEC, ShellCapabilities.SHELL_TOOL), granted);

        Map<String, Object> notes = session.services().takeAnnotations();
        assertEquals(token, notes.get("token"));
        assertEquals("7", notes.get("seed"));
        assertEquals(hash, notes.get("output_sha256"));
        assertEquals(ShellCapabilities.PYTHON_EXEC, notes.get("capability"));
        assertEquals(KernelEvents.TOKEN_COMPLETED, notes.get("outcome"));
        assertEquals(output.path("statements").asLong(), notes.get("statements_used"));
    }

    @Test
    void anEndlessLoopStopsAtTheSameStatementEveryTimeAndReplaysWithoutPython() {
        List<String> heads = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            CliRun run = os2("python", "--workspace", ws(name), "--token-budget", "5000", "-c", "n = 0\nwhile True:\n    n += 1\n    pass");
            assertEquals(1, run.status(), run.describe());
            assertTrue(run.err().contains("the token budget ran out after 5000 statements at <string>:"), run.describe());
            List<EventEnvelope> entries = entries(dir.resolve(name));
            long token = last(entries, KernelEvents.TOKEN_STARTED).path("token").asLong();
            List<String> kinds = tokenKinds(entries, token);
            assertEquals(KernelEvents.RESOURCE_BUDGET_EXCEEDED, kinds.get(kinds.size() - 1), kinds.toString());
            assertFalse(kinds.contains("custom.python_watchdog_stopped"), "stopped by the budget, not the watchdog");
            JsonNode exceeded = last(entries, KernelEvents.RESOURCE_BUDGET_EXCEEDED);
            assertEquals("tokens", exceeded.path("resource").asText());
            assertEquals(0, exceeded.path("remaining").asLong());
            assertEquals(5000, last(entries, "custom.python_output").path("data").path("statements").asLong());
            heads.add(entries.get(entries.size() - 1).hash().toHex());

            // Replay with no handlers at all (every handler scripted from the ledger) reproduces every
            // entry byte for byte: the read-only kernel is rebuilt that way, and checks each hash.
            try (WorkspaceKernel replayed = WorkspaceKernel.openReadOnly(Workspace.at(dir.resolve(name)))) {
                assertEquals(entries.size(), replayed.ledger().size());
                assertEquals(dev.os2.kernel.KernelToken.Status.BUDGET_EXCEEDED,
                        replayed.state().status(new dev.os2.kernel.TokenId(token)).orElseThrow());
            }
        }
        assertEquals(heads.get(0), heads.get(1), "two fresh workspaces, the same ledger");
    }

    @Test
    void theSeedComesFromTheKernelUnlessGiven() {
        String code = "import random\nprint(random.random())";
        CliRun first = os2("python", "--workspace", ws("s"), "-c", code);
        CliRun second = os2("python", "--workspace", ws("s"), "-c", code);
        assertNotEquals(first.out(), second.out(), "another token, another seed");
        CliRun fresh = os2("python", "--workspace", ws("s2"), "-c", code);
        assertEquals(first.out(), fresh.out(), "the same kernel seed and token id, the same numbers");
        assertEquals(os2("python", "--workspace", ws("s"), "--seed", "5", "-c", code).out(),
                os2("python", "--workspace", ws("s2"), "--seed", "5", "-c", code).out());
    }

    @Test
    void aScriptFileWithArgumentsATagAndJson() throws IOException {
        Path script = dir.resolve("greet.py");
        Files.writeString(script, "import sys, time\nprint('hi', sys.argv[1:], time.time() > 1.7e9)\nraise SystemExit(0)\n");
        CliRun run = os2("python", "--workspace", ws("f"), "--tag", "after-greet", script.toString(), "--loud", "x");
        assertEquals(0, run.status(), run.describe());
        assertEquals("hi ['--loud', 'x'] True\n", run.out());
        assertTrue(run.err().contains("took snapshot s"), run.describe());
        assertTrue(os2("snapshot-list", "--workspace", ws("f")).out().contains("after-greet"));

        CliRun json = os2("python", "--workspace", ws("f"), "--json", "-c", "print(6 * 7)\n1 / 0");
        assertEquals(1, json.status(), json.describe());
        JsonNode o = read(json.out());
        assertEquals("42\n", o.path("stdout").asText());
        assertEquals("ZeroDivisionError", o.path("exception").asText());
        assertEquals(KernelEvents.TOKEN_FAILED, o.path("outcome").asText());
        assertTrue(o.path("statements_used").asLong() >= 2, json.describe());
        assertEquals(o.path("statements_used").asLong(), last(entries(dir.resolve("f")), "custom.python_output").path("data")
                .path("statements").asLong());

        CliRun failed = os2("python", "--workspace", ws("f"), "-c", "def f():\n    return 1 / 0\nf()");
        assertEquals(1, failed.status());
        assertTrue(failed.err().contains("line 2, in f"), failed.describe());
        assertTrue(failed.err().contains("ZeroDivisionError: division by zero"), failed.describe());

        CliRun missing = os2("python", "--workspace", ws("f"), dir.resolve("nope.py").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().startsWith("os2: no such script"), missing.describe());
        assertEquals(2, os2("python", "--workspace", ws("f")).status());
    }

    @Test
    void pyvmRunsAWorkspaceModulesMainAndPyxPrintsARepr() throws IOException {
        Path modules = dir.resolve("m").resolve(WorkspacePython.MODULES_DIRECTORY);
        Files.createDirectories(modules.resolve("tools"));
        Files.writeString(modules.resolve("tools").resolve("__init__.py"), "");
        Files.writeString(modules.resolve("tools").resolve("cli.py"),
                "import sys\nfrom tools import mathx\ndef main():\n    print('args', sys.argv, mathx.double(21))\n    return 0\n");
        Files.writeString(modules.resolve("tools").resolve("mathx.py"), "def double(x):\n    return 2 * x\n");
        Files.writeString(modules.resolve("nomain.py"), "X = 1\n");
        CliRun run = os2("pyvm", "run", "--workspace", ws("m"), "tools.cli", "a", "--b");
        assertEquals(0, run.status(), run.describe());
        assertEquals("args ['tools.cli', 'a', '--b'] 42\n", run.out());
        List<EventEnvelope> entries = entries(dir.resolve("m"));
        List<String> origins = entries.stream().filter(e -> e.kind().equals("custom.python_module"))
                .map(e -> e.payload().toJsonNode().path("data").path("origin").asText()).toList();
        assertEquals(List.of("python/tools/__init__.py", "python/tools/cli.py", "python/tools/mathx.py"), origins);

        CliRun noMain = os2("pyvm", "run", "--workspace", ws("m"), "nomain");
        assertEquals(1, noMain.status(), noMain.describe());
        assertTrue(noMain.err().contains("has no main() function"), noMain.describe());
        CliRun unknown = os2("pyvm", "run", "--workspace", ws("m"), "absent");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("os2: no module absent in "), unknown.describe());

        session.services().takeAnnotations();
        CliRun pyx = os2("pyx", "--workspace", ws("m"), "sorted({3,", "1,", "2})", "+", "[len('é')]");
        assertEquals(0, pyx.status(), pyx.describe());
        assertEquals("[1, 2, 3, 1]\n", pyx.out());
        Map<String, Object> notes = session.services().takeAnnotations();
        assertEquals("[1, 2, 3, 1]", notes.get("result"));
        assertTrue((Long) notes.get("statements_used") >= 1);
        CliRun bad = os2("pyx", "--workspace", ws("m"), "1;", "2");
        assertEquals(1, bad.status(), bad.describe());
        assertTrue(bad.err().contains("SyntaxError"), bad.describe());
    }

    @Test
    void aSubjectWithoutPythonExecIsRefusedWithTheGrantToRun() {
        CliRun run = os2("python", "--workspace", ws("r"), "--subject", "agent:alice", "-c", "print(1)");
        assertEquals(1, run.status(), run.describe());
        assertEquals("", run.out());
        assertTrue(run.err().contains("python.exec is not available to agent:alice (not granted; token t1 was rejected). "
                + "Grant it with `os2 cap-grant python.exec agent:alice`."), run.describe());
        assertEquals(0, os2("cap-grant", "--workspace", ws("r"), "python.exec", "agent:alice").status());
        assertEquals("1\n", os2("python", "--workspace", ws("r"), "--subject", "agent:alice", "-c", "print(1)").out());
    }

    @Test
    void anInterruptStopsTheRunAndIsRecordedAsNotDeterministic() throws Exception {
        CompletableFuture<Void> started = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Writer watching = new Writer() {
            @Override
            public void write(char[] cbuf, int off, int len) {
                synchronized (seen) {
                    seen.append(cbuf, off, len);
                    if (seen.indexOf("started") >= 0) {
                        started.complete(null);
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        CompletableFuture<Integer> status = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        StringWriter err = new StringWriter();
        Thread command = new Thread(() -> {
            CommandLine cl = Os2.commandLine(session);
            cl.setOut(new PrintWriter(watching, true));
            cl.setErr(new PrintWriter(err, true));
            status.complete(cl.execute("python", "--workspace", ws("i"), "--token-budget", "1000000000000",
                    "-c", "print('started')\nwhile True:\n    pass"));
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        });
        command.start();
        started.get(5, TimeUnit.MINUTES);
        command.interrupt();
        assertEquals(1, status.get(5, TimeUnit.MINUTES), err.toString());
        assertTrue(stillInterrupted.get(), "the interrupt is handed back to the command's thread");
        assertTrue(err.toString().contains("interrupted: token t1 was stopped"), err.toString());
        List<EventEnvelope> entries = entries(dir.resolve("i"));
        JsonNode stop = last(entries, "custom.python_watchdog_stopped").path("data");
        assertEquals("interrupted", stop.path("cause").asText());
        assertFalse(stop.path("deterministic").asBoolean(true));
        assertEquals(KernelEvents.TOKEN_FAILED, entries.get(entries.size() - 1).kind());
    }

    static JsonNode read(String json) {
        try {
            return LedgerVerifyCommand.JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
