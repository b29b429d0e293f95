package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A session's transcript: {@code <workspace>/logs/<timestamp>.jsonl}, one file per shell session
 * (and one per command run one-shot), one JSON object per line, appended and flushed as each
 * command ends. This class is the one definition of the format, version {@link #FORMAT}:
 *
 * <ul>
 *   <li>{@code {"type":"session_started","format":1,"session":…,"mode":…,"workspace":…,
 *       "os2_version":…,"java_version":…,"pid":…,"started_at":…}} first;
 *   <li>{@code {"type":"command","seq":N,"source":…,"line_number":N,"line":…,"job":N|null,
 *       "background":bool,"stage":N,"stages":N,"command":…,"args":[…],"started_at":…,
 *       "duration_ms":…,"status":N,"outcome":…,"output_sha256":…,"output_bytes":N,
 *       "ledger":{"workspace":…,"size_before":N,"size_after":N}|null,"details":{…}}} per command
 *       (each command of a pipeline has its own; {@code ledger} is null for a command that never
 *       reached a workspace kernel; {@code details} holds what the command
 *       {@linkplain ShellServices#annotate annotated}: seed, capability, budgets, token…);
 *       a line that does not parse has {@code "command":null}, {@code "outcome":"syntax_error"}
 *       and an {@code "error"};
 *   <li>{@code {"type":"session_ended","commands":N,"status":N,"ended_at":…,"duration_ms":…}} last,
 *       when the session ends normally.
 * </ul>
 *
 * <p>{@code outcome} names the exit status: {@code ok} 0, {@code check_failed} 1,
 * {@code usage_error} 2, {@code internal_error} 3, {@code interrupted} 130, {@code broken_pipe}
 * 141, {@code stopped} 148, else {@code exit_N}. Times are wall-clock UTC (ISO-8601); a transcript
 * is a record of what the operator did, not part of the deterministic core. The output hash is
 * SHA-256 of the bytes the command wrote to its standard output.
 *
 * <p>A transcript that cannot be written (a read-only workspace) is {@link #disabled()}: commands
 * run without one. Thread-safe.
 */
final class Transcript implements AutoCloseable {

    /** The format's version, written in every {@code session_started} record. */
    static final int FORMAT = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Path file;
    private final OutputStream out;
    private final String session;
    private final Instant started;
    private long commands;
    private boolean closed;

    private Transcript(Path file, OutputStream out, String session, Instant started) {
        this.file = file;
        this.out = out;
        this.session = session;
        this.started = started;
    }

    /** A transcript that records nothing. */
    static Transcript disabled() {
        return new Transcript(null, null, "", Instant.EPOCH);
    }

    /**
     * Starts a transcript in {@code workspace}'s logs folder (which must exist) and writes its
     * {@code session_started} record.
     *
     * @param workspace the workspace
     * @param mode how the session runs: {@code interactive}, {@code stdin}, {@code command},
     *     {@code script} or {@code one-shot}
     * @return the transcript, or {@link #disabled()} when the file cannot be created
     */
    static Transcript start(Workspace workspace, String mode) {
        Instant now = Instant.now();
        String stem = FILE_TIME.format(now);
        Path dir = workspace.logsDirectory();
        for (int attempt = 1; attempt < 1000; attempt++) {
            String name = attempt == 1 ? stem : stem + "-" + attempt;
            Path file = dir.resolve(name + ".jsonl");
            try {
                OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                Transcript t = new Transcript(file, out, name, now);
                ObjectNode o = JSON.createObjectNode();
                o.put("type", "session_started");
                o.put("format", FORMAT);
                o.put("session", name);
                o.put("mode", mode);
                o.put("workspace", workspace.directory().toString());
                String version = Os2.class.getPackage().getImplementationVersion();
                o.put("os2_version", version == null ? "dev" : version);
                o.put("java_version", Runtime.version().toString());
                o.put("pid", ProcessHandle.current().pid());
                o.put("started_at", now.toString());
                t.write(o);
                return t;
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (IOException | RuntimeException e) {
                return disabled();
            }
        }
        return disabled();
    }

    /** The transcript file, or null when disabled. */
    Path file() {
        return file;
    }

    /** Whether anything is recorded. */
    boolean enabled() {
        return out != null;
    }

    /**
     * One command's record.
     *
     * @param source where the line came from: {@code interactive}, {@code stdin}, {@code command},
     *     or the script's path
     * @param lineNumber the line's number in its source (1-based; for interactive input, the count of lines read)
     * @param line the whole line as typed
     * @param job the job number, or 0 for none
     * @param background whether the job ran in the background
     * @param stage the command's index in its pipeline
     * @param stages the number of commands in the pipeline
     * @param words the command's name and arguments
     * @param startedAt when it started
     * @param durationNanos how long it ran
     * @param status its exit status
     * @param outputSha256 SHA-256 of its standard output, hex
     * @param outputBytes how many bytes it wrote to standard output
     * @param ledger what it did to a ledger, or null
     * @param details what it annotated
     */
    record Command(String source, long lineNumber, String line, int job, boolean background, int stage, int stages,
            List<String> words, Instant startedAt, long durationNanos, int status, String outputSha256, long outputBytes,
            ShellServices.LedgerTouch ledger, Map<String, Object> details) {
    }

    /** Records one command. */
    void command(Command c) {
        if (out == null) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("source", c.source());
        o.put("line_number", c.lineNumber());
        o.put("line", c.line());
        if (c.job() > 0) {
            o.put("job", c.job());
        } else {
            o.putNull("job");
        }
        o.put("background", c.background());
        o.put("stage", c.stage());
        o.put("stages", c.stages());
        o.put("command", c.words().get(0));
        o.set("args", JSON.valueToTree(c.words().subList(1, c.words().size())));
        o.put("started_at", c.startedAt().toString());
        o.put("duration_ms", Math.round(c.durationNanos() / 1_000.0) / 1_000.0);
        o.put("status", c.status());
        o.put("outcome", outcome(c.status()));
        o.put("output_sha256", c.outputSha256());
        o.put("output_bytes", c.outputBytes());
        if (c.ledger() == null) {
            o.putNull("ledger");
        } else {
            ObjectNode l = o.putObject("ledger");
            l.put("workspace", c.ledger().workspace().directory().toString());
            l.put("size_before", c.ledger().sizeBefore());
            l.put("size_after", c.ledger().sizeAfter());
        }
        o.set("details", details(c.details()));
        writeNumbered(o);
    }

    /** Writes a command record with the next sequence number, so that numbers follow the file's order. */
    private synchronized void writeNumbered(ObjectNode fields) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "command");
        o.put("seq", ++commands);
        o.setAll(fields);
        write(o);
    }

    /** Records a line that did not parse. */
    void syntaxError(String source, long lineNumber, String line, String error) {
        if (out == null) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("source", source);
        o.put("line_number", lineNumber);
        o.put("line", line);
        o.putNull("command");
        o.put("started_at", Instant.now().toString());
        o.put("status", Os2.EXIT_USAGE);
        o.put("outcome", "syntax_error");
        o.put("error", error);
        writeNumbered(o);
    }

    /** The name of an exit status in transcripts. */
    static String outcome(int status) {
        return switch (status) {
            case Os2.EXIT_OK -> "ok";
            case Os2.EXIT_CHECK_FAILED -> "check_failed";
            case Os2.EXIT_USAGE -> "usage_error";
            case Os2.EXIT_INTERNAL -> "internal_error";
            case Os2.EXIT_INTERRUPTED -> "interrupted";
            case Os2.EXIT_BROKEN_PIPE -> "broken_pipe";
            case Os2.EXIT_STOPPED -> "stopped";
            default -> "exit_" + status;
        };
    }

    private static JsonNode details(Map<String, Object> details) {
        try {
            return JSON.valueToTree(details);
        } catch (IllegalArgumentException e) {
            // A value Jackson cannot turn into JSON: keep the record, with the values as text.
            ObjectNode o = JSON.createObjectNode();
            details.forEach((k, v) -> o.put(k, String.valueOf(v)));
            return o;
        }
    }

    private synchronized void write(ObjectNode o) {
        if (out == null || closed) {
            return;
        }
        try {
            out.write((o.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // A transcript that cannot be written must not stop the operator's work.
        }
    }

    /**
     * Writes the {@code session_ended} record and closes the file.
     *
     * @param status the session's exit status
     */
    void end(int status) {
        if (out == null) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("type", "session_ended");
        synchronized (this) {
            o.put("commands", commands);
        }
        o.put("status", status);
        Instant now = Instant.now();
        o.put("ended_at", now.toString());
        o.put("duration_ms", java.time.Duration.between(started, now).toMillis());
        write(o);
        close();
    }

    /** Closes the file without a {@code session_ended} record. Idempotent. */
    @Override
    public synchronized void close() {
        if (out == null || closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            // Nothing more to record.
        }
    }

    /** The session's name: the file name without {@code .jsonl}. */
    String session() {
        return session;
    }

    @Override
    public String toString() {
        return "Transcript[" + Objects.toString(file, "disabled") + "]";
    }
}
