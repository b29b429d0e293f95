package dev.os2.shell;

import dev.os2.shell.line.LineParser;
import dev.os2.shell.line.LineSyntaxException;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * The line language ({@link LineParser}) as JLine sees it: splits the line into words for
 * completion, and asks for a continuation line (JLine's secondary prompt) when the line is
 * incomplete: an open quote, a trailing {@code |}, {@code &&}, {@code ||} or backslash. A line
 * with any other syntax error is accepted, so that the shell reports the error in one line.
 * Stateless and thread-safe.
 */
final class ShellLineParser implements Parser {

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE) {
            try {
                LineParser.parse(line);
            } catch (LineSyntaxException e) {
                if (e.incomplete()) {
                    throw new EOFError(-1, e.column(), e.getMessage(), missing(e.getMessage()));
                }
            }
        }
        return Words.of(line, cursor);
    }

    /** What the secondary prompt names as missing. */
    private static String missing(String problem) {
        if (problem.contains("single quote")) {
            return "quote";
        }
        if (problem.contains("double quote")) {
            return "dquote";
        }
        if (problem.contains("backslash")) {
            return "";
        }
        return "cmd";
    }

    /**
     * The words of a line and where the cursor is among them. Operators ({@code |}, {@code &&} …)
     * are words too, marked as such, so that completion finds where the current command starts.
     */
    static final class Words implements CompletingParsedLine {
        private final String line;
        private final int cursor;
        private final List<String> words;
        private final List<Boolean> operators;
        private final int wordIndex;
        private final int wordCursor;
        private final int rawStart;
        private final int rawEnd;
        private final char openQuote;

        private Words(String line, int cursor, List<String> words, List<Boolean> operators, int wordIndex, int wordCursor,
                int rawStart, int rawEnd, char openQuote) {
            this.line = line;
            this.cursor = cursor;
            this.words = words;
            this.operators = operators;
            this.wordIndex = wordIndex;
            this.wordCursor = wordCursor;
            this.rawStart = rawStart;
            this.rawEnd = rawEnd;
            this.openQuote = openQuote;
        }

        static Words of(String line, int cursor) {
            cursor = Math.max(0, Math.min(cursor, line.length()));
            List<LineParser.Token> tokens = LineParser.split(line);
            List<String> words = new ArrayList<>();
            List<Boolean> operators = new ArrayList<>();
            int index = -1;
            int wordCursor = 0;
            int rawStart = cursor;
            int rawEnd = cursor;
            char quote = 0;
            for (LineParser.Token t : tokens) {
                if (index < 0 && !t.operator() && t.start() <= cursor && cursor <= t.end()) {
                    index = words.size();
                    rawStart = t.start();
                    rawEnd = t.end();
                    List<LineParser.Token> before = LineParser.split(line.substring(t.start(), cursor));
                    LineParser.Token partial = before.isEmpty() ? null : before.get(before.size() - 1);
                    wordCursor = partial == null ? 0 : Math.min(partial.value().length(), t.value().length());
                    quote = partial == null ? 0 : partial.openQuote();
                } else if (index < 0 && t.start() >= cursor) {
                    // The cursor is in the blank before this token: a new, empty word there.
                    index = words.size();
                    words.add("");
                    operators.add(false);
                }
                words.add(t.value());
                operators.add(t.operator());
            }
            if (index < 0) {
                index = words.size();
                words.add("");
                operators.add(false);
            }
            return new Words(line, cursor, words, operators, index, wordCursor, rawStart, rawEnd, quote);
        }

        /** Whether word {@code i} is an operator ({@code | || && ; &}). */
        boolean operator(int i) {
            return operators.get(i);
        }

        @Override
        public String word() {
            return words.get(wordIndex);
        }

        @Override
        public int wordCursor() {
            return wordCursor;
        }

        @Override
        public int wordIndex() {
            return wordIndex;
        }

        @Override
        public List<String> words() {
            return words;
        }

        @Override
        public String line() {
            return line;
        }

        @Override
        public int cursor() {
            return cursor;
        }

        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return LineParser.escape(candidate.toString(), openQuote, complete);
        }

        @Override
        public int rawWordCursor() {
            return cursor - rawStart;
        }

        @Override
        public int rawWordLength() {
            return rawEnd - rawStart;
        }
    }
}
