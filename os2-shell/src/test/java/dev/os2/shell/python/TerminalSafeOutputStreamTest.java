package dev.os2.shell.python;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TerminalSafeOutputStreamTest {

    private static String render(byte[]... writes) throws IOException {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        try (TerminalSafeOutputStream safe = new TerminalSafeOutputStream(terminal)) {
            for (byte[] w : writes) {
                safe.write(w, 0, w.length);
            }
        }
        return terminal.toString(StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void printableTextNewlinesAndTabsPassUnchanged() throws IOException {
        assertEquals("plain text\tand ümlauts, 漢字, 🙂\n", render(utf8("plain text\tand ümlauts, 漢字, 🙂\n")));
    }

    @Test
    void escapeSequencesAndOtherControlsBecomeVisible() throws IOException {
        assertEquals("\\x1b[2J\\x1b]0;title\\x07\\x0d\\x00\\x7f\n", render(utf8("\u001b[2J\u001b]0;title\u0007\r\u0000\u007f\n")));
    }

    @Test
    void c1ControlsAndBidiOverridesBecomeVisible() throws IOException {
        assertEquals("\\u009b31m \\u202eevil\\u202c \\u2066x\\u2069", render(utf8("\u009b31m \u202eevil\u202c \u2066x\u2069")));
    }

    @Test
    void invalidUtf8BytesAreEscaped() throws IOException {
        assertEquals("a\\xff\\xc3(\\xed\\xa0\\x80z", render(new byte[] {'a', (byte) 0xFF, (byte) 0xC3, '(', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'z'}));
    }

    @Test
    void aCharacterSplitAcrossWritesIsKept() throws IOException {
        byte[] euro = utf8("€");
        assertEquals("€", render(new byte[] {euro[0]}, new byte[] {euro[1]}, new byte[] {euro[2]}));
        byte[] csi = utf8("\u009b");
        assertEquals("\\u009b", render(new byte[] {csi[0]}, new byte[] {csi[1]}));
    }

    @Test
    void anUnfinishedCharacterIsEscapedOnClose() throws IOException {
        assertEquals("ok\\xe2\\x82", render(new byte[] {'o', 'k', (byte) 0xE2, (byte) 0x82}));
    }

    @Test
    void singleByteWritesAreRenderedLikeArrays() throws IOException {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        try (TerminalSafeOutputStream safe = new TerminalSafeOutputStream(terminal)) {
            for (byte b : utf8("\u001bé")) {
                safe.write(b);
            }
        }
        assertEquals("\\x1bé", terminal.toString(StandardCharsets.UTF_8));
    }
}
