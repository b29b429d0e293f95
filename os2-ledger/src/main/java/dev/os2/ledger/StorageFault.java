package dev.os2.ledger;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Locale;

/**
 * Turns what the file system and Chronicle Queue throw into categorised {@link LedgerException}s,
 * so that no raw I/O or Chronicle exception leaves the ledger. The category comes from the
 * deepest recognisable cause: the operating system's error text is the only portable signal for
 * "read-only" and "disk full" that Java gives.
 */
final class StorageFault {

    private StorageFault() {
    }

    /**
     * A fault while changing {@code where}: READ_ONLY, DISK_FULL or IO by cause.
     *
     * @param action what the ledger was doing, as a phrase ("create the ledger directory")
     */
    static LedgerException writing(String action, Path where, Throwable cause) {
        LedgerException.Category category = writeCategory(cause);
        String advice = switch (category) {
            case READ_ONLY -> "; the directory or its files are read-only: make them writable, "
                    + "or open the ledger read-only to verify or inspect it";
            case DISK_FULL -> "; the disk is full: free some space and retry (nothing was acknowledged)";
            case NOT_A_LEDGER, UNSUPPORTED_FORMAT, LOCKED, CORRUPT, IO -> "";
        };
        return new LedgerException(category, "cannot " + action + " in " + where + ": " + describe(cause) + advice, cause);
    }

    /**
     * A fault while only reading {@code where}: IO when the operating system refused (a
     * permission, a device error), CORRUPT when the stored data itself cannot be read back.
     */
    static LedgerException reading(String action, Path where, Throwable cause) {
        if (cause instanceof LedgerException e) {
            return e;
        }
        IOException io = findIo(cause);
        if (io != null && !memoryFault(cause)) {
            return new LedgerException(LedgerException.Category.IO, "cannot " + action + " in " + where + ": " + describe(cause), cause);
        }
        return new LedgerException(LedgerException.Category.CORRUPT, "cannot " + action + " in " + where + ": "
                + describe(cause) + "; the queue files are damaged: run ledger-verify", cause);
    }

    /** The category a failed write falls in. */
    static LedgerException.Category writeCategory(Throwable cause) {
        if (cause instanceof LedgerException e) {
            return e.category();
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException || t instanceof ReadOnlyFileSystemException) {
                return LedgerException.Category.READ_ONLY;
            }
            String text = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof FileSystemException fse && fse.getReason() != null) {
                text = text + " " + fse.getReason().toLowerCase(Locale.ROOT);
            }
            if (text.contains("read-only file system") || text.contains("permission denied")) {
                return LedgerException.Category.READ_ONLY;
            }
            if (text.contains("no space left") || text.contains("disk quota exceeded")) {
                return LedgerException.Category.DISK_FULL;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return LedgerException.Category.IO;
    }

    /**
     * True for the error the JVM raises when a memory-mapped page cannot be read or written
     * (SIGBUS): the file was truncated under the mapping, or the file system had no block to back
     * a page on first write.
     */
    static boolean memoryFault(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InternalError && c.getMessage() != null && c.getMessage().contains("unsafe memory access")) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** True for an assertion inside Chronicle's own code (enabled with -ea), which checks its file structures. */
    static boolean chronicleAssertion(Throwable t) {
        if (!(t instanceof AssertionError)) {
            return false;
        }
        StackTraceElement[] trace = t.getStackTrace();
        return trace.length > 0 && trace[0].getClassName().startsWith("net.openhft.");
    }

    private static IOException findIo(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }
}
