package dev.os2.shell.bench;

import java.io.PrintWriter;

/**
 * A one-line progress bar on standard error, redrawn in place, shown only when standard error is
 * a terminal (otherwise every call does nothing, so logs and pipes stay clean). Redraws only when
 * the line changes. Not thread-safe.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private String last = "";

    ProgressBar(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** Shows {@code label} with {@code done} of {@code total} done. */
    void show(String label, long done, long total) {
        if (!enabled) {
            return;
        }
        long percent = total <= 0 ? 0 : Math.min(100, 100 * done / total);
        int filled = (int) (WIDTH * percent / 100);
        String line = label + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + percent + "%";
        if (!line.equals(last)) {
            err.print("\r" + line + "\u001b[K");
            err.flush();
            last = line;
        }
    }

    /** Removes the bar, so the next output starts on a clean line. */
    void clear() {
        if (enabled && !last.isEmpty()) {
            err.print("\r\u001b[K");
            err.flush();
            last = "";
        }
    }
}
