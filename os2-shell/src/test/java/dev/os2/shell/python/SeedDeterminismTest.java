package dev.os2.shell.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Same script, seed and budget ⇒ the same result, byte for byte, from run to run of one sandbox:
 * output, output hash, statements used, virtual time, the statement where the budget stopped the
 * run, the traceback; another seed changes what comes from the entropy and nothing else. (Two
 * separate processes are compared through the shell, by {@code dev.os2.shell.PythonProcessesTest}.)
 */
class SeedDeterminismTest {

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
    void theSameRequestGivesTheSameResultInEveryRun() {
        PythonSandbox sandbox = TestSandboxes.shared();
        List<String> first = new ArrayList<>();
        List<String> again = new ArrayList<>();
        for (List<String> results : List.of(first, again)) {
            for (String[] named : new String[][] {{"entropy.py", ENTROPY}, {"loop.py", LOOP}, {"failure.py", FAILURE}}) {
                results.add(summary(sandbox.run(RunRequest.of(named[0], named[1]).withSeed(SEED).withStatementBudget(BUDGET),
                        null, null)));
            }
        }
        assertTrue(first.get(0).startsWith("Completed|"), first.get(0));
        assertTrue(first.get(1).startsWith("BudgetExceeded|" + BUDGET + "|loop.py:"), first.get(1));
        assertTrue(first.get(2).startsWith("Failed:json.decoder.JSONDecodeError|"), first.get(2));
        assertEquals(first, again);
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
}
