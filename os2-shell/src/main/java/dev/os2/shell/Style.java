package dev.os2.shell;

/**
 * Terminal colour for output meant for people: ANSI escape sequences when enabled, plain text
 * otherwise. Enabled only when standard output is a terminal and {@code NO_COLOR} is not set
 * (see {@link Session#colour()}), so piped output and files never contain escape sequences.
 *
 * @param enabled whether to emit escape sequences
 */
public record Style(boolean enabled) {

    /** A style that never colours. */
    public static final Style PLAIN = new Style(false);

    /** The style for {@code session}'s standard output. */
    public static Style of(Session session) {
        return new Style(session.colour());
    }

    /** Bold, for headers and the key figure of a message. */
    public String bold(String text) {
        return wrap("1", text);
    }

    /** Dimmed, for secondary detail such as hashes. */
    public String dim(String text) {
        return wrap("2", text);
    }

    /** Green, for good outcomes. */
    public String good(String text) {
        return wrap("32", text);
    }

    /** Red, for failures and violations. */
    public String bad(String text) {
        return wrap("31", text);
    }

    /** Yellow, for warnings. */
    public String warn(String text) {
        return wrap("33", text);
    }

    /** Cyan, for names the user can type (commands, kinds). */
    public String name(String text) {
        return wrap("36", text);
    }

    private String wrap(String code, String text) {
        return enabled && !text.isEmpty() ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }
}
