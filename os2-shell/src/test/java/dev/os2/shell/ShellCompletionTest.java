package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jline.reader.Candidate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Tab completion as the shell computes it, from the picocli model and a real workspace: command
 * names at the start of each command of a line, options, capability ids and snapshot ids read
 * from the workspace, command names for help and man, and file names; and the way a completed
 * word is escaped inside an open quote.
 */
class ShellCompletionTest {

    @TempDir
    Path dir;

    private List<String> complete(CommandLine model, String line) {
        List<Candidate> candidates = new ArrayList<>();
        new ShellCompleter(() -> model).complete(null, ShellLineParser.Words.of(line, line.length()), candidates);
        return candidates.stream().map(Candidate::value).sorted().toList();
    }

    @Test
    void completesCommandsOptionsIdsAndFiles() throws Exception {
        Path ws = dir.resolve("ws");
        Session session = Session.of(Map.of(Session.WORKSPACE_VARIABLE, ws.toString()));
        assertEquals(0, CliRun.run(session, "ledger-demo").status());
        CliRun created = CliRun.run(session, "snapshot-create", "--label", "one");
        String snapshot = created.out().substring("Took snapshot ".length()).split(" ")[0];
        CommandLine model = Os2.commandLine(session);

        assertTrue(complete(model, "").containsAll(List.of("ledger-inspect", "shell", "grep", "ps")));
        assertTrue(complete(model, "ledger-ins").contains("ledger-inspect"));
        assertTrue(complete(model, "ledger-inspect --js").contains("--json"));
        assertTrue(complete(model, "ledger-inspect --json | gr").contains("grep"), "a command after a pipe");
        assertTrue(complete(model, "whoami && ").contains("uname"), "a command after &&");
        assertTrue(complete(model, "./os2 ledger-inspect --li").contains("--limit"), "the program's name is skipped");
        // The demo's two capabilities and the shell's own five, sorted.
        List<String> ids = List.of("fs.read", "git.remote", "net.fetch", "net.http", "pip.install", "python.exec", "shell.tool");
        assertEquals(ids, complete(model, "cap-show "));
        assertEquals(ids, complete(model, "cap-show --json "), "after a flag");
        assertEquals(List.of(snapshot), complete(model, "snapshot-show "));
        assertEquals(List.of(snapshot), complete(model, "snapshot-diff " + snapshot + " "), "the second positional");
        assertEquals(List.of(snapshot), complete(model, "kernel-ready-flag --set "), "an option's value");
        assertTrue(complete(model, "man snap").contains("snapshot-create"), "help and man take command names");
        assertEquals(List.of(), complete(model, "no-such-command "));

        Files.createDirectories(dir.resolve("scripts"));
        Files.writeString(dir.resolve("scripts").resolve("setup.os2"), "whoami\n");
        assertEquals(List.of(dir + "/scripts/"), complete(model, "run-script " + dir + "/scr"));
        assertEquals(List.of(dir + "/scripts/setup.os2"), complete(model, "run-script " + dir + "/scripts/"));

        ShellLineParser.Words quoted = ShellLineParser.Words.of("cap-show 'fs.r", 14);
        assertEquals("fs.r", quoted.word());
        assertEquals(4, quoted.wordCursor());
        assertEquals(5, quoted.rawWordCursor());
        assertEquals("'fs.read'", quoted.escape("fs.read", true).toString());
        assertEquals("my\\ file", ShellLineParser.Words.of("x my", 4).escape("my file", true).toString());
    }
}
