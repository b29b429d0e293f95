package dev.os2.shell.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same script, seed and budget ⇒ the same result, byte for byte, in another JVM process: output,
 * output hash, statements used, and the statement where the budget stopped the run.
 */
class DeterminismAcrossProcessesTest {

    static final long SEED = 20_260_101L;
    static final long BUDGET = 50_000;

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

    /** A loop that the budget stops, printing as it goes. */
    static final String LOOP = """
            total = 0
            i = 0
            while True:
                total += i * i
                if i % 1000 == 0:
                    print(i, total)
                i += 1
            """;

    /** A failure whose traceback passes through the standard library. */
    static final String FAILURE = """
            import json
            def parse(text):
                return json.loads(text)
            parse('{"broken": ')
            """;

    @Test
    void aChildJvmGetsByteIdenticalResults(@TempDir Path dir) throws Exception {
        List<Path> scripts = new ArrayList<>();
        for (String[] named : new String[][] {{"entropy.py", ENTROPY}, {"loop.py", LOOP}, {"failure.py", FAILURE}}) {
            Path file = dir.resolve(named[0]);
            Files.writeString(file, named[1]);
            scripts.add(file);
        }
        Process child = startChild(scripts);

        PythonSandbox sandbox = TestSandboxes.shared();
        List<String> here = new ArrayList<>();
        for (Path script : scripts) {
            here.add(summary(sandbox.run(RunRequest.of(script.getFileName().toString(), Files.readString(script))
                    .withSeed(SEED).withStatementBudget(BUDGET), null, null)));
        }
        assertTrue(here.get(0).startsWith("Completed|"), here.get(0));
        assertTrue(here.get(1).startsWith("BudgetExceeded|" + BUDGET + "|loop.py:"), here.get(1));
        assertTrue(here.get(2).startsWith("Failed:json.decoder.JSONDecodeError|"), here.get(2));

        assertTrue(child.waitFor(10, TimeUnit.MINUTES), "the child JVM did not finish");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), "child failed; its output:\n" + out);
        List<String> there = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(here, there);
    }

    @Test
    void theSameSeedRepeatsAndAnotherSeedDiffers() {
        PythonSandbox sandbox = TestSandboxes.shared();
        RunRequest request = RunRequest.of("entropy.py", ENTROPY).withSeed(1);
        RunResult.Completed first = assertInstanceOf(RunResult.Completed.class, sandbox.run(request, null, null));
        RunResult.Completed again = assertInstanceOf(RunResult.Completed.class, sandbox.run(request, null, null));
        RunResult.Completed other = assertInstanceOf(RunResult.Completed.class,
                sandbox.run(request.withSeed(2), null, null));
        assertEquals(first, again);
        List<String> a = first.output().stdoutText().lines().toList();
        List<String> b = other.output().stdoutText().lines().toList();
        assertNotEquals(a.get(0), b.get(0), "random");
        assertNotEquals(a.get(1), b.get(1), "SystemRandom, secrets, urandom");
        assertNotEquals(a.get(2), b.get(2), "uuid");
        assertEquals(a.get(3), b.get(3), "the clock depends on the request's clock, not the seed");
        assertEquals(a.get(4), b.get(4), "datetime");
    }

    /** One line that captures everything that must be reproducible about a result. */
    static String summary(RunResult result) {
        Base64.Encoder b64 = Base64.getEncoder();
        String tail = "|" + result.output().sha256() + "|" + b64.encodeToString(result.output().stdout()) + "|"
                + b64.encodeToString(result.output().stderr());
        return switch (result) {
            case RunResult.Completed c -> "Completed|" + c.statementsUsed() + "|" + c.virtualNanos() + tail;
            case RunResult.BudgetExceeded b -> "BudgetExceeded|" + b.statementsUsed() + "|" + b.file() + ":" + b.line()
                    + "|" + b.virtualNanos() + tail;
            case RunResult.Failed f -> "Failed:" + f.exceptionType() + "|" + f.statementsUsed() + "|"
                    + b64.encodeToString(String.join("\n", f.traceback()).getBytes(StandardCharsets.UTF_8)) + "|"
                    + f.message() + tail;
            case RunResult.WatchdogStopped w -> "WatchdogStopped:" + w.cause() + tail;
            case RunResult.Refused r -> "Refused|" + r.reason();
        };
    }

    private static Process startChild(List<Path> scripts) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SandboxChildMain.class.getName());
        command.add(Long.toString(SEED));
        command.add(Long.toString(BUDGET));
        for (Path script : scripts) {
            command.add(script.toString());
        }
        // stderr (JVM warnings) is kept apart from the summary lines on stdout.
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
