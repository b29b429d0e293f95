package dev.os2.bench.python;

import dev.os2.bench.BenchFiles;
import dev.os2.shell.Os2;
import dev.os2.shell.Session;
import dev.os2.shell.ShellServices;
import dev.os2.shell.python.PythonSandbox;
import dev.os2.shell.python.RunRequest;
import dev.os2.shell.python.RunResult;
import dev.os2.shell.python.SandboxConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import picocli.CommandLine;

/**
 * {@code pyx 1+1} in a warm shell beside what a user would otherwise run, {@code python3 -c
 * 'print(1+1)'} as a subprocess, in the same run; and the sandbox's own cost
 * per run. Every score is milliseconds per operation. Goal: {@link #pyxRoundTrip} at most 1.0×
 * {@link #python3Subprocess}. Each benchmark has a fork of its own; the engines are set up only
 * in the forks of the benchmarks that use them ({@link Shell}), so CPython's runs share the
 * machine with no engine's background work.
 *
 * <p>A sandbox run takes a context prepared ahead (interpreter started, prelude run) and, once its
 * result is handed over, prepares the next one on its own thread. In a shell that happens between
 * two commands, while the operator reads and types; a loop of runs with no pause makes every run
 * compete with that work for the CPU.
 *
 * <ul>
 *   <li>{@link #pyxRoundTrip}: the {@code pyx} command through the command line the shell runs
 *       ({@link Os2#commandLine}), in-process with one shell session whose Python engine is warm
 *       and whose workspace kernel stays open (a warm shell): submit a {@code python.exec} token,
 *       run it in a prepared sandbox context (the expression, its statements charged, the output
 *       hash recorded in the Chronicle ledger), print the repr. Before each operation (not timed)
 *       the sandbox's spare contexts are made, as they are at a prompt.</li>
 *   <li>{@link #pyxBackToBack}: the same with no pause between operations: a script that runs
 *       {@code pyx} in a loop, each run competing with the preparation of the next context.</li>
 *   <li>{@link #python3Subprocess}, the peer: start CPython with {@code -c 'print(1+1)'}, read its
 *       output, wait for it. The interpreter is resolved once ({@code sys.executable}), so a
 *       version-manager shim in front of {@code python3} is not counted.</li>
 *   <li>{@link #sandboxRun}: {@code pass} straight through the sandbox, no kernel, spares made
 *       before each operation (not timed): what a run costs its caller in the sandbox (claiming
 *       a prepared context, seeding it, the run, the close).</li>
 *   <li>{@link #sandboxRunWithContext}: the same, then the wait for the next context to be
 *       prepared, timed: all a run costs, its context included. The difference from
 *       {@link #sandboxRun} is the creation of a context.</li>
 * </ul>
 *
 * <p>The engine's warm-up (build plus the warm-up script) happens once per fork in the setup and
 * is printed as {@code figure: engine warm-up N ms}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {
        // Chronicle's flags (see EndToEndBench), for the workspace ledger.
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true", "--enable-native-access=ALL-UNNAMED"})
public class PyxBench {

    /**
     * The warm shell: its session's Python engine, a session on it whose workspace kernel stays
     * open, and a bare sandbox. Only the benchmarks that use it pay for it, so the peer's fork
     * runs no engine beside CPython.
     */
    @State(Scope.Benchmark)
    public static class Shell {
        private ShellServices services;
        private CommandLine cl;
        private StringWriter out;
        private StringWriter err;
        private Path workspace;
        private PythonSandbox sandbox;

        /**
         * Warms the session's engine (timed and printed) and a bare sandbox.
         *
         * @throws IOException if the workspace's folder cannot be made
         * @throws InterruptedException if interrupted while warming
         */
        @Setup(Level.Trial)
        public void warmUp() throws IOException, InterruptedException {
            // The shell's services: the workspace kernel stays open between commands, as in a warm shell.
            services = ShellServices.shared();
            long start = System.nanoTime();
            services.python().warmUp();
            System.out.printf("%nfigure: engine warm-up %d ms%n", (System.nanoTime() - start) / 1_000_000);
            Session session = new Session(Map.of(), false, 0, "os2", false, services);
            cl = Os2.commandLine(session);
            // One workspace for the trial: the shell keeps its kernel open, as a session would.
            workspace = BenchFiles.tempDir("os2-pyx-bench").resolve("ws");
            out = new StringWriter();
            err = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            sandbox = PythonSandbox.create(SandboxConfig.defaults());
            sandbox.warmUp();
        }

        /** Closes the engines and the workspace's kernel, then deletes the workspace. */
        @TearDown(Level.Trial)
        public void close() {
            services.close();
            sandbox.close();
            BenchFiles.deleteTree(workspace.getParent());
        }
    }

    /** The peer's state: the CPython executable, resolved once. */
    @State(Scope.Benchmark)
    public static class CPython {
        private String python3;

        /**
         * Resolves {@code python3} to its executable ({@code sys.executable}).
         *
         * @throws IOException if {@code python3} cannot be started
         * @throws InterruptedException if interrupted while it runs
         */
        @Setup(Level.Trial)
        public void find() throws IOException, InterruptedException {
            Process which = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").redirectErrorStream(true).start();
            python3 = new String(which.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (which.waitFor() != 0 || python3.isEmpty()) {
                throw new IllegalStateException("python3 is not installed: " + python3);
            }
        }
    }

    /**
     * Before each operation of the benchmarks that take it (not timed): the sandboxes' spare
     * contexts made and nothing being prepared, as in a shell between two commands.
     */
    @State(Scope.Thread)
    public static class Idle {
        /**
         * Waits for both sandboxes' spares.
         *
         * @param shell the warm shell, set up first
         * @throws InterruptedException if interrupted
         */
        @Setup(Level.Invocation)
        public void awaitSpares(Shell shell) throws InterruptedException {
            shell.services.python().awaitSpares();
            shell.sandbox.awaitSpares();
        }
    }

    /** {@code pyx 1+1} through the shell's command line, kernel and ledger included, spares made. */
    @Benchmark
    public String pyxRoundTrip(Shell shell, Idle idle) {
        return pyx(shell);
    }

    /** {@code pyx 1+1} as {@link #pyxRoundTrip}, one after the other with no pause. */
    @Benchmark
    public String pyxBackToBack(Shell shell) {
        return pyx(shell);
    }

    private static String pyx(Shell shell) {
        shell.out.getBuffer().setLength(0);
        int status = shell.cl.execute("pyx", "--workspace", shell.workspace.toString(), "1+1");
        String printed = shell.out.toString();
        if (status != 0 || !printed.equals("2\n")) {
            throw new IllegalStateException("pyx 1+1 gave exit " + status + ", output " + printed + shell.err);
        }
        return printed;
    }

    /** {@code python3 -c 'print(1+1)'} as a subprocess, its output read. */
    @Benchmark
    public String python3Subprocess(CPython cpython) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cpython.python3, "-c", "print(1+1)").redirectErrorStream(true).start();
        String printed;
        try (InputStream in = p.getInputStream()) {
            printed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0 || !printed.equals("2\n")) {
            throw new IllegalStateException("python3 gave " + printed);
        }
        return printed;
    }

    /** {@code pass} straight through a warm sandbox: a prepared context per run, no kernel. */
    @Benchmark
    public RunResult sandboxRun(Shell shell, Idle idle) {
        return pass(shell);
    }

    private static RunResult pass(Shell shell) {
        RunResult r = shell.sandbox.run(RunRequest.of("bench.py", "pass"), null, null);
        if (!(r instanceof RunResult.Completed)) {
            throw new IllegalStateException("the sandbox run did not complete: " + r);
        }
        return r;
    }

    /** {@link #sandboxRun}, then the preparation of the context that replaces the one it used. */
    @Benchmark
    public RunResult sandboxRunWithContext(Shell shell, Idle idle) throws InterruptedException {
        RunResult r = pass(shell);
        shell.sandbox.awaitSpares();
        return r;
    }
}
