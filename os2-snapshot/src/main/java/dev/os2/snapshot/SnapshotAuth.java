package dev.os2.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.KernelEvents;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.PublicKey;
import dev.os2.ledger.SigningKey;
import dev.os2.ledger.VerifyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Snapshot authentication: mints signed {@link SnapshotToken tokens} and verifies a snapshot
 * against a ledger, a token and a public key. Verification answers with a
 * {@link SnapshotVerification} verdict; it throws only for storage faults of the ledger.
 *
 * <p>What verification checks, in order, stopping at the first failure: the bundle (its frames,
 * checksum and that its state hashes to its header's state hash); the token (its form, that the
 * key given is the one it names, its signature, and that it names exactly this snapshot); the
 * ledger (its chain id is the snapshot's, it reaches the position, the chain from genesis through
 * the position is intact, the entry there has the snapshot's head hash and is its
 * {@code snapshot_created} entry). The ledger is only read; entries after the position are not.
 */
public final class SnapshotAuth {

    private SnapshotAuth() {
    }

    /**
     * Mints the token for {@code snapshot} with {@code key}. Check {@link #verifyInLedger} first:
     * a token vouches for what it names.
     *
     * @throws NullPointerException if an argument is null
     */
    public static SnapshotToken sign(SnapshotState snapshot, SigningKey key) {
        Objects.requireNonNull(snapshot, "snapshot");
        return SnapshotToken.sign(snapshot.header(), key);
    }

    /**
     * Checks that {@code snapshot} is the snapshot {@code ledger} recorded at its position (see the
     * class comment), without a token. Its state hash was checked when it was read or captured.
     *
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be read (a storage fault)
     */
    public static SnapshotVerification verifyInLedger(Ledger ledger, SnapshotState snapshot) {
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(snapshot, "snapshot");
        SnapshotHeader h = snapshot.header();
        long size = ledger.size();
        if (size == 0) {
            return invalid(SnapshotVerification.Reason.POSITION_BEYOND_LEDGER, "the ledger is empty, but snapshot " + h.id()
                    + " is at position " + h.position());
        }
        VerifyResult genesis = ledger.verify(0, 1);
        if (genesis instanceof VerifyResult.Broken broken) {
            return chainBroken(broken, h);
        }
        Hash chainId = ((VerifyResult.Intact) genesis).head();
        if (!chainId.equals(h.chainId())) {
            return invalid(SnapshotVerification.Reason.OTHER_LEDGER, "snapshot " + h.id() + " belongs to the ledger with chain id "
                    + h.chainId().toHex() + ", but this ledger's chain id (the hash of entry 0) is " + chainId.toHex());
        }
        if (h.position() >= size) {
            if (ledger.verify(0, size) instanceof VerifyResult.Broken broken) {
                return chainBroken(broken, h);
            }
            return invalid(SnapshotVerification.Reason.POSITION_BEYOND_LEDGER, "snapshot " + h.id() + " is at position " + h.position()
                    + ", but the ledger has only " + size + " entries: it was truncated or is an older copy");
        }
        VerifyResult chain = ledger.verify(0, h.position() + 1);
        Hash head = switch (chain) {
            case VerifyResult.Broken broken -> null;
            case VerifyResult.Intact intact -> intact.head();
        };
        if (head == null) {
            return chainBroken((VerifyResult.Broken) chain, h);
        }
        if (!head.equals(h.headHash())) {
            return invalid(SnapshotVerification.Reason.HEAD_MISMATCH, "the chain is intact, but its entry at position " + h.position()
                    + " has hash " + head.toHex() + " where snapshot " + h.id() + " says " + h.headHash().toHex()
                    + ": history was rewritten, or the ledger forked");
        }
        EventEnvelope e = ledger.read(h.position());
        String mismatch = entryMismatch(e, snapshot);
        if (mismatch != null) {
            return invalid(SnapshotVerification.Reason.NOT_THE_SNAPSHOT_ENTRY, "the entry at position " + h.position() + " "
                    + mismatch);
        }
        return new SnapshotVerification.Valid(h.id(), h.position(), head, h.stateHash(), null);
    }

    /** Why entry {@code e} is not the snapshot_created entry of {@code snapshot}, or null if it is. */
    static String entryMismatch(EventEnvelope e, SnapshotState snapshot) {
        SnapshotHeader h = snapshot.header();
        if (!KernelEvents.SNAPSHOT_CREATED.equals(e.kind())) {
            return "is " + e.kind() + ", not snapshot_created";
        }
        JsonNode p = e.payload().toJsonNode();
        if (!h.stateHash().toHex().equals(p.path("state_hash").asText(null))) {
            return "records state hash " + p.path("state_hash").asText() + ", not " + h.stateHash().toHex();
        }
        if (!h.label().equals(p.path("label").asText(null))) {
            return "records label " + StrictJson.abbreviate(p.path("label").toString()) + ", not \"" + StrictJson.abbreviate(h.label()) + "\"";
        }
        if (e.virtualTime() != h.timestampTicks()) {
            return "is at virtual time " + e.virtualTime() + ", not " + h.timestampTicks();
        }
        return null;
    }

    /**
     * Verifies {@code snapshot} with {@code token} and {@code key} against {@code ledger} (see the
     * class comment).
     *
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be read (a storage fault)
     * @throws NullPointerException if an argument is null
     */
    public static SnapshotVerification verify(Ledger ledger, SnapshotState snapshot, SnapshotToken token, PublicKey key) {
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(key, "key");
        SnapshotVerification tokenVerdict = checkToken(snapshot.header(), token, key);
        if (tokenVerdict != null) {
            return tokenVerdict;
        }
        SnapshotVerification inLedger = verifyInLedger(ledger, snapshot);
        return switch (inLedger) {
            case SnapshotVerification.Invalid invalid -> invalid;
            case SnapshotVerification.Valid v -> new SnapshotVerification.Valid(v.snapshot(), v.position(), v.headHash(), v.stateHash(),
                    token.keyId());
        };
    }

    private static SnapshotVerification checkToken(SnapshotHeader h, SnapshotToken token, PublicKey key) {
        if (!token.keyId().equals(key.keyId())) {
            return invalid(SnapshotVerification.Reason.WRONG_KEY, "the token was signed by key " + token.keyId()
                    + ", but the public key given is " + key.keyId());
        }
        if (!token.signatureVerifies(key)) {
            return invalid(SnapshotVerification.Reason.BAD_SIGNATURE, "the token's signature does not verify with key " + key.keyId()
                    + ": the token or its signature was altered, or the signature is not canonical");
        }
        if (!token.matches(h)) {
            return invalid(SnapshotVerification.Reason.TOKEN_MISMATCH, "the token is for " + token.snapshot() + " at position "
                    + token.position() + " with state hash " + token.stateHash().toShortHex() + " and head " + token.headHash().toShortHex()
                    + " of chain " + token.chainId().toShortHex() + ", but the bundle is " + h.id() + " at position " + h.position()
                    + " with state hash " + h.stateHash().toShortHex() + " and head " + h.headHash().toShortHex() + " of chain "
                    + h.chainId().toShortHex());
        }
        return null;
    }

    /**
     * Verifies a bundle file with a token file (or, when {@code tokenFile} is null, the token stored
     * beside the bundle, {@code <id>.token.json}) and {@code key} against {@code ledger}. A bundle or
     * token that cannot be read as one (torn, damaged, malformed, missing token) is a verdict, not
     * an exception.
     *
     * @throws SnapshotFileException MISSING or UNREADABLE if the bundle cannot be read at all
     * @throws dev.os2.ledger.LedgerException if the ledger cannot be read
     */
    public static SnapshotVerification verify(Ledger ledger, Path bundle, Path tokenFile, PublicKey key) {
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(key, "key");
        SnapshotState snapshot;
        try {
            snapshot = SnapshotBundle.read(bundle);
        } catch (SnapshotFileException e) {
            return bundleVerdict(e);
        }
        Path tf = tokenFile != null ? tokenFile : bundle.resolveSibling(snapshot.id() + SnapshotStore.TOKEN_SUFFIX);
        if (!Files.exists(tf)) {
            return invalid(SnapshotVerification.Reason.TOKEN_MISSING, tokenFile != null ? "the token file " + tf + " does not exist"
                    : "no token was minted for " + snapshot.id() + " (" + tf + " does not exist)");
        }
        SnapshotToken token;
        try {
            token = SnapshotToken.read(tf);
        } catch (SnapshotFileException e) {
            return switch (e.problem()) {
                case MALFORMED, UNSUPPORTED_FORMAT, TORN, CORRUPT, STATE_MISMATCH, CONFLICT ->
                        invalid(SnapshotVerification.Reason.TOKEN_MALFORMED, e.getMessage());
                case MISSING, UNREADABLE, UNWRITABLE -> throw e;
            };
        }
        return verify(ledger, snapshot, token, key);
    }

    /**
     * The verdict for a bundle that could not be read, or rethrows a storage fault.
     *
     * @throws SnapshotFileException MISSING, UNREADABLE, UNWRITABLE or CONFLICT (not verdicts)
     */
    public static SnapshotVerification bundleVerdict(SnapshotFileException e) {
        return switch (e.problem()) {
            case TORN -> invalid(SnapshotVerification.Reason.BUNDLE_TORN, e.getMessage());
            case CORRUPT -> invalid(SnapshotVerification.Reason.BUNDLE_CORRUPT, e.getMessage());
            case MALFORMED, UNSUPPORTED_FORMAT -> invalid(SnapshotVerification.Reason.BUNDLE_MALFORMED, e.getMessage());
            case STATE_MISMATCH -> invalid(SnapshotVerification.Reason.STATE_HASH_MISMATCH, e.getMessage());
            case MISSING, UNREADABLE, UNWRITABLE, CONFLICT -> throw e;
        };
    }

    private static SnapshotVerification invalid(SnapshotVerification.Reason reason, String detail) {
        return new SnapshotVerification.Invalid(reason, detail);
    }

    private static SnapshotVerification chainBroken(VerifyResult.Broken broken, SnapshotHeader h) {
        return invalid(SnapshotVerification.Reason.CHAIN_BROKEN, "the ledger is damaged at or before snapshot " + h.id()
                + "'s position " + h.position() + ": at position " + broken.position() + ", " + broken.problem() + ": " + broken.detail());
    }
}
