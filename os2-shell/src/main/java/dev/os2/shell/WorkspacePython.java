package dev.os2.shell;

import dev.os2.shell.python.ModuleSource;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A workspace's Python path: {@code <workspace>/python/} (the operator's own modules) and then
 * {@code <workspace>/site-packages/} (what {@code pip install} put there). Scripts import from it
 * through the sandbox's gateway: the shell reads the file and hands its text in; the script never
 * opens a host file.
 *
 * <p>A module {@code a.b} is {@code a/b.py} or the package {@code a/b/__init__.py} under the first
 * root that has either. Its origin, as Python sees it, is the path relative to the workspace
 * ({@code python/a/b.py}), so tracebacks and ledger entries do not depend on where the workspace
 * is. Names are checked (identifiers only) and files are followed only when their real path stays
 * inside the root, so a name or a symbolic link cannot reach other host files. Stateless.
 */
final class WorkspacePython {

    /** The operator's modules, inside the workspace. */
    static final String MODULES_DIRECTORY = Workspace.PYTHON_DIRECTORY;
    /** Where {@code pip install} puts packages, inside the workspace. */
    static final String PACKAGES_DIRECTORY = "site-packages";
    /** Largest module source handed to a script, in bytes. */
    static final long MODULE_BYTES_MAX = 1 << 20;

    private static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private WorkspacePython() {
    }

    /** The roots of the workspace's Python path, in search order. */
    static List<Path> roots(Workspace workspace) {
        return List.of(workspace.directory().resolve(MODULES_DIRECTORY), workspace.directory().resolve(PACKAGES_DIRECTORY));
    }

    /** A module's file, found but not yet read. */
    record Found(Path file, String origin, boolean isPackage) {
    }

    /**
     * Finds module {@code name} on the workspace's Python path.
     *
     * @return the file, or empty if no root has it (or the name is not a dotted identifier)
     */
    static Optional<Found> find(Workspace workspace, String name) {
        if (name.length() > 512) {
            return Optional.empty();
        }
        String[] parts = name.split("\\.", -1);
        for (String part : parts) {
            if (!PART.matcher(part).matches()) {
                return Optional.empty();
            }
        }
        String relative = String.join("/", parts);
        for (Path root : roots(workspace)) {
            String rootName = root.getFileName().toString();
            for (String candidate : List.of(relative + "/__init__.py", relative + ".py")) {
                Path file = root.resolve(candidate);
                if (Files.isRegularFile(file) && inside(root, file)) {
                    return Optional.of(new Found(file, rootName + "/" + candidate, candidate.endsWith("/__init__.py")));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Reads a found module. A file too large or not UTF-8 becomes a module that raises
     * {@code ImportError} saying so, so that the script's author sees why.
     *
     * @throws IOException if the file cannot be read
     */
    static ModuleSource read(Found found) throws IOException {
        long size = Files.size(found.file());
        if (size > MODULE_BYTES_MAX) {
            return refusing(found, "the module is " + size + " bytes; the most a module may have is " + MODULE_BYTES_MAX);
        }
        byte[] bytes = Files.readAllBytes(found.file());
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return new ModuleSource(found.origin(), text, found.isPackage());
        } catch (CharacterCodingException e) {
            return refusing(found, "the module is not UTF-8 text");
        }
    }

    private static ModuleSource refusing(Found found, String why) {
        return new ModuleSource(found.origin(), "raise ImportError(" + pythonLiteral(found.origin() + ": " + why) + ")\n",
                found.isPackage());
    }

    /** Whether {@code file}'s real path is inside {@code root}'s real path. */
    private static boolean inside(Path root, Path file) {
        try {
            return file.toRealPath().startsWith(root.toRealPath(LinkOption.NOFOLLOW_LINKS).toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code text} as a Python string literal (double-quoted; escapes for quotes, backslashes and controls). */
    static String pythonLiteral(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                        // A pair stays as it is: Python would not join two escaped halves into one character.
                        out.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append("\\ufffd");
                    } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
