package dev.os2.shell;

import java.util.Map;

/**
 * One {@link ShellServices} for every test that runs Python through the command line, so that its
 * sandbox's engine is built and warmed once per test JVM; the sandbox tests' own sandbox
 * ({@code python/TestSandboxes}) runs on the same engine. Never closed: the JVM's end does.
 */
public final class ShellTestSessions {

    private static ShellServices shared;

    private ShellTestSessions() {
    }

    /**
     * The shared services; the first call warms the Python engine and prints how long it took.
     *
     * @return the services, never closed
     */
    public static synchronized ShellServices services() {
        if (shared == null) {
            shared = ShellServices.oneShot();
            long start = System.nanoTime();
            shared.python().warmUp();
            System.out.printf("figure: shell engine warm-up %d ms%n", (System.nanoTime() - start) / 1_000_000);
        }
        return shared;
    }

    /** A session with no terminal, program {@code os2}, and the shared services. */
    static Session session() {
        return new Session(Map.of(), false, 0, "os2", false, services());
    }
}
