package dev.os2.shell.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file that a tool generates and the repository commits: compared with what the tool would
 * write now ({@link #isCurrent}) and replaced atomically ({@link #write}), so that a reader never
 * sees half a file.
 */
public final class GeneratedFile {

    private GeneratedFile() {
    }

    /**
     * Whether {@code file} holds exactly {@code text} (UTF-8).
     *
     * @throws UncheckedIOException if it exists but cannot be read
     */
    public static boolean isCurrent(Path file, String text) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).equals(text);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Writes {@code text} (UTF-8) to {@code file} through a temporary file in the same folder and
     * an atomic rename, creating the folder if needed.
     *
     * @throws UncheckedIOException if it cannot be written
     */
    public static void write(Path file, String text) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
