package dev.os2.shell;

import dev.os2.shell.python.PythonSandbox;
import dev.os2.shell.python.SandboxConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the commands of one program run share: the way to the workspace kernel, and the Python
 * sandbox (one GraalPy engine for every run).
 *
 * <p>Run one-shot ({@code ./os2 <command>}), a command opens the workspace kernel for itself with
 * {@link #withKernel} and it is closed when the work is done. Thread-safe.
 */
public final class ShellServices implements AutoCloseable {

    private final Object lock = new Object();
    private final ThreadLocal<Map<String, Object>> annotations = ThreadLocal.withInitial(LinkedHashMap::new);
    private PythonSandbox python;
    private boolean closed;

    private ShellServices() {
    }

    /**
     * Services for one command run one-shot: each {@link #withKernel} opens and closes the kernel.
     *
     * @return new services; close them when the program ends
     */
    public static ShellServices oneShot() {
        return new ShellServices();
    }

    /**
     * Runs {@code work} with the workspace's writable kernel, which has {@link ShellCapabilities}
     * bound (registered first if the ledger does not know them yet), and the operator's default
     * grants issued if they never were ({@link ShellCapabilities#grantOperatorDefaults}).
     *
     * @param workspace the workspace
     * @param work what to do with the kernel; it must not close it
     * @param <T> what the work returns
     * @return what {@code work} returned
     * @throws InputException and {@link dev.os2.ledger.LedgerException} as {@link WorkspaceKernel#open(Workspace, java.util.List)}
     */
    public <T> T withKernel(Workspace workspace, Function<WorkspaceKernel, T> work) {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(work, "work");
        try (WorkspaceKernel wk = WorkspaceKernel.open(workspace, ShellCapabilities.all(this))) {
            ShellCapabilities.grantOperatorDefaults(wk.kernel());
            return work.apply(wk);
        }
    }

    /**
     * The shared Python sandbox, created on first use (not yet warm: {@link PythonSandbox#warmUp}
     * or its first run warms it).
     *
     * @return the sandbox, closed with these services
     * @throws IllegalStateException if the services are closed
     */
    public PythonSandbox python() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the shell's services are closed");
            }
            if (python == null) {
                python = PythonSandbox.create(SandboxConfig.defaults());
            }
            return python;
        }
    }

    /**
     * Adds a detail of the command running on this thread to its transcript record, for example
     * its seed, capability, budget, token id or the ledger positions it produced. A later value for
     * the same key replaces the earlier one.
     *
     * @param key the field's name, snake_case
     * @param value a string, number, boolean, or a list or map of those
     */
    public void annotate(String key, Object value) {
        annotations.get().put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    /**
     * The details {@link #annotate annotated} on this thread since the last call, in the order
     * they were first added; clears them.
     *
     * @return the details, a copy the caller owns
     */
    public Map<String, Object> takeAnnotations() {
        Map<String, Object> taken = new LinkedHashMap<>(annotations.get());
        annotations.get().clear();
        return taken;
    }

    /** Closes the Python sandbox if one was made. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (python != null) {
                python.close();
            }
        }
    }
}
