package dev.os2.shell;

import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.Grant;
import dev.os2.kernel.KernelState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cap-show ID}: one capability of the workspace kernel's registry: its descriptor (shape,
 * ceilings, rate limit, most invocations, configuration), its usage counters, and each of its
 * grants (subject, version, status, what it was derived from, expiry, effective limits, scope,
 * usage). Read-only. An unknown id is an input error (exit 2) that points at {@code cap-list}.
 */
@Command(name = "cap-show",
        usageHelpAutoWidth = true,
        header = "Show one capability: its limits, usage and every grant of it.",
        description = {
            "Show the capability ID of the workspace's kernel: description, invocation shape, per-invocation token "
                    + "ceiling, rate limit, most invocations per grant, configuration and usage; then its grants, by "
                    + "subject: version, status (active, revoked, expired), the grant it was derived from, expiry, "
                    + "effective limits, scope and usage. The ledger is opened read-only.",
            "Exit 2 when no capability has that id."
        })
public final class CapShowCommand implements Callable<Integer> {

    private static final List<String> GRANT_HEADERS = List.of("GRANT", "SUBJECT", "VERSION", "STATUS", "FROM", "EXPIRES",
            "CEILING", "BUDGET", "INVOKED", "TOKENS", "SCOPE");
    private static final int[] GRANT_WIDTHS = {12, 40, 8, 8, 12, 18, 12, 12, 10, 14, 64};
    private static final int STATUS = 3;

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID", completionCandidates = CapabilityIds.class,
            description = "The capability id, for example fs.read (cap-list lists them).")
    private String id;

    @Option(names = "--json", description = "Print the capability and its grants as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public CapShowCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        KernelState state;
        try (WorkspaceKernel wk = common.openKernelReadOnly(session)) {
            state = wk.state();
        }
        Optional<KernelState.CapabilityInfo> found = state.capability(id);
        if (found.isEmpty()) {
            throw unknown(state);
        }
        KernelState.CapabilityInfo info = found.get();
        List<Grant> grants = RegistryView.grantsOf(state, id);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(RegistryView.toJson(info, grants));
            out.flush();
            return Os2.EXIT_OK;
        }
        Style style = Style.of(session);
        CapabilityDescriptor d = info.descriptor();
        out.println(style.bold(d.id()) + (d.description().isEmpty() ? "" : ": " + Table.clean(d.description())));
        String[][] facts = {
            {"invocation shape", RegistryView.shape(d) + (d.fields().isEmpty() ? "" : " (? marks an optional field)")},
            {"token ceiling", d.tokenCeiling() == dev.os2.kernel.Budget.UNLIMITED ? "none"
                    : d.tokenCeiling() + " cost units per invocation"},
            {"rate limit", d.rateLimit() == null ? "none" : d.rateLimit().invocations() + " invocations per "
                    + d.rateLimit().windowTicks() + " ticks, per grant"},
            {"max invocations", d.maxInvocations() == dev.os2.kernel.Budget.UNLIMITED ? "none" : d.maxInvocations() + " per grant"},
            {"configuration", Table.clean(d.configuration().text())},
            {"usage", info.invocations() + plural(info.invocations(), " invocation") + ", " + info.tokensCharged()
                    + " cost units charged, " + info.violations() + plural(info.violations(), " violation")},
        };
        for (String[] fact : facts) {
            out.println("  " + fact[0] + " ".repeat(18 - fact[0].length()) + fact[1]);
        }
        out.println();
        if (grants.isEmpty()) {
            out.println("No grants of " + d.id() + " yet.");
        } else {
            out.println(grants.size() + plural(grants.size(), " grant") + ", by subject:");
            Table table = new Table(out, style, GRANT_HEADERS, GRANT_WIDTHS, (column, text) -> column != STATUS ? text
                    : text.strip().equals("active") ? style.good(text) : style.bad(text), session.terminalColumns());
            for (Grant g : grants) {
                table.add(List.of(g.id().toString(), g.subject(), Long.toString(g.version()), RegistryView.status(g),
                        g.parent() == null ? "-" : g.parent().toString(), RegistryView.expiry(g.expiresAtTick()),
                        RegistryView.limit(g.tokenCeiling()), RegistryView.limit(g.budgetTokens()),
                        Long.toString(g.invocations()), Long.toString(g.tokensCharged()), g.scope().text()));
            }
            table.flush();
        }
        out.flush();
        return Os2.EXIT_OK;
    }

    private InputException unknown(KernelState state) {
        List<String> near = new ArrayList<>();
        for (KernelState.CapabilityInfo c : state.capabilities()) {
            if (editDistanceAtMost2(id, c.descriptor().id())) {
                near.add(c.descriptor().id());
            }
        }
        String shown = Table.clean(Table.fit(id, 80));
        return new InputException("no capability " + shown + "; `" + session.hint("cap-list" + common.workspaceHint(session))
                + "` lists them" + (near.isEmpty() ? "" : " (did you mean " + String.join(" or ", near) + "?)"), "");
    }

    private static String plural(long n, String word) {
        return n == 1 ? word : word + "s";
    }

    /** Whether {@code a} becomes {@code b} with at most two single-character edits; for suggestions. */
    static boolean editDistanceAtMost2(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 128) {
            return false;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()] <= 2;
    }

    /**
     * Completion candidates for {@code cap-show ID}: the capability ids registered in the session's
     * default workspace, read when a completer asks (not when the command line is built). Empty
     * when that workspace has no readable kernel ledger: completion never fails a command.
     */
    static final class CapabilityIds implements Iterable<String> {

        private final Session session;

        /** Created by the session factory; reads nothing yet. */
        CapabilityIds(Session session) {
            this.session = session;
        }

        @Override
        public Iterator<String> iterator() {
            Workspace ws = Workspace.at(session.defaultWorkspace());
            if (!ws.hasLedger()) {
                return List.<String>of().iterator();
            }
            try (WorkspaceKernel wk = session.services().openForReading(ws)) {
                return wk.state().capabilities().stream().map(c -> c.descriptor().id()).toList().iterator();
            } catch (RuntimeException unreadable) {
                return List.<String>of().iterator();
            }
        }
    }
}
