package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simulate}: the same seed and steps print the same head hash as the last line, in two
 * workspaces of one JVM and in a child JVM; another seed prints another; the summary adds up;
 * bad input is one line and exit 2.
 */
class SimulateCommandTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SEED = "7";
    private static final String STEPS = "300";

    @TempDir
    Path dir;

    private CliRun os2(String... args) {
        return CliRun.run(Session.of(Map.of()), args);
    }

    private static String lastLine(String out) {
        List<String> lines = out.strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

    @Test
    void theSameSeedPrintsTheSameHeadHashInEveryRunAndProcess() throws Exception {
        CliRun a = os2("simulate", "--seed", SEED, "--steps", STEPS, "--workspace", dir.resolve("a").toString());
        assertEquals(0, a.status(), a.describe());
        String head = lastLine(a.out());
        assertTrue(head.matches("[0-9a-f]{64}"), "the last line is the head hash: " + a.describe());
        assertTrue(a.out().contains("Invariants held after every step"), a.describe());
        Path ledger = dir.resolve("a").resolve("simulations").resolve("seed-7-steps-300");
        assertTrue(a.out().contains("  ledger  " + ledger + "\n"), a.describe());
        assertFalse(a.out().contains("replaced"), a.describe());

        // Another workspace, same process: the same hash. The same workspace again: replaced, same hash.
        CliRun b = os2("simulate", "--steps", STEPS, "--seed", SEED, "--workspace", dir.resolve("b").toString());
        assertEquals(head, lastLine(b.out()), b.describe());
        CliRun again = os2("simulate", "--seed", SEED, "--steps", STEPS, "--workspace", dir.resolve("a").toString());
        assertEquals(head, lastLine(again.out()), again.describe());
        assertTrue(again.out().contains("(replaced the earlier run there)"), again.describe());

        // --json: the same figures as one object, and the ledger it names verifies to that head.
        CliRun json = os2("simulate", "--seed", SEED, "--steps", STEPS, "--workspace", dir.resolve("c").toString(), "--json");
        assertEquals(0, json.status(), json.describe());
        assertEquals(1, json.outLines().size(), json.describe());
        JsonNode r = JSON.readTree(json.out());
        assertEquals(head, r.get("head_hash").asText());
        assertEquals(7, r.get("seed").asLong());
        assertEquals(300, r.get("steps").asLong());
        assertEquals(0, r.get("invariant_problems").size());
        assertTrue(a.out().contains("State hash: " + r.get("state_hash").asText() + "\n"), a.describe());
        JsonNode tokens = r.get("tokens");
        long ended = 0;
        for (String outcome : List.of("budget_exceeded", "cancelled", "completed", "failed", "rejected", "violation", "unfinished")) {
            ended += tokens.get(outcome).asLong();
        }
        assertEquals(tokens.get("submitted").asLong(), ended, "every submitted token has one outcome: " + tokens);
        long events = 0;
        String previous = "";
        for (var it = r.get("events").fieldNames(); it.hasNext(); ) {
            String kind = it.next();
            assertTrue(kind.compareTo(previous) > 0, "events sorted by kind: " + r.get("events"));
            previous = kind;
            events += r.get("events").get(kind).asLong();
        }
        assertEquals(r.get("entries").asLong(), events);
        assertEquals(1, r.get("events").get("kernel_started").asLong());

        // Another seed, another history.
        CliRun other = os2("simulate", "--seed", "8", "--steps", STEPS, "--workspace", dir.resolve("a").toString());
        assertEquals(0, other.status(), other.describe());
        assertNotEquals(head, lastLine(other.out()), other.describe());

        // A second JVM process: the same hash.
        Path childOut = dir.resolve("child-out.txt");
        Process child = new ProcessBuilder(childCommand("simulate", "--seed", SEED, "--steps", STEPS,
                "--workspace", dir.resolve("child").toString()))
                .redirectOutput(childOut.toFile()).redirectError(dir.resolve("child-err.txt").toFile()).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
        String out = Files.readString(childOut, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out + Files.readString(dir.resolve("child-err.txt")));
        assertEquals(head, lastLine(out), out);
    }

    @Test
    void badSeedsAndStepsAreOneLineAndExitTwo() {
        String ws = dir.resolve("bad").toString();
        String[][] cases = {
            {"simulate", "--workspace", ws, "--steps", "-5"},
            {"simulate", "--workspace", ws, "--steps", "0"},
            {"simulate", "--workspace", ws, "--steps", Integer.toString(SimulateCommand.MAX_STEPS + 1)},
            {"simulate", "--workspace", ws, "--steps", "many"},
            {"simulate", "--workspace", ws, "--steps", "99999999999"},
            {"simulate", "--workspace", ws, "--seed", "abc"},
            {"simulate", "--workspace", ws, "--seed", "1.5"},
            {"simulate", "--workspace", ws, "--seed"},
            {"simulate", "--workspace", ws, "--seed", "1", "extra"},
        };
        for (String[] args : cases) {
            CliRun run = os2(args);
            assertEquals(2, run.status(), run.describe());
            assertTrue(run.err().startsWith("os2: "), run.describe());
            assertEquals(1, run.err().strip().lines().count(), run.describe());
            assertEquals("", run.out(), run.describe());
        }
        assertTrue(os2("simulate", "--workspace", ws, "--steps", "-5").err()
                .startsWith("os2: --steps must be between 1 and " + SimulateCommand.MAX_STEPS + ", got -5."));
        assertFalse(Files.exists(dir.resolve("bad")), "refused input creates nothing");
    }

    /** The command starting {@link Os2} in a new JVM with this JVM's JDK-access flags and class path. */
    private static List<String> childCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")
                    || arg.startsWith("-D")) {
                command.add(arg);
            }
        }
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(Os2.class.getName());
        command.addAll(List.of(args));
        return command;
    }
}
