package dev.os2.shell.python;

import dev.os2.shell.ShellTestSessions;

/**
 * The one sandbox the tests of this package share. It runs on the engine of the shell tests'
 * services ({@link PythonSandbox#withConfig}), so that one engine is built and warmed per test
 * JVM. Its fuses are short enough that the watchdog cases of the escape corpus end quickly, and
 * long enough that an ordinary script never meets them on a loaded machine.
 */
final class TestSandboxes {

    static final SandboxConfig CONFIG = SandboxConfig.defaults()
            .withTimeoutMillis(20_000)
            .withCancelGraceMillis(1_000)
            .withMemoryBytesMax(768L << 20)
            .withOutputBytesMax(64 << 10);

    private static PythonSandbox shared;

    private TestSandboxes() {
    }

    static synchronized PythonSandbox shared() {
        if (shared == null) {
            shared = ShellTestSessions.services().python().withConfig(CONFIG);
            long start = System.nanoTime();
            shared.warmUp();
            System.out.printf("figure: warm-up of a second sandbox on a warm engine %d ms%n", (System.nanoTime() - start) / 1_000_000);
        }
        return shared;
    }
}
