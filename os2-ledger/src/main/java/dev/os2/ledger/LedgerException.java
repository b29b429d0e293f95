package dev.os2.ledger;

/**
 * A storage fault: the ledger could not be opened, read or written. The {@link Category} says
 * which, and the message says what a user can do about it. An append that throws this was not
 * acknowledged and left the ledger as it was.
 */
public final class LedgerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kind of storage fault. */
    public enum Category {
        /** The directory exists and holds something, but not an OS2 ledger. */
        NOT_A_LEDGER,
        /** The ledger was written in a format version this code does not read. */
        UNSUPPORTED_FORMAT,
        /** Another writer, in this or another process, holds the ledger. */
        LOCKED,
        /** The ledger's files or directory cannot be written. */
        READ_ONLY,
        /** The disk has no room for the entry. */
        DISK_FULL,
        /** The stored data is damaged; {@link Ledger#verify()} names the first bad position. */
        CORRUPT,
        /** Any other I/O failure. */
        IO
    }

    private final Category category;

    /** Creates an exception of a category with a message a user can act on. */
    public LedgerException(Category category, String message) {
        super(message);
        this.category = category;
    }

    /** Creates an exception of a category with a message and the underlying cause. */
    public LedgerException(Category category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    /** The kind of storage fault. */
    public Category category() {
        return category;
    }
}
