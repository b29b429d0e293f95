package dev.os2.shell.docs;

/**
 * Plain text made safe for Markdown: {@code <} outside code spans becomes {@code &lt;} (so that
 * {@code keys/<name>.pub.json} is not taken for an HTML tag), and in table cells line breaks become
 * spaces and {@code |} is escaped.
 */
final class Markdown {

    private Markdown() {
    }

    /** {@code text} for a paragraph: {@code <} outside backtick code spans escaped. */
    static String text(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        boolean code = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '`') {
                code = !code;
            }
            if (c == '<' && !code) {
                sb.append("&lt;");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@code text} for one table cell: on one line, {@code <} and {@code |} escaped, never empty. */
    static String cell(String text) {
        String t = text(text.replace("\r", " ").replace("\n", " ")).replace("|", "\\|").strip();
        return t.isEmpty() ? " " : t;
    }
}
