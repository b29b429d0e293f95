package dev.os2.shell;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one host program for a wrapper capability, with an environment that holds nothing of the
 * user's (only {@code PATH} and what the caller sets), streaming its output to the given sinks as it
 * is produced and keeping the last bytes of each stream for messages and results.
 *
 * <p>Interrupting the calling thread kills the program and throws {@link InterruptedException}.
 */
final class HostProcess {

    /** Bytes of each stream kept for the result. */
    static final int KEPT_BYTES = 16 << 10;

    /** What the program did: its exit status and the last {@link #KEPT_BYTES} of each stream. */
    record Result(int status, String stdout, String stderr) {
        /** The last non-empty line of stderr (or stdout), for a one-line message. */
        String lastLine() {
            for (String text : List.of(stderr, stdout)) {
                List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
                if (!lines.isEmpty()) {
                    return Table.clean(Table.fit(lines.get(lines.size() - 1).strip(), 300));
                }
            }
            return "";
        }
    }

    private HostProcess() {
    }

    /**
     * Runs {@code command} in {@code directory} and waits for it.
     *
     * @param environment variables besides {@code PATH}
     * @param stdout receives its stdout as produced, or null
     * @param stderr receives its stderr as produced, or null
     * @param timeoutSeconds after this long the program is killed and an {@link IOException} thrown
     * @throws IOException if it cannot be started (for example it is not installed) or timed out
     * @throws InterruptedException if the calling thread was interrupted (the program is killed)
     */
    static Result run(List<String> command, Path directory, Map<String, String> environment, OutputStream stdout,
            OutputStream stderr, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile());
        String path = System.getenv("PATH");
        pb.environment().clear();
        pb.environment().put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        pb.environment().putAll(environment);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " cannot be started (is it installed?): " + e.getMessage(), e);
        }
        Pump out = new Pump(process.getInputStream(), stdout);
        Pump err = new Pump(process.getErrorStream(), stderr);
        out.start();
        err.start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within " + timeoutSeconds + " s and was stopped");
            }
            out.join();
            err.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
        return new Result(process.exitValue(), out.kept(), err.kept());
    }

    /** Copies one stream of the program to its sink, keeping the tail. */
    private static final class Pump extends Thread {
        private final InputStream in;
        private final OutputStream sink;
        private final ByteArrayOutputStream tail = new ByteArrayOutputStream();

        Pump(InputStream in, OutputStream sink) {
            super("os2-host-process-pump");
            setDaemon(true);
            this.in = in;
            this.sink = sink;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (sink != null) {
                        try {
                            sink.write(buffer, 0, n);
                            sink.flush();
                        } catch (IOException e) {
                            // The terminal went away; the program still runs to its end.
                        }
                    }
                    synchronized (tail) {
                        tail.write(buffer, 0, n);
                        if (tail.size() > 2 * KEPT_BYTES) {
                            byte[] all = tail.toByteArray();
                            tail.reset();
                            tail.write(all, all.length - KEPT_BYTES, KEPT_BYTES);
                        }
                    }
                }
            } catch (IOException e) {
                // The program was killed; what was read is kept.
            }
        }

        String kept() {
            synchronized (tail) {
                byte[] all = tail.toByteArray();
                int from = Math.max(0, all.length - KEPT_BYTES);
                return new String(all, from, all.length - from, StandardCharsets.UTF_8);
            }
        }
    }
}
