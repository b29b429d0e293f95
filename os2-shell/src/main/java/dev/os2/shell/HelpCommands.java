package dev.os2.shell;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code help} and {@code man}: the list of commands, a command's options, and a command's manual
 * page, all taken from the picocli model, so they never drift from what the parser accepts. The
 * label {@value #COMMAND_LABEL} on a parameter tells the shell's completion to offer command names.
 */
final class HelpCommands {

    /** The parameter label that the shell completes with command names. */
    static final String COMMAND_LABEL = "COMMAND";
    /** Width of a manual page's text, in characters. */
    static final int MAN_WIDTH = 88;

    private static final List<String> SHELL = List.of("shell", "run-script", "help", "man", "history", "env", "date", "uptime",
            "uname", "whoami", "exit");
    private static final List<String> JOBS = List.of("jobs", "fg", "bg", "kill", "wait", "sleep", "ps", "top");
    private static final List<String> FILTERS = List.of("echo", "grep", "head", "tail", "wc", "sort");

    private HelpCommands() {
    }

    /** The section of {@code help} a command is listed in: by its prefix, or the shell's own groups. */
    static String group(String name) {
        if (name.startsWith("ledger-")) {
            return "Ledger";
        }
        if (name.startsWith("cap-") || name.startsWith("policy-")) {
            return "Capabilities and policy";
        }
        if (name.startsWith("snapshot-") || name.startsWith("kernel-")) {
            return "Snapshots";
        }
        if (name.startsWith("py")) {
            return "Python";
        }
        if (JOBS.contains(name)) {
            return "Jobs and tokens";
        }
        if (FILTERS.contains(name)) {
            return "Text filters (for pipelines)";
        }
        if (SHELL.contains(name)) {
            return "Shell and session";
        }
        return "More commands";
    }

    /** The first line of a command's header or description, for lists. */
    static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        if (header.length > 0 && !header[0].isBlank()) {
            return header[0];
        }
        String[] description = spec.usageMessage().description();
        return description.length > 0 ? formatted(description[0]).split("(?<=\\.) ", 2)[0] : "";
    }

    /** The command tree's subcommands, without their aliases. */
    static Map<String, CommandLine> commands(CommandSpec root) {
        Map<String, CommandLine> byName = new LinkedHashMap<>();
        root.subcommands().forEach((name, cl) -> {
            if (cl.getCommandName().equals(name)) {
                byName.put(name, cl);
            }
        });
        return byName;
    }

    /** An unknown command name as an input error, with suggestions. */
    static InputException unknown(String name, CommandSpec root, Session session) {
        List<String> close = new ArrayList<>();
        for (String candidate : commands(root).keySet()) {
            if (candidate.startsWith(name) || name.startsWith(candidate) || CapShowCommand.editDistanceAtMost2(candidate, name)) {
                close.add(candidate);
            }
        }
        return new InputException("there is no command '" + Table.clean(Table.fit(name, 40)) + "'",
                (close.isEmpty() ? "" : "Did you mean " + String.join(" or ", close.subList(0, Math.min(3, close.size()))) + "? ")
                        + "Run `" + session.hint("help") + "` for the list.");
    }

    private static CommandLine.Help.ColorScheme colours(Session session) {
        return CommandLine.Help.defaultColorScheme(session.colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF);
    }

    /** {@code help [COMMAND]}. */
    @Command(name = "help", helpCommand = true, usageHelpAutoWidth = true,
            header = "List the commands, or show one command's options.",
            description = "Without COMMAND, list every command by topic, with the shell's line language and keys. With "
                    + "COMMAND, show its options (the same as COMMAND --help); `man COMMAND` shows its whole manual page.")
    static final class Help implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(index = "0", arity = "0..1", paramLabel = COMMAND_LABEL, description = "The command.")
        private String command;

        Help(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            CommandSpec root = spec.root();
            PrintWriter out = spec.commandLine().getOut();
            if (command != null) {
                CommandLine sub = root.subcommands().get(command);
                if (sub == null) {
                    throw unknown(command, root, session);
                }
                sub.usage(out, colours(session));
                out.flush();
                return Os2.EXIT_OK;
            }
            Style style = Style.of(session);
            boolean inShell = session.services().shell().isPresent();
            if (!inShell) {
                out.println("Usage: " + session.hint("COMMAND [OPTIONS] [ARGUMENTS]"));
                for (String line : root.usageMessage().description()) {
                    out.println(line);
                }
                out.println();
            }
            Map<String, List<String>> groups = new LinkedHashMap<>();
            for (String g : List.of("Ledger", "Capabilities and policy", "Snapshots", "Python", "Jobs and tokens",
                    "Text filters (for pipelines)", "Shell and session", "More commands")) {
                groups.put(g, new ArrayList<>());
            }
            Map<String, CommandLine> commands = commands(root);
            int width = 0;
            for (String name : commands.keySet()) {
                groups.get(group(name)).add(name);
                width = Math.max(width, name.length());
            }
            for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                if (g.getValue().isEmpty()) {
                    continue;
                }
                out.println(style.bold(g.getKey()));
                for (String name : g.getValue()) {
                    out.println("  " + style.name(name) + " ".repeat(width - name.length()) + "  "
                            + summary(commands.get(name).getCommandSpec()));
                }
            }
            out.println();
            out.println(style.bold("Line language"));
            out.println("  a | b        the output of a is the input of b       a & runs a in the background (jobs, fg, bg)");
            out.println("  a && b       b only if a succeeded                   a || b runs b only if a failed; a ; b both");
            out.println("  'text'  \"text\"  \\x   quote and escape as in a POSIX shell; # starts a comment");
            out.println("  No variables, wildcards or redirections: every word is passed as written.");
            if (inShell) {
                out.println(style.bold("Keys"));
                out.println("  Tab completes commands, options, capability and snapshot ids, files; Up, Down and Ctrl-R recall");
                out.println("  history; Ctrl-C clears the line or interrupts a command; Ctrl-Z stops it; Ctrl-D leaves.");
            }
            out.println();
            out.println("`" + session.hint("help COMMAND") + "` or `" + session.hint("COMMAND --help") + "` shows a command's options, `"
                    + session.hint("man COMMAND") + "` its manual page.");
            if (!inShell) {
                for (String line : root.usageMessage().footer()) {
                    out.println(line);
                }
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /** {@code man COMMAND}: a manual page. */
    @Command(name = "man", usageHelpAutoWidth = true,
            header = "Show a command's manual page.",
            description = "Show COMMAND's manual page: name, synopsis, description, every option and argument with its "
                    + "default, exit status, and related commands.")
    static final class Man implements Callable<Integer> {
        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Parameters(index = "0", paramLabel = COMMAND_LABEL, description = "The command.")
        private String command;

        Man(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            CommandSpec root = spec.root();
            CommandLine sub = root.subcommands().get(command);
            if (sub == null) {
                throw unknown(command, root, session);
            }
            CommandSpec c = sub.getCommandSpec();
            Style style = Style.of(session);
            PrintWriter out = spec.commandLine().getOut();
            String indent = "       ";
            out.println(style.bold("NAME"));
            out.println(indent + c.name() + " - " + summary(c));
            out.println();
            out.println(style.bold("SYNOPSIS"));
            CommandLine.Help help = new CommandLine.Help(c, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
            String synopsis = help.synopsis(0).strip().replaceFirst("^os2 ", "");
            for (String line : wrap(session.hint(synopsis), MAN_WIDTH - indent.length())) {
                out.println(indent + line);
            }
            out.println();
            out.println(style.bold("DESCRIPTION"));
            for (String paragraph : c.usageMessage().description()) {
                for (String line : wrap(formatted(paragraph), MAN_WIDTH - indent.length())) {
                    out.println(indent + line);
                }
                out.println();
            }
            List<PositionalParamSpec> positionals = c.positionalParameters();
            if (!positionals.isEmpty()) {
                out.println(style.bold("ARGUMENTS"));
                for (PositionalParamSpec p : positionals) {
                    if (p.hidden()) {
                        continue;
                    }
                    out.println(indent + style.bold(p.paramLabel()) + (p.arity().min() == 0 ? " (optional)" : ""));
                    for (String line : wrap(formatted(String.join(" ", p.description())), MAN_WIDTH - indent.length() - 7)) {
                        out.println(indent + "       " + line);
                    }
                }
                out.println();
            }
            out.println(style.bold("OPTIONS"));
            for (OptionSpec o : c.options()) {
                if (o.hidden()) {
                    continue;
                }
                String names = String.join(", ", o.names()) + (o.typeInfo().isBoolean() ? "" : " " + o.paramLabel());
                out.println(indent + style.bold(names));
                String description = formatted(String.join(" ", o.description()));
                for (String line : wrap(description, MAN_WIDTH - indent.length() - 7)) {
                    out.println(indent + "       " + line);
                }
            }
            out.println();
            out.println(style.bold("EXIT STATUS"));
            for (String line : wrap("0 ok; 1 the command's check failed; 2 a usage or input error (nothing was changed); "
                    + "3 an internal error (--debug shows the stack trace); 130 interrupted (Ctrl-C or kill %JOB).",
                    MAN_WIDTH - indent.length())) {
                out.println(indent + line);
            }
            List<String> related = new ArrayList<>();
            String prefix = c.name().contains("-") ? c.name().substring(0, c.name().indexOf('-') + 1) : null;
            for (String name : commands(root).keySet()) {
                if (!name.equals(c.name()) && (prefix != null ? name.startsWith(prefix) : group(name).equals(group(c.name())))) {
                    related.add(name);
                }
            }
            if (!related.isEmpty()) {
                out.println();
                out.println(style.bold("SEE ALSO"));
                for (String line : wrap(String.join(", ", related) + "; help; docs/shell.md", MAN_WIDTH - indent.length())) {
                    out.println(indent + line);
                }
            }
            out.flush();
            return Os2.EXIT_OK;
        }
    }

    /**
     * A description as picocli shows it: descriptions are format strings ({@code %%} for
     * {@code %}, {@code %n} for a line break).
     */
    static String formatted(String description) {
        try {
            return String.format(java.util.Locale.ROOT, description);
        } catch (java.util.IllegalFormatException e) {
            return description;
        }
    }

    /** {@code text} broken into lines of at most {@code width} characters, at spaces. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
