package dev.os2.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * One entry of the ledger: an event, its place in the chain, and the hash that seals it.
 *
 * <p><b>Format, version 1.</b> The canonical bytes of an envelope are the RFC 8785 canonical JSON
 * (UTF-8) of the object with the members {@code capability_id} (string or null), {@code event_id},
 * {@code format} (the number 1), {@code kind}, {@code payload}, {@code position}, {@code prev_hash}
 * (64 lowercase hex digits) and {@code virtual_time} &mdash; every field but the hash. The hash is
 * <pre>  hash = SHA-256( "os2.ledger.v1" 0x00 ‖ prev_hash (32 bytes) ‖ canonical bytes )</pre>
 * and the {@code prev_hash} of position 0 is {@link Hash#GENESIS} (32 zero bytes). The domain tag
 * keeps ledger hashes from being confused with any other SHA-256 use. This class is the one place
 * the format is defined (the package summary repeats it); {@link #toJson()} adds the {@code hash}
 * member for export. Stores keep an entry as a record of a version byte (1), the 32-byte hash
 * and the canonical bytes.
 *
 * @param format the format version, {@link #FORMAT}
 * @param position OS2's sequence number for the entry, from 0, with no gaps
 * @param eventId the event's id
 * @param kind what happened
 * @param capabilityId the capability the event concerns, or null
 * @param virtualTime the virtual clock at the event, in ticks
 * @param payload the event's data
 * @param prevHash the hash of the entry at {@code position - 1}, or {@link Hash#GENESIS} at 0
 * @param hash this entry's hash, as computed above
 */
public record EventEnvelope(int format, long position, String eventId, String kind, String capabilityId,
        long virtualTime, CanonicalJson payload, Hash prevHash, Hash hash) {

    /** The envelope format version this code writes and reads. */
    public static final int FORMAT = 1;

    private static final byte[] DOMAIN_TAG = "os2.ledger.v1\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * Validates the fields (not the hash: {@link Ledger#verify()} checks that).
     *
     * @throws InvalidPayloadException if a field is malformed, or eventId or payload is null
     * @throws NullPointerException if prevHash or hash is null
     */
    public EventEnvelope {
        if (format != FORMAT) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                    "envelope format " + format + " is not supported; this version reads format " + FORMAT);
        }
        if (position < 0 || position > EventDraft.MAX_SAFE_INTEGER) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD, "position out of range: " + position);
        }
        // A draft may leave the event id to the ledger; a sealed envelope always has one.
        if (eventId == null) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NULL, "an envelope's event id is null");
        }
        // Reuse the draft's field rules so that an envelope holds nothing a draft could not.
        new EventDraft(kind, capabilityId, virtualTime, payload, eventId);
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
    }

    /**
     * Seals a draft at {@code position} after the entry whose hash is {@code prevHash}: fills in
     * the event id ({@code ev-<position>} when the draft has none) and computes the hash. Pure:
     * the same arguments give the same envelope on every JVM. Thread-safe.
     *
     * @throws NullPointerException if {@code prevHash} or {@code draft} is null
     * @throws InvalidPayloadException if {@code position} is negative or beyond 2^53
     */
    public static EventEnvelope seal(long position, Hash prevHash, EventDraft draft) {
        Objects.requireNonNull(draft, "draft");
        Objects.requireNonNull(prevHash, "prevHash");
        String eventId = draft.eventIdAt(position);
        byte[] canonical = canonicalBytes(position, eventId, draft.kind(), draft.capabilityId(), draft.virtualTime(),
                draft.payload(), prevHash);
        return new EventEnvelope(FORMAT, position, eventId, draft.kind(), draft.capabilityId(), draft.virtualTime(),
                draft.payload(), prevHash, computeHash(prevHash, canonical));
    }

    /** The canonical bytes of this envelope without its hash: what the hash covers. */
    public byte[] canonicalBytes() {
        return canonicalBytes(position, eventId, kind, capabilityId, virtualTime, payload, prevHash);
    }

    /** The hash this envelope's content should have; equal to {@link #hash()} when intact. */
    public Hash recomputeHash() {
        return computeHash(prevHash, canonicalBytes());
    }

    /** The envelope as one line of canonical JSON including its {@code hash} member, for export and {@code --json} output. */
    public String toJson() {
        StringBuilder out = new StringBuilder(256 + payload.utf8Length());
        appendCanonical(out, position, eventId, kind, capabilityId, virtualTime, payload, prevHash, hash);
        return out.toString();
    }

    /** {@code SHA-256(domain tag ‖ prevHash ‖ canonicalBytes)}. */
    public static Hash computeHash(Hash prevHash, byte[] canonicalBytes) {
        MessageDigest sha = DIGEST.get();
        sha.update(DOMAIN_TAG);
        prevHash.updateDigest(sha);
        sha.update(canonicalBytes);
        return Hash.wrap(sha.digest());
    }

    // A MessageDigest per thread: creating one costs more than hashing a small entry.
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Hash::newSha256);

    static byte[] canonicalBytes(long position, String eventId, String kind, String capabilityId, long virtualTime,
            CanonicalJson payload, Hash prevHash) {
        StringBuilder out = new StringBuilder(192 + payload.utf8Length());
        appendCanonical(out, position, eventId, kind, capabilityId, virtualTime, payload, prevHash, null);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Members in RFC 8785 order (UTF-16 code-unit order of the names); {@code hash} only when given. */
    private static void appendCanonical(StringBuilder out, long position, String eventId, String kind, String capabilityId,
            long virtualTime, CanonicalJson payload, Hash prevHash, Hash hash) {
        out.append("{\"capability_id\":");
        if (capabilityId == null) {
            out.append("null");
        } else {
            CanonicalJson.writeString(capabilityId, out);
        }
        out.append(",\"event_id\":");
        CanonicalJson.writeString(eventId, out);
        out.append(",\"format\":").append(FORMAT);
        if (hash != null) {
            out.append(",\"hash\":\"").append(hash.toHex()).append('"');
        }
        out.append(",\"kind\":");
        CanonicalJson.writeString(kind, out);
        out.append(",\"payload\":").append(payload.text());
        out.append(",\"position\":").append(position);
        out.append(",\"prev_hash\":\"").append(prevHash.toHex()).append('"');
        out.append(",\"virtual_time\":").append(virtualTime).append('}');
    }
}
