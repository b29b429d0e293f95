package dev.os2.shell.line;

import java.util.List;
import java.util.Objects;

/**
 * A parsed line: lists of pipelines, run one after the other; each list runs in the foreground or,
 * when it ended with {@code &}, as a background job.
 *
 * @param lists the lists in the order they were written; empty for a blank or comment line
 */
public record Script(List<AndOrList> lists) {

    /** Copies the lists. */
    public Script {
        lists = List.copyOf(lists);
    }

    /** Whether the line held no command (blank, or only a comment). */
    public boolean isEmpty() {
        return lists.isEmpty();
    }

    /** How the next pipeline of an {@link AndOrList} is joined to the one before it. */
    public enum Connector {
        /** {@code &&}: run only if the one before succeeded (exit 0). */
        AND,
        /** {@code ||}: run only if the one before failed. */
        OR
    }

    /**
     * Pipelines joined by {@code &&} and {@code ||}, in the foreground or the background.
     *
     * @param first the first pipeline
     * @param rest the others, each with the connector before it
     * @param background whether the list ended with {@code &}
     * @param text the list's source text, as typed (without the {@code &} or {@code ;} after it)
     */
    public record AndOrList(Pipeline first, List<Step> rest, boolean background, String text) {

        /** Copies the steps. */
        public AndOrList {
            Objects.requireNonNull(first, "first");
            rest = List.copyOf(rest);
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A pipeline joined to the one before it.
     *
     * @param connector {@code &&} or {@code ||}
     * @param pipeline the pipeline
     */
    public record Step(Connector connector, Pipeline pipeline) {

        /** Checks for null. */
        public Step {
            Objects.requireNonNull(connector, "connector");
            Objects.requireNonNull(pipeline, "pipeline");
        }
    }

    /**
     * Commands whose standard output feeds the next one's standard input.
     *
     * @param commands one or more commands
     * @param text the pipeline's source text, as typed
     */
    public record Pipeline(List<Command> commands, String text) {

        /** Copies the commands; a pipeline has at least one. */
        public Pipeline {
            commands = List.copyOf(commands);
            if (commands.isEmpty()) {
                throw new IllegalArgumentException("a pipeline has at least one command");
            }
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * One command: its name and arguments, with quotes removed.
     *
     * @param words the name, then the arguments; at least one
     * @param text the command's source text, as typed
     */
    public record Command(List<String> words, String text) {

        /** Copies the words; a command has at least one. */
        public Command {
            words = List.copyOf(words);
            if (words.isEmpty()) {
                throw new IllegalArgumentException("a command has at least one word");
            }
            Objects.requireNonNull(text, "text");
        }

        /** The command's name, its first word. */
        public String name() {
            return words.get(0);
        }

        /** The arguments after the name. */
        public List<String> arguments() {
            return words.subList(1, words.size());
        }
    }
}
