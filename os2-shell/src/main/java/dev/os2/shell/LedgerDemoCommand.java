package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.VerifyResult;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger-demo}: a short end-to-end tour for newcomers. Appends a few realistic OS2 events
 * to the workspace's Chronicle ledger (creating both if needed), verifies the chain from genesis,
 * and shows the new entries and the head hash. Running it again appends more: the chain
 * continues across runs and processes.
 *
 * <p>The events tell one story per round of {@link #ROUND_EVENTS}: a capability is registered and
 * granted to an agent, the agent's token is scheduled, started and completed within its budget,
 * then the agent's next token asks for a capability it was never granted and is stopped with a
 * {@code capability_violation}. Their content depends only on their position, so two fresh
 * workspaces get the same entries and the same head hash.
 */
@Command(name = "ledger-demo",
        usageHelpAutoWidth = true,
        header = "Append demo events to the ledger, verify it and show the new entries.",
        description = {
            "Append a few realistic OS2 events (capability registered and granted, token scheduled, started and "
                    + "completed, a capability violation) to the workspace's ledger, verify the chain, and show the "
                    + "new entries and the head hash. Creates the workspace if needed; running it again continues "
                    + "the chain."
        })
public final class LedgerDemoCommand implements Callable<Integer> {

    /** Events in one round of the story. */
    public static final int ROUND_EVENTS = 7;
    /** Most events one run may append. */
    public static final int MAX_EVENTS = 100_000;
    /** Most new entries shown in the table; ledger-inspect shows the rest. */
    static final int SHOWN_MAX = 21;

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--events", paramLabel = "N", defaultValue = "" + ROUND_EVENTS,
            description = "How many events to append (1 to " + MAX_EVENTS + "). Default: ${DEFAULT-VALUE}, one round of the story.")
    private int events;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public LedgerDemoCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (events < 1 || events > MAX_EVENTS) {
            throw new InputException("--events must be between 1 and " + MAX_EVENTS + ", got " + events,
                    "The default, " + ROUND_EVENTS + ", appends one round of the story.");
        }
        PrintWriter out = spec.commandLine().getOut();
        Style style = Style.of(session);
        Workspace workspace = common.workspace();
        String where = workspaceHint(workspace);

        out.println(style.bold("OS2 ledger demo"));
        VerifyResult verified;
        Hash head;
        long before;
        Deque<EventEnvelope> shown = new ArrayDeque<>();
        try (Ledger ledger = workspace.openLedger()) {
            before = ledger.size();
            out.println("Workspace " + workspace.directory() + ": the ledger in " + Workspace.LEDGER_DIRECTORY
                    + "/ (Chronicle Queue files) holds " + before + (before == 1 ? " entry." : " entries."));
            // A demo that appends to a damaged chain would bury the damage under new entries.
            VerifyResult existing = before == 0 ? null : ledger.verify();
            if (existing instanceof VerifyResult.Broken broken) {
                out.println(style.bad("The ledger is broken") + " at position " + broken.position() + " ("
                        + LedgerVerifyCommand.problemName(broken.problem()) + "): " + broken.detail());
                out.println("The demo appends only to an intact ledger. Use another --workspace, or run `"
                        + session.hint("ledger-verify" + where) + "` for details.");
                out.flush();
                return Os2.EXIT_CHECK_FAILED;
            }
            out.println("Appending " + events + (events == 1 ? " event" : " events")
                    + ": an agent is granted fs.read and runs a token within its budget;");
            out.println("its next token asks for net.fetch, which it was never granted, and is stopped.");
            out.println();
            long tick = ledger.head().map(EventEnvelope::virtualTime).orElse(0L);
            for (int i = 0; i < events; i++) {
                long position = ledger.size();
                EventDraft draft = storyEvent(position, tick);
                EventEnvelope appended = ledger.append(draft);
                tick = appended.virtualTime();
                shown.addLast(appended);
                if (shown.size() > SHOWN_MAX) {
                    shown.removeFirst();
                }
            }
            if (events > shown.size()) {
                out.println("(" + (events - shown.size()) + " earlier new entries not shown; `"
                        + session.hint("ledger-inspect" + where) + "` lists them all.)");
            }
            EntryTable table = new EntryTable(out, session);
            shown.forEach(table::add);
            table.flush();
            out.println();
            verified = ledger.verify();
            head = ledger.headHash();
        }
        switch (verified) {
            case VerifyResult.Intact intact -> out.println("Verified the whole chain from genesis: " + style.good("intact")
                    + ", " + intact.verifiedEntries() + " entries.");
            case VerifyResult.Broken broken -> out.println("Verified the whole chain from genesis: " + style.bad("broken")
                    + " at position " + broken.position() + " (" + LedgerVerifyCommand.problemName(broken.problem())
                    + "): " + broken.detail());
        }
        out.println("Head hash: " + style.bold(head.toHex()));
        out.println();
        out.println("Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON,");
        out.println("so changing, dropping or reordering any entry breaks verification from that position on.");
        out.println("Next:");
        String[][] next = {
            {"ledger-verify" + where, "check the chain again (exit 1 names the first bad position)"},
            {"ledger-inspect --kind capability_violation" + where, "only the violations"},
            {"ledger-inspect --since " + shown.getFirst().hash().toShortHex() + " --json" + where,
                "entries after that hash, one JSON object per line"},
            {"ledger-demo" + where, "append another round; the chain continues"},
        };
        int width = 0;
        for (String[] line : next) {
            width = Math.max(width, session.hint(line[0]).length());
        }
        for (String[] line : next) {
            String command = session.hint(line[0]);
            out.println("  " + style.name(command) + " ".repeat(width - command.length()) + "  " + line[1]);
        }
        out.flush();
        return verified.intact() ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }

    /** {@code " --workspace DIR"} when the workspace is not the default one, so hints can be pasted as they are. */
    private String workspaceHint(Workspace workspace) {
        Workspace standard = Workspace.at(session.defaultWorkspace());
        if (standard.equals(workspace)) {
            return "";
        }
        Path shown = workspace.directory();
        Path cwd = Path.of("").toAbsolutePath();
        if (shown.startsWith(cwd) && !shown.equals(cwd)) {
            shown = cwd.relativize(shown);
        }
        String text = shown.toString();
        return " --workspace " + (text.matches("[A-Za-z0-9._/+@:-]+") ? text : "'" + text.replace("'", "'\\''") + "'");
    }

    /**
     * The story event at {@code position}, at a virtual time after {@code tick}. Round {@code r}
     * (positions {@code 7r} to {@code 7r+6}) involves agent {@code agent:researcher-<r+1>}.
     */
    static EventDraft storyEvent(long position, long tick) {
        long round = position / ROUND_EVENTS;
        int step = (int) (position % ROUND_EVENTS);
        String subject = "agent:researcher-" + (round + 1);
        String readToken = "tok-" + (round * ROUND_EVENTS + 2);
        String fetchToken = "tok-" + (round * ROUND_EVENTS + 5);
        ObjectNode p = LedgerVerifyCommand.JSON.createObjectNode();
        return switch (step) {
            case 0 -> {
                p.put("capability", "fs.read");
                p.put("descriptor_version", round + 1);
                p.putObject("invocation").put("path", "string");
                p.put("token_ceiling", 2000);
                p.putObject("rate_limit").put("calls", 10).put("per_ticks", 1000);
                yield EventDraft.of("capability_registered", "fs.read", tick + 1, CanonicalJson.of(p));
            }
            case 1 -> {
                p.put("subject", subject);
                p.put("grant_version", 1);
                p.putObject("scope").putArray("paths").add("reports/");
                yield EventDraft.of("capability_granted", "fs.read", tick + 1, CanonicalJson.of(p));
            }
            case 2 -> EventDraft.of("token_scheduled", "fs.read", tick + 2, scheduled(p, readToken, subject, "fs.read", tick));
            case 3 -> {
                p.put("token", readToken);
                p.put("subject", subject);
                yield EventDraft.of("token_started", "fs.read", tick + 3, CanonicalJson.of(p));
            }
            case 4 -> {
                p.put("token", readToken);
                p.put("cost_units_used", 120);
                p.put("memory_bytes_peak", 3_145_728);
                p.put("output_sha256", Hash.sha256(("summary of reports/q" + (round % 4 + 1) + ".csv")
                        .getBytes(StandardCharsets.UTF_8)).toHex());
                yield EventDraft.of("token_completed", "fs.read", tick + 120, CanonicalJson.of(p));
            }
            case 5 -> EventDraft.of("token_scheduled", "net.fetch", tick + 2, scheduled(p, fetchToken, subject, "net.fetch", tick));
            case 6 -> {
                p.put("token", fetchToken);
                p.put("subject", subject);
                p.put("capability", "net.fetch");
                p.put("reason", "no grant of net.fetch to " + subject);
                p.put("action", "halted");
                yield EventDraft.of("capability_violation", "net.fetch", tick + 1, CanonicalJson.of(p));
            }
            default -> throw new IllegalStateException("step " + step + " of a round of " + ROUND_EVENTS);
        };
    }

    private static CanonicalJson scheduled(ObjectNode p, String token, String subject, String capability, long tick) {
        p.put("token", token);
        p.put("subject", subject);
        p.put("priority", 5);
        ArrayNode requires = p.putArray("requires");
        requires.add(capability);
        ObjectNode budget = p.putObject("budget");
        budget.put("cost_units", 500);
        budget.put("memory_bytes_max", 67_108_864);
        budget.put("network_bytes_max", 0);
        budget.put("deadline_ticks", tick + 1000);
        return CanonicalJson.of(p);
    }
}
