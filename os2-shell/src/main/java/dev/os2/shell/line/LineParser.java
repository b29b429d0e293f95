package dev.os2.shell.line;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses the shell's line language. Words are quoted as in a POSIX shell: {@code 'single'} keeps
 * everything literally; {@code "double"} keeps everything but lets a backslash escape
 * {@code " \ $ `} and a newline; outside quotes a backslash escapes the next character, and a
 * backslash before a newline joins the lines. Unquoted {@code |}, {@code ||}, {@code &&},
 * {@code ;} and {@code &} are operators; {@code #} at the start of a word starts a comment.
 * Unquoted {@code <} and {@code >} are refused (there are no redirections), so that they are not
 * silently passed on as arguments. Stateless and thread-safe.
 */
public final class LineParser {

    private LineParser() {
    }

    /** What a token of the line is. */
    public enum Kind {
        /** A word: a command name or an argument. */
        WORD,
        /** {@code |}. */
        PIPE,
        /** {@code &&}. */
        AND,
        /** {@code ||}. */
        OR,
        /** {@code ;}. */
        SEMICOLON,
        /** {@code &}. */
        AMPERSAND
    }

    /**
     * A token of a line.
     *
     * @param kind what it is
     * @param value a word's text with the quotes removed; an operator's text
     * @param start the index of its first character in the line
     * @param end the index after its last character in the line
     * @param openQuote for a word that a line still being typed leaves inside quotes, the quote
     *     character ({@code '} or {@code "}); else 0
     */
    public record Token(Kind kind, String value, int start, int end, char openQuote) {

        /** Checks for null. */
        public Token {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(value, "value");
        }

        /** Whether it is an operator rather than a word. */
        public boolean operator() {
            return kind != Kind.WORD;
        }
    }

    /**
     * Parses a complete line.
     *
     * @param line the line, without its final newline; may hold newlines joined by backslashes or
     *     inside quotes
     * @return the lists of pipelines it holds; empty for a blank or comment line
     * @throws LineSyntaxException if the line is not valid; {@link LineSyntaxException#incomplete()}
     *     tells whether more input could complete it
     */
    public static Script parse(String line) throws LineSyntaxException {
        Objects.requireNonNull(line, "line");
        return new Grammar(line, tokenize(line, false)).script();
    }

    /**
     * The tokens of a line that may still be being typed: an open quote or a trailing backslash
     * ends the last word instead of failing, and {@code <}, {@code >} are taken as word
     * characters. For completion.
     *
     * @param line the line, or the part of it before the cursor
     * @return its tokens, in order
     */
    public static List<Token> split(String line) {
        Objects.requireNonNull(line, "line");
        try {
            return tokenize(line, true);
        } catch (LineSyntaxException e) {
            throw new IllegalStateException("lenient tokenizing failed", e);
        }
    }

    /**
     * {@code word} written so that the parser reads it back as exactly that one word: as it is
     * when it holds only safe characters, else in single quotes.
     *
     * @param word any text
     * @return the quoted form
     */
    public static String quote(String word) {
        Objects.requireNonNull(word, "word");
        if (!word.isEmpty() && word.chars().allMatch(LineParser::safe)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * {@code text} escaped for insertion into a word that is being typed, as completion inserts it:
     * inside the given open quote (0 for none), closed when {@code complete} is true and a quote
     * is open.
     *
     * @param text the text to insert
     * @param openQuote {@code '}, {@code "} or 0
     * @param complete whether the word is finished (then an open quote is closed)
     * @return the raw text to type, starting with the open quote if there is one
     */
    public static String escape(String text, char openQuote, boolean complete) {
        StringBuilder b = new StringBuilder();
        switch (openQuote) {
            case '\'' -> {
                b.append('\'').append(text.replace("'", "'\\''"));
                if (complete) {
                    b.append('\'');
                }
            }
            case '"' -> {
                b.append('"');
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c == '"' || c == '\\' || c == '$' || c == '`') {
                        b.append('\\');
                    }
                    b.append(c);
                }
                if (complete) {
                    b.append('"');
                }
            }
            default -> {
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (!safe(c)) {
                        b.append('\\');
                    }
                    b.append(c);
                }
            }
        }
        return b.toString();
    }

    private static boolean safe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-_./:=+,@%^~".indexOf(c) >= 0 || c > 127 && !Character.isWhitespace(c);
    }

    // --- tokens -----------------------------------------------------------------------------------

    private static List<Token> tokenize(String line, boolean lenient) throws LineSyntaxException {
        List<Token> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int wordStart = 0;
        int n = line.length();
        int i = 0;
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (inWord) {
                    tokens.add(new Token(Kind.WORD, word.toString(), wordStart, i, (char) 0));
                    word.setLength(0);
                    inWord = false;
                }
                i++;
                continue;
            }
            if (c == '#' && !inWord) {
                break;
            }
            Kind op = switch (c) {
                case '|' -> i + 1 < n && line.charAt(i + 1) == '|' ? Kind.OR : Kind.PIPE;
                case '&' -> i + 1 < n && line.charAt(i + 1) == '&' ? Kind.AND : Kind.AMPERSAND;
                case ';' -> Kind.SEMICOLON;
                default -> null;
            };
            if (op != null) {
                if (inWord) {
                    tokens.add(new Token(Kind.WORD, word.toString(), wordStart, i, (char) 0));
                    word.setLength(0);
                    inWord = false;
                }
                int length = op == Kind.OR || op == Kind.AND ? 2 : 1;
                tokens.add(new Token(op, line.substring(i, i + length), i, i + length, (char) 0));
                i += length;
                continue;
            }
            if ((c == '<' || c == '>') && !lenient) {
                throw new LineSyntaxException("redirection with '" + c + "' is not supported in the OS2 shell; "
                        + "quote it ('" + c + "') to pass it as text, and use pipes between commands", i + 1, false);
            }
            if (!inWord) {
                inWord = true;
                wordStart = i;
            }
            switch (c) {
                case '\'' -> {
                    int close = line.indexOf('\'', i + 1);
                    if (close < 0) {
                        if (lenient) {
                            word.append(line, i + 1, n);
                            tokens.add(new Token(Kind.WORD, word.toString(), wordStart, n, '\''));
                            return tokens;
                        }
                        throw new LineSyntaxException("the single quote at column " + (i + 1) + " is not closed", i + 1, true);
                    }
                    word.append(line, i + 1, close);
                    i = close + 1;
                }
                case '"' -> {
                    int j = i + 1;
                    boolean closed = false;
                    while (j < n) {
                        char d = line.charAt(j);
                        if (d == '"') {
                            closed = true;
                            break;
                        }
                        if (d == '\\' && j + 1 < n) {
                            char e = line.charAt(j + 1);
                            if (e == '"' || e == '\\' || e == '$' || e == '`') {
                                word.append(e);
                                j += 2;
                                continue;
                            }
                            if (e == '\n') {
                                j += 2;
                                continue;
                            }
                        }
                        word.append(d);
                        j++;
                    }
                    if (!closed) {
                        if (lenient) {
                            tokens.add(new Token(Kind.WORD, word.toString(), wordStart, n, '"'));
                            return tokens;
                        }
                        throw new LineSyntaxException("the double quote at column " + (i + 1) + " is not closed", i + 1, true);
                    }
                    i = j + 1;
                }
                case '\\' -> {
                    if (i + 1 >= n) {
                        if (lenient) {
                            i++;
                            continue;
                        }
                        throw new LineSyntaxException("the line ends with a backslash, which continues it on the next line",
                                i + 1, true);
                    }
                    char e = line.charAt(i + 1);
                    if (e != '\n') {
                        word.append(e);
                    } else if (word.isEmpty() && i == wordStart) {
                        // A backslash-newline between words joins the lines and starts no word.
                        inWord = false;
                    }
                    i += 2;
                }
                default -> {
                    word.append(c);
                    i++;
                }
            }
        }
        if (inWord) {
            tokens.add(new Token(Kind.WORD, word.toString(), wordStart, n, (char) 0));
        }
        return tokens;
    }

    // --- grammar ----------------------------------------------------------------------------------

    /** Recursive descent over the tokens: script := list ((';' | '&') list)* [';' | '&']. */
    private static final class Grammar {
        private final String line;
        private final List<Token> tokens;
        private int pos;

        Grammar(String line, List<Token> tokens) {
            this.line = line;
            this.tokens = tokens;
        }

        Script script() throws LineSyntaxException {
            List<Script.AndOrList> lists = new ArrayList<>();
            while (pos < tokens.size()) {
                int start = pos;
                Script.Pipeline first = pipeline(null);
                List<Script.Step> rest = new ArrayList<>();
                while (pos < tokens.size() && (peek().kind() == Kind.AND || peek().kind() == Kind.OR)) {
                    Token connector = tokens.get(pos++);
                    rest.add(new Script.Step(connector.kind() == Kind.AND ? Script.Connector.AND : Script.Connector.OR,
                            pipeline(connector)));
                }
                String text = text(start, pos);
                boolean background = false;
                if (pos < tokens.size()) {
                    Token end = tokens.get(pos);
                    // pipeline() stops only at an operator that is not | && ||, so this is ; or &.
                    background = end.kind() == Kind.AMPERSAND;
                    pos++;
                }
                lists.add(new Script.AndOrList(first, rest, background, text));
            }
            return new Script(lists);
        }

        /** pipeline := command ('|' command)*; {@code after} is the operator before it, if any. */
        private Script.Pipeline pipeline(Token after) throws LineSyntaxException {
            int start = pos;
            List<Script.Command> commands = new ArrayList<>();
            commands.add(command(after));
            while (pos < tokens.size() && peek().kind() == Kind.PIPE) {
                Token pipe = tokens.get(pos++);
                commands.add(command(pipe));
            }
            return new Script.Pipeline(commands, text(start, pos));
        }

        private Script.Command command(Token after) throws LineSyntaxException {
            if (pos >= tokens.size()) {
                // Only reachable after an operator: the line ends where a command must follow.
                throw new LineSyntaxException("the line ends after '" + after.value() + "'; a command must follow it",
                        after.end() + 1, true);
            }
            if (peek().operator()) {
                Token bad = peek();
                throw new LineSyntaxException(after == null
                        ? "unexpected '" + bad.value() + "' at column " + (bad.start() + 1) + "; a command must come first"
                        : "unexpected '" + bad.value() + "' at column " + (bad.start() + 1) + " after '" + after.value()
                                + "'; a command must come between them", bad.start() + 1, false);
            }
            int start = pos;
            List<String> words = new ArrayList<>();
            while (pos < tokens.size() && !peek().operator()) {
                words.add(tokens.get(pos++).value());
            }
            return new Script.Command(words, text(start, pos));
        }

        private Token peek() {
            return tokens.get(pos);
        }

        private String text(int fromToken, int toToken) {
            return line.substring(tokens.get(fromToken).start(), tokens.get(toToken - 1).end()).strip();
        }
    }
}
