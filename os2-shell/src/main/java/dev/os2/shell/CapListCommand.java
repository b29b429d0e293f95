package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.Grant;
import dev.os2.kernel.KernelState;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cap-list}: the workspace kernel's capability registry, one row per capability: its
 * invocation shape, limits, grants and usage counters. Read-only: the state is rebuilt by
 * replaying the ledger ({@link WorkspaceKernel#openReadOnly}).
 */
@Command(name = "cap-list",
        usageHelpAutoWidth = true,
        header = "List the registered capabilities with their limits, grants and usage.",
        description = {
            "List the capabilities registered with the workspace's kernel, in id order: invocation shape (a ? marks "
                    + "an optional field), per-invocation token ceiling, rate limit, most invocations per grant, grants, "
                    + "and usage (invocations, cost units charged, violations). The state is rebuilt by replaying the "
                    + "ledger, which is opened read-only. `cap-show ID` shows one capability with each of its grants."
        })
public final class CapListCommand implements Callable<Integer> {

    private static final List<String> HEADERS = List.of("CAPABILITY", "SHAPE", "CEILING", "RATE", "MAX", "GRANTS",
            "INVOKED", "TOKENS", "VIOLATIONS", "DESCRIPTION");
    private static final int[] MAX_WIDTHS = {32, 40, 12, 18, 12, 16, 12, 14, 10, 64};
    private static final int NAME = 0;

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--json", description = "Print the registry as one JSON object: registry_version and capabilities "
            + "(each as cap-show --json prints it).")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public CapListCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        KernelState state;
        try (WorkspaceKernel wk = common.openKernelReadOnly(session)) {
            state = wk.state();
        }
        PrintWriter out = spec.commandLine().getOut();
        List<KernelState.CapabilityInfo> capabilities = state.capabilities();
        if (json) {
            ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
            o.put("registry_version", state.registryVersion());
            ArrayNode list = o.putArray("capabilities");
            for (KernelState.CapabilityInfo info : capabilities) {
                list.add(RegistryView.toJson(info, RegistryView.grantsOf(state, info.descriptor().id())));
            }
            out.println(o);
            out.flush();
            return Os2.EXIT_OK;
        }
        String where = common.workspaceHint(session);
        if (capabilities.isEmpty()) {
            out.println("No capabilities are registered in " + common.workspace().directory() + " yet; `"
                    + session.hint("ledger-demo" + where) + "` registers " + LedgerDemoCommand.READ + " and "
                    + LedgerDemoCommand.FETCH + ".");
            out.flush();
            return Os2.EXIT_OK;
        }
        Style style = Style.of(session);
        Table table = new Table(out, style, HEADERS, MAX_WIDTHS,
                (column, text) -> column == NAME ? style.name(text) : text, session.terminalColumns());
        for (KernelState.CapabilityInfo info : capabilities) {
            CapabilityDescriptor d = info.descriptor();
            List<Grant> grants = RegistryView.grantsOf(state, d.id());
            table.add(List.of(d.id(), RegistryView.shape(d), RegistryView.limit(d.tokenCeiling()),
                    RegistryView.rate(d.rateLimit()), RegistryView.limit(d.maxInvocations()), RegistryView.grantCount(grants),
                    Long.toString(info.invocations()), Long.toString(info.tokensCharged()), Long.toString(info.violations()),
                    d.description()));
        }
        table.flush();
        out.println();
        out.println(capabilities.size() + (capabilities.size() == 1 ? " capability" : " capabilities") + ", registry version "
                + state.registryVersion() + ". `" + session.hint("cap-show ID" + where) + "` shows one with its grants.");
        out.flush();
        return Os2.EXIT_OK;
    }
}
