package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantId;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cap-revoke <grant-id>}: revokes a grant and every grant derived from it, recorded (one
 * {@code capability_revoked} each). New submissions under them are refused at once; a running
 * token's next invocation under them is a capability violation.
 */
@Command(name = "cap-revoke",
        usageHelpAutoWidth = true,
        header = "Revoke a grant and every grant derived from it.",
        description = {
            "Revoke GRANT (g<number>, as cap-show lists them) and the grants derived from it, recorded in the ledger. "
                    + "Tokens submitted under them afterwards are rejected; a token that is running is stopped at its "
                    + "next use of them (capability_violation).",
            "Exit 0 when revoked, 1 when the grant was no longer in force (refusal recorded), 2 for an unknown grant."
        })
public final class CapRevokeCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "GRANT", description = "The grant to revoke, e.g. g3.")
    private String grant;

    @Option(names = "--json", description = "Print the revoked grants (or the refusal) as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public CapRevokeCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        GrantId id = GrantOptions.grantId(grant, session);
        return session.services().withKernel(common.workspace(), wk -> {
            Kernel kernel = wk.kernel();
            CapDeriveCommand.requireGrant(kernel.state(), id, session, common);
            List<Grant> before = CapDeriveCommand.subtree(kernel.state(), id);
            KernelResponse r = kernel.execute(new KernelInput.RevokeCapability(id));
            PrintWriter out = spec.commandLine().getOut();
            session.services().annotate("grant", id.toString());
            session.services().annotate("ledger_positions", List.of(r.position(), kernel.ledger().size() - 1));
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
                    err.println("os2: the kernel refused to revoke " + id + " (" + r.reason() + "): "
                            + Table.clean(String.valueOf(r.detail())) + ". The refusal is recorded at ledger position " + r.position() + ".");
                    err.flush();
                }
                return Os2.EXIT_CHECK_FAILED;
            }
            List<Grant> revoked = new ArrayList<>();
            for (Grant g : before) {
                if (g.status() == Grant.Status.ACTIVE) {
                    revoked.add(kernel.state().grant(g.id()).orElseThrow());
                }
            }
            session.services().annotate("outcome", "revoked");
            if (json) {
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                o.put("position", r.position());
                ArrayNode list = o.putArray("revoked");
                revoked.forEach(g -> list.add(GrantOptions.json(g)));
                out.println(o);
            } else {
                Style style = Style.of(session);
                Grant root = revoked.get(0);
                out.println("Revoked " + style.bold(id.toString()) + " (" + root.capabilityId() + " of " + root.subject() + ")"
                        + (revoked.size() == 1 ? "" : " and " + (revoked.size() - 1) + " derived from it") + " (ledger position "
                        + r.position() + ").");
                for (Grant g : revoked.subList(1, revoked.size())) {
                    out.println("  " + g.id() + " of " + g.subject());
                }
            }
            out.flush();
            return Os2.EXIT_OK;
        });
    }
}
