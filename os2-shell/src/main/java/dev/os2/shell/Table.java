package dev.os2.shell;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A text table with aligned columns, for output meant for people. Rows are buffered up to
 * {@link #BATCH_ROWS} and printed in batches, so memory stays bounded however many rows come:
 * the first batch sets the column widths, and a later cell wider than its column is cut with
 * {@code …}. Each column also has a maximum width.
 *
 * <p>Cells are cleaned before printing: control and format characters (escape sequences,
 * bidirectional overrides) are shown as {@code \\uXXXX}, so data in the ledger cannot move the
 * cursor or restyle the terminal. Not thread-safe.
 */
public final class Table {

    /** Rows buffered before a batch is printed. */
    public static final int BATCH_ROWS = 1000;

    /** The narrowest the last column gets when lines are fitted to a width. */
    public static final int LAST_COLUMN_MIN = 16;

    private static final String GAP = "  ";

    private final PrintWriter out;
    private final Style style;
    private final String[] headers;
    private final int[] maxWidths;
    private final BiFunction<Integer, String, String> colour;
    private final int lineWidthMax;
    private final List<String[]> pending = new ArrayList<>();
    private int[] widths;
    private long printedRows;

    /**
     * Creates a table.
     *
     * @param out where to print
     * @param style colours for the header and cells
     * @param headers the column headers
     * @param maxWidths each column's maximum width in characters (at least 2)
     * @param colour colours a cell, given its column index and padded text; used only when the style is enabled
     * @param lineWidthMax the widest a line may be, in characters, met by narrowing the last
     *     column (to no less than {@link #LAST_COLUMN_MIN}); 0 for no limit
     */
    public Table(PrintWriter out, Style style, List<String> headers, int[] maxWidths,
            BiFunction<Integer, String, String> colour, int lineWidthMax) {
        this.out = Objects.requireNonNull(out, "out");
        this.style = Objects.requireNonNull(style, "style");
        this.headers = headers.toArray(String[]::new);
        this.maxWidths = maxWidths.clone();
        this.colour = Objects.requireNonNull(colour, "colour");
        this.lineWidthMax = lineWidthMax;
        if (this.headers.length != this.maxWidths.length) {
            throw new IllegalArgumentException("one maximum width per header: " + this.headers.length + " headers, "
                    + this.maxWidths.length + " widths");
        }
        for (int w : this.maxWidths) {
            if (w < 2) {
                throw new IllegalArgumentException("column widths must be at least 2, got " + Arrays.toString(maxWidths));
            }
        }
    }

    /** Adds a row of one cell per column; prints a batch when the buffer is full. */
    public void add(List<String> cells) {
        if (cells.size() != headers.length) {
            throw new IllegalArgumentException("a row needs " + headers.length + " cells, got " + cells.size());
        }
        String[] row = new String[cells.size()];
        for (int i = 0; i < row.length; i++) {
            row[i] = clean(cells.get(i));
        }
        pending.add(row);
        if (pending.size() >= BATCH_ROWS) {
            flush();
        }
    }

    /** Number of rows added so far. */
    public long rows() {
        return printedRows + pending.size();
    }

    /** Prints the buffered rows (and the header, before the first row). */
    public void flush() {
        if (pending.isEmpty()) {
            out.flush();
            return;
        }
        if (widths == null) {
            widths = new int[headers.length];
            for (int i = 0; i < headers.length; i++) {
                widths[i] = Math.min(maxWidths[i], headers[i].length());
            }
            for (String[] row : pending) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], Math.min(maxWidths[i], length(row[i])));
                }
            }
            if (lineWidthMax > 0) {
                int last = widths.length - 1;
                int others = 0;
                for (int i = 0; i < last; i++) {
                    others += widths[i] + GAP.length();
                }
                widths[last] = Math.max(Math.min(widths[last], lineWidthMax - others), Math.min(widths[last], LAST_COLUMN_MIN));
            }
            printLine(headers, true);
        }
        for (String[] row : pending) {
            printLine(row, false);
        }
        printedRows += pending.size();
        pending.clear();
        out.flush();
    }

    private void printLine(String[] cells, boolean header) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            boolean last = i == cells.length - 1;
            String text = fit(cells[i], widths[i]);
            String padded = last ? text : text + " ".repeat(widths[i] - length(text));
            line.append(header ? style.bold(padded) : style.enabled() ? colour.apply(i, padded) : padded);
            if (!last) {
                line.append(GAP);
            }
        }
        out.println(line.toString().stripTrailing());
    }

    /** {@code text} cut to {@code width} characters, ending in {@code …} when cut. */
    static String fit(String text, int width) {
        if (length(text) <= width) {
            return text;
        }
        int end = text.offsetByCodePoints(0, width - 1);
        return text.substring(0, end) + "…";
    }

    /** Width in code points (wide East Asian characters count as one; good enough for ledger data). */
    static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    /**
     * Replaces control and format characters with {@code \\uXXXX} so they cannot act on the terminal.
     *
     * @param text the text, or null (shown as {@code -})
     * @return the text, safe to print
     */
    public static String clean(String text) {
        if (text == null) {
            return "-";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            boolean unsafe = type == Character.CONTROL || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || (Character.isSurrogate(c) && !validPair(text, i));
            if (unsafe) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
