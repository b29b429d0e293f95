package dev.os2.ledger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An Ed25519 public key: what a verifier needs to check signatures made by a {@link SigningKey},
 * and all it needs besides the ledger and the checkpoint.
 *
 * <p><b>Key id.</b> {@code "ed25519:"} followed by the first 16 lowercase hex digits of
 * SHA-256(the 32 public key bytes). Checkpoints and tokens name their key by it, so a verifier
 * handed the wrong key is told so rather than shown a bad signature.
 *
 * <p><b>Public key file, format 1</b> (this class is the one place it is defined): one JSON object,
 * written in RFC 8785 canonical form followed by a newline,
 * <pre>  {"format":1,"key_id":"ed25519:…","public_key":"&lt;64 lowercase hex digits&gt;","type":"os2.ed25519.public_key"}</pre>
 * On reading, the {@code key_id} must be the one derived from {@code public_key}.
 *
 * <p>Instances are immutable values (equal when their bytes are equal) and thread-safe. Only
 * keys that canonically encode a point of the prime-order subgroup are accepted, so a
 * small-order key, which would make signatures verify for many messages, cannot be loaded.
 */
public final class PublicKey {

    /** The file type written in the {@code type} member of a public key file. */
    public static final String FILE_TYPE = "os2.ed25519.public_key";
    /** The public key file format this code writes and reads. */
    public static final int FILE_FORMAT = 1;
    /** What every key id starts with. */
    public static final String KEY_ID_PREFIX = "ed25519:";
    /** Length of an encoded public key in bytes. */
    public static final int LENGTH_BYTES = Ed25519.PUBLIC_KEY_BYTES;

    static final Pattern KEY_ID = Pattern.compile("ed25519:[0-9a-f]{16}");
    private static final SortedSet<String> MEMBERS = new TreeSet<>(java.util.List.of("format", "key_id", "public_key", "type"));

    private final byte[] bytes;
    private final String keyId;

    private PublicKey(byte[] bytes) {
        this.bytes = bytes;
        this.keyId = KEY_ID_PREFIX + Hash.sha256(bytes).toHex().substring(0, 16);
    }

    /**
     * The public key with this 32-byte encoding.
     *
     * @throws IllegalArgumentException if {@code encoded} is not 32 bytes or not a valid key
     *     (not a canonical point encoding, or a point of small order)
     * @throws NullPointerException if {@code encoded} is null
     */
    public static PublicKey of(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length != LENGTH_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key is " + LENGTH_BYTES + " bytes, got " + encoded.length);
        }
        if (!Ed25519.validPublicKey(encoded)) {
            throw new IllegalArgumentException("not a valid Ed25519 public key: the bytes do not encode a point of the "
                    + "prime-order subgroup: " + SignatureFiles.hex(encoded));
        }
        return new PublicKey(encoded.clone());
    }

    /**
     * Reads a public key file (format above).
     *
     * @throws SignatureFileException naming the file if it is missing, unreadable, not a public key
     *     file, of another format version, of a wrong length, an invalid key, or if its key id is
     *     not the key's
     */
    public static PublicKey read(Path file) {
        SignatureFiles.Members m = SignatureFiles.read(file, "public key", FILE_TYPE, FILE_FORMAT, MEMBERS);
        byte[] encoded = m.hex("public_key", LENGTH_BYTES);
        String storedId = m.string("key_id", KEY_ID, "\"ed25519:\" and 16 lowercase hex digits");
        if (!Ed25519.validPublicKey(encoded)) {
            throw SignatureFiles.malformed(file, "\"public_key\" is not a valid Ed25519 public key "
                    + "(not a canonical encoding of a point of the prime-order subgroup)");
        }
        PublicKey key = new PublicKey(encoded);
        if (!key.keyId.equals(storedId)) {
            throw new SignatureFileException(file, SignatureFileException.Problem.KEY_MISMATCH,
                    "\"key_id\" is " + storedId + " but the public key's id is " + key.keyId + "; the file was edited or damaged");
        }
        return key;
    }

    /**
     * Writes this key as a public key file, replacing {@code file} if it exists; the write goes
     * through a temporary file, so {@code file} is never left half-written.
     *
     * @throws SignatureFileException ({@link SignatureFileException.Problem#UNWRITABLE}) if it cannot be written
     */
    public void write(Path file) {
        SignatureFiles.writeReplacing(file, toJson() + "\n");
    }

    /** The public key file content: one line of canonical JSON, without a trailing newline. */
    public String toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("format", FILE_FORMAT);
        node.put("key_id", keyId);
        node.put("public_key", toHex());
        node.put("type", FILE_TYPE);
        return CanonicalJson.of(node).text();
    }

    /** The key id, {@code "ed25519:"} and 16 lowercase hex digits. */
    public String keyId() {
        return keyId;
    }

    /** A copy of the 32 key bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The 32 key bytes as 64 lowercase hex digits. */
    public String toHex() {
        return SignatureFiles.hex(bytes);
    }

    /**
     * Whether {@code signature} is a valid, strictly encoded signature by this key over the
     * canonical UTF-8 bytes of {@code statement} (see {@link SigningKey#sign(CanonicalJson)}).
     * Wrong lengths, a non-canonical S and undecodable points are false, never an exception.
     *
     * @throws IllegalArgumentException if {@code statement} is not a typed statement (an object
     *     with a string {@code type} member): such bytes are never signed, so asking is a mistake
     * @throws NullPointerException if an argument is null
     */
    public boolean verify(CanonicalJson statement, byte[] signature) {
        SigningKey.requireStatement(statement);
        Objects.requireNonNull(signature, "signature");
        return Ed25519.verify(bytes, statement.utf8Unsafe(), signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The key id and the key in hex. */
    @Override
    public String toString() {
        return keyId + " " + toHex();
    }
}
