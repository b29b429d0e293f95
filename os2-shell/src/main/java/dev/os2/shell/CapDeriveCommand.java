package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantId;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelState;
import java.io.PrintWriter;
import java.util.ArrayList;
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
 * {@code cap-derive <grant-id> <subject> [narrower terms]}: derives a grant from an existing one
 * and hands it to a subject. A derived grant only narrows: a term wider than its parent's is
 * refused (recorded), never clipped.
 */
@Command(name = "cap-derive",
        usageHelpAutoWidth = true,
        header = "Derive a narrower grant from an existing one and hand it to a subject.",
        description = {
            "Derive a grant from GRANT (g<number>, as cap-show lists them) for SUBJECT, with terms at most as wide as "
                    + "GRANT's: a smaller --budget, --ceiling, --max-invocations or --rate, an earlier expiry, a scope "
                    + "that keeps every key of GRANT's scope with a narrower value (a list narrows to a subset). "
                    + "Revoking GRANT revokes what was derived from it.",
            "Exit 0 when derived, 1 when the kernel refused (a wider term, a revoked or expired parent; recorded), 2 for "
                    + "an unknown grant or bad option."
        })
public final class CapDeriveCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Mixin
    private GrantOptions terms;

    @Parameters(index = "0", paramLabel = "GRANT", description = "The grant to narrow, e.g. g3.")
    private String grant;

    @Parameters(index = "1", paramLabel = "SUBJECT", description = "Who receives the derived grant.")
    private String subject;

    @Option(names = "--json", description = "Print the new grant (or the refusal) as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public CapDeriveCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        GrantId from = GrantOptions.grantId(grant, session);
        return session.services().withKernel(common.workspace(), wk -> {
            Kernel kernel = wk.kernel();
            requireGrant(kernel.state(), from, session, common);
            KernelResponse r = kernel.execute(new KernelInput.DeriveCapability(from, subject, terms.terms(kernel.state().clock())));
            return report(spec, session, json, r, kernel, "derive from " + from + " for " + subject);
        });
    }

    /** The grant, or an input error pointing at cap-list. */
    static Grant requireGrant(KernelState state, GrantId id, Session session, CommonOptions common) {
        Optional<Grant> g = state.grant(id);
        if (g.isEmpty()) {
            throw new InputException("no grant " + id + " was ever issued in " + common.workspace().directory(),
                    "`" + session.hint("cap-list" + common.workspaceHint(session)) + "` and `cap-show CAPABILITY` list the grants.");
        }
        return g.get();
    }

    /** An unknown capability, with the nearest ids. */
    static InputException unknownCapability(String id, Session session, CommonOptions common) {
        return new InputException("no capability " + Table.clean(Table.fit(id, 80)) + " is registered in "
                + common.workspace().directory(), "`" + session.hint("cap-list" + common.workspaceHint(session)) + "` lists them.");
    }

    /** Prints what the kernel answered to a grant or derivation; returns the exit status. */
    static int report(CommandSpec spec, Session session, boolean json, KernelResponse r, Kernel kernel, String what) {
        PrintWriter out = spec.commandLine().getOut();
        session.services().annotate("ledger_positions", List.of(r.position()));
        if (!r.ok()) {
            session.services().annotate("outcome", "rejected");
            if (json) {
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                o.put("rejected", r.reason());
                o.put("detail", r.detail());
                o.put("position", r.position());
                out.println(o);
                out.flush();
            } else {
                PrintWriter err = spec.commandLine().getErr();
                err.println("os2: the kernel refused to " + what + " (" + r.reason() + "): " + Table.clean(String.valueOf(r.detail()))
                        + ". The refusal is recorded at ledger position " + r.position() + ".");
                err.flush();
            }
            return Os2.EXIT_CHECK_FAILED;
        }
        Grant g = kernel.state().grant(r.grantId()).orElseThrow();
        session.services().annotate("grant", g.id().toString());
        session.services().annotate("capability", g.capabilityId());
        session.services().annotate("subject", g.subject());
        session.services().annotate("outcome", "granted");
        if (json) {
            out.println(CapGrantCommand.grantedJson(g, r));
        } else {
            CapGrantCommand.printGranted(out, Style.of(session), g.parent() == null ? "Granted" : "Derived", g, r.position());
        }
        out.flush();
        return Os2.EXIT_OK;
    }

    /** The grants a revoke of {@code id} ended: it and its descendants that were active. */
    static List<Grant> subtree(KernelState state, GrantId id) {
        List<Grant> out = new ArrayList<>();
        List<GrantId> work = new ArrayList<>(List.of(id));
        while (!work.isEmpty()) {
            GrantId next = work.remove(work.size() - 1);
            state.grant(next).ifPresent(g -> {
                out.add(g);
                work.addAll(g.children());
            });
        }
        out.sort(java.util.Comparator.comparing(Grant::id));
        return out;
    }
}
