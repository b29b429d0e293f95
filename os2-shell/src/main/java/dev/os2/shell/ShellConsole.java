package dev.os2.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;

/**
 * Where the shell's output goes: the terminal of an interactive session (through JLine, so that a
 * background job's lines appear above the prompt being edited instead of through it), or the
 * process's standard output and error when the shell reads a script from a pipe. Writes are whole
 * calls, serialised, and flushed at once. Thread-safe.
 */
final class ShellConsole {

    private final Terminal terminal;
    private final OutputStream out;
    private final OutputStream err;
    private volatile LineReader reader;

    private ShellConsole(Terminal terminal, OutputStream out, OutputStream err) {
        this.terminal = terminal;
        this.out = out;
        this.err = err;
    }

    /** The console of a shell reading a script: the process's standard output and error. */
    static ShellConsole plain(PrintStream out, PrintStream err) {
        return new ShellConsole(null, Objects.requireNonNull(out, "out"), Objects.requireNonNull(err, "err"));
    }

    /** The console of an interactive session on {@code terminal}; standard error stays the process's. */
    static ShellConsole interactive(Terminal terminal, PrintStream err) {
        return new ShellConsole(Objects.requireNonNull(terminal, "terminal"), terminal.output(), err);
    }

    /** Sets the line reader, once it exists, so that output arriving while it reads goes above the prompt. */
    void attach(LineReader value) {
        reader = value;
    }

    /** The terminal, or null when the shell is not interactive. */
    Terminal terminal() {
        return terminal;
    }

    /** The line reader of an interactive session, or null. */
    LineReader reader() {
        return reader;
    }

    /** Whether the shell reads from a person at a terminal. */
    boolean interactive() {
        return terminal != null;
    }

    /** The terminal's width in characters, or 0 when unknown or not a terminal. */
    int columns() {
        return terminal == null ? 0 : Math.max(0, terminal.getWidth());
    }

    /** Writes bytes to standard output ({@code error} false) or error, and flushes. */
    synchronized void write(boolean error, byte[] b, int off, int len) {
        try {
            OutputStream target = error ? err : out;
            target.write(b, off, len);
            target.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes text to standard output ({@code error} false) or error, and flushes. */
    void print(boolean error, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(error, bytes, 0, bytes.length);
    }

    /**
     * Shows a complete line of output that comes while the user may be editing a line: above the
     * prompt when the line reader is reading, else as an ordinary line.
     */
    void printAbove(boolean error, String line) {
        LineReader r = reader;
        if (r != null && r.isReading()) {
            synchronized (this) {
                r.printAbove(line);
            }
        } else {
            print(error, line + "\n");
        }
    }
}
