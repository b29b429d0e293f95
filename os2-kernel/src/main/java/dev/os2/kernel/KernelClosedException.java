package dev.os2.kernel;

/**
 * The kernel is closed: {@link Kernel#close()} was called, or a storage fault stopped it (then
 * {@link #getCause()} is the {@link dev.os2.ledger.LedgerException}). Nothing was recorded.
 */
public final class KernelClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message and the fault that closed the kernel, if any. */
    public KernelClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
