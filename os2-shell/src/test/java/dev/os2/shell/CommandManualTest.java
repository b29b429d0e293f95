package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code document-commands}: the committed {@code docs/shell-manual.md} is what the command
 * definitions give now, it has a section for every command with each of its options, it does not
 * depend on the user's environment, and {@code --check} tells a stale file from a current one.
 */
class CommandManualTest {

    @TempDir
    Path dir;

    private final Session session = Session.of(Map.of());

    @Test
    void theCommittedManualIsCurrent() {
        CliRun check = CliRun.run(session, "document-commands", "--check", "--root", Checkouts.root().toString());
        assertEquals(0, check.status(), "docs/shell-manual.md is stale: run ./os2 document-commands and commit it.\n"
                + check.describe());
    }

    @Test
    void everyCommandAndOptionHasItsPlace() {
        String manual = DocumentCommandsCommand.manual();
        CommandLine cl = Os2.commandLine(session);
        Set<CommandLine> seen = new HashSet<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!seen.add(sub)) {
                continue;
            }
            String name = sub.getCommandName();
            assertTrue(manual.contains("\n## " + name + "\n"), "a section for " + name);
            assertTrue(manual.contains("](#" + name + ") |"), "a line in the index for " + name);
            String section = manual.substring(manual.indexOf("\n## " + name + "\n"));
            int next = section.indexOf("\n## ", 1);
            section = next < 0 ? section : section.substring(0, next);
            assertTrue(section.contains("```text\nos2 " + name), "the synopsis of " + name + ":\n" + section);
            for (OptionSpec o : sub.getCommandSpec().options()) {
                if (!o.hidden()) {
                    assertTrue(section.contains("| `" + String.join(", ", o.names())), name + " documents " + o.longestName());
                }
            }
        }
        assertTrue(manual.contains("| `--workspace DIR` | Where OS2 keeps its data"), "options with their descriptions");
        assertTrue(manual.contains("| `--seed S` | The workload's seed, any 64-bit integer. Default: 1. | `1` |"),
                "defaults, rendered into the description and in their own column");
        assertFalse(manual.contains("${DEFAULT-VALUE}"));
        assertFalse(manual.contains("keys/<name>"), "< is escaped for Markdown");
    }

    @Test
    void theManualDoesNotDependOnTheEnvironment() throws IOException {
        Path root = Files.createDirectories(dir.resolve("proj"));
        Files.writeString(root.resolve("pom.xml"), "<project><artifactId>p</artifactId><modules/></project>");
        Session elsewhere = Session.of(Map.of("OS2_WORKSPACE", dir.resolve("elsewhere").toString()));
        CliRun stale = CliRun.run(elsewhere, "document-commands", "--check", "--root", root.toString());
        assertEquals(1, stale.status(), stale.describe());
        assertFalse(Files.exists(root.resolve("docs/shell-manual.md")), "--check writes nothing");
        CliRun write = CliRun.run(elsewhere, "document-commands", "--root", root.toString());
        assertEquals(0, write.status(), write.describe());
        assertEquals(DocumentCommandsCommand.manual(), Files.readString(root.resolve("docs/shell-manual.md")));
        assertFalse(Files.readString(root.resolve("docs/shell-manual.md")).contains("elsewhere"));
        assertEquals(0, CliRun.run(session, "document-commands", "--check", "--root", root.toString()).status());
    }
}
