package dev.os2.shell.python;

import java.util.List;
import java.util.Objects;

/**
 * A module's source, handed to a script that imports it by its {@link CapabilityGateway#module}:
 * the sandbox cannot open host files, so modules outside the standard library come in as text.
 *
 * @param origin the module's file name as Python sees it ({@code __file__}, tracebacks), for
 *     example {@code python/tools.py}; code whose origin starts with one of
 *     {@link #METERED_ORIGINS} is metered like the script's own, wherever it is called from
 * @param source the module's text
 * @param isPackage whether it is a package (its {@code __init__.py}), so that its submodules can
 *     be imported
 */
public record ModuleSource(String origin, String source, boolean isPackage) {

    /** Origins whose code always costs fuel: the workspace's modules and installed packages. */
    public static final List<String> METERED_ORIGINS = List.of("python/", "site-packages/");

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if the origin is empty, spans lines or looks internal
     */
    public ModuleSource {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(source, "source");
        if (origin.isEmpty() || origin.indexOf('\n') >= 0 || origin.indexOf('\r') >= 0 || origin.startsWith("<")) {
            throw new IllegalArgumentException("origin must be one line that does not start with <, was " + origin);
        }
    }
}
