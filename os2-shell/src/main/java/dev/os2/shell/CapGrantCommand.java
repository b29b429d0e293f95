package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.ledger.CanonicalJson;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cap-grant <capability> <subject> [terms]}: issues a root grant of a registered capability
 * to a subject, recorded ({@code grant_capability}, {@code capability_granted}). The host-tool
 * capabilities need a scope naming what they may reach ({@code hosts}, {@code remotes},
 * {@code sources}).
 */
@Command(name = "cap-grant",
        usageHelpAutoWidth = true,
        header = "Grant a capability to a subject, with optional limits and scope.",
        description = {
            "Grant CAPABILITY to SUBJECT in the workspace's kernel, recorded in the ledger. Terms not given are as wide "
                    + "as the capability's descriptor allows. The host-tool capabilities need --scope: net.http "
                    + "'{\"hosts\":[\"example.org\",\"127.0.0.1:8080\"]}', git.remote '{\"remotes\":[\"file:///srv/git/\"]}' "
                    + "(an entry ending in / allows what is under it), pip.install '{\"sources\":[\"/srv/wheelhouse\"]}'.",
            "Exit 0 when granted, 1 when the kernel refused the terms (recorded), 2 for an unknown capability or bad option."
        })
public final class CapGrantCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Mixin
    private GrantOptions terms;

    @Parameters(index = "0", paramLabel = "CAPABILITY", completionCandidates = CapShowCommand.CapabilityIds.class,
            description = "The capability, e.g. net.http (cap-list lists them).")
    private String capability;

    @Parameters(index = "1", paramLabel = "SUBJECT", description = "Who receives the grant, e.g. operator or agent:alice.")
    private String subject;

    @Option(names = "--json", description = "Print the new grant (or the refusal) as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public CapGrantCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        requireScope(capability, terms.scopeOrNull(), session);
        return session.services().withKernel(common.workspace(), wk -> {
            Kernel kernel = wk.kernel();
            if (kernel.state().capability(capability).isEmpty()) {
                throw CapDeriveCommand.unknownCapability(capability, session, common);
            }
            GrantTerms t = terms.terms(kernel.state().clock());
            KernelResponse r = kernel.execute(new KernelInput.GrantCapability(subject, capability, t));
            return CapDeriveCommand.report(spec, session, json, r, kernel, "grant " + capability + " to " + subject);
        });
    }

    /**
     * Refuses a grant of a host-tool capability without the scope list its handler reads: without
     * one, the tool would be granted and still refuse every use.
     */
    static void requireScope(String capability, CanonicalJson scope, Session session) {
        String key = switch (capability) {
            case ShellCapabilities.NET_HTTP -> "hosts";
            case ShellCapabilities.GIT_REMOTE -> "remotes";
            case ShellCapabilities.PIP_INSTALL -> "sources";
            default -> null;
        };
        if (key != null && (scope == null || !scope.toJsonNode().path(key).isArray())) {
            throw new InputException(capability + " needs --scope with a \"" + key + "\" list (what it may reach)",
                    "For example `" + session.hint("cap-grant " + capability + " SUBJECT --scope '" + ToolRunner.scopeExample(capability)
                            + "'") + "`.");
        }
    }

    /** Prints a granted grant for people. */
    static void printGranted(PrintWriter out, Style style, String verb, Grant g, long position) {
        out.println(verb + " " + style.bold(g.capabilityId()) + " to " + g.subject() + ": grant " + style.bold(g.id().toString())
                + (g.parent() == null ? "" : ", derived from " + g.parent()) + " (ledger position " + position + ").");
        out.println("  " + GrantOptions.describe(g));
    }

    /** The JSON of an accepted grant or derivation. */
    static ObjectNode grantedJson(Grant g, KernelResponse r) {
        ObjectNode o = GrantOptions.json(g);
        o.put("position", r.position());
        return o;
    }
}
