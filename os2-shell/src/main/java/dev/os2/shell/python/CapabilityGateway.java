package dev.os2.shell.python;

import java.util.List;

/**
 * The seam between a sandboxed script and the kernel: the only host object the script can reach,
 * as the Python module {@code os2} ({@code os2.invoke(capability_id, **args)},
 * {@code os2.capabilities()}).
 *
 * <p>The kernel implements it for one run: it checks the capability against the grants of the
 * run's subject, charges and records the call, and answers. Calls arrive on the thread that runs
 * the script, one at a time, in the script's order, so a deterministic implementation keeps the
 * run deterministic. Once a run has been stopped (budget or watchdog) the sandbox makes no further
 * calls.
 */
public interface CapabilityGateway {

    /** A gateway that grants nothing: {@link #capabilities()} is empty and every call is denied. */
    CapabilityGateway DENY_ALL = new CapabilityGateway() {
        @Override
        public GatewayReply invoke(String capabilityId, String argsJson) {
            return new GatewayReply.Denied("capability " + capabilityId + " is not granted to this run");
        }

        @Override
        public List<String> capabilities() {
            return List.of();
        }
    };

    /**
     * Invokes a capability for the script.
     *
     * @param capabilityId the id the script named, as given (not validated by the sandbox)
     * @param argsJson the script's keyword arguments as a JSON object with sorted keys
     * @return the result as JSON, or a denial whose reason the script sees as
     *     {@code os2.CapabilityDenied}
     * @throws RuntimeException a fault of the kernel, not the script's: the run is stopped and the
     *     exception is rethrown by {@link PythonSandbox#run}
     */
    GatewayReply invoke(String capabilityId, String argsJson);

    /**
     * Invokes a capability for the script, knowing how far the script has got: the sandbox calls
     * this one. The default ignores the count and calls {@link #invoke(String, String)}; a kernel
     * gateway charges the statements before the call, so that the ledger shows the script's work
     * and its calls in the order they happened.
     *
     * @param capabilityId the id the script named, as given (not validated by the sandbox)
     * @param argsJson the script's keyword arguments as a JSON object with sorted keys
     * @param statementsUsed the metered statements the script has executed so far, this call's included
     * @return as {@link #invoke(String, String)}
     * @throws RuntimeException as {@link #invoke(String, String)}
     */
    default GatewayReply invoke(String capabilityId, String argsJson, long statementsUsed) {
        return invoke(capabilityId, argsJson);
    }

    /**
     * The source of a module the script imports that the standard library does not have, for
     * example one of the workspace's own. Asked on the script's thread, once per module a run
     * imports. The module's code runs as the script's own (metered) when its origin starts with
     * one of {@link ModuleSource#METERED_ORIGINS}. The default has no modules.
     *
     * @param name the module's full dotted name as the script imported it (not validated by the sandbox)
     * @return its source, or empty if there is no such module
     * @throws RuntimeException a fault of the kernel, not the script's: the run is stopped
     */
    default java.util.Optional<ModuleSource> module(String name) {
        return java.util.Optional.empty();
    }

    /**
     * The ids of the capabilities this run may invoke; the sandbox sorts them.
     *
     * @return the ids, never null
     */
    List<String> capabilities();
}
