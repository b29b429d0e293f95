package dev.os2.ledger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The signing keys of a workspace, kept in its {@value #DIRECTORY_NAME} directory. Each key has a
 * name ({@value #DEFAULT_KEY_NAME} for the key that signs ledger checkpoints) and two files:
 *
 * <ul>
 *   <li>{@code <name>.key.json}, the signing key, readable by its owner alone (mode 0600 in a
 *       directory of mode 0700) where the file system has POSIX permissions, and never
 *       overwritten;</li>
 *   <li>{@code <name>.pub.json}, the public key in the {@link PublicKey} file format, to hand to
 *       verifiers ({@link #exportPublicKey} writes a copy anywhere).</li>
 * </ul>
 *
 * <p><b>Signing key file, format 1</b> (this class is the one place it is defined): one JSON
 * object in RFC 8785 canonical form followed by a newline,
 * <pre>  {"format":1,"key_id":"ed25519:…","public_key":"&lt;64 hex&gt;","seed":"&lt;64 hex&gt;","type":"os2.ed25519.signing_key"}</pre>
 * where {@code seed} is the RFC 8032 secret key. On loading, the public key derived from the seed
 * must equal {@code public_key} and its id must equal {@code key_id}, so a damaged or edited file
 * is refused rather than used to make signatures nobody can verify.
 *
 * <p>Instances are immutable; they hold a directory, not keys. Every method reads or writes the
 * files afresh. Creating a key is safe against a concurrent creator (one wins, the other gets
 * {@link SignatureFileException.Problem#ALREADY_EXISTS}).
 */
public final class LedgerKeys {

    /** Name of the keys directory inside a workspace. */
    public static final String DIRECTORY_NAME = "keys";
    /** Name of the key that signs ledger checkpoints. */
    public static final String DEFAULT_KEY_NAME = "ledger";
    /** The file type written in the {@code type} member of a signing key file. */
    public static final String FILE_TYPE = "os2.ed25519.signing_key";
    /** The signing key file format this code writes and reads. */
    public static final int FILE_FORMAT = 1;

    private static final String SIGNING_SUFFIX = ".key.json";
    private static final String PUBLIC_SUFFIX = ".pub.json";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final SortedSet<String> MEMBERS =
            new TreeSet<>(List.of("format", "key_id", "public_key", "seed", "type"));

    private final Path directory;

    private LedgerKeys(Path directory) {
        this.directory = directory;
    }

    /** The keys of the workspace at {@code workspace}: its {@value #DIRECTORY_NAME} subdirectory. Touches no file. */
    public static LedgerKeys inWorkspace(Path workspace) {
        Objects.requireNonNull(workspace, "workspace");
        return new LedgerKeys(workspace.resolve(DIRECTORY_NAME));
    }

    /** The keys in {@code directory} itself. Touches no file. */
    public static LedgerKeys at(Path directory) {
        return new LedgerKeys(Objects.requireNonNull(directory, "directory"));
    }

    /** The keys directory (it may not exist yet). */
    public Path directory() {
        return directory;
    }

    /**
     * The signing key file of {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is not 1 to 64 characters from
     *     {@code [a-z0-9_-]} starting with a letter or digit
     */
    public Path signingKeyFile(String name) {
        return directory.resolve(checkName(name) + SIGNING_SUFFIX);
    }

    /**
     * The public key file of {@code name} in the keys directory.
     *
     * @throws IllegalArgumentException if {@code name} is not a valid key name
     */
    public Path publicKeyFile(String name) {
        return directory.resolve(checkName(name) + PUBLIC_SUFFIX);
    }

    /**
     * Whether a signing key file of {@code name} exists (it may still be unreadable).
     *
     * @throws IllegalArgumentException if {@code name} is not a valid key name
     */
    public boolean contains(String name) {
        return Files.exists(signingKeyFile(name));
    }

    /**
     * The names of the signing keys in the directory, sorted; empty if the directory does not exist.
     *
     * @throws SignatureFileException ({@link SignatureFileException.Problem#UNREADABLE}) if the directory cannot be listed
     */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SIGNING_SUFFIX)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - SIGNING_SUFFIX.length());
                if (NAME.matcher(name).matches()) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new SignatureFileException(directory, SignatureFileException.Problem.UNREADABLE, "cannot be listed: " + e, e);
        }
        names.sort(null);
        return List.copyOf(names);
    }

    /**
     * Generates a key named {@code name} with a fresh {@link SecureRandom} and stores it (both
     * files). See {@link #create(String, SecureRandom)}.
     */
    public SigningKey create(String name) {
        return create(name, new SecureRandom());
    }

    /**
     * Generates a key named {@code name} from {@code random} and stores it: the signing key file
     * (owner-only, never overwritten), then the public key file. Creates the directory if needed.
     *
     * @throws SignatureFileException {@link SignatureFileException.Problem#ALREADY_EXISTS} if the
     *     signing key file exists (nothing is changed); {@link SignatureFileException.Problem#UNWRITABLE}
     *     if a file cannot be written
     * @throws IllegalArgumentException if {@code name} is not a valid key name
     */
    public SigningKey create(String name, SecureRandom random) {
        Path keyFile = signingKeyFile(name);
        SigningKey key = SigningKey.generate(random);
        SignatureFiles.createDirectories(directory, true);
        SignatureFiles.writeNew(keyFile, signingKeyJson(key) + "\n", true);
        key.publicKey().write(publicKeyFile(name));
        return key;
    }

    /**
     * Loads the signing key named {@code name}.
     *
     * @throws SignatureFileException naming the file: {@link SignatureFileException.Problem#MISSING}
     *     if there is no such key, {@link SignatureFileException.Problem#MALFORMED} for a damaged
     *     file or a seed or key of the wrong length, {@link SignatureFileException.Problem#UNSUPPORTED_FORMAT},
     *     {@link SignatureFileException.Problem#KEY_MISMATCH} if the seed does not give the stored
     *     public key or key id, {@link SignatureFileException.Problem#UNREADABLE}
     * @throws IllegalArgumentException if {@code name} is not a valid key name
     */
    public SigningKey load(String name) {
        return readSigningKey(signingKeyFile(name));
    }

    /**
     * Loads the key named {@code name}, creating it first if it does not exist.
     *
     * @throws SignatureFileException as {@link #load} and {@link #create(String)} do
     * @throws IllegalArgumentException if {@code name} is not a valid key name
     */
    public SigningKey loadOrCreate(String name) {
        if (!contains(name)) {
            try {
                return create(name);
            } catch (SignatureFileException e) {
                if (e.problem() != SignatureFileException.Problem.ALREADY_EXISTS) {
                    throw e;
                }
                // Another creator won the race; use its key.
            }
        }
        return load(name);
    }

    /**
     * Writes the public key of the key named {@code name} to {@code target} (replacing it) in the
     * {@link PublicKey} file format: the one file a verifier needs besides the ledger and the
     * checkpoint. The key is derived from the signing key file, not copied from {@code <name>.pub.json}.
     *
     * @return the exported key
     * @throws SignatureFileException as {@link #load} does, or {@link SignatureFileException.Problem#UNWRITABLE}
     * @throws IllegalArgumentException if {@code name} is not a valid key name
     */
    public PublicKey exportPublicKey(String name, Path target) {
        Objects.requireNonNull(target, "target");
        PublicKey key = load(name).publicKey();
        key.write(target);
        return key;
    }

    /**
     * Reads a signing key file (format above) from anywhere.
     *
     * @throws SignatureFileException naming the file, as {@link #load} describes
     */
    public static SigningKey readSigningKey(Path file) {
        SignatureFiles.Members m = SignatureFiles.read(file, "signing key", FILE_TYPE, FILE_FORMAT, MEMBERS);
        byte[] seed = m.hex("seed", Ed25519.SEED_BYTES);
        byte[] storedPublic = m.hex("public_key", PublicKey.LENGTH_BYTES);
        String storedId = m.string("key_id", PublicKey.KEY_ID, "\"ed25519:\" and 16 lowercase hex digits");
        SigningKey key = SigningKey.fromSeed(seed);
        Arrays.fill(seed, (byte) 0);
        if (!Arrays.equals(key.publicKey().toBytes(), storedPublic)) {
            throw new SignatureFileException(file, SignatureFileException.Problem.KEY_MISMATCH,
                    "the seed does not give the stored \"public_key\"; the file was edited or damaged");
        }
        if (!key.keyId().equals(storedId)) {
            throw new SignatureFileException(file, SignatureFileException.Problem.KEY_MISMATCH,
                    "\"key_id\" is " + storedId + " but the key's id is " + key.keyId() + "; the file was edited or damaged");
        }
        return key;
    }

    private static String signingKeyJson(SigningKey key) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("format", FILE_FORMAT);
        node.put("key_id", key.keyId());
        node.put("public_key", key.publicKey().toHex());
        byte[] seed = key.seed();
        node.put("seed", SignatureFiles.hex(seed));
        Arrays.fill(seed, (byte) 0);
        node.put("type", FILE_TYPE);
        return CanonicalJson.of(node).text();
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a key name is 1 to 64 characters from [a-z0-9_-] starting with a letter or digit, got "
                    + EventDraft.quote(name));
        }
        return name;
    }

    @Override
    public String toString() {
        return "LedgerKeys[" + directory + "]";
    }
}
