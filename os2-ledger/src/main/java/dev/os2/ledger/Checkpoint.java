package dev.os2.ledger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A signed checkpoint: an Ed25519 signature binding a ledger's chain id (the hash of its entry 0,
 * {@link Ledger#chainId()}), a position, and the hash of the entry at that position, to a key. Whoever
 * holds the ledger (or a copy of it), the checkpoint file and the public key file can then check
 * that history through that position is what the key holder saw, without having been there.
 *
 * <p><b>Signed statement, format 1.</b> The signature is over the RFC 8785 canonical UTF-8 bytes of
 * <pre>  {"chain_id":"&lt;64 hex&gt;","format":1,"head_hash":"&lt;64 hex&gt;","key_id":"ed25519:…","position":N,"type":"os2.ledger.checkpoint"}</pre>
 * The {@code type} member separates it from every other statement OS2 signs, and {@code key_id}
 * binds the signer's identity, so a signature cannot be replayed for another purpose or passed off
 * as another key's.
 *
 * <p><b>Checkpoint file, format 1</b> (this class is the one place it is defined): the statement's
 * members plus {@code "signature"}, the 64-byte signature in 128 lowercase hex digits, as one
 * line of canonical JSON followed by a newline.
 *
 * <p>Instances are immutable values and thread-safe.
 *
 * @param chainId hash of the ledger's entry 0
 * @param position the position of the signed head, 0 to 2^53
 * @param headHash hash of the entry at {@code position}
 * @param keyId id of the signing key ({@link PublicKey#keyId()})
 * @param signature the 64-byte Ed25519 signature over {@link #statement()}
 */
public record Checkpoint(Hash chainId, long position, Hash headHash, String keyId, byte[] signature) {

    /** The {@code type} member of the statement and the file. */
    public static final String TYPE = "os2.ledger.checkpoint";
    /** The statement and file format this code writes and reads. */
    public static final int FORMAT = 1;
    /** Length of the signature in bytes. */
    public static final int SIGNATURE_BYTES = Ed25519.SIGNATURE_BYTES;

    private static final SortedSet<String> FILE_MEMBERS = new TreeSet<>(
            List.of("chain_id", "format", "head_hash", "key_id", "position", "signature", "type"));

    /**
     * Validates the components and copies the signature.
     *
     * @throws IllegalArgumentException if the position is out of range, the key id malformed, or
     *     the signature not 64 bytes
     * @throws NullPointerException if a component is null
     */
    public Checkpoint {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(headHash, "headHash");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(signature, "signature");
        if (position < 0 || position > EventDraft.MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException("a checkpoint position is 0 to 2^53, got " + position);
        }
        if (!PublicKey.KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("a key id is \"ed25519:\" and 16 lowercase hex digits, got " + EventDraft.quote(keyId));
        }
        if (signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException("an Ed25519 signature is " + SIGNATURE_BYTES + " bytes, got " + signature.length);
        }
        signature = signature.clone();
    }

    /**
     * Signs the current head of {@code ledger}. See {@link #sign(Ledger, long, SigningKey)}.
     *
     * @throws IllegalArgumentException if the ledger is empty: there is no head to sign
     */
    public static Checkpoint sign(Ledger ledger, SigningKey key) {
        Objects.requireNonNull(ledger, "ledger");
        long size = ledger.size();
        if (size == 0) {
            throw new IllegalArgumentException("the ledger is empty: there is no head to sign");
        }
        return sign(ledger, size - 1, key);
    }

    /**
     * Signs the entry at {@code position} of {@code ledger}. The chain from genesis through
     * {@code position} is verified first, because a checkpoint vouches for all of it; this reads
     * {@code position + 1} entries.
     *
     * @throws IllegalArgumentException if {@code position} is negative or not below the ledger's size
     * @throws LedgerException {@link LedgerException.Category#CORRUPT} if the chain through
     *     {@code position} is broken (nothing is signed), or another category if the store fails
     * @throws NullPointerException if an argument is null
     */
    public static Checkpoint sign(Ledger ledger, long position, SigningKey key) {
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(key, "key");
        long size = ledger.size();
        if (position < 0 || position >= size) {
            throw new IllegalArgumentException("cannot sign position " + position + ": the ledger has " + size
                    + " entries (positions 0 to " + (size - 1) + ")");
        }
        VerifyResult result = ledger.verify(0, position + 1);
        Hash headHash = switch (result) {
            case VerifyResult.Intact intact -> intact.head();
            case VerifyResult.Broken broken -> throw new LedgerException(LedgerException.Category.CORRUPT,
                    "refusing to sign a checkpoint at position " + position + ": the chain is broken at position "
                            + broken.position() + " (" + broken.problem() + "): " + broken.detail());
        };
        Hash chainId = ledger.read(0).hash();
        CanonicalJson statement = statement(chainId, position, headHash, key.keyId());
        return new Checkpoint(chainId, position, headHash, key.keyId(), key.sign(statement));
    }

    /**
     * Checks {@code checkpoint} against {@code ledger} and {@code key}, in this order, stopping at
     * the first failure: the key id ({@link CheckpointVerification.Reason#WRONG_KEY}), the
     * signature ({@code BAD_SIGNATURE}), that the ledger has an intact entry 0 ({@code CHAIN_BROKEN},
     * or {@code POSITION_BEYOND_LEDGER} if empty) equal to the chain id ({@code OTHER_CHAIN}), that
     * the position exists ({@code POSITION_BEYOND_LEDGER} if the ledger is an intact but shorter
     * chain, {@code CHAIN_BROKEN} if it is damaged), that the chain from genesis through the
     * position is intact ({@code CHAIN_BROKEN}, with the ledger's report), and that the entry there
     * has the signed hash ({@code HEAD_MISMATCH}). Entries after the position are not read. The
     * ledger is only read, so a read-only copy suffices.
     *
     * @throws LedgerException if the store cannot be read (a storage fault, not a verdict)
     * @throws NullPointerException if an argument is null
     */
    public static CheckpointVerification verify(Ledger ledger, Checkpoint checkpoint, PublicKey key) {
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(key, "key");
        if (!checkpoint.keyId.equals(key.keyId())) {
            return CheckpointVerification.Invalid.of(CheckpointVerification.Reason.WRONG_KEY,
                    "the checkpoint was signed by key " + checkpoint.keyId + ", but the public key given is " + key.keyId());
        }
        if (!key.verify(checkpoint.statement(), checkpoint.signature)) {
            return CheckpointVerification.Invalid.of(CheckpointVerification.Reason.BAD_SIGNATURE,
                    "the signature does not verify with key " + key.keyId()
                            + ": the checkpoint or its signature was altered, or the signature is not canonical");
        }
        long size = ledger.size();
        if (size == 0) {
            return CheckpointVerification.Invalid.of(CheckpointVerification.Reason.POSITION_BEYOND_LEDGER,
                    "the ledger is empty, but the checkpoint is at position " + checkpoint.position);
        }
        // Entry 0 first: it is cheap, and it tells another ledger apart from a damaged one before
        // a long verification.
        VerifyResult genesis = ledger.verify(0, 1);
        if (genesis instanceof VerifyResult.Broken broken) {
            return chainBroken(broken, checkpoint);
        }
        Hash chainId = ((VerifyResult.Intact) genesis).head();
        if (!chainId.equals(checkpoint.chainId)) {
            return CheckpointVerification.Invalid.of(CheckpointVerification.Reason.OTHER_CHAIN,
                    "the checkpoint is for chain " + checkpoint.chainId.toHex() + ", but this ledger's chain id (the hash of entry 0) is "
                            + chainId.toHex());
        }
        if (checkpoint.position >= size) {
            // A chain that is damaged short of the position (a dropped entry, say) is named as
            // such; only an intact but shorter chain is a truncated or older copy.
            if (ledger.verify(0, size) instanceof VerifyResult.Broken broken) {
                return chainBroken(broken, checkpoint);
            }
            return CheckpointVerification.Invalid.of(CheckpointVerification.Reason.POSITION_BEYOND_LEDGER,
                    "the checkpoint is at position " + checkpoint.position + ", but the ledger has only " + size
                            + " entries (positions 0 to " + (size - 1) + "): it was truncated or is an older copy");
        }
        VerifyResult chain = ledger.verify(0, checkpoint.position + 1);
        return switch (chain) {
            case VerifyResult.Broken broken -> chainBroken(broken, checkpoint);
            case VerifyResult.Intact intact -> intact.head().equals(checkpoint.headHash)
                    ? new CheckpointVerification.Valid(checkpoint.position, checkpoint.headHash, checkpoint.keyId)
                    : CheckpointVerification.Invalid.of(CheckpointVerification.Reason.HEAD_MISMATCH,
                            "the chain is intact, but its entry at position " + checkpoint.position + " has hash "
                                    + intact.head().toHex() + " where the checkpoint signed " + checkpoint.headHash.toHex()
                                    + ": history was rewritten after genesis, or the ledger forked");
        };
    }

    /**
     * Reads the checkpoint file and checks it as {@link #verify(Ledger, Checkpoint, PublicKey)}
     * does. A file that is not a checkpoint of a supported format is the verdict
     * {@link CheckpointVerification.Reason#MALFORMED}, with the reader's message.
     *
     * @throws SignatureFileException ({@link SignatureFileException.Problem#MISSING} or
     *     {@link SignatureFileException.Problem#UNREADABLE}) if the file cannot be read at all
     * @throws LedgerException if the store cannot be read
     */
    public static CheckpointVerification verify(Ledger ledger, Path checkpointFile, PublicKey key) {
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(key, "key");
        Checkpoint checkpoint;
        try {
            checkpoint = read(checkpointFile);
        } catch (SignatureFileException e) {
            return switch (e.problem()) {
                case MALFORMED, UNSUPPORTED_FORMAT, KEY_MISMATCH ->
                        CheckpointVerification.Invalid.of(CheckpointVerification.Reason.MALFORMED, e.getMessage());
                case MISSING, UNREADABLE, ALREADY_EXISTS, UNWRITABLE -> throw e;
            };
        }
        return verify(ledger, checkpoint, key);
    }

    /**
     * Reads a checkpoint file (format above). Whitespace and member order are free; members,
     * types, lengths and lowercase hex are not.
     *
     * @throws SignatureFileException naming the file: {@code MISSING}, {@code UNREADABLE},
     *     {@code MALFORMED} (not JSON, another type, a missing or extra member, a bad value, a
     *     signature of the wrong length) or {@code UNSUPPORTED_FORMAT}
     */
    public static Checkpoint read(Path file) {
        SignatureFiles.Members m = SignatureFiles.read(file, "checkpoint", TYPE, FORMAT, FILE_MEMBERS);
        return new Checkpoint(
                m.hash("chain_id"),
                m.position("position"),
                m.hash("head_hash"),
                m.string("key_id", PublicKey.KEY_ID, "\"ed25519:\" and 16 lowercase hex digits"),
                m.hex("signature", SIGNATURE_BYTES));
    }

    /**
     * Writes the checkpoint file, replacing {@code file} if it exists; the write goes through a
     * temporary file, so {@code file} is never left half-written.
     *
     * @throws SignatureFileException ({@link SignatureFileException.Problem#UNWRITABLE}) if it cannot be written
     */
    public void write(Path file) {
        SignatureFiles.writeReplacing(file, toJson() + "\n");
    }

    /** The checkpoint file content: one line of canonical JSON, without a trailing newline. */
    public String toJson() {
        ObjectNode node = statementNode(chainId, position, headHash, keyId);
        node.put("signature", SignatureFiles.hex(signature));
        return CanonicalJson.of(node).text();
    }

    /** The statement the signature covers (format above). */
    public CanonicalJson statement() {
        return statement(chainId, position, headHash, keyId);
    }

    /** A copy of the 64-byte signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && position == c.position && chainId.equals(c.chainId)
                && headHash.equals(c.headHash) && keyId.equals(c.keyId) && Arrays.equals(signature, c.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(chainId, position, headHash, keyId) * 31 + Arrays.hashCode(signature);
    }

    /** The checkpoint file content. */
    @Override
    public String toString() {
        return toJson();
    }

    private static CanonicalJson statement(Hash chainId, long position, Hash headHash, String keyId) {
        return CanonicalJson.of(statementNode(chainId, position, headHash, keyId));
    }

    private static ObjectNode statementNode(Hash chainId, long position, Hash headHash, String keyId) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("chain_id", chainId.toHex());
        node.put("format", FORMAT);
        node.put("head_hash", headHash.toHex());
        node.put("key_id", keyId);
        node.put("position", position);
        node.put("type", TYPE);
        return node;
    }

    private static CheckpointVerification chainBroken(VerifyResult.Broken broken, Checkpoint checkpoint) {
        return new CheckpointVerification.Invalid(CheckpointVerification.Reason.CHAIN_BROKEN,
                "the ledger is damaged at or before the checkpoint's position " + checkpoint.position
                        + ": first bad entry at position " + broken.position() + " (" + broken.problem() + "): " + broken.detail(),
                Optional.of(broken));
    }
}
