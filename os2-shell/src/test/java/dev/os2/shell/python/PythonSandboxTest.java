package dev.os2.shell.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The sandbox's contract, run by real GraalPy contexts on the shared engine. */
class PythonSandboxTest {

    private static final long EPOCH_NANOS = 1_767_225_600_000_000_000L;

    private final PythonSandbox sandbox = TestSandboxes.shared();

    private RunResult run(String source) {
        return sandbox.run(RunRequest.of("script.py", source), null, null);
    }

    // ---- Results -------------------------------------------------------------------------------

    @Test
    void aScriptCompletesWithItsOutputCapturedStreamedAndHashed() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RunResult result = sandbox.run(RunRequest.of("hello.py", "import sys\nprint('hello', sys.argv)\nprint('oops', file=sys.stderr)")
                .withArgs(List.of("a", "b")), out, err);
        RunResult.Completed completed = assertInstanceOf(RunResult.Completed.class, result);
        assertEquals("hello ['hello.py', 'a', 'b']\n", completed.output().stdoutText());
        assertEquals("oops\n", completed.output().stderrText());
        assertArrayEquals(completed.output().stdout(), out.toByteArray());
        assertArrayEquals(completed.output().stderr(), err.toByteArray());
        assertEquals(3, completed.statementsUsed());
        assertEquals(3_000, completed.virtualNanos());
        assertEquals(RunOutput.hash(out.toByteArray(), err.toByteArray()), completed.output().sha256());
        assertEquals(completed.output().stdout().length, completed.output().stdoutBytes());
        assertFalse(completed.output().truncated());
    }

    @Test
    void outputReachesTheSinkWhileTheScriptRuns() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> seenByKernel = new ArrayList<>();
        CapabilityGateway gateway = new RecordingGateway() {
            @Override
            public GatewayReply invoke(String capabilityId, String argsJson) {
                seenByKernel.add(out.toString(StandardCharsets.UTF_8));
                return new GatewayReply.Allowed("null");
            }
        };
        RunResult result = sandbox.run(RunRequest.of("stream.py", "import os2\nprint('first')\nos2.invoke('probe')\nprint('second')")
                .withGateway(gateway), out, null);
        assertInstanceOf(RunResult.Completed.class, result);
        assertEquals(List.of("first\n"), seenByKernel);
        assertEquals("first\nsecond\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anExceptionIsAFailureWithAPythonTraceback() {
        RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class,
                run("def f(x):\n    return 1 / x\n\nf(0)\n"));
        assertEquals("ZeroDivisionError", failed.exceptionType());
        assertEquals("division by zero", failed.message());
        assertEquals("Traceback (most recent call last):", failed.traceback().get(0));
        assertTrue(failed.traceback().contains("  File \"script.py\", line 4, in <module>"), failed.traceback().toString());
        assertTrue(failed.traceback().contains("    return 1 / x"), failed.traceback().toString());
        assertEquals("ZeroDivisionError: division by zero", failed.traceback().get(failed.traceback().size() - 1));
        assertFalse(String.join("\n", failed.traceback()).contains("os2-prelude"), "the sandbox's frames are hidden");
    }

    @Test
    void aSyntaxErrorIsAFailureThatRanNothing() {
        RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class, run("print('x')\ndef f(:\n"));
        assertEquals("SyntaxError", failed.exceptionType());
        assertEquals(0, failed.statementsUsed());
        assertEquals("", failed.output().stdoutText());
    }

    @Test
    void exitStatusZeroCompletesAndOtherStatusesFail() {
        assertInstanceOf(RunResult.Completed.class, run("import sys\nprint(1)\nsys.exit(0)\nprint(2)"));
        RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class, run("import sys\nsys.exit('bye')"));
        assertEquals("SystemExit", failed.exceptionType());
        assertEquals("bye", failed.message());
    }

    @Test
    void tracebacksDoNotShowWhereTheHostKeepsTheStandardLibrary() {
        RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class, run("import json\njson.loads('{')"));
        String traceback = String.join("\n", failed.traceback());
        assertTrue(traceback.contains("File \"<python>/lib/python3.12/json/"), traceback);
        assertFalse(traceback.contains(System.getProperty("user.home") + "/"), traceback);
    }

    @Test
    void oversizedAndDeeplyNestedSourcesAreRefusedBeforeRunning() {
        RunResult.Refused big = assertInstanceOf(RunResult.Refused.class,
                run("# " + "x".repeat(TestSandboxes.CONFIG.sourceBytesMax())));
        assertTrue(big.reason().startsWith("source is "), big.reason());
        RunResult.Refused deep = assertInstanceOf(RunResult.Refused.class, run("x = " + "[".repeat(101) + "]".repeat(101)));
        assertEquals("source nests brackets 101 deep; the limit is 100", deep.reason());
        assertSame(RunOutput.EMPTY, deep.output());
    }

    // ---- Fuel ----------------------------------------------------------------------------------

    @Test
    void anInfiniteLoopIsStoppedByTheBudgetAtTheSameStatementEveryTime() {
        RunRequest request = RunRequest.of("spin.py", "n = 0\nwhile True: pass\n").withStatementBudget(100_000);
        RunResult first = sandbox.run(request, null, null);
        RunResult.BudgetExceeded exceeded = assertInstanceOf(RunResult.BudgetExceeded.class, first);
        assertEquals(100_000, exceeded.statementsUsed());
        assertEquals(100_000, exceeded.statementBudget());
        assertEquals("spin.py", exceeded.file());
        assertEquals(2, exceeded.line());
        assertTrue(exceeded.deterministic());
        assertEquals(first, sandbox.run(request, null, null));
    }

    @Test
    void exitHandlersRunInsideTheRunMeteredAndCaptured() {
        RunResult.Completed done = assertInstanceOf(RunResult.Completed.class,
                run("import atexit\natexit.register(print, 'bye')\nprint('hi')\n"));
        assertEquals("hi\nbye\n", done.output().stdoutText());
        RunRequest spin = RunRequest.of("spin.py", "import atexit\ndef spin():\n    while True:\n        pass\n"
                + "atexit.register(spin)\nprint('registered')\n").withStatementBudget(10_000);
        RunResult.BudgetExceeded exceeded = assertInstanceOf(RunResult.BudgetExceeded.class, sandbox.run(spin, null, null));
        assertEquals("spin.py", exceeded.file());
        assertEquals("registered\n", exceeded.output().stdoutText());
        assertEquals(exceeded, sandbox.run(spin, null, null));
    }

    @Test
    void outputStopsExactlyWhereTheBudgetRanOut() {
        // Line events: `i = 0` once, then per iteration the loop header, the print and the increment.
        String loop = "i = 0\nwhile True:\n    print(i)\n    i += 1\n";
        RunResult.BudgetExceeded exceeded = assertInstanceOf(RunResult.BudgetExceeded.class,
                sandbox.run(RunRequest.of("loop.py", loop).withStatementBudget(31), null, null));
        // 1 + 10 * 3 = 31 statements: ten full iterations; the 32nd statement (the header) is not run.
        assertEquals("0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n", exceeded.output().stdoutText());
        assertEquals(2, exceeded.line());
        RunResult.BudgetExceeded oneMore = assertInstanceOf(RunResult.BudgetExceeded.class,
                sandbox.run(RunRequest.of("loop.py", loop).withStatementBudget(33), null, null));
        assertEquals("0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", oneMore.output().stdoutText());
        assertEquals(4, oneMore.line());
    }

    @Test
    void theMeterCountsTheScriptsLinesAndNotTheStandardLibrarys() {
        RunResult.Completed plain = assertInstanceOf(RunResult.Completed.class, run("x = 1\ny = 2\nz = x + y"));
        assertEquals(3, plain.statementsUsed());
        RunResult.Completed stdlib = assertInstanceOf(RunResult.Completed.class,
                run("import json, textwrap\ns = json.dumps(list(range(2000)))\nt = textwrap.fill('word ' * 2000)"));
        assertEquals(3, stdlib.statementsUsed());
    }

    @Test
    void callbacksExecAndComprehensionsAreMetered() {
        assertInstanceOf(RunResult.BudgetExceeded.class, sandbox.run(RunRequest.of("key.py",
                "sorted(range(100_000), key=lambda x: -x)").withStatementBudget(10_000), null, null));
        assertInstanceOf(RunResult.BudgetExceeded.class, sandbox.run(RunRequest.of("exec.py",
                "exec('while True:\\n    pass')").withStatementBudget(10_000), null, null));
        assertInstanceOf(RunResult.BudgetExceeded.class, sandbox.run(RunRequest.of("comp.py",
                "x = [0 for _ in range(10**9)]").withStatementBudget(10_000), null, null));
        RunResult.Completed counted = assertInstanceOf(RunResult.Completed.class,
                run("def f(x):\n    return x * 2\nr = list(map(f, range(100)))"));
        // Two lines of the module, one line of f per call.
        assertEquals(2 + 100, counted.statementsUsed());
    }

    @Test
    void whileTruePassIsStoppedByTheBudgetNotTheWatchdog() {
        RunResult result = sandbox.run(RunRequest.of("pass.py", "while True:\n    pass\n")
                .withStatementBudget(300_000), null, null);
        RunResult.BudgetExceeded exceeded = assertInstanceOf(RunResult.BudgetExceeded.class, result);
        assertEquals(300_000, exceeded.statementsUsed());
    }

    @Test
    void deepRecursionEndsAtTheFrameLimit() {
        RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class,
                run("import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1)\nf(0)"));
        assertEquals("RecursionError", failed.exceptionType());
        assertTrue(failed.message().contains("1000 frames"), failed.message());
        assertTrue(failed.traceback().size() < 30, "a deep traceback is cut: " + failed.traceback().size());
    }

    // ---- Virtual time and entropy --------------------------------------------------------------

    @Test
    void timeReadsTheVirtualClockOfTheRequest() {
        RunResult.Completed completed = assertInstanceOf(RunResult.Completed.class, sandbox.run(
                RunRequest.of("clock.py", "import time, datetime\nprint(time.time_ns())\ntime.sleep(1.5)\n"
                        + "print(time.time_ns(), time.monotonic_ns())\nprint(datetime.datetime.now())")
                        .withClockEpochNanos(EPOCH_NANOS), null, null));
        // One microsecond of virtual time per statement, plus the sleep.
        assertEquals(List.of(Long.toString(EPOCH_NANOS + 2_000),
                (EPOCH_NANOS + 4_000 + 1_500_000_000L) + " " + (4_000 + 1_500_000_000L),
                "2026-01-01 00:00:01.500005"), completed.output().stdoutText().lines().toList());
        assertEquals(5_000 + 1_500_000_000L, completed.virtualNanos());
    }

    @Test
    void randomIsSeededLikeCPythonsRandomSeed() {
        RunResult.Completed completed = assertInstanceOf(RunResult.Completed.class, sandbox.run(
                RunRequest.of("r.py", "import random\nprint(random.random())").withSeed(42), null, null));
        // CPython: random.seed(42); random.random() == 0.6394267984578837
        assertEquals("0.6394267984578837\n", completed.output().stdoutText());
    }

    @Test
    void userObjectsHashAndPrintTheSameInEveryContext() {
        String script = "class C:\n    pass\nobjs = [C() for _ in range(30)]\nprint(repr(objs[0]), [hash(o) % 97 for o in set(objs)])";
        RunResult first = run(script);
        RunResult second = run(script);
        assertInstanceOf(RunResult.Completed.class, first);
        assertEquals(first.output().stdoutText(), second.output().stdoutText());
        assertTrue(first.output().stdoutText().startsWith("<__main__.C object at 0x"), first.output().stdoutText());
    }

    @Test
    void theStandardLibraryStillWorks() {
        RunResult.Completed completed = assertInstanceOf(RunResult.Completed.class, sandbox.run(RunRequest.of("script.py", """
                import dataclasses, enum, logging, asyncio, subprocess, collections, decimal
                @dataclasses.dataclass
                class P:
                    x: int
                    y: int = 2
                class Colour(enum.Enum):
                    RED = 1
                print(P(1), P(1) == P(1), P.__hash__ is None, Colour.RED)
                logging.basicConfig(level=logging.INFO)
                logging.getLogger('app').info('logged %d', 1)
                print(collections.Counter('abca').most_common(1), decimal.Decimal('1.10') + 2)
                """)
                // Importing these modules the first time is slow in the interpreter; a loaded machine
                // must not turn that into a watchdog stop.
                .withTimeoutMillis(180_000), null, null));
        assertEquals("P(x=1, y=2) True True Colour.RED\n[('a', 2)] 3.10\n", completed.output().stdoutText());
        assertEquals("INFO:app:logged 1\n", completed.output().stderrText());
    }

    // ---- The gateway ---------------------------------------------------------------------------

    /** A gateway that grants {@code echo} and records every call. */
    private static class RecordingGateway implements CapabilityGateway {
        final List<String> calls = new ArrayList<>();

        @Override
        public GatewayReply invoke(String capabilityId, String argsJson) {
            calls.add(capabilityId + " " + argsJson);
            return capabilityId.equals("echo") ? new GatewayReply.Allowed(argsJson)
                    : new GatewayReply.Denied("capability " + capabilityId + " is not granted to subject alice");
        }

        @Override
        public List<String> capabilities() {
            return List.of("echo", "clock.read");
        }
    }

    @Test
    void theScriptReachesTheKernelThroughTheOs2Module() {
        RecordingGateway gateway = new RecordingGateway();
        RunResult.Completed completed = assertInstanceOf(RunResult.Completed.class, sandbox.run(RunRequest.of("kernel.py",
                "import os2\nprint(os2.capabilities())\nprint(os2.invoke('echo', b=[1, 2], a='x'))").withGateway(gateway),
                null, null));
        assertEquals("['clock.read', 'echo']\n{'a': 'x', 'b': [1, 2]}\n", completed.output().stdoutText());
        assertEquals(List.of("echo {\"a\":\"x\",\"b\":[1,2]}"), gateway.calls);
    }

    @Test
    void aDenialIsAPermissionErrorTheScriptMayCatch() {
        RecordingGateway gateway = new RecordingGateway();
        RunResult.Completed caught = assertInstanceOf(RunResult.Completed.class, sandbox.run(RunRequest.of("deny.py",
                "import os2\ntry:\n    os2.invoke('fs.write', path='/x')\nexcept PermissionError as e:\n    print(type(e).__name__, e)")
                .withGateway(gateway), null, null));
        assertEquals("CapabilityDenied capability fs.write is not granted to subject alice\n", caught.output().stdoutText());
        RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class, sandbox.run(RunRequest.of("deny.py",
                "import os2\nos2.invoke('fs.write')").withGateway(gateway), null, null));
        assertEquals("os2.CapabilityDenied", failed.exceptionType());
        assertEquals("capability fs.write is not granted to subject alice", failed.message());
    }

    @Test
    void aKernelFaultStopsTheRunAndReachesTheCaller() {
        IllegalStateException fault = new IllegalStateException("ledger is full");
        CapabilityGateway broken = new RecordingGateway() {
            @Override
            public GatewayReply invoke(String capabilityId, String argsJson) {
                throw fault;
            }
        };
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> sandbox.run(RunRequest.of("fault.py",
                "import os2\ntry:\n    os2.invoke('echo')\nexcept BaseException:\n    pass\nprint('swallowed')").withGateway(broken),
                null, null));
        assertSame(fault, thrown);
    }

    @Test
    void noGatewayCallIsMadeAfterTheBudgetRanOut() {
        RecordingGateway gateway = new RecordingGateway();
        RunResult result = sandbox.run(RunRequest.of("calls.py", "import os2\nwhile True:\n    os2.invoke('echo', n=1)")
                .withGateway(gateway).withStatementBudget(21), null, null);
        assertInstanceOf(RunResult.BudgetExceeded.class, result);
        // One statement for the import, then two per iteration: ten calls.
        assertEquals(10, gateway.calls.size());
    }

    // ---- Output bounds -------------------------------------------------------------------------

    @Test
    void aFloodIsCutAtTheLimitWithAMarker() {
        RunResult.Completed completed = assertInstanceOf(RunResult.Completed.class,
                run("import sys\nfor i in range(100):\n    sys.stdout.write('x' * 1000)\nprint('tail', file=sys.stderr)"));
        RunOutput output = completed.output();
        assertTrue(output.truncated());
        assertEquals(100_000, output.stdoutBytes());
        assertEquals(5, output.stderrBytes());
        String text = output.stdoutText();
        assertTrue(text.endsWith("\n[os2: output cut after " + TestSandboxes.CONFIG.outputBytesMax() + " bytes]\n"), text.substring(text.length() - 60));
        assertEquals(TestSandboxes.CONFIG.outputBytesMax(), text.indexOf('\n'));
        assertEquals("", output.stderrText());
    }

    // ---- Fuses ---------------------------------------------------------------------------------

    @Test
    void aBuiltInThatIgnoresCancellationIsAbandonedAndTheSandboxGoesOn() {
        // The sum takes seconds in the interpreter and does not poll for cancellation. The timeout
        // leaves the run time to reach it even on a loaded machine, and the sum outlasts the
        // timeout plus the cancel grace by far, so the run is abandoned.
        RunResult result = sandbox.run(RunRequest.of("sum.py", "print('start')\nsum(range(2 * 10**9))")
                .withTimeoutMillis(1_500), null, null);
        RunResult.WatchdogStopped stopped = assertInstanceOf(RunResult.WatchdogStopped.class, result);
        assertEquals(RunResult.WatchdogStopped.Cause.WALL_CLOCK, stopped.cause());
        assertTrue(stopped.abandoned());
        assertFalse(stopped.deterministic());
        assertEquals("start\n", stopped.output().stdoutText());
        assertEquals("2\n", run("print(1+1)").output().stdoutText());
    }

    @Test
    void interruptingTheCallerStopsTheRun() throws Exception {
        CompletableFuture<Thread> caller = new CompletableFuture<>();
        CapabilityGateway started = new RecordingGateway() {
            @Override
            public GatewayReply invoke(String capabilityId, String argsJson) {
                caller.join().interrupt();
                return new GatewayReply.Allowed("null");
            }
        };
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            result.complete(sandbox.run(RunRequest.of("ctrl-c.py", "import os2\nos2.invoke('started')\nwhile True:\n    pass")
                    .withStatementBudget(RunRequest.STATEMENT_BUDGET_MAX).withGateway(started), null, null));
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        });
        caller.complete(thread);
        thread.start();
        RunResult.WatchdogStopped stopped = assertInstanceOf(RunResult.WatchdogStopped.class, result.get(2, TimeUnit.MINUTES));
        assertEquals(RunResult.WatchdogStopped.Cause.INTERRUPTED, stopped.cause());
        assertTrue(stillInterrupted.get(), "the caller's interrupt flag is kept");
    }

    // ---- Lifecycle and figures -----------------------------------------------------------------

    @Test
    void warmUpIsIdempotentAndAClosedSandboxRefusesWork() {
        assertTrue(sandbox.isWarm());
        sandbox.warmUp();
        assertTrue(sandbox.warmUpMillis().isPresent());
        PythonSandbox closed = PythonSandbox.create(TestSandboxes.CONFIG);
        closed.close();
        assertThrows(IllegalStateException.class, closed::warmUp);
        assertThrows(IllegalStateException.class, () -> closed.run(RunRequest.of("x.py", "1"), null, null));
    }

    @Test
    void aSandboxWithOtherLimitsRunsOnTheSameEngineAndClosesAlone() {
        PythonSandbox narrow = sandbox.withConfig(TestSandboxes.CONFIG.withOutputBytesMax(10));
        RunResult cut = narrow.run(RunRequest.of("x.py", "print('x' * 100)"), null, null);
        assertTrue(cut.output().truncated(), cut.toString());
        assertTrue(cut.output().stdoutText().startsWith("xxxxxxxxxx\n[os2: output cut after 10 bytes]"), cut.output().stdoutText());
        narrow.close();
        assertThrows(IllegalStateException.class, () -> narrow.run(RunRequest.of("x.py", "1"), null, null));
        RunResult.Completed still = assertInstanceOf(RunResult.Completed.class,
                sandbox.run(RunRequest.of("x.py", "print('x' * 100)"), null, null));
        assertEquals(101, still.output().stdout().length, "the engine outlives the narrower sandbox");
    }

    @Test
    void requestsAndConfigurationsValidate() {
        assertThrows(IllegalArgumentException.class, () -> RunRequest.of("<frozen os>", "1"));
        assertThrows(IllegalArgumentException.class, () -> RunRequest.of("a\nb", "1"));
        assertThrows(IllegalArgumentException.class, () -> RunRequest.of("a.py", "1").withStatementBudget(0));
        assertThrows(IllegalArgumentException.class, () -> SandboxConfig.defaults().withOutputBytesMax(0));
        assertThrows(IllegalArgumentException.class, () -> SandboxConfig.defaults().withRecursionLimitMax(10));
    }

    @Test
    void roundTripFigures() {
        long[] millis = new long[7];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            RunResult result = run("print(1+1)");
            millis[i] = (System.nanoTime() - start) / 1_000_000;
            assertEquals("2\n", result.output().stdoutText());
        }
        Arrays.sort(millis);
        System.out.printf("figure: print(1+1) round trip, back to back (a prepared context from the pool, the run): median %d ms, min %d ms%n",
                millis[millis.length / 2], millis[0]);
    }

    private static void assertArrayEquals(byte[] expected, byte[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
    }
}
