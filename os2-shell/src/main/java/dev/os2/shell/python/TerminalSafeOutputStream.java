package dev.os2.shell.python;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A sink for a terminal that shows a script's control characters instead of obeying them, so
 * that no escape sequence (cursor movement, colours, clearing the screen, terminal title or
 * clipboard commands) and no invisible text reordering reaches the terminal raw.
 *
 * <p>UTF-8 is decoded as it streams (a character split across writes is handled). Passed through:
 * printable text, {@code \n} and {@code \t}. Rendered as visible escapes: the other C0 controls,
 * DEL and invalid bytes as {@code \xNN}; C1 controls (U+0080–U+009F) and the bidirectional
 * formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) as
 * {@code \}{@code uNNNN}. {@link #close()} renders an unfinished character as escaped bytes.
 *
 * <p>Not thread-safe; one writer at a time, as with the output of one run.
 */
public final class TerminalSafeOutputStream extends FilterOutputStream {

    private final byte[] pending = new byte[4];
    private int pendingLength;
    private int expectedLength;

    /**
     * Wraps the stream of a terminal.
     *
     * @param terminal where the rendered bytes go
     */
    public TerminalSafeOutputStream(OutputStream terminal) {
        super(terminal);
    }

    /** Writes one byte, rendered. */
    @Override
    public void write(int b) throws IOException {
        accept(b & 0xFF);
    }

    /** Writes bytes, rendered. */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        for (int i = off; i < off + len; i++) {
            accept(b[i] & 0xFF);
        }
    }

    /** Renders an unfinished character as escaped bytes, then closes the terminal stream. */
    @Override
    public void close() throws IOException {
        flushPendingAsInvalid();
        super.close();
    }

    private void accept(int b) throws IOException {
        if (pendingLength > 0) {
            if ((b & 0xC0) == 0x80) {
                pending[pendingLength++] = (byte) b;
                if (pendingLength == expectedLength) {
                    finishCharacter();
                }
                return;
            }
            flushPendingAsInvalid();
        }
        if (b < 0x80) {
            if (b == '\n' || b == '\t' || (b >= 0x20 && b < 0x7F)) {
                out.write(b);
            } else {
                escapeByte(b);
            }
            return;
        }
        int length = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
        if (length == 0) {
            escapeByte(b);
            return;
        }
        pending[0] = (byte) b;
        pendingLength = 1;
        expectedLength = length;
    }

    private void finishCharacter() throws IOException {
        int cp;
        int b0 = pending[0] & 0xFF;
        if (expectedLength == 2) {
            cp = ((b0 & 0x1F) << 6) | (pending[1] & 0x3F);
        } else if (expectedLength == 3) {
            cp = ((b0 & 0x0F) << 12) | ((pending[1] & 0x3F) << 6) | (pending[2] & 0x3F);
        } else {
            cp = ((b0 & 0x07) << 18) | ((pending[1] & 0x3F) << 12) | ((pending[2] & 0x3F) << 6) | (pending[3] & 0x3F);
        }
        boolean overlong = (expectedLength == 3 && cp < 0x800) || (expectedLength == 4 && cp < 0x10000);
        boolean invalid = overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF;
        if (invalid) {
            flushPendingAsInvalid();
            return;
        }
        if ((cp >= 0x80 && cp <= 0x9F) || isBidiControl(cp)) {
            writeAscii(String.format("\\u%04x", cp));
        } else {
            out.write(pending, 0, pendingLength);
        }
        pendingLength = 0;
    }

    private static boolean isBidiControl(int cp) {
        return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069);
    }

    private void flushPendingAsInvalid() throws IOException {
        for (int i = 0; i < pendingLength; i++) {
            escapeByte(pending[i] & 0xFF);
        }
        pendingLength = 0;
    }

    private void escapeByte(int b) throws IOException {
        writeAscii(String.format("\\x%02x", b));
    }

    private void writeAscii(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
    }
}
