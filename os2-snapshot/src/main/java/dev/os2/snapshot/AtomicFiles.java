package dev.os2.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file reads with a size limit and writes that never leave a half-written file under the
 * final name: the bytes go to a hidden temporary file in the same folder, are forced to the
 * device, and the file is then renamed into place (atomically where the file system can).
 */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * Reads all of {@code file}.
     *
     * @throws SnapshotFileException MISSING, or UNREADABLE (also when larger than {@code maxBytes})
     */
    static byte[] read(Path file, long maxBytes) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new SnapshotFileException(file, SnapshotFileException.Problem.UNREADABLE,
                        "is " + size + " bytes, more than the limit of " + maxBytes);
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.MISSING, "does not exist", e);
        } catch (IOException e) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.UNREADABLE, "cannot be read: " + describe(e), e);
        }
    }

    /**
     * Writes {@code bytes} to {@code file}, replacing it if {@code replace}, else failing if it
     * exists. Creates missing parent folders.
     *
     * @return true if written, false if {@code replace} is false and the file exists
     * @throws SnapshotFileException UNWRITABLE
     */
    static boolean write(Path file, byte[] bytes, boolean replace) {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        Path temp = null;
        try {
            Files.createDirectories(directory);
            if (!replace && Files.exists(absolute)) {
                return false;
            }
            temp = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                // Forced before the rename, so the name never points at content that is not on the device.
                channel.force(true);
            }
            if (replace) {
                try {
                    Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                try {
                    // Without REPLACE_EXISTING the move fails if the file appeared meanwhile.
                    Files.move(temp, absolute);
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(temp);
                    return false;
                }
            }
            temp = null;
            forceDirectory(directory);
            return true;
        } catch (IOException e) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.UNWRITABLE, "cannot be written: " + describe(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // A hidden temporary file is harmless; the caller reports the original failure.
                }
            }
        }
    }

    /** Makes the rename itself durable where the platform allows forcing a directory. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // Some platforms cannot open or force a directory; the file itself is on the device.
        }
    }

    /** A short reason for an I/O failure. */
    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
