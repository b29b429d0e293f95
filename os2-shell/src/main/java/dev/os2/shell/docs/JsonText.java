package dev.os2.shell.docs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON as these tools write it to files: two-space indentation, {@code "key": value}, {@code \n}
 * line ends on every platform, one final newline. Members keep the order they were added in, so
 * the caller fixes the order.
 */
public final class JsonText {

    private static final ObjectWriter PRETTY;

    static {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        PRETTY = JsonMapper.builder().build().writer(printer);
    }

    private JsonText() {
    }

    /** {@code node} pretty-printed, ending in one newline. */
    public static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            // A tree of Jackson nodes always serialises; this would be a Jackson bug.
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }
}
