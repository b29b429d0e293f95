package dev.os2.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reading and writing the small JSON files of the signing layer (signing keys, public keys,
 * checkpoints). Each file is one JSON object with a {@code type} naming what it is and a
 * {@code format} version; the classes that own a format ({@link LedgerKeys}, {@link PublicKey},
 * {@link Checkpoint}) say which members it has. Reading is strict &mdash; bounded size, valid
 * canonicalizable JSON, exactly the expected members &mdash; and every failure is a
 * {@link SignatureFileException} naming the file. Writing goes through a temporary file in the
 * same directory, so a crash never leaves a torn file under the target name.
 */
final class SignatureFiles {

    /** Largest file accepted, in bytes; real ones are a few hundred bytes. */
    static final int MAX_FILE_BYTES = 64 * 1024;

    private static final Pattern LOWER_HEX = Pattern.compile("[0-9a-f]*");
    private static final HexFormat HEX = HexFormat.of();

    private SignatureFiles() {
    }

    /**
     * Reads {@code file} as one object of {@code type} in format {@code format} with exactly the
     * members {@code members} (which include {@code type} and {@code format}).
     *
     * @param what a name for the kind of file, for messages ("checkpoint", "public key")
     * @throws SignatureFileException if the file is missing, unreadable, or not such an object
     */
    static Members read(Path file, String what, String type, int format, SortedSet<String> members) {
        byte[] bytes = readBounded(file);
        JsonNode root;
        try {
            root = CanonicalJson.parse(bytes).toJsonNode();
        } catch (InvalidPayloadException e) {
            throw malformed(file, "is not a valid " + what + " file: " + e.getMessage(), e);
        }
        if (!root.isObject()) {
            throw malformed(file, "is not a valid " + what + " file: expected a JSON object, found " + describe(root));
        }
        JsonNode typeNode = root.get("type");
        if (typeNode == null || !typeNode.isTextual() || !typeNode.textValue().equals(type)) {
            throw malformed(file, "is not an OS2 " + what + " file: its \"type\" is "
                    + (typeNode == null ? "missing" : typeNode.toString()) + ", expected \"" + type + "\"");
        }
        JsonNode formatNode = root.get("format");
        if (formatNode == null || !formatNode.isIntegralNumber()) {
            throw malformed(file, "has no integer \"format\" member; a " + what + " file declares its format version");
        }
        if (!formatNode.canConvertToInt() || formatNode.intValue() != format) {
            throw new SignatureFileException(file, SignatureFileException.Problem.UNSUPPORTED_FORMAT,
                    "is a " + what + " file of format " + formatNode + "; this version of OS2 reads format " + format);
        }
        for (String name : members) {
            if (!root.has(name)) {
                throw malformed(file, "is not a valid " + what + " file: the member \"" + name + "\" is missing");
            }
        }
        SortedSet<String> present = new TreeSet<>();
        root.fieldNames().forEachRemaining(present::add);
        present.removeAll(members);
        if (!present.isEmpty()) {
            throw malformed(file, "is not a valid " + what + " file: unexpected member \"" + present.first() + "\"");
        }
        return new Members(file, what, root);
    }

    /** The members of a file that passed {@link #read}, with typed, strict accessors. */
    static final class Members {
        private final Path file;
        private final String what;
        private final JsonNode root;

        private Members(Path file, String what, JsonNode root) {
            this.file = file;
            this.what = what;
            this.root = root;
        }

        /** A string member matching {@code pattern}. */
        String string(String name, Pattern pattern, String expected) {
            JsonNode node = root.get(name);
            if (!node.isTextual() || !pattern.matcher(node.textValue()).matches()) {
                throw malformed(file, "is not a valid " + what + " file: \"" + name + "\" must be " + expected
                        + ", found " + abbreviate(node.toString()));
            }
            return node.textValue();
        }

        /** A member of exactly {@code length} bytes in lowercase hex. */
        byte[] hex(String name, int length) {
            JsonNode node = root.get(name);
            if (!node.isTextual()) {
                throw malformed(file, "is not a valid " + what + " file: \"" + name + "\" must be a string of "
                        + (2 * length) + " lowercase hex digits, found " + abbreviate(node.toString()));
            }
            String text = node.textValue();
            if (text.length() != 2 * length || !LOWER_HEX.matcher(text).matches()) {
                throw malformed(file, "is not a valid " + what + " file: \"" + name + "\" must be " + (2 * length)
                        + " lowercase hex digits (" + length + " bytes), found " + text.length() + " characters "
                        + abbreviate(node.toString()));
            }
            return HEX.parseHex(text);
        }

        /** A hash member (64 lowercase hex digits). */
        Hash hash(String name) {
            return Hash.of(hex(name, Hash.LENGTH_BYTES));
        }

        /** An integer member in {@code [0, 2^53]}. */
        long position(String name) {
            JsonNode node = root.get(name);
            if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0
                    || node.longValue() > EventDraft.MAX_SAFE_INTEGER) {
                throw malformed(file, "is not a valid " + what + " file: \"" + name
                        + "\" must be an integer from 0 to 2^53, found " + abbreviate(node.toString()));
            }
            return node.longValue();
        }
    }

    /** Lowercase hex of {@code bytes}. */
    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /**
     * Writes {@code text} to {@code file}, replacing what is there, atomically where the file
     * system can rename atomically. Creates missing parent directories.
     *
     * @throws SignatureFileException ({@link SignatureFileException.Problem#UNWRITABLE}) if it cannot
     */
    static void writeReplacing(Path file, String text) {
        Path temp = writeTemp(file, text, false);
        try {
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(temp);
            throw unwritable(file, e);
        }
    }

    /**
     * Writes {@code text} to a new {@code file}, never replacing one; with {@code ownerOnly} the
     * file (and any directory this creates) is readable by its owner alone where the file system
     * has POSIX permissions.
     *
     * @throws SignatureFileException {@link SignatureFileException.Problem#ALREADY_EXISTS} if the
     *     file exists, {@link SignatureFileException.Problem#UNWRITABLE} if it cannot be written
     */
    static void writeNew(Path file, String text, boolean ownerOnly) {
        if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw alreadyExists(file);
        }
        Path temp = writeTemp(file, text, ownerOnly);
        try {
            // Without REPLACE_EXISTING the move fails if another process created the file meanwhile.
            Files.move(temp, file);
        } catch (FileAlreadyExistsException e) {
            deleteQuietly(temp);
            throw alreadyExists(file);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw unwritable(file, e);
        }
    }

    /** Creates {@code directory} and its parents; with {@code ownerOnly}, new directories get mode 0700 where supported. */
    static void createDirectories(Path directory, boolean ownerOnly) {
        try {
            if (ownerOnly && posix(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(directory);
            }
        } catch (IOException e) {
            throw unwritable(directory, e);
        }
    }

    /** Whether the file system holding {@code path} has POSIX permissions. */
    static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static SignatureFileException malformed(Path file, String message) {
        return new SignatureFileException(file, SignatureFileException.Problem.MALFORMED, message);
    }

    static SignatureFileException malformed(Path file, String message, Throwable cause) {
        return new SignatureFileException(file, SignatureFileException.Problem.MALFORMED, message, cause);
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // ---------------------------------------------------------------------------------------------

    private static byte[] readBounded(Path file) {
        Objects.requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new SignatureFileException(file, SignatureFileException.Problem.UNREADABLE, "is a directory, not a file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw malformed(file, "is larger than " + MAX_FILE_BYTES + " bytes; the files of the signing layer are a few hundred bytes");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new SignatureFileException(file, SignatureFileException.Problem.MISSING, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new SignatureFileException(file, SignatureFileException.Problem.UNREADABLE, "permission denied", e);
        } catch (IOException e) {
            throw new SignatureFileException(file, SignatureFileException.Problem.UNREADABLE, "cannot be read: " + e, e);
        }
    }

    private static Path writeTemp(Path file, String text, boolean ownerOnly) {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        createDirectories(directory, ownerOnly);
        List<FileAttribute<?>> attributes = new ArrayList<>();
        if (ownerOnly && posix(directory)) {
            attributes.add(PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Path temp = null;
        try {
            temp = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp", attributes.toArray(new FileAttribute<?>[0]));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                // Force before the rename so the name never points at a file whose content is not on disk.
                channel.force(true);
            }
            return temp;
        } catch (IOException e) {
            if (temp != null) {
                deleteQuietly(temp);
            }
            throw unwritable(file, e);
        }
    }

    private static SignatureFileException alreadyExists(Path file) {
        return new SignatureFileException(file, SignatureFileException.Problem.ALREADY_EXISTS,
                "already exists; refusing to overwrite it");
    }

    private static SignatureFileException unwritable(Path file, IOException e) {
        String reason = e instanceof AccessDeniedException ? "permission denied" : e.toString();
        return new SignatureFileException(file, SignatureFileException.Problem.UNWRITABLE, "cannot be written: " + reason, e);
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // The temporary file is hidden and harmless; the caller reports the original failure.
        }
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case OBJECT -> "an object";
            case BINARY, MISSING, POJO -> "no JSON value";
        };
    }
}
