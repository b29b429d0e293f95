package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityDescriptor.JsonType;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.List;

/**
 * The capabilities the shell's own commands run as tokens, with the handlers that implement them.
 * {@link ShellServices} binds them whenever it opens a workspace kernel, so a token of any of them
 * can run whichever command submitted it, and a kernel recovered from the ledger finds their
 * handlers.
 *
 * <table>
 *   <caption>The shell's capabilities</caption>
 *   <tr><th>id</th><th>what it does</th><th>scope</th><th>operator</th></tr>
 *   <tr><td>{@code python.exec}</td><td>runs a script in the sandbox; a statement costs a token
 *       ({@link PythonExecHandler})</td><td>none</td><td>granted</td></tr>
 *   <tr><td>{@code shell.tool}</td><td>runs the {@code pip}, {@code git} and {@code curl}
 *       commands: invokes the tool's own capability, which the subject must hold</td><td>none</td><td>granted</td></tr>
 *   <tr><td>{@code pip.install}</td><td>installs a pure-Python package from a local folder
 *       ({@link PipInstallHandler})</td><td>{@code {"sources": [folders]}}</td><td>denied</td></tr>
 *   <tr><td>{@code git.remote}</td><td>clone, ls-remote, pull with the system git
 *       ({@link GitRemoteHandler})</td><td>{@code {"remotes": [URLs or URL prefixes ending in /]}}</td><td>denied</td></tr>
 *   <tr><td>{@code net.http}</td><td>an HTTP GET or HEAD ({@link HttpFetchHandler})</td>
 *       <td>{@code {"hosts": ["host" or "host:port"]}}</td><td>denied</td></tr>
 * </table>
 *
 * <p><b>The operator.</b> The shell works as the subject {@link #OPERATOR}. The first time a
 * workspace kernel is opened with these capabilities, {@link #grantOperatorDefaults} grants it
 * {@code python.exec} and {@code shell.tool} (recorded as ordinary grants), and nothing else: the
 * host tools are denied until someone runs {@code cap-grant}. It grants each at most once per
 * workspace: a grant that was revoked stays revoked.
 *
 * <p>Each registration is a pure function of the services; descriptors must never change once
 * recorded in a ledger, since a ledger whose capability was registered with another descriptor is
 * refused.
 */
public final class ShellCapabilities {

    /**
     * The subject the shell's commands work as. (Package-private here until {@code ShellServices}
     * exposes the shell-wide constant.)
     */
    static final String OPERATOR = ShellServices.OPERATOR_SUBJECT;

    /** Runs a Python script in the sandbox. */
    public static final String PYTHON_EXEC = "python.exec";
    /** Runs a host-tool wrapper by invoking the tool's own capability. */
    public static final String SHELL_TOOL = "shell.tool";
    /** {@code pip install}. */
    public static final String PIP_INSTALL = "pip.install";
    /** {@code git clone | ls-remote | pull}. */
    public static final String GIT_REMOTE = "git.remote";
    /** {@code curl}. */
    public static final String NET_HTTP = "net.http";

    /** The capabilities {@link #OPERATOR} is granted when the shell first opens a workspace kernel. */
    static final List<String> OPERATOR_DEFAULTS = List.of(PYTHON_EXEC, SHELL_TOOL);
    /** The host-tool capabilities {@link #SHELL_TOOL} may invoke, each denied until granted. */
    static final List<String> TOOLS = List.of(PIP_INSTALL, GIT_REMOTE, NET_HTTP);

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
        all.add(new KernelInput.RegisterCapability(CapabilityDescriptor.builder(PYTHON_EXEC)
                .description("runs a Python script in a deterministic GraalPy sandbox; each statement costs one token")
                .field("name", JsonType.STRING)
                .field("source", JsonType.STRING)
                .optionalField("argv", JsonType.ARRAY)
                .optionalField("seed", JsonType.STRING)
                .optionalField("statement_budget", JsonType.INTEGER)
                .build(), new PythonExecHandler(services::python)));
        all.add(new KernelInput.RegisterCapability(CapabilityDescriptor.builder(SHELL_TOOL)
                .description("runs the shell's pip, git or curl command by invoking that tool's capability for the subject")
                .field("capability", JsonType.STRING)
                .field("args", JsonType.OBJECT)
                .build(), ShellCapabilities::tool));
        all.add(new KernelInput.RegisterCapability(CapabilityDescriptor.builder(PIP_INSTALL)
                .description("installs a pure-Python wheel or source tree from an allowed local folder into site-packages/")
                .field("package", JsonType.STRING)
                .build(), new PipInstallHandler()));
        all.add(new KernelInput.RegisterCapability(CapabilityDescriptor.builder(GIT_REMOTE)
                .description("runs the system git (clone, ls-remote, pull) against remotes the grant allows")
                .field("command", JsonType.STRING)
                .optionalField("remote", JsonType.STRING)
                .optionalField("name", JsonType.STRING)
                .build(), new GitRemoteHandler()));
        all.add(new KernelInput.RegisterCapability(CapabilityDescriptor.builder(NET_HTTP)
                .description("fetches a URL with HTTP GET or HEAD from a host the grant allows")
                .field("url", JsonType.STRING)
                .optionalField("method", JsonType.STRING)
                .optionalField("max_bytes", JsonType.INTEGER)
                .build(), new HttpFetchHandler()));
        return List.copyOf(all);
    }

    /**
     * Grants {@link #OPERATOR_DEFAULTS} to {@link #OPERATOR} where no grant of them to it was ever
     * issued (so a revoked one is not granted again). Call with a kernel that has the shell's
     * capabilities registered; between steps.
     *
     * @param kernel the workspace kernel
     */
    static void grantOperatorDefaults(Kernel kernel) {
        for (String id : OPERATOR_DEFAULTS) {
            if (kernel.state().capability(id).isEmpty()) {
                continue;
            }
            boolean ever = false;
            for (Grant g : kernel.state().grants()) {
                ever |= g.subject().equals(OPERATOR) && g.capabilityId().equals(id);
            }
            if (!ever) {
                KernelResponse r = kernel.execute(new KernelInput.GrantCapability(OPERATOR, id, GrantTerms.UNRESTRICTED));
                if (!r.ok()) {
                    throw new IllegalStateException("the operator's grant of " + id + " was refused: " + r);
                }
            }
        }
    }

    /** {@code shell.tool}: invokes one host-tool capability for the subject, which must hold it. */
    private static CanonicalJson tool(HandlerContext ctx, CanonicalJson args) {
        JsonNode a = args.toJsonNode();
        String capability = a.get("capability").asText();
        if (!TOOLS.contains(capability)) {
            throw new IllegalArgumentException("shell.tool runs " + String.join(", ", TOOLS) + ", not "
                    + Table.clean(Table.fit(capability, 80)));
        }
        // Halts the token with capability_violation unless the subject holds a grant of the tool.
        return ctx.invoke(capability, CanonicalJson.of(a.get("args")));
    }
}
