package dev.os2.shell;

import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerException;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger-inspect}: lists ledger entries, read-only, as a table for people or as one JSON
 * object per line ({@link EventEnvelope#toJson()}) for programs.
 */
@Command(name = "ledger-inspect",
        usageHelpAutoWidth = true,
        header = "List ledger entries as a table or as JSON lines.",
        description = {
            "List the entries of the workspace's ledger, oldest first: a table (position, virtual time in ticks, "
                    + "kind, capability, event id, short hash, payload cut to fit) or, with --json, one canonical "
                    + "JSON object per line. Opens the ledger read-only."
        })
public final class LedgerInspectCommand implements Callable<Integer> {

    /** Fewest hex digits accepted as a hash prefix for {@code --since}. */
    static final int MIN_PREFIX_DIGITS = 6;

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--since", paramLabel = "HASH",
            description = "Only entries after the entry with this hash (64 hex digits, or a unique prefix of at least "
                    + MIN_PREFIX_DIGITS + ", as in the table's HASH column).")
    private String since;

    @Option(names = "--kind", paramLabel = "KIND", description = "Only entries of this kind, for example capability_violation.")
    private String kind;

    @Option(names = "--limit", paramLabel = "N", description = "At most N entries (after --since and --kind).")
    private Long limit;

    @Option(names = "--json", description = "One JSON object per line: the full entry with its hash.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public LedgerInspectCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (limit != null && limit < 1) {
            throw new InputException("--limit must be at least 1, got " + limit, "Omit --limit to list every entry.");
        }
        if (since != null) {
            parseSince(since);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Ledger ledger = common.openLedgerReadOnly(session);
                Stream<EventEnvelope> entries = select(ledger)) {
            if (json) {
                Iterator<EventEnvelope> it = entries.iterator();
                while (it.hasNext()) {
                    out.println(it.next().toJson());
                }
                out.flush();
            } else {
                printTable(out, entries, ledger);
            }
        }
        return Os2.EXIT_OK;
    }

    private void printTable(PrintWriter out, Stream<EventEnvelope> entries, Ledger ledger) {
        EntryTable table = new EntryTable(out, session);
        try {
            Iterator<EventEnvelope> it = entries.iterator();
            while (it.hasNext()) {
                table.add(it.next());
            }
        } catch (LedgerException e) {
            // Show what was readable before the damage, then report the damage.
            table.flush();
            throw e;
        }
        table.flush();
        if (table.rows() == 0) {
            out.println(ledger.size() == 0 ? "The ledger is empty." : "No entries match.");
        }
        out.flush();
    }

    private Stream<EventEnvelope> select(Ledger ledger) {
        Stream<EventEnvelope> entries = since == null ? ledger.entries(0) : entriesSince(ledger, parseSince(since));
        // Reading decodes entries but does not check their hashes; inspect does, so that it never
        // shows a changed entry as if it were the recorded one.
        ChainCheck check = new ChainCheck();
        entries = entries.peek(check::accept);
        if (kind != null) {
            String wanted = kind;
            entries = entries.filter(e -> e.kind().equals(wanted));
        }
        if (limit != null) {
            entries = entries.limit(limit);
        }
        return entries;
    }

    /** The entries after the one whose hash is {@code hex}, a full hash or a unique prefix. */
    private Stream<EventEnvelope> entriesSince(Ledger ledger, String hex) {
        if (hex.length() == Hash.LENGTH_BYTES * 2) {
            Hash hash = Hash.parse(hex);
            if (hash.equals(Hash.GENESIS)) {
                return ledger.entries(0);
            }
            try {
                return ledger.entriesSince(hash);
            } catch (NoSuchElementException e) {
                throw unknownHash(hex);
            }
        }
        long found = -1;
        try (Stream<EventEnvelope> all = ledger.entries(0)) {
            Iterator<EventEnvelope> it = all.iterator();
            while (it.hasNext()) {
                EventEnvelope e = it.next();
                if (e.hash().toHex().startsWith(hex)) {
                    if (found >= 0) {
                        throw new InputException("the hash prefix " + hex + " matches more than one entry (positions "
                                + found + " and " + e.position() + ")", "Give more digits of the hash.");
                    }
                    found = e.position();
                }
            }
        }
        if (found < 0) {
            throw unknownHash(hex);
        }
        return ledger.entries(found + 1);
    }

    /**
     * Checks that each entry read matches its own hash and links to the entry read before it.
     * The first entry read is trusted to link correctly: it follows genesis or the {@code --since}
     * entry, which was found by its hash.
     */
    private static final class ChainCheck {
        private EventEnvelope previous;

        void accept(EventEnvelope e) {
            if (!e.recomputeHash().equals(e.hash())) {
                throw new LedgerException(LedgerException.Category.CORRUPT, "the entry at position " + e.position()
                        + " does not match its hash: it was changed after it was written; entries from there on are not shown");
            }
            if (previous != null && !e.prevHash().equals(previous.hash())) {
                throw new LedgerException(LedgerException.Category.CORRUPT, "the entry at position " + e.position()
                        + " does not link to the entry before it; entries from there on are not shown");
            }
            previous = e;
        }
    }

    private InputException unknownHash(String hex) {
        return new InputException("no entry in the ledger of " + common.workspace().directory() + " has the hash " + hex,
                "Copy a hash from `" + session.hint("ledger-inspect") + "` (HASH column) or from --json output.");
    }

    /** Lower-case hex digits of a full hash or a prefix, or an input error. */
    private static String parseSince(String value) {
        String hex = value.strip().toLowerCase(Locale.ROOT);
        boolean isHex = !hex.isEmpty() && hex.chars().allMatch(HexFormat::isHexDigit);
        if (!isHex || hex.length() < MIN_PREFIX_DIGITS || hex.length() > Hash.LENGTH_BYTES * 2) {
            throw new InputException("--since needs a hash of 64 hex digits or a prefix of at least " + MIN_PREFIX_DIGITS
                    + ", got \"" + Table.clean(Table.fit(value, 80)) + "\"",
                    "Copy a hash from the HASH column of ledger-inspect or from its --json output.");
        }
        return hex;
    }
}
