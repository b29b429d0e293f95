package dev.os2.shell;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Tab completion from the picocli model, so it never drifts from what the parser accepts: command
 * names at the start of each command of a line (after {@code |}, {@code &&}, {@code ;} …), then the
 * command's options, and for an option's value or a positional parameter its completion candidates
 * (capability ids, snapshot ids, which read the workspace when asked), command names for a
 * {@value HelpCommands#COMMAND_LABEL} parameter, or file paths for a path-like one. Never throws:
 * a completion that cannot be computed offers nothing.
 */
final class ShellCompleter implements Completer {

    /** Most directory entries looked at for one file completion. */
    static final int FILES_MAX = 2_000;

    private final Supplier<CommandLine> model;

    ShellCompleter(Supplier<CommandLine> model) {
        this.model = model;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        try {
            completeWords(line, candidates);
        } catch (RuntimeException e) {
            // Completion is a convenience: a workspace that cannot be read offers nothing.
        }
    }

    private void completeWords(ParsedLine line, List<Candidate> candidates) {
        if (!(line instanceof ShellLineParser.Words words)) {
            return;
        }
        int index = words.wordIndex();
        int start = index;
        while (start > 0 && !words.operator(start - 1)) {
            start--;
        }
        List<String> before = new ArrayList<>(words.words().subList(start, index));
        before = new ArrayList<>(Shell.withoutProgramName(before));
        String partial = words.word().substring(0, Math.min(words.wordCursor(), words.word().length()));
        if (before.isEmpty()) {
            commandNames(candidates);
            return;
        }
        CommandLine sub = model.get().getSubcommands().get(before.get(0));
        if (sub == null) {
            return;
        }
        CommandSpec spec = sub.getCommandSpec();
        String previous = before.get(before.size() - 1);
        if (before.size() > 1 && previous.startsWith("-") && !previous.contains("=")) {
            OptionSpec option = spec.findOption(previous);
            if (option != null && takesValue(option)) {
                values(option, partial, candidates);
                return;
            }
        }
        if (partial.startsWith("-")) {
            options(spec, candidates);
            return;
        }
        int position = 0;
        for (int i = 1; i < before.size(); i++) {
            String w = before.get(i);
            if (w.startsWith("-") && w.length() > 1) {
                OptionSpec option = spec.findOption(w.contains("=") ? w.substring(0, w.indexOf('=')) : w);
                if (option != null && takesValue(option) && !w.contains("=")) {
                    i++;
                }
                continue;
            }
            position++;
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.index().contains(position)) {
                values(p, partial, candidates);
                return;
            }
        }
    }

    private static boolean takesValue(OptionSpec option) {
        return !option.typeInfo().isBoolean() && option.arity().max() > 0;
    }

    private void commandNames(List<Candidate> candidates) {
        for (Map.Entry<String, CommandLine> e : HelpCommands.commands(model.get().getCommandSpec()).entrySet()) {
            candidates.add(new Candidate(e.getKey(), e.getKey(), null, HelpCommands.summary(e.getValue().getCommandSpec()),
                    null, null, true));
        }
    }

    private static void options(CommandSpec spec, List<Candidate> candidates) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            String description = o.description().length == 0 ? null : HelpCommands.formatted(o.description()[0]).split("(?<=\\.) ", 2)[0];
            for (String name : o.names()) {
                candidates.add(new Candidate(name, name, null, description, null, null, true));
            }
        }
    }

    private void values(ArgSpec arg, String partial, List<Candidate> candidates) {
        if (HelpCommands.COMMAND_LABEL.equals(arg.paramLabel())) {
            commandNames(candidates);
            return;
        }
        Iterable<String> known = arg.completionCandidates();
        if (known != null) {
            for (String value : known) {
                candidates.add(new Candidate(value, value, null, null, null, null, true));
            }
            return;
        }
        Class<?> type = arg.typeInfo().getType();
        String label = arg.paramLabel().toUpperCase(Locale.ROOT);
        if (Path.class.isAssignableFrom(type) || type == java.io.File.class || label.contains("FILE") || label.contains("PATH")
                || label.contains("DIR") || label.contains("BUNDLE") || label.contains("SCRIPT") || label.contains("TOML")) {
            files(partial, candidates);
        }
    }

    /** File and folder names that continue {@code partial}, relative to the current directory. */
    static void files(String partial, List<Candidate> candidates) {
        int slash = partial.lastIndexOf('/');
        String folder = slash < 0 ? "" : partial.substring(0, slash + 1);
        String prefix = partial.substring(slash + 1);
        Path dir = folder.isEmpty() ? Path.of("") : Path.of(folder.startsWith("~/")
                ? System.getProperty("user.home") + folder.substring(1) : folder);
        Path absolute = dir.toAbsolutePath();
        if (!Files.isDirectory(absolute)) {
            return;
        }
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(absolute)) {
            for (Path p : entries) {
                if (++seen > FILES_MAX) {
                    break;
                }
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix) || (name.startsWith(".") && !prefix.startsWith("."))) {
                    continue;
                }
                boolean directory = Files.isDirectory(p);
                String value = folder + name + (directory ? "/" : "");
                candidates.add(new Candidate(value, name + (directory ? "/" : ""), null, null, null, null, !directory));
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable folder offers nothing.
        }
    }
}
