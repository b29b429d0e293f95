package dev.os2.shell.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The escape corpus ({@code escape-corpus.txt}): every case is run in the shared sandbox and must
 * end with exactly its expected outcome, after which {@code print(1+1)} must still work. Cases
 * expected to end by a watchdog fuse are the ones the meter cannot see (a single long built-in
 * call, deliberate tampering with tracing); the corpus states why for each.
 */
class SandboxEscapeCorpusTest {

    /** The fuel of every case: enough for any legitimate script here, small enough to end loops fast. */
    static final long BUDGET = 200_000;

    /** The wall-clock fuse of the cases that expect the watchdog's clock, so they end soon. */
    static final long WATCHDOG_CASE_TIMEOUT_MILLIS = 1_500;

    /** The wall-clock fuse of the cases that expect the memory fuse, which must trip first. */
    static final long MEMORY_CASE_TIMEOUT_MILLIS = 15_000;

    record Case(String id, String outcome, String check, String source) {
    }

    @TestFactory
    Stream<DynamicTest> everyCaseIsContainedAndTheNextRunWorks() throws IOException {
        PythonSandbox sandbox = TestSandboxes.shared();
        return load().stream().map(c -> DynamicTest.dynamicTest(c.id(), () -> runCase(sandbox, c)));
    }

    @Test
    void theCorpusHasAtLeastFortyCasesWithDistinctIds() throws IOException {
        List<Case> cases = load();
        assertTrue(cases.size() >= 40, "only " + cases.size() + " cases");
        assertEquals(cases.size(), cases.stream().map(Case::id).distinct().count(), "duplicate case ids");
        for (Case c : cases) {
            assertTrue(c.outcome().matches("Completed|BudgetExceeded|Refused|Failed:[\\w.]+|WatchdogStopped(:(WALL_CLOCK|MEMORY))?"),
                    c.id() + ": bad outcome " + c.outcome());
            if (c.outcome().startsWith("WatchdogStopped")) {
                assertFalse(c.check().isBlank(), c.id() + ": a watchdog case must say why the meter cannot stop it");
            }
        }
    }

    private static void runCase(PythonSandbox sandbox, Case c) {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        boolean watchdogCase = c.outcome().startsWith("WatchdogStopped");
        RunRequest request = RunRequest.of("case.py", c.source()).withStatementBudget(BUDGET).withSeed(42)
                .withTimeoutMillis(c.outcome().endsWith(":MEMORY") ? MEMORY_CASE_TIMEOUT_MILLIS
                        : watchdogCase ? WATCHDOG_CASE_TIMEOUT_MILLIS : 0);
        RunResult result;
        try (TerminalSafeOutputStream safe = new TerminalSafeOutputStream(terminal)) {
            result = sandbox.run(request, safe, safe);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String actual = describe(result);
        boolean anyCause = c.outcome().equals("WatchdogStopped") && actual.startsWith("WatchdogStopped:");
        if (!actual.equals(c.outcome()) && !anyCause) {
            fail(c.id() + ": expected " + c.outcome() + " but was " + result + "\nstdout: " + result.output().stdoutText()
                    + "\nstderr: " + result.output().stderrText());
        }
        String check = c.check();
        String shown = terminal.toString(StandardCharsets.UTF_8);
        if (check.startsWith("stdout=")) {
            assertEquals(check.substring("stdout=".length()).replace("\\n", "\n"), shown, c.id() + ": stdout");
        } else if (check.startsWith("message~")) {
            RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class, result);
            assertTrue(failed.message().contains(check.substring("message~".length())),
                    c.id() + ": message was " + failed.message());
        } else if (check.equals("truncated")) {
            assertTrue(result.output().truncated(), c.id() + ": output not truncated");
            assertTrue(result.output().stdout().length <= TestSandboxes.CONFIG.outputBytesMax() + 64,
                    c.id() + ": captured " + result.output().stdout().length + " bytes");
        }
        for (byte b : terminal.toByteArray()) {
            assertTrue(b == '\n' || b == '\t' || (b & 0xFF) >= 0x20 && b != 0x7F,
                    c.id() + ": a control byte reached the terminal: " + (b & 0xFF));
        }
        if (watchdogCase) {
            RunResult.WatchdogStopped stopped = (RunResult.WatchdogStopped) result;
            assertFalse(stopped.deterministic());
            System.out.printf("figure: corpus case %s stopped by the watchdog (%s%s) after %d ms%n", c.id(),
                    stopped.cause(), stopped.abandoned() ? ", thread abandoned in a built-in" : "", stopped.elapsedMillis());
        } else {
            assertTrue(result.deterministic());
        }
        RunResult next = sandbox.run(RunRequest.of("next.py", "print(1+1)"), null, null);
        RunResult.Completed completed = assertInstanceOf(RunResult.Completed.class, next, c.id() + ": next run");
        assertEquals("2\n", completed.output().stdoutText(), c.id() + ": next run's output");
    }

    static String describe(RunResult result) {
        return switch (result) {
            case RunResult.Completed completed -> "Completed";
            case RunResult.BudgetExceeded exceeded -> "BudgetExceeded";
            case RunResult.Refused refused -> "Refused";
            case RunResult.Failed failed -> "Failed:" + failed.exceptionType();
            case RunResult.WatchdogStopped stopped -> "WatchdogStopped:" + stopped.cause();
        };
    }

    static List<Case> load() throws IOException {
        String text;
        try (InputStream in = SandboxEscapeCorpusTest.class.getResourceAsStream("escape-corpus.txt")) {
            if (in == null) {
                throw new IOException("escape-corpus.txt is missing from the test resources");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> cases = new ArrayList<>();
        String[] header = null;
        StringBuilder source = new StringBuilder();
        for (String line : (text + "\n### end").split("\n", -1)) {
            if (line.startsWith("### ")) {
                if (header != null) {
                    cases.add(new Case(header[0], header[1], header.length > 2 ? header[2] : "", generate(source.toString().strip() + "\n")));
                }
                header = line.substring(4).split("\\s*\\|\\s*", 3);
                for (int i = 0; i < header.length; i++) {
                    header[i] = header[i].strip();
                }
                source.setLength(0);
            } else if (header != null && !(line.startsWith("# ") && source.isEmpty())) {
                source.append(line).append('\n');
            }
        }
        return cases;
    }

    /** Builds the scripts too large to keep in the corpus file. */
    static String generate(String source) {
        if (!source.startsWith("@generate ")) {
            return source;
        }
        String[] words = source.strip().split(" ");
        int n = Integer.parseInt(words[2]);
        return switch (words[1]) {
            case "nested-brackets" -> "x = " + "(".repeat(n) + "1" + ")".repeat(n) + "\n";
            case "large-source" -> "# " + "x".repeat(n) + "\n";
            default -> throw new IllegalArgumentException("unknown generator " + words[1]);
        };
    }
}
