package dev.os2.shell.bench;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.sim.Workload;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.Hash;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code scenario-run --kill-process}: the first steps of the workload run in a child JVM, which
 * is then killed with SIGKILL ({@link Process#destroyForcibly()}) while it holds the ledger open
 * for writing: no clean close, no sealed head, the writer's lock held by a dead process. The
 * parent then reopens the files and recovers from them.
 *
 * <p>The child is killed while it waits between steps, so that what it wrote, and so the whole
 * run, stays a function of the seed; a kill in the middle of an append is the ledger's own crash
 * test ({@code CrashTest} in {@code os2-ledger}), and a kill in the middle of a token's run is the
 * in-process kill of {@link FaultSimulation}.
 */
public final class ProcessKill {

    /** Longest the parent waits for the child to finish its steps. */
    private static final long CHILD_WAIT_SECONDS = 600;

    private ProcessKill() {
    }

    /**
     * What the child reported before it was killed.
     *
     * @param entries the ledger's size
     * @param head its head hash
     */
    record Report(long entries, Hash head) {
    }

    /**
     * Runs {@code steps} steps of the workload for {@code seed} in a child JVM on a new Chronicle
     * ledger in {@code ledgerDir}, and kills the child with SIGKILL once it reports.
     *
     * @param stderrFile where the child's standard error goes
     * @return what the child reported
     * @throws IOException if the child cannot be started, dies before reporting, or takes too long
     */
    static Report run(long seed, int steps, Path ledgerDir, Path stderrFile) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // The JDK-access flags Chronicle needs and the system properties; not agents or debuggers.
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")
                    || arg.startsWith("-D") || arg.startsWith("-Xss")) {
                command.add(arg);
            }
        }
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProcessKill.class.getName());
        command.add(Long.toString(seed));
        command.add(Integer.toString(steps));
        command.add(ledgerDir.toString());
        Process child = new ProcessBuilder(command).redirectError(stderrFile.toFile()).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return lines.readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            String line;
            try {
                line = ready.get(CHILD_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IOException("the child JVM did not finish " + steps + " steps in " + CHILD_WAIT_SECONDS + " s");
            } catch (ExecutionException e) {
                throw new IOException("reading from the child JVM failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the child JVM", e);
            }
            if (line == null || !line.startsWith("ready ")) {
                throw new IOException("the child JVM ended without reporting (" + line + "); its stderr: " + tail(stderrFile));
            }
            String[] parts = line.split(" ");
            return new Report(Long.parseLong(parts[1]), Hash.parse(parts[2]));
        } finally {
            child.destroyForcibly();
            try {
                child.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(empty)" : text.substring(Math.max(0, text.length() - 2000));
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    /**
     * The child: {@code <seed> <steps> <ledger directory>}. Runs the steps, prints
     * {@code ready <entries> <head>} and waits, holding the ledger open, until it is killed. If its
     * standard input closes first (the parent is gone), it halts without closing the ledger.
     *
     * @throws IOException if standard input cannot be read
     */
    public static void main(String[] args) throws IOException {
        long seed = Long.parseLong(args[0]);
        int steps = Integer.parseInt(args[1]);
        Workload workload = new Workload(seed);
        ChronicleLedger ledger = ChronicleLedger.open(Path.of(args[2]));
        Kernel kernel = Kernel.create(workload.config(), ledger);
        workload.attach(kernel);
        for (int i = 0; i < steps; i++) {
            workload.step();
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("ready " + ledger.size() + " " + ledger.headHash().toHex());
        while (System.in.read() >= 0) {
            // Wait for the kill.
        }
        Runtime.getRuntime().halt(0);
    }
}
