package dev.os2.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes of UTF-8 to a command's {@link Writer}, decoded as they come (a character split across
 * writes waits for its last byte; malformed bytes become U+FFFD) and flushed after every write, so
 * that a script's output appears as it is produced. Not thread-safe: one producer at a time (the
 * sandbox writes each stream from one thread).
 */
final class WriterOutputStream extends OutputStream {

    private final Writer writer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer pending = ByteBuffer.allocate(16);
    private final CharBuffer chars = CharBuffer.allocate(8192);

    WriterOutputStream(Writer writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        // Finish a character left incomplete by the previous write, byte by byte.
        while (pending.position() > 0 && in.hasRemaining()) {
            pending.put(in.get());
            pending.flip();
            decode(pending, false);
            pending.compact();
        }
        decode(in, false);
        if (in.hasRemaining()) {
            pending.put(in);
        }
        writer.flush();
    }

    private void decode(ByteBuffer in, boolean end) throws IOException {
        while (true) {
            CoderResult r = decoder.decode(in, chars, end);
            chars.flip();
            writer.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
            chars.clear();
            if (!r.isOverflow()) {
                return;
            }
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        writer.flush();
    }

    /** Writes what is left of an incomplete character as U+FFFD and flushes; the writer stays open. */
    @Override
    public synchronized void close() throws IOException {
        pending.flip();
        decode(pending, true);
        pending.clear();
        CoderResult r;
        do {
            r = decoder.flush(chars);
            chars.flip();
            writer.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
            chars.clear();
        } while (r.isOverflow());
        decoder.reset();
        writer.flush();
    }
}
