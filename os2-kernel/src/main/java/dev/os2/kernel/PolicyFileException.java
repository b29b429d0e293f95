package dev.os2.kernel;

/**
 * A {@code CapabilityLimits.toml} file that cannot be used: unreadable, not TOML, an unknown table
 * or key, or a value that is not a count. The message reads {@code file:line: key: problem}.
 */
public final class PolicyFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The file or source name. */
    private final String file;
    /** The 1-based line, or 0. */
    private final int line;
    /** The dotted key at fault, or null. */
    private final String key;

    PolicyFileException(String file, int line, String key, String problem, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + (key == null ? "" : key + ": ") + problem, cause);
        this.file = file;
        this.line = line;
        this.key = key;
    }

    /** The file (or source name) that was read. */
    public String file() {
        return file;
    }

    /** The 1-based line of the problem, or 0 when it has no line (the file could not be read). */
    public int line() {
        return line;
    }

    /** The dotted key at fault, such as {@code capability."fs.read".memory_bytes}, or null for a syntax error. */
    public String key() {
        return key;
    }
}
