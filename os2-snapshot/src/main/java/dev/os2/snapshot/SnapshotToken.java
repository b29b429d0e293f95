package dev.os2.snapshot;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.Hash;
import dev.os2.ledger.PublicKey;
import dev.os2.ledger.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A signed snapshot token: an Ed25519 signature binding a snapshot's id and state hash to the
 * ledger moment it belongs to (chain id, position, head hash), made with a workspace key. Whoever
 * holds the bundle, the token, the public key and a copy of the ledger can check that this state
 * is the one the key holder vouched for at that point of that history ({@link SnapshotAuth#verify}).
 *
 * <p><b>Signed statement, format 1.</b> The signature is over the canonical UTF-8 bytes of
 * <pre>  {"chain_id":"…","format":1,"head_hash":"…","key_id":"ed25519:…","position":N,"snapshot":"sN",
 *   "state_hash":"…","type":"os2.snapshot.token"}</pre>
 * The {@code type} member keeps a token signature from verifying as any other statement OS2
 * signs (a ledger checkpoint, say), and {@code key_id} names the signer.
 *
 * <p><b>Token file, format 1</b> (this class is the one place it is defined): the statement's
 * members plus {@code "signature"}, 128 lowercase hex digits, as one line of canonical JSON and a
 * line feed.
 *
 * @param snapshot the snapshot's id
 * @param chainId the chain id of its ledger
 * @param position the position of its {@code snapshot_created} entry
 * @param headHash that entry's hash
 * @param stateHash the snapshot's state hash
 * @param keyId the signing key's id
 * @param signature the 64-byte Ed25519 signature over {@link #statement()}
 */
public record SnapshotToken(SnapshotId snapshot, Hash chainId, long position, Hash headHash, Hash stateHash, String keyId,
        byte[] signature) {

    /** The {@code type} member of the statement and the file. */
    public static final String TYPE = "os2.snapshot.token";
    /** The statement and file format this code writes and reads. */
    public static final int FORMAT = 1;
    /** Length of an Ed25519 signature in bytes. */
    public static final int SIGNATURE_BYTES = 64;

    private static final Pattern KEY_ID = Pattern.compile("ed25519:[0-9a-f]{16}");
    private static final SortedSet<String> FILE_MEMBERS = new TreeSet<>(List.of("chain_id", "format", "head_hash", "key_id",
            "position", "signature", "snapshot", "state_hash", "type"));

    /**
     * Validates the components and copies the signature.
     *
     * @throws IllegalArgumentException if the id is not at the position, the key id is malformed,
     *     or the signature is not 64 bytes
     * @throws NullPointerException if a component is null
     */
    public SnapshotToken {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(headHash, "headHash");
        Objects.requireNonNull(stateHash, "stateHash");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(signature, "signature");
        if (snapshot.position() != position) {
            throw new IllegalArgumentException("snapshot " + snapshot + " is at position " + snapshot.position() + ", not " + position);
        }
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("a key id is \"ed25519:\" and 16 lowercase hex digits, got " + StrictJson.abbreviate(keyId));
        }
        if (signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException("an Ed25519 signature is " + SIGNATURE_BYTES + " bytes, got " + signature.length);
        }
        signature = signature.clone();
    }

    /**
     * Signs {@code header} with {@code key}. Deterministic: the same header and key give the same token.
     *
     * @throws NullPointerException if an argument is null
     */
    public static SnapshotToken sign(SnapshotHeader header, SigningKey key) {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(key, "key");
        CanonicalJson statement = statement(header.id(), header.chainId(), header.position(), header.headHash(), header.stateHash(),
                key.keyId());
        return new SnapshotToken(header.id(), header.chainId(), header.position(), header.headHash(), header.stateHash(), key.keyId(),
                key.sign(statement));
    }

    /** The statement the signature covers (format above). */
    public CanonicalJson statement() {
        return statement(snapshot, chainId, position, headHash, stateHash, keyId);
    }

    /** Whether the signature is a valid, strictly encoded Ed25519 signature of the statement by {@code key}. */
    public boolean signatureVerifies(PublicKey key) {
        return key.verify(statement(), signature);
    }

    /** Whether the token names exactly what {@code header} says (id, chain, position, head and state hash). */
    public boolean matches(SnapshotHeader header) {
        return snapshot.equals(header.id()) && chainId.equals(header.chainId()) && position == header.position()
                && headHash.equals(header.headHash()) && stateHash.equals(header.stateHash());
    }

    /** The token file content: one line of canonical JSON, without the line feed. */
    public String toJson() {
        ObjectNode o = statementNode(snapshot, chainId, position, headHash, stateHash, keyId);
        o.put("signature", StrictJson.HEX.formatHex(signature));
        return CanonicalJson.of(o).text();
    }

    /**
     * Writes the token file, replacing {@code file}, atomically.
     *
     * @throws SnapshotFileException UNWRITABLE
     */
    public void write(Path file) {
        AtomicFiles.write(file, (toJson() + "\n").getBytes(StandardCharsets.UTF_8), true);
    }

    /**
     * Reads a token file strictly: every member present, nothing more, each of its form; a
     * signature of another length than 64 bytes (a truncated one) is refused here.
     *
     * @throws SnapshotFileException MISSING, UNREADABLE, MALFORMED or UNSUPPORTED_FORMAT
     */
    public static SnapshotToken read(Path file) {
        return parse(AtomicFiles.read(file, 64 * 1024), file);
    }

    /**
     * Reads a token from its file content (see {@link #read}).
     *
     * @param file where it came from, for messages, or null
     * @throws SnapshotFileException MALFORMED or UNSUPPORTED_FORMAT
     */
    public static SnapshotToken parse(byte[] content, Path file) {
        StrictJson m = StrictJson.object(file, "the snapshot token", content, FILE_MEMBERS);
        m.requireType(TYPE, FORMAT);
        String id = m.string("snapshot");
        if (!SnapshotId.isId(id)) {
            throw StrictJson.malformed(file, "the snapshot token: \"snapshot\" must be s<position>, found " + StrictJson.abbreviate(id));
        }
        try {
            return new SnapshotToken(SnapshotId.parse(id), m.hash("chain_id"), m.integer("position"), m.hash("head_hash"),
                    m.hash("state_hash"), m.matching("key_id", KEY_ID, "\"ed25519:\" and 16 lowercase hex digits"),
                    m.hex("signature", SIGNATURE_BYTES));
        } catch (IllegalArgumentException e) {
            throw StrictJson.malformed(file, "the snapshot token is inconsistent: " + e.getMessage(), e);
        }
    }

    /** A copy of the signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotToken t && snapshot.equals(t.snapshot) && chainId.equals(t.chainId) && position == t.position
                && headHash.equals(t.headHash) && stateHash.equals(t.stateHash) && keyId.equals(t.keyId)
                && Arrays.equals(signature, t.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(snapshot, chainId, position, headHash, stateHash, keyId) * 31 + Arrays.hashCode(signature);
    }

    /** The token file content. */
    @Override
    public String toString() {
        return toJson();
    }

    private static CanonicalJson statement(SnapshotId id, Hash chainId, long position, Hash headHash, Hash stateHash, String keyId) {
        return CanonicalJson.of(statementNode(id, chainId, position, headHash, stateHash, keyId));
    }

    private static ObjectNode statementNode(SnapshotId id, Hash chainId, long position, Hash headHash, Hash stateHash, String keyId) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("chain_id", chainId.toHex());
        o.put("format", FORMAT);
        o.put("head_hash", headHash.toHex());
        o.put("key_id", keyId);
        o.put("position", position);
        o.put("snapshot", id.toString());
        o.put("state_hash", stateHash.toHex());
        o.put("type", TYPE);
        return o;
    }
}
