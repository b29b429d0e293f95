package dev.os2.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The shell's text filters, {@code echo}, {@code grep}, {@code head}, {@code tail}, {@code wc} and
 * {@code sort}: small, predictable versions of the POSIX tools for pipelines between shell commands
 * ({@code ledger-inspect --json | grep capability_violation | wc -l}). They read their standard
 * input from {@link ShellServices#input()} as UTF-8 lines and keep bounded memory (except
 * {@code sort}, which holds at most {@link #SORT_LINES_MAX} lines). Outside the shell they filter
 * the process's standard input, so they work one-shot too.
 */
final class TextFilters {

    /** Most lines {@code sort} holds. */
    static final int SORT_LINES_MAX = 1_000_000;
    /** Most lines {@code tail} keeps. */
    static final int TAIL_LINES_MAX = 1_000_000;

    private TextFilters() {
    }

    /** Reads a line of the command's input; an interrupt ends the command. */
    static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (java.io.InterruptedIOException e) {
            throw new CommandInterruptedException();
        } catch (IOException e) {
            throw new InputException("cannot read the standard input: " + e.getMessage(), "");
        }
    }

    /** {@code echo [-n] WORD…}: prints its words. */
    @Command(name = "echo", usageHelpAutoWidth = true,
            header = "Print the words, separated by spaces.",
            description = "Print the words, separated by single spaces, and a newline (none with -n). For scripts and pipelines: "
                    + "`echo hello | wc -c`.")
    static final class Echo implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "-n", description = "Do not print the newline.")
        private boolean noNewline;

        @Parameters(paramLabel = "WORD", arity = "0..*", description = "The words to print.")
        private List<String> words = new ArrayList<>();

        Echo(Session session) {
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(String.join(" ", words));
            if (!noNewline) {
                out.println();
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code grep [-v] [-i] [-c] [-E] PATTERN}: the lines that match. */
    @Command(name = "grep", usageHelpAutoWidth = true,
            header = "Print the lines of the standard input that match a pattern.",
            description = {
                "Print the lines of the standard input that match PATTERN, a basic regular expression as in POSIX grep "
                        + "(. * [ ] ^ $ are special; \\+ \\? \\| \\( \\) \\{ \\} are the operators), or with -E an extended one "
                        + "(+ ? | ( ) { } unescaped). Matching is by Java's regular expressions, on whole lines, anywhere in the line.",
                "Exit status: 0 if a line was selected, 1 if none was, 2 for a bad pattern."
            })
    static final class Grep implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "-v", description = "Select the lines that do not match.")
        private boolean invert;

        @Option(names = "-i", description = "Ignore case.")
        private boolean ignoreCase;

        @Option(names = "-c", description = "Print only the number of selected lines.")
        private boolean count;

        @Option(names = "-E", description = "PATTERN is an extended regular expression.")
        private boolean extended;

        @Parameters(index = "0", paramLabel = "PATTERN", description = "What to look for.")
        private String pattern;

        Grep(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Pattern p;
            try {
                String regex = extended ? pattern : basicToJava(pattern);
                p = Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
            } catch (PatternSyntaxException e) {
                throw new InputException("grep: the pattern " + Table.clean(Table.fit(pattern, 80)) + " is not a valid "
                        + (extended ? "extended" : "basic") + " regular expression: " + e.getDescription(),
                        extended ? "Escape the special characters with a backslash, or drop -E." : "Escape the special characters with a backslash.");
            }
            BufferedReader in = session.services().input();
            PrintWriter out = spec.commandLine().getOut();
            long selected = 0;
            Matcher m = p.matcher("");
            String line;
            while ((line = readLine(in)) != null) {
                if (m.reset(line).find() != invert) {
                    selected++;
                    if (!count) {
                        out.println(line);
                    }
                }
            }
            if (count) {
                out.println(selected);
            }
            out.flush();
            return selected > 0 ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
        }

        /** A POSIX basic regular expression as a Java one. */
        static String basicToJava(String basic) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < basic.length(); i++) {
                char c = basic.charAt(i);
                if (c == '\\' && i + 1 < basic.length()) {
                    char e = basic.charAt(++i);
                    if ("+?|(){}".indexOf(e) >= 0) {
                        b.append(e);
                    } else {
                        b.append('\\').append(e);
                    }
                } else if ("+?|(){}".indexOf(c) >= 0) {
                    b.append('\\').append(c);
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }

    /** {@code head [-n N]}: the first lines. */
    @Command(name = "head", usageHelpAutoWidth = true,
            header = "Print the first lines of the standard input.",
            description = "Print the first N lines of the standard input (10 by default), then stop reading: the command before "
                    + "it in the pipeline stops at its next output.")
    static final class Head implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "-n", paramLabel = "N", defaultValue = "10", description = "How many lines. Default: ${DEFAULT-VALUE}.")
        private long lines;

        Head(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            if (lines < 0) {
                throw new InputException("head: -n must be 0 or more, got " + lines, "");
            }
            BufferedReader in = session.services().input();
            PrintWriter out = spec.commandLine().getOut();
            for (long i = 0; i < lines; i++) {
                String line = readLine(in);
                if (line == null) {
                    break;
                }
                out.println(line);
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code tail [-n N|+N]}: the last lines. */
    @Command(name = "tail", usageHelpAutoWidth = true,
            header = "Print the last lines of the standard input.",
            description = "Print the last N lines of the standard input (10 by default), or with -n +N every line from line N on.")
    static final class Tail implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "-n", paramLabel = "N", defaultValue = "10",
                description = "How many lines, or +N for every line from line N on. Default: ${DEFAULT-VALUE}.")
        private String lines;

        Tail(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            boolean from = lines.startsWith("+");
            long n;
            try {
                n = Long.parseLong(from ? lines.substring(1) : lines);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || (!from && n > TAIL_LINES_MAX)) {
                throw new InputException("tail: -n takes N or +N with N from 0 to " + TAIL_LINES_MAX + ", got "
                        + Table.clean(Table.fit(lines, 40)), "");
            }
            BufferedReader in = session.services().input();
            PrintWriter out = spec.commandLine().getOut();
            String line;
            if (from) {
                long number = 0;
                while ((line = readLine(in)) != null) {
                    if (++number >= n) {
                        out.println(line);
                    }
                }
            } else {
                Deque<String> last = new ArrayDeque<>();
                while ((line = readLine(in)) != null) {
                    if (n == 0) {
                        continue;
                    }
                    if (last.size() == n) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                }
                last.forEach(out::println);
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code wc [-l] [-w] [-c]}: lines, words and bytes. */
    @Command(name = "wc", usageHelpAutoWidth = true,
            header = "Count the lines, words and bytes of the standard input.",
            description = "Print the number of lines (newlines), words (runs of non-blank characters) and UTF-8 bytes of the "
                    + "standard input, in that order, separated by spaces; only those asked for with -l, -w and -c.")
    static final class Wc implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "-l", description = "Count lines.")
        private boolean lines;

        @Option(names = "-w", description = "Count words.")
        private boolean words;

        @Option(names = "-c", description = "Count bytes.")
        private boolean bytes;

        Wc(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            BufferedReader in = session.services().input();
            long lineCount = 0;
            long wordCount = 0;
            long byteCount = 0;
            boolean inWord = false;
            char[] buffer = new char[8192];
            char high = 0;
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (java.io.InterruptedIOException e) {
                    throw new CommandInterruptedException();
                } catch (IOException e) {
                    throw new InputException("cannot read the standard input: " + e.getMessage(), "");
                }
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        lineCount++;
                    }
                    boolean blank = Character.isWhitespace(c);
                    if (!blank && !inWord) {
                        wordCount++;
                    }
                    inWord = !blank;
                    if (Character.isHighSurrogate(c)) {
                        high = c;
                        continue;
                    }
                    if (Character.isLowSurrogate(c) && high != 0) {
                        byteCount += 4;
                    } else {
                        byteCount += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                    }
                    high = 0;
                }
            }
            boolean all = !lines && !words && !bytes;
            List<String> counts = new ArrayList<>();
            if (all || lines) {
                counts.add(Long.toString(lineCount));
            }
            if (all || words) {
                counts.add(Long.toString(wordCount));
            }
            if (all || bytes) {
                counts.add(Long.toString(byteCount));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(String.join(" ", counts));
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code sort [-r] [-n] [-u]}: the lines in order. */
    @Command(name = "sort", usageHelpAutoWidth = true,
            header = "Print the lines of the standard input in order.",
            description = "Print the lines of the standard input sorted by their characters (Unicode order, the same on every "
                    + "machine), or with -n by the number they start with (lines without one count as 0, then by their "
                    + "characters). Holds at most " + SORT_LINES_MAX + " lines.")
    static final class Sort implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "-r", description = "Reverse the order.")
        private boolean reverse;

        @Option(names = "-n", description = "Sort by the number each line starts with.")
        private boolean numeric;

        @Option(names = "-u", description = "Print only the first of lines that sort equal.")
        private boolean unique;

        private static final Pattern NUMBER = Pattern.compile("^\\s*([-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))");

        Sort(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            BufferedReader in = session.services().input();
            List<String> all = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                if (all.size() >= SORT_LINES_MAX) {
                    throw new InputException("sort holds at most " + SORT_LINES_MAX + " lines, and its input has more",
                            "Narrow the input first, for example with grep or head.");
                }
                all.add(line);
            }
            Comparator<String> order = numeric ? Comparator.comparing(Sort::number) : Comparator.naturalOrder();
            Comparator<String> key = order;
            if (numeric) {
                order = order.thenComparing(Comparator.naturalOrder());
            }
            if (reverse) {
                order = order.reversed();
                key = key.reversed();
            }
            all.sort(order);
            PrintWriter out = spec.commandLine().getOut();
            String previous = null;
            for (String l : all) {
                if (unique && previous != null && key.compare(previous, l) == 0) {
                    continue;
                }
                out.println(l);
                previous = l;
            }
            out.flush();
            return Os2.EXIT_OK;
        }

        private static BigDecimal number(String line) {
            Matcher m = NUMBER.matcher(line);
            if (!m.find()) {
                return BigDecimal.ZERO;
            }
            String text = m.group(1);
            if (text.endsWith(".")) {
                text = text.substring(0, text.length() - 1);
            }
            return new BigDecimal(text.toLowerCase(Locale.ROOT));
        }
    }
}
