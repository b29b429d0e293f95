package dev.os2.shell.docs;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The shell manual, {@code docs/shell-manual.md}, rendered from picocli's command model: every
 * command's synopsis, description, options and parameters (with their descriptions and
 * defaults) and exit statuses. Because it is generated from the same definitions that parse the
 * command line, it cannot drift from them; a test compares the committed file with a fresh
 * rendering.
 *
 * <p>Commands are listed in the order they are registered (the order {@code help} shows). The
 * rendering uses a fixed width and no colour, so it depends only on the command definitions.
 */
public final class CommandManual {

    /** The width synopses are wrapped at. */
    static final int WIDTH = 100;

    private CommandManual() {
    }

    /**
     * The manual of the command tree rooted at {@code root}, as Markdown with {@code \n} line ends.
     * Changes the usage width of the commands' specs to {@link #WIDTH}; pass a command line built
     * for this purpose.
     */
    public static String markdown(CommandLine root) {
        Objects.requireNonNull(root, "root");
        List<CommandLine> commands = new ArrayList<>();
        collect(root, commands, new IdentityHashMap<>());
        StringBuilder md = new StringBuilder();
        md.append("# Shell manual\n\n");
        md.append("<!-- Generated from the command definitions by `./os2 document-commands`; do not edit by hand. -->\n\n");
        md.append("Every command below runs one-shot as `./os2 <command> [options]`. ");
        md.append("`./os2 <command> --help` prints the same help on the terminal, and `./os2 help` lists the commands. ");
        md.append("This page is generated from the definitions the command line parses with, so it matches the build; ");
        md.append("`./os2 document-commands --check` fails when it does not.\n\n");
        md.append("## Exit status\n\n");
        md.append("| status | meaning |\n| --- | --- |\n");
        md.append("| 0 | the command did what it was asked |\n");
        md.append("| 1 | the command ran and its check failed (for example `ledger-verify` found damage) |\n");
        md.append("| 2 | usage, input or environment error, explained in one line `os2: <what was wrong>. <what to do>`; nothing was changed |\n");
        md.append("| 3 | OS2 itself failed (a bug); `--debug` shows the stack trace |\n\n");
        md.append("A command's own section says when it uses 1.\n\n");
        md.append("## Commands\n\n");
        md.append("| command | what it does |\n| --- | --- |\n");
        for (CommandLine c : commands) {
            CommandSpec spec = c.getCommandSpec();
            md.append("| [`").append(name(spec)).append("`](#").append(anchor(name(spec))).append(") | ")
                    .append(Markdown.cell(String.join(" ", spec.usageMessage().header()))).append(" |\n");
        }
        md.append('\n');
        for (CommandLine c : commands) {
            section(c.getCommandSpec(), md);
        }
        return md.substring(0, md.length() - 1);
    }

    private static void collect(CommandLine parent, List<CommandLine> into, Map<CommandLine, Boolean> seen) {
        for (CommandLine sub : parent.getSubcommands().values()) {
            // Aliases map to the same CommandLine; list each command once.
            if (seen.put(sub, Boolean.TRUE) == null) {
                into.add(sub);
                collect(sub, into, seen);
            }
        }
    }

    private static String name(CommandSpec spec) {
        return spec.qualifiedName(" ").replaceFirst("^\\S+ ", "");
    }

    private static String anchor(String name) {
        return name.replace(' ', '-');
    }

    private static void section(CommandSpec spec, StringBuilder md) {
        spec.usageMessage().autoWidth(false);
        spec.usageMessage().width(WIDTH);
        md.append("## ").append(name(spec)).append("\n\n");
        String header = String.join(" ", spec.usageMessage().header());
        if (!header.isEmpty()) {
            md.append(Markdown.text(header)).append("\n\n");
        }
        Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        md.append("```text\n").append(help.synopsis(0).stripTrailing()).append("\n```\n\n");
        for (String line : spec.usageMessage().description()) {
            for (String paragraph : line.split("%n")) {
                if (!paragraph.isBlank()) {
                    md.append(Markdown.text(paragraph.strip())).append("\n\n");
                }
            }
        }
        List<PositionalParamSpec> positionals = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!positionals.isEmpty()) {
            md.append("| parameter | description |\n| --- | --- |\n");
            for (PositionalParamSpec p : positionals) {
                md.append("| `").append(p.paramLabel()).append("` | ").append(Markdown.cell(description(p))).append(" |\n");
            }
            md.append('\n');
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            md.append("| option | description | default |\n| --- | --- | --- |\n");
            for (OptionSpec o : options) {
                String names = String.join(", ", o.names());
                if (o.arity().max() > 0) {
                    names += " " + o.paramLabel();
                }
                md.append("| `").append(names).append("` | ").append(Markdown.cell(description(o))).append(" | ")
                        .append(Markdown.cell(defaultValue(o))).append(" |\n");
            }
            md.append('\n');
        }
        Map<String, String> exitCodes = spec.usageMessage().exitCodeList();
        if (!exitCodes.isEmpty()) {
            md.append("| exit status | meaning |\n| --- | --- |\n");
            exitCodes.forEach((code, meaning) -> md.append("| ").append(Markdown.cell(code.strip())).append(" | ")
                    .append(Markdown.cell(meaning.strip())).append(" |\n"));
            md.append('\n');
        } else {
            md.append("Exit status: as [above](#exit-status).\n\n");
        }
    }

    private static String description(ArgSpec arg) {
        return String.join(" ", arg.description()).replace("%n", " ");
    }

    /** The default shown in the manual: none for flags and for options without one. */
    private static String defaultValue(OptionSpec o) {
        if (o.arity().max() == 0 || o.usageHelp() || o.versionHelp()) {
            return "";
        }
        String value = o.defaultValueString(true);
        return value == null || "null".equals(value) ? "" : "`" + value + "`";
    }

}
