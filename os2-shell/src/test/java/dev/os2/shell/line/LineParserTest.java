package dev.os2.shell.line;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The line language: quoting as a POSIX shell does it, the operators and their grouping, comments,
 * errors that name the column and tell an incomplete line from a wrong one, the lenient split
 * that completion uses, and quote/escape round trips.
 */
class LineParserTest {

    private static Script parse(String line) {
        try {
            return LineParser.parse(line);
        } catch (LineSyntaxException e) {
            throw new AssertionError(line + ": " + e.getMessage(), e);
        }
    }

    private static List<String> words(String line) {
        Script s = parse(line);
        assertEquals(1, s.lists().size(), line);
        return s.lists().get(0).first().commands().get(0).words();
    }

    @Test
    void quotesAndEscapesAsInAPosixShell() {
        assertEquals(List.of("echo", "a b", "c"), words("echo 'a b' c"));
        assertEquals(List.of("echo", "it's", "\"x\""), words("echo it\\'s '\"x\"'"));
        assertEquals(List.of("echo", "a \"q\" \\ $ ` \\n"), words("echo \"a \\\"q\\\" \\\\ \\$ \\` \\n\""));
        assertEquals(List.of("echo", "a|b", "c&&d", "e;f", "#g"), words("echo 'a|b' \"c&&d\" e\\;f \\#g"));
        assertEquals(List.of("echo", "", "x"), words("echo '' x"));
        assertEquals(List.of("echo", "ab"), words("echo a\\\nb"));
        assertEquals(List.of("echo", "a", "b"), words("echo a \\\n b"));
        assertEquals(List.of("grep", "-E", "a|b"), words("grep -E 'a|b'"));
        assertEquals(List.of("x#y"), words("x#y # a comment"));
    }

    @Test
    void operatorsGroupAsListsOfPipelines() {
        Script s = parse("a | b -x && c || d ; e & f|g");
        assertEquals(3, s.lists().size());
        Script.AndOrList first = s.lists().get(0);
        assertEquals("a | b -x && c || d", first.text());
        assertFalse(first.background());
        assertEquals(2, first.first().commands().size());
        assertEquals(List.of("b", "-x"), first.first().commands().get(1).words());
        assertEquals(Script.Connector.AND, first.rest().get(0).connector());
        assertEquals(Script.Connector.OR, first.rest().get(1).connector());
        assertEquals("e", s.lists().get(1).text());
        assertTrue(s.lists().get(1).background());
        assertEquals("f|g", s.lists().get(2).text());
        assertEquals(List.of("g"), s.lists().get(2).first().commands().get(1).words());
        assertTrue(parse("sleep 1 &").lists().get(0).background());
        assertTrue(parse("").isEmpty());
        assertTrue(parse("   # only a comment").isEmpty());
        assertEquals(1, parse("a ;").lists().size());
    }

    @Test
    void errorsNameTheColumnAndTellIncompleteFromWrong() {
        LineSyntaxException quote = assertThrows(LineSyntaxException.class, () -> LineParser.parse("echo 'abc"));
        assertTrue(quote.incomplete());
        assertEquals(6, quote.column());
        assertTrue(assertThrows(LineSyntaxException.class, () -> LineParser.parse("echo \"abc")).incomplete());
        assertTrue(assertThrows(LineSyntaxException.class, () -> LineParser.parse("a |")).incomplete());
        assertTrue(assertThrows(LineSyntaxException.class, () -> LineParser.parse("a &&")).incomplete());
        assertTrue(assertThrows(LineSyntaxException.class, () -> LineParser.parse("a \\")).incomplete());
        LineSyntaxException start = assertThrows(LineSyntaxException.class, () -> LineParser.parse("| grep x"));
        assertFalse(start.incomplete());
        assertEquals(1, start.column());
        LineSyntaxException twice = assertThrows(LineSyntaxException.class, () -> LineParser.parse("a | | b"));
        assertFalse(twice.incomplete());
        assertEquals(5, twice.column());
        assertTrue(twice.getMessage().contains("after '|'"), twice.getMessage());
        assertFalse(assertThrows(LineSyntaxException.class, () -> LineParser.parse("a ;; b")).incomplete());
        LineSyntaxException redirect = assertThrows(LineSyntaxException.class, () -> LineParser.parse("ledger-inspect > out"));
        assertFalse(redirect.incomplete());
        assertTrue(redirect.getMessage().contains("redirection"), redirect.getMessage());
    }

    @Test
    void theLenientSplitKeepsPositionsAndOpenQuotes() {
        List<LineParser.Token> tokens = LineParser.split("cap-show 'fs.re");
        assertEquals(2, tokens.size());
        assertEquals("fs.re", tokens.get(1).value());
        assertEquals('\'', tokens.get(1).openQuote());
        assertEquals(9, tokens.get(1).start());
        List<LineParser.Token> ops = LineParser.split("a|b && c > d");
        assertEquals(List.of(LineParser.Kind.WORD, LineParser.Kind.PIPE, LineParser.Kind.WORD, LineParser.Kind.AND,
                LineParser.Kind.WORD, LineParser.Kind.WORD, LineParser.Kind.WORD), ops.stream().map(LineParser.Token::kind).toList());
    }

    @Test
    void quotingRoundTrips() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String alphabet = "ab |&;'\"\\#$`<>\t*?~-=é";
        for (int i = 0; i < 2_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(8);
            for (int j = 0; j < n; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String word = b.toString();
            assertEquals(List.of("x", word), words("x " + LineParser.quote(word)), "seed " + seed + ": " + word);
            if (!word.isEmpty()) {
                assertEquals(List.of("x", word), words("x " + LineParser.escape(word, (char) 0, true)), "seed " + seed + ": " + word);
                assertEquals(List.of("x", word), words("x " + LineParser.escape(word, '\'', true)), "seed " + seed + ": " + word);
                assertEquals(List.of("x", word), words("x " + LineParser.escape(word, '"', true)), "seed " + seed + ": " + word);
            }
        }
    }
}
