package dev.os2.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the shell's history file ({@link Workspace#historyFile()}) without a terminal, for
 * {@code history} run one-shot. The file is JLine's: one entry per line, optionally prefixed by
 * its time in epoch milliseconds and a colon, with backslash and newline escaped by a backslash.
 */
final class HistoryFile {

    /** Most entries read. */
    static final int ENTRIES_MAX = 100_000;

    private HistoryFile() {
    }

    /** The entries of {@code file}, oldest first; empty if there is none. */
    static List<String> read(Path file) {
        List<String> entries = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return entries;
        } catch (IOException e) {
            throw new InputException("cannot read the history file " + file + ": " + Workspace.describe(e),
                    "Check its permissions.");
        }
        for (String line : lines.subList(Math.max(0, lines.size() - ENTRIES_MAX), lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).chars().allMatch(Character::isDigit)) {
                line = line.substring(colon + 1);
            }
            entries.add(unescape(line));
        }
        return entries;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                b.append(e == 'n' ? '\n' : e == 'r' ? '\r' : e);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
