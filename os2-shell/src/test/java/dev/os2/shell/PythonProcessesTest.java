package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.Ledger;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same {@code os2 python -c …} in two separate JVM processes (a child JVM and this one), each
 * on a fresh workspace: the same output bytes, the same stop (the budget, at the same statement),
 * the same ledger head.
 */
class PythonProcessesTest {

    /**
     * Entropy, the clock, identity hashing, then a loop the budget stops. Kept light (modules the
     * sandbox's warm-up already loaded): a cold JVM on a busy machine must finish well inside the
     * sandbox's wall-clock fuse, whose stop would not be deterministic.
     */
    static final String SCRIPT = """
            import random, os, time
            print(random.random(), random.getrandbits(64), os.urandom(4).hex(), time.time())
            class Point:
                pass
            print(sorted(hash(Point()) % 1000 for _ in range(5)), {str(i) for i in range(8)})
            n = 0
            while True:
                n += 1
                if n % 200 == 0:
                    print(n)
            """;

    @TempDir
    Path dir;

    @Test
    void twoProcessesGiveByteIdenticalOutputAndTheSameLedgerHead() throws Exception {
        // One run in a child JVM, which builds and warms its own Python engine, while this JVM (the
        // other process) runs the same command line in-process with its warm shared engine.
        Process child = new ProcessBuilder(childCommand("python", "--workspace", dir.resolve("child").toString(), "--token-budget",
                "1000", "-c", SCRIPT)).redirectOutput(dir.resolve("child.out").toFile())
                .redirectError(dir.resolve("child.err").toFile()).start();
        CliRun here = CliRun.run(ShellTestSessions.session(), "python", "--workspace", dir.resolve("here").toString(),
                "--token-budget", "1000", "-c", SCRIPT);
        assertTrue(child.waitFor(10, TimeUnit.MINUTES), "the child JVM did not finish");
        String both = "--- here\n" + here.out() + here.err() + "--- child\n" + Files.readString(dir.resolve("child.out"))
                + Files.readString(dir.resolve("child.err"));
        assertEquals(1, here.status(), "the budget stops the script: exit 1\n" + both);
        assertEquals(1, child.exitValue(), "the budget stops the script: exit 1\n" + both);
        byte[] out = here.out().getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(out, Files.readAllBytes(dir.resolve("child.out")), both);
        assertTrue(here.out().contains("\n200\n"), both);
        String stop = here.err().strip();
        assertEquals(stop, stopLine(dir.resolve("child.err")), both);
        assertTrue(stop.startsWith("os2: the token budget ran out after 1000 statements at <string>:"), both);
        assertEquals(head(dir.resolve("here")), head(dir.resolve("child")));
    }

    /** The os2 line of a child's stderr (JVM warnings, if any, are other lines). */
    private static String stopLine(Path err) throws IOException {
        return Files.readAllLines(err).stream().filter(l -> l.startsWith("os2: ")).findFirst().orElse("(none) " + Files.readString(err));
    }

    private static String head(Path workspace) {
        try (Ledger ledger = Workspace.at(workspace).openLedgerReadOnly()) {
            return ledger.headHash().toHex();
        }
    }

    /** The command starting {@link Os2} in a new JVM with this JVM's JDK-access flags and class path. */
    static List<String> childCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")
                    || arg.startsWith("-D")) {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(Os2.class.getName());
        command.addAll(List.of(args));
        return command;
    }
}
