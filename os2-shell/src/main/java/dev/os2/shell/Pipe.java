package dev.os2.shell;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A bounded byte pipe between two commands of a shell pipeline, each on its own thread. The writer
 * blocks while the pipe is full, the reader while it is empty. Closing the write end gives the
 * reader end-of-file once it has read everything; closing the read end makes the writer's next
 * write throw {@link BrokenPipeException}. Waits are interruptible: an interrupted writer or
 * reader gets {@link CommandInterruptedException}. Thread-safe.
 */
final class Pipe {

    /** Bytes held before the writer waits. */
    static final int CAPACITY_BYTES = 64 << 10;

    private final byte[] buffer = new byte[CAPACITY_BYTES];
    private int head;
    private int count;
    private boolean writerClosed;
    private boolean readerClosed;

    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            put(b, off, len);
        }

        @Override
        public void close() {
            closeWriter();
        }
    };

    private final InputStream in = new InputStream() {
        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return take(b, off, len);
        }

        @Override
        public int available() {
            synchronized (Pipe.this) {
                return count;
            }
        }

        @Override
        public void close() {
            closeReader();
        }
    };

    /** The write end, for the command before. */
    OutputStream writer() {
        return out;
    }

    /** The read end, for the command after. */
    InputStream reader() {
        return in;
    }

    private synchronized void put(byte[] b, int off, int len) {
        while (len > 0) {
            if (readerClosed) {
                throw new BrokenPipeException();
            }
            if (writerClosed) {
                throw new IllegalStateException("write after the write end of the pipe was closed");
            }
            if (count == buffer.length) {
                await();
                continue;
            }
            int tail = (head + count) % buffer.length;
            int n = Math.min(len, Math.min(buffer.length - count, buffer.length - tail));
            System.arraycopy(b, off, buffer, tail, n);
            count += n;
            off += n;
            len -= n;
            notifyAll();
        }
    }

    private synchronized int take(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        while (count == 0) {
            if (writerClosed || readerClosed) {
                return -1;
            }
            await();
        }
        int n = Math.min(len, Math.min(count, buffer.length - head));
        System.arraycopy(buffer, head, b, off, n);
        head = (head + n) % buffer.length;
        count -= n;
        notifyAll();
        return n;
    }

    private void await() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandInterruptedException();
        }
    }

    synchronized void closeWriter() {
        writerClosed = true;
        notifyAll();
    }

    synchronized void closeReader() {
        readerClosed = true;
        count = 0;
        notifyAll();
    }
}
