package dev.os2.shell.python;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The checks a source must pass before it reaches the parser: its size, and how deeply it nests
 * brackets. Deep nesting would otherwise be found by the parser's recursion on the caller's JVM
 * stack. A light scan: it skips comments and string literals (f-strings whole) and counts
 * {@code ( [ {}.
 */
final class SourceCheck {

    private SourceCheck() {
    }

    /**
     * @return the reason to refuse {@code source}, or empty if it may run
     */
    static Optional<String> refusal(String source, SandboxConfig config) {
        long bytes = utf8Length(source);
        if (bytes > config.sourceBytesMax()) {
            return Optional.of("source is " + bytes + " bytes; the limit is " + config.sourceBytesMax());
        }
        int depth = maxBracketDepth(source);
        if (depth > config.nestingMax()) {
            return Optional.of("source nests brackets " + depth + " deep; the limit is " + config.nestingMax());
        }
        return Optional.empty();
    }

    private static long utf8Length(String s) {
        if (s.length() < 1 << 16) {
            return s.getBytes(StandardCharsets.UTF_8).length;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** The deepest bracket nesting outside comments and string literals. */
    static int maxBracketDepth(String s) {
        int depth = 0;
        int max = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '#') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\'' || c == '"') {
                i = skipString(s, i);
                continue;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
                max = Math.max(max, depth);
            } else if (c == ')' || c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            }
            i++;
        }
        return max;
    }

    /**
     * The index just after the string literal that starts at {@code start}.
     *
     * @return the index just after the string literal that starts at {@code start}
     */
    private static int skipString(String s, int start) {
        char q = s.charAt(start);
        int n = s.length();
        boolean triple = start + 2 < n && s.charAt(start + 1) == q && s.charAt(start + 2) == q;
        int i = start + (triple ? 3 : 1);
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\') {
                // In raw literals too, a backslash keeps the next quote from closing the literal.
                i += 2;
                continue;
            }
            if (!triple && c == '\n') {
                return i;
            }
            if (c == q && (!triple || (i + 2 < n && s.charAt(i + 1) == q && s.charAt(i + 2) == q))) {
                return i + (triple ? 3 : 1);
            }
            i++;
        }
        return n;
    }
}
