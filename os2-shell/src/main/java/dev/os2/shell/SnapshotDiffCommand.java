package dev.os2.shell;

import dev.os2.kernel.KernelState;
import dev.os2.snapshot.SnapshotId;
import dev.os2.snapshot.SnapshotState;
import dev.os2.snapshot.SnapshotStore;
import dev.os2.snapshot.StateDiff;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code snapshot-diff A B}: how the state of snapshot B differs from that of snapshot A. */
@Command(name = "snapshot-diff",
        usageHelpAutoWidth = true,
        header = "Show how one snapshot's state differs from another's.",
        description = {
            "Compare the states of snapshots A and B: the scalars that changed (clock, id counters, token counts) and every "
                    + "capability, grant, live token and finished outcome that was added, removed or changed, with the "
                    + "members that changed and whether only usage counters moved. Both bundles are read and checked."
        })
public final class SnapshotDiffCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "A", completionCandidates = SnapshotIds.class, description = "The first snapshot's id.")
    private String a;

    @Parameters(index = "1", paramLabel = "B", completionCandidates = SnapshotIds.class, description = "The second snapshot's id.")
    private String b;

    @Option(names = "--json", description = "Print the diff as one JSON object: scalars and deltas (with both sides).")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotDiffCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        SnapshotStore store = SnapshotShowCommand.store(common.workspace());
        SnapshotId ia = SnapshotShowCommand.parseId(a, session);
        SnapshotId ib = SnapshotShowCommand.parseId(b, session);
        SnapshotState sa = SnapshotShowCommand.read(store, ia, session);
        SnapshotState sb = SnapshotShowCommand.read(store, ib, session);
        StateDiff diff = StateDiff.between(sa.state(), sb.state());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(diff.toJson().text());
            out.flush();
            return Os2.EXIT_OK;
        }
        Style style = Style.of(session);
        out.println("From " + style.bold(ia.toString()) + " (position " + sa.position() + ") to " + style.bold(ib.toString())
                + " (position " + sb.position() + "):");
        if (diff.isEmpty()) {
            out.println("  the states are equal (state hash " + sa.header().stateHash().toHex() + ")");
            out.flush();
            return Os2.EXIT_OK;
        }
        for (StateDiff.ScalarChange s : diff.scalars()) {
            out.println("  " + s.name() + ": " + s.before() + " -> " + s.after());
        }
        for (StateDiff.Delta d : diff.deltas()) {
            String mark = switch (d.change()) {
                case ADDED -> style.good("+");
                case REMOVED -> style.bad("-");
                case CHANGED -> style.warn("~");
            };
            String what = section(d.section()) + " " + d.key();
            String detail = switch (d.change()) {
                case ADDED, REMOVED -> "";
                case CHANGED -> " " + d.aspect().name().toLowerCase(Locale.ROOT) + ": " + String.join(", ", d.fields());
            };
            out.println("  " + mark + " " + Table.clean(what) + detail);
        }
        StringBuilder summary = new StringBuilder();
        for (Map.Entry<KernelState.Section, Map<StateDiff.Change, Integer>> e : diff.counts().entrySet()) {
            for (Map.Entry<StateDiff.Change, Integer> c : e.getValue().entrySet()) {
                summary.append(summary.isEmpty() ? "" : ", ").append(c.getValue()).append(' ')
                        .append(c.getValue() == 1 ? section(e.getKey()) : plural(e.getKey())).append(' ')
                        .append(c.getKey().name().toLowerCase(Locale.ROOT));
            }
        }
        out.println();
        out.println(diff.scalars().size() + (diff.scalars().size() == 1 ? " scalar" : " scalars") + " changed" + (summary.isEmpty() ? "" : "; " + summary) + ".");
        out.flush();
        return Os2.EXIT_OK;
    }

    private static String plural(KernelState.Section s) {
        return switch (s) {
            case CAPABILITIES -> "capabilities";
            case GRANTS -> "grants";
            case TOKENS -> "tokens";
            case FINISHED -> "outcomes of tokens";
        };
    }

    private static String section(KernelState.Section s) {
        return switch (s) {
            case CAPABILITIES -> "capability";
            case GRANTS -> "grant";
            case TOKENS -> "token";
            case FINISHED -> "outcome of token";
        };
    }
}
