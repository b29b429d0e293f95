package dev.os2.shell;

import dev.os2.ledger.EventEnvelope;
import java.io.PrintWriter;
import java.util.List;

/**
 * Ledger entries as a table for people: position, virtual time, kind, capability, event id, short
 * hash and the payload cut to fit. {@code ledger-inspect --json} gives the full entries. Not
 * thread-safe.
 */
final class EntryTable {

    static final List<String> HEADERS = List.of("POS", "TICK", "KIND", "CAPABILITY", "EVENT", "HASH", "PAYLOAD");
    private static final int[] MAX_WIDTHS = {12, 16, 32, 28, 24, 12, 64};
    private static final int KIND = 2;
    private static final int HASH = 5;

    private final Table table;

    EntryTable(PrintWriter out, Session session) {
        Style style = Style.of(session);
        this.table = new Table(out, style, HEADERS, MAX_WIDTHS, (column, text) -> switch (column) {
            case KIND -> colourKind(style, text);
            case HASH -> style.dim(text);
            default -> text;
        }, session.terminalColumns());
    }

    void add(EventEnvelope e) {
        table.add(List.of(
                Long.toString(e.position()),
                Long.toString(e.virtualTime()),
                e.kind(),
                e.capabilityId() == null ? "-" : e.capabilityId(),
                e.eventId(),
                e.hash().toShortHex(),
                e.payload().text()));
    }

    long rows() {
        return table.rows();
    }

    void flush() {
        table.flush();
    }

    /** Failures in red, successes in green: the kinds an operator looks for first. */
    private static String colourKind(Style style, String text) {
        String kind = text.strip();
        if (kind.contains("violation") || kind.contains("exceeded") || kind.contains("rejected")
                || kind.contains("revoked") || kind.contains("cancelled")) {
            return style.bad(text);
        }
        if (kind.contains("completed") || kind.contains("granted")) {
            return style.good(text);
        }
        return text;
    }
}
