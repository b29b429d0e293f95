package dev.os2.shell;

import dev.os2.kernel.KernelInput;
import java.util.ArrayList;
import java.util.List;

/**
 * The capabilities the shell's own commands run as tokens (for example {@code python.exec}), with
 * the handlers that implement them. {@link ShellServices} binds them whenever it opens a workspace
 * kernel, so a token of any of them can run whichever command submitted it, and a kernel recovered
 * from the ledger finds their handlers.
 *
 * <p>Each registration is a pure function of the services (the handler may use the session's
 * Python sandbox); descriptors must never change once recorded in a ledger, since a ledger whose
 * capability was registered with another descriptor is refused.
 */
public final class ShellCapabilities {

    private ShellCapabilities() {
    }

    /**
     * The shell's capabilities, in registration order (which is recorded, so it is fixed).
     *
     * @param services the session's services, whose Python sandbox handlers may use
     * @return the registrations, each with its handler
     */
    public static List<KernelInput.RegisterCapability> all(ShellServices services) {
        List<KernelInput.RegisterCapability> all = new ArrayList<>();
        return List.copyOf(all);
    }
}
