package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The commands the README and the docs show actually run. Every line that starts with
 * {@code ./os2 } inside a fenced {@code ```sh} block of {@code README.md} or {@code docs/*.md} is
 * run in-process through {@link Os2#commandLine}, in document order, each document on a fresh
 * temporary workspace (the session's {@code OS2_WORKSPACE}), and must exit 0, or the status its
 * comment states as {@code (exit N)}. An unknown command therefore fails the test: examples of
 * commands a build does not have belong in {@code ```text} blocks.
 *
 * <p>Not run: {@code ./os2 test} (the whole suite), {@code ./os2 shell} without {@code -c}
 * (interactive), {@code ./os2 bench} (minutes of JMH), and the lines in {@link #SKIPPED} and the
 * documents in {@link #SKIPPED_DOCUMENTS}, each with its reason; those are still parsed by the
 * command line, so a command or option the build does not have fails the test. Arguments under {@code /tmp/} are moved into the test's temporary folder. A line may
 * use no shell syntax (pipes, redirections, variables, command substitution): such a line must be
 * in {@link #SKIPPED}. Documented commands must not write into the current directory; the test
 * checks that they did not.
 */
class DocsExamplesTest {

    /** Lines not run, by their exact text (after the {@code ./os2 } prefix, comment removed), with the reason. */
    static final Map<String, String> SKIPPED = new TreeMap<>(Map.of(
            "ledger-verify --workspace /tmp/os2-scratch",
            "follows the dd step that damages the ledger, which this test does not run (LedgerCommandsTest tampers for real)",
            "ledger-inspect --workspace /tmp/os2-scratch",
            "follows the dd step that damages the ledger (LedgerCommandsTest tampers for real)",
            "cap-list --workspace /tmp/os2-scratch",
            "follows the dd step that damages the ledger (LedgerCommandsTest tampers for real)"));

    /** Documents whose lines are parsed (so unknown commands and options still fail) but not run, with the reason. */
    static final Map<String, String> SKIPPED_DOCUMENTS = new TreeMap<>(Map.of(
            "docs/deterministic-benchmark.md",
            "its runs take minutes at the documented sizes and write reports into the current directory's releases/; "
                    + "DeterministicBenchmarkTest and ScenarioRunCommandTest run every scenario and option at small size",
            "docs/releasing.md",
            "the release procedure rewrites the checkout's docs/ and releases/ and needs a package build; "
                    + "ReleaseManifestTest, ModuleTreeTest, CommandManualTest and SnapshotCommandsTest run its steps on "
                    + "temporary copies"));

    private static final Pattern EXIT = Pattern.compile("\\(exit (\\d)\\)");

    @TempDir
    Path dir;

    /** One documented command. */
    record Example(String file, int line, String text, List<String> args, int expectedStatus) {
        String where() {
            return file + ":" + line + ": ./os2 " + text;
        }
    }

    @Test
    void theDocumentedCommandsRun() throws IOException {
        Path root = Checkouts.root();
        List<Path> documents = new ArrayList<>();
        documents.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        Path cwd = Path.of("").toAbsolutePath();
        Set<String> before = listing(cwd);
        int ran = 0;
        int parsed = 0;
        Set<String> skipUsed = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        for (Path document : documents) {
            String name = root.relativize(document).toString();
            Path workspace = dir.resolve(name.replace('/', '_')).resolve("os2-data");
            // The shared services: the docs' Python examples warm one engine, not one each.
            Session session = new Session(Map.of("OS2_WORKSPACE", workspace.toString()), false, 0, "os2", false,
                    ShellTestSessions.services());
            for (Example e : examples(name, Files.readString(document))) {
                if (alwaysSkipped(e.args())) {
                    continue;
                }
                if (SKIPPED.containsKey(e.text()) || SKIPPED_DOCUMENTS.containsKey(name)) {
                    if (SKIPPED.containsKey(e.text())) {
                        skipUsed.add(e.text());
                    }
                    try {
                        Os2.commandLine(session).parseArgs(e.args().toArray(String[]::new));
                        parsed++;
                    } catch (CommandLine.ParameterException ex) {
                        failures.add(e.where() + "\n  does not parse: " + ex.getMessage());
                    }
                    continue;
                }
                List<String> args = e.args().stream().map(a -> a.startsWith("/tmp/") ? dir.resolve(a.substring(1)).toString() : a)
                        .toList();
                CliRun run = CliRun.run(session, args.toArray(String[]::new));
                ran++;
                if (run.status() != e.expectedStatus()) {
                    failures.add(e.where() + "\n  expected exit " + e.expectedStatus() + ", got " + run.status()
                            + "\n  " + run.err().strip().replace("\n", "\n  "));
                }
            }
        }
        assertEquals(List.of(), failures, "documented commands that did not run as the docs say");
        assertTrue(ran >= 10, "the docs show commands (ran " + ran + ")");
        assertTrue(parsed >= 5, "the skipped commands were parsed (" + parsed + ")");
        assertEquals(SKIPPED.keySet(), skipUsed, "every skipped line is still in the docs");
        assertEquals(before, listing(cwd), "the documented commands wrote nothing into the current directory");
    }

    private static boolean alwaysSkipped(List<String> args) {
        String command = args.isEmpty() ? "" : args.get(0);
        return switch (command) {
            case "test", "bench" -> true;
            case "shell" -> !args.contains("-c");
            default -> false;
        };
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return new TreeSet<>(entries.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** The {@code ./os2} lines of the {@code ```sh} blocks of {@code text}, in order. */
    static List<Example> examples(String file, String text) {
        List<Example> result = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        boolean inSh = false;
        boolean inOther = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.startsWith("```")) {
                if (inSh || inOther) {
                    inSh = false;
                    inOther = false;
                } else if (trimmed.equals("```sh")) {
                    inSh = true;
                } else {
                    inOther = true;
                }
                continue;
            }
            if (!inSh || !line.startsWith("./os2 ")) {
                continue;
            }
            int number = i + 1;
            StringBuilder command = new StringBuilder(line.substring("./os2 ".length()));
            while (command.toString().endsWith("\\") && i + 1 < lines.length) {
                command.setLength(command.length() - 1);
                command.append(' ').append(lines[++i].strip());
            }
            result.add(parse(file, number, command.toString()));
        }
        return result;
    }

    /** Splits a command line into words the way a POSIX shell would, refusing shell syntax. */
    static Example parse(String file, int line, String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        String comment = "";
        int end = command.length();
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '\'' ) {
                int close = command.indexOf('\'', i + 1);
                if (close < 0) {
                    fail(file + ":" + line + ": unclosed quote in ./os2 " + command);
                }
                word = word == null ? new StringBuilder() : word;
                word.append(command, i + 1, close);
                i = close;
            } else if (c == '"') {
                int close = command.indexOf('"', i + 1);
                if (close < 0) {
                    fail(file + ":" + line + ": unclosed quote in ./os2 " + command);
                }
                String inside = command.substring(i + 1, close);
                if (inside.contains("$") || inside.contains("`") || inside.contains("\\")) {
                    fail(file + ":" + line + ": shell expansion in ./os2 " + command + "; the docs test runs plain commands only");
                }
                word = word == null ? new StringBuilder() : word;
                word.append(inside);
                i = close;
            } else if (c == '\\' && i + 1 < command.length()) {
                word = word == null ? new StringBuilder() : word;
                word.append(command.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                comment = command.substring(i);
                end = i;
                break;
            } else if ("|&;<>()$`*?".indexOf(c) >= 0) {
                fail(file + ":" + line + ": shell syntax '" + c + "' in ./os2 " + command
                        + "; the docs test runs plain commands only: add the line to DocsExamplesTest.SKIPPED with a reason");
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        Matcher m = EXIT.matcher(comment);
        int expected = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return new Example(file, line, command.substring(0, end).strip(), List.copyOf(words), expected);
    }

    @Test
    void theExtractorReadsWhatTheDocsMean() {
        List<Example> examples = examples("x.md", """
                ```sh
                ./os2 ledger-verify                  # intact   (exit 0)
                ./os2 cap-show 'fs.read' --json      # quoted
                ls -l
                ./os2 ledger-inspect \\
                    --limit 3
                ./os2 ledger-verify --workspace /tmp/w   # broken ... (exit 1)
                ```

                ```text
                ./os2 shell -c "pyx 1+1"
                ```
                """);
        assertEquals(4, examples.size(), examples.toString());
        assertEquals(List.of("ledger-verify"), examples.get(0).args());
        assertEquals(2, examples.get(0).line());
        assertEquals(List.of("cap-show", "fs.read", "--json"), examples.get(1).args());
        assertEquals(List.of("ledger-inspect", "--limit", "3"), examples.get(2).args());
        assertEquals(1, examples.get(3).expectedStatus());
        assertEquals("ledger-verify --workspace /tmp/w", examples.get(3).text());
        assertFalse(alwaysSkipped(List.of("shell", "-c", "ps")));
        assertTrue(alwaysSkipped(List.of("shell")));
        assertTrue(alwaysSkipped(List.of("test", "-pl", "os2-ledger")));
    }
}
