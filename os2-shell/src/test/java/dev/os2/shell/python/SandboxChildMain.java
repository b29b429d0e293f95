package dev.os2.shell.python;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child JVM of {@link DeterminismAcrossProcessesTest}: runs each script file given on the
 * command line with the given seed and budget in a fresh sandbox, and prints one summary line per
 * script ({@link DeterminismAcrossProcessesTest#summary}).
 *
 * <p>Usage: {@code SandboxChildMain <seed> <budget> <script>...}
 */
public final class SandboxChildMain {

    private SandboxChildMain() {
    }

    /**
     * @param args the seed, the budget, then script paths
     * @throws IOException if a script cannot be read
     */
    public static void main(String[] args) throws IOException {
        long seed = Long.parseLong(args[0]);
        long budget = Long.parseLong(args[1]);
        try (PythonSandbox sandbox = PythonSandbox.create(TestSandboxes.CONFIG)) {
            for (int i = 2; i < args.length; i++) {
                Path script = Path.of(args[i]);
                RunResult result = sandbox.run(RunRequest.of(script.getFileName().toString(), Files.readString(script))
                        .withSeed(seed).withStatementBudget(budget), null, null);
                System.out.println(DeterminismAcrossProcessesTest.summary(result));
            }
        }
        System.out.flush();
        // The sandbox's threads are daemons; exit at once rather than wait for the engine to wind down.
        System.exit(0);
    }
}
