package dev.os2.shell.python;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One of a run's two output streams (stdout or stderr), as the GraalPy context writes to it:
 * forwards each write to the caller's sink at once, captures it, and counts it, within a byte
 * limit shared by both streams of the run. After the limit it writes a marker once and drops the
 * rest; after the run's stop (budget or fuse) it drops everything, so that the output of a budget
 * stop ends exactly where the meter ran out.
 *
 * <p>Written by the thread that runs the script; the shared {@link Limit} is the lock.
 */
final class OutputChannel extends OutputStream {

    /** The budget of bytes both streams of one run share, and the gate that closes at a stop. */
    static final class Limit {
        private final long bytesMax;
        private long remaining;
        private boolean truncated;
        private boolean closed;

        Limit(long bytesMax) {
            this.bytesMax = bytesMax;
            this.remaining = bytesMax;
        }

        synchronized void close() {
            closed = true;
        }

        synchronized boolean truncated() {
            return truncated;
        }
    }

    private final OutputStream sink;
    private final Limit limit;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private long written;
    private boolean sinkBroken;

    /**
     * @param sink the caller's stream, or null to only capture
     * @param limit shared with the other stream of the run
     */
    OutputChannel(OutputStream sink, Limit limit) {
        this.sink = sink;
        this.limit = limit;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        synchronized (limit) {
            if (limit.closed || len == 0) {
                return;
            }
            written += len;
            int allowed = (int) Math.min(len, limit.remaining);
            limit.remaining -= allowed;
            emit(b, off, allowed);
            if (allowed < len && !limit.truncated) {
                limit.truncated = true;
                byte[] marker = ("\n[os2: output cut after " + limit.bytesMax + " bytes]\n").getBytes(StandardCharsets.US_ASCII);
                emit(marker, 0, marker.length);
            }
        }
    }

    private void emit(byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        captured.write(b, off, len);
        if (sink != null && !sinkBroken) {
            try {
                sink.write(b, off, len);
                sink.flush();
            } catch (IOException | RuntimeException e) {
                // A closed terminal or pipe must not fail the script; the capture goes on.
                sinkBroken = true;
            }
        }
    }

    @Override
    public void flush() {
        // Every write is forwarded and flushed at once.
    }

    /**
     * The captured bytes so far.
     *
     * @return the captured bytes so far
     */
    byte[] captured() {
        synchronized (limit) {
            return captured.toByteArray();
        }
    }

    /**
     * The bytes the script wrote to this stream before the stop, captured or not.
     *
     * @return the bytes the script wrote to this stream before the stop, captured or not
     */
    long written() {
        synchronized (limit) {
            return written;
        }
    }
}
