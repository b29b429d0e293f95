package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityLimits;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.PolicyFileException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code policy-load <CapabilityLimits.toml>}: validates a resource policy file completely, then
 * puts it in force in the workspace kernel ({@code KernelInput.LoadPolicy}, recorded as
 * {@code policy_loaded}, so replay applies it at the same point). A bad file changes nothing and
 * is reported as {@code file:line: key: problem}.
 */
@Command(name = "policy-load",
        usageHelpAutoWidth = true,
        header = "Load a CapabilityLimits.toml resource policy into the kernel.",
        description = {
            "Read FILE (the CapabilityLimits.toml format: [default], [capability.\"<id>\"], [profile.\"<name>\"] with "
                    + "cpu_time_ms, token_budget, memory_bytes, network_bytes), check all of it, and record it in the "
                    + "ledger as policy_loaded: from then on every submission is admitted against it (a token without a "
                    + "budget gets its capability's limits; one that asks for more is rejected with over_budget). Tokens "
                    + "already admitted keep their budgets. The ledger records the file's name and the limits, not its path.",
            "Exit 0 when loaded, 2 when the file is unreadable or invalid (nothing recorded; the message names the line "
                    + "and key)."
        })
public final class PolicyLoadCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "FILE", description = "The policy file.")
    private Path file;

    @Option(names = "--json", description = "Print the loaded policy and the ledger position as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public PolicyLoadCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            throw new InputException("no policy file " + file, "Check the path; docs/CapabilityLimits.toml is an example.");
        }
        CapabilityLimits limits;
        try {
            limits = CapabilityLimits.load(file);
        } catch (PolicyFileException e) {
            throw new InputException("the policy is not valid, nothing was loaded: " + Table.clean(e.getMessage()),
                    "Fix that line and run policy-load again.");
        }
        String source = file.getFileName().toString();
        return session.services().withKernel(common.workspace(), wk -> {
            Kernel kernel = wk.kernel();
            KernelResponse r = kernel.execute(new KernelInput.LoadPolicy(limits, source));
            session.services().annotate("policy", source);
            session.services().annotate("ledger_positions", List.of(r.position()));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
                o.put("source", source);
                o.put("position", r.position());
                o.set("limits", kernel.ledger().read(r.position()).payload().toJsonNode().get("limits"));
                out.println(o);
            } else {
                out.println("Loaded the policy " + Style.of(session).bold(source) + " (ledger position " + r.position()
                        + "); submissions are admitted against it from now on.");
                out.println("  default     " + budget(limits.defaults()));
                for (String id : limits.capabilityIds()) {
                    out.println("  " + id + " ".repeat(Math.max(1, 12 - id.length())) + budget(limits.forCapability(id)));
                }
                if (!limits.profileNames().isEmpty()) {
                    out.println("  profiles    " + String.join(", ", limits.profileNames()));
                }
            }
            out.flush();
            return Os2.EXIT_OK;
        });
    }

    private static String budget(Budget b) {
        return "tokens " + RegistryView.limit(b.tokens()) + ", cpu_time_ms " + RegistryView.limit(b.deadlineTicks())
                + ", memory_bytes " + RegistryView.limit(b.memoryBytes()) + ", network_bytes " + RegistryView.limit(b.networkBytes());
    }
}
