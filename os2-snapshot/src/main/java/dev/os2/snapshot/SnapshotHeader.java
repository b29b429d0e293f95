package dev.os2.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.Hash;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a snapshot is, without its state: which ledger and which moment of it the state belongs to,
 * the state's hash, and the versions of the formats it is written in.
 *
 * <p><b>JSON form, format 1</b> (the second line of a {@link SnapshotBundle bundle}):
 * <pre>  {"chain_id":"&lt;64 hex&gt;","event_format":1,"head_hash":"&lt;64 hex&gt;","id":"s42","label":"…",
 *   "position":42,"state_format":1,"state_hash":"&lt;64 hex&gt;","timestamp_ticks":N}</pre>
 *
 * @param id the snapshot's id, {@code s<position>}
 * @param label a name for people, 1 to 128 characters
 * @param chainId the chain id of the ledger it belongs to (the hash of its entry 0)
 * @param position the position of its {@code snapshot_created} entry; the state is the kernel's
 *     state after that entry
 * @param headHash the hash of that entry: the ledger head the snapshot belongs to
 * @param stateHash {@link KernelState#stateHash()} of the state
 * @param timestampTicks the virtual clock of the state ({@link KernelState#clock()}), in ticks
 * @param stateFormat the kernel state format ({@link KernelState#FORMAT}) the state is written in
 * @param eventFormat the kernel event format ({@link KernelEvents#FORMAT}) of the ledger
 */
public record SnapshotHeader(SnapshotId id, String label, Hash chainId, long position, Hash headHash, Hash stateHash,
        long timestampTicks, int stateFormat, int eventFormat) {

    private static final SortedSet<String> MEMBERS = new TreeSet<>(List.of("chain_id", "event_format", "head_hash", "id",
            "label", "position", "state_format", "state_hash", "timestamp_ticks"));

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if the id is not {@code s<position>}, the label is empty or
     *     longer than 128 characters, or a number is out of range
     * @throws NullPointerException if a component is null
     */
    public SnapshotHeader {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(headHash, "headHash");
        Objects.requireNonNull(stateHash, "stateHash");
        if (id.position() != position) {
            throw new IllegalArgumentException("snapshot " + id + " is at position " + id.position() + ", not " + position);
        }
        if (label.isEmpty() || label.length() > 128) {
            throw new IllegalArgumentException("a snapshot label is 1 to 128 characters, got " + label.length());
        }
        if (timestampTicks < 0 || timestampTicks > 1L << 53) {
            throw new IllegalArgumentException("a timestamp is 0 to 2^53 ticks, got " + timestampTicks);
        }
        if (stateFormat < 1 || eventFormat < 1) {
            throw new IllegalArgumentException("format versions start at 1, got state " + stateFormat + ", event " + eventFormat);
        }
    }

    /** The header's JSON form (see the class comment). */
    public CanonicalJson toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("chain_id", chainId.toHex());
        o.put("event_format", eventFormat);
        o.put("head_hash", headHash.toHex());
        o.put("id", id.toString());
        o.put("label", label);
        o.put("position", position);
        o.put("state_format", stateFormat);
        o.put("state_hash", stateHash.toHex());
        o.put("timestamp_ticks", timestampTicks);
        return CanonicalJson.of(o);
    }

    /**
     * Reads the JSON form strictly.
     *
     * @param file where it came from, for messages, or null
     * @throws SnapshotFileException MALFORMED, or UNSUPPORTED_FORMAT for formats this code does not read
     */
    static SnapshotHeader fromJson(Path file, JsonNode node) {
        StrictJson m = StrictJson.object(file, "the snapshot header", node, MEMBERS);
        long stateFormat = m.integer("state_format");
        long eventFormat = m.integer("event_format");
        if (stateFormat != KernelState.FORMAT || eventFormat != KernelEvents.FORMAT) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.UNSUPPORTED_FORMAT,
                    "the snapshot is of kernel state format " + stateFormat + " and event format " + eventFormat
                            + "; this version of OS2 reads state format " + KernelState.FORMAT + " and event format " + KernelEvents.FORMAT);
        }
        String idText = m.string("id");
        if (!SnapshotId.isId(idText)) {
            throw StrictJson.malformed(file, "the snapshot header: \"id\" must be s<position>, found " + StrictJson.abbreviate(idText));
        }
        try {
            return new SnapshotHeader(SnapshotId.parse(idText), m.string("label"), m.hash("chain_id"), m.integer("position"),
                    m.hash("head_hash"), m.hash("state_hash"), m.integer("timestamp_ticks"), (int) stateFormat, (int) eventFormat);
        } catch (IllegalArgumentException e) {
            throw StrictJson.malformed(file, "the snapshot header is inconsistent: " + e.getMessage(), e);
        }
    }
}
