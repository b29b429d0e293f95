package dev.os2.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A command's standard output on its way out: counts the bytes and hashes them with SHA-256 for
 * the transcript, and runs a check before each write (the shell's check throws
 * {@link CommandInterruptedException} once the command's job was interrupted). Closing it does
 * not close the target. Thread-safe.
 */
final class HashingOutputStream extends OutputStream {

    private final OutputStream target;
    private final Runnable beforeWrite;
    private final MessageDigest sha256;
    private long bytes;

    HashingOutputStream(OutputStream target, Runnable beforeWrite) {
        this.target = Objects.requireNonNull(target, "target");
        this.beforeWrite = Objects.requireNonNull(beforeWrite, "beforeWrite");
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        beforeWrite.run();
        synchronized (this) {
            sha256.update(b, off, len);
            bytes += len;
        }
        target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        target.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
    }

    /** SHA-256 of the bytes written so far, hex. */
    synchronized String sha256() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) sha256.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests can be cloned", e);
        }
    }

    /** The number of bytes written so far. */
    synchronized long bytes() {
        return bytes;
    }
}
