package dev.os2.ledger;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a caller asks the ledger to record; the ledger adds the position, {@code prev_hash} and
 * {@code hash} to make an {@link EventEnvelope}.
 *
 * @param kind what happened, in lower snake case with optional dots (for example
 *     {@code token_scheduled}, {@code capability.granted}); 1 to 64 characters
 * @param capabilityId the capability the event concerns, or null; 1 to 128 printable characters of
 *     the Basic Multilingual Plane (no space, control character or surrogate)
 * @param virtualTime the kernel's virtual clock when the event happened, in ticks, 0 to 2^53
 * @param payload the event's data
 * @param eventId a caller-chosen id of 1 to 128 characters from {@code [A-Za-z0-9._:-]}, or null
 *     to let the ledger use {@code ev-<position>}
 */
public record EventDraft(String kind, String capabilityId, long virtualTime, CanonicalJson payload, String eventId) {

    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_.]{0,63}");
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** Largest position or virtual time a canonical JSON number holds exactly. */
    static final long MAX_SAFE_INTEGER = 1L << 53;

    /**
     * Validates every field.
     *
     * @throws InvalidPayloadException if a field is null where it may not be, or malformed
     */
    public EventDraft {
        if (kind == null || !KIND.matcher(kind).matches()) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                    "event kind must match [a-z][a-z0-9_.]{0,63}, got " + quote(kind));
        }
        if (capabilityId != null && !validCapabilityId(capabilityId)) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                    "capability id must be 1 to 128 printable characters, got " + quote(capabilityId));
        }
        if (virtualTime < 0 || virtualTime > MAX_SAFE_INTEGER) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                    "virtual time must be between 0 and 2^53 ticks, got " + virtualTime);
        }
        if (payload == null) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NULL,
                    "payload is null; use CanonicalJson.NULL for the JSON literal null");
        }
        if (eventId != null && !EVENT_ID.matcher(eventId).matches()) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                    "event id must be 1 to 128 characters from [A-Za-z0-9._:-], got " + quote(eventId));
        }
    }

    /** A draft with no capability and a ledger-chosen event id. */
    public static EventDraft of(String kind, long virtualTime, CanonicalJson payload) {
        return new EventDraft(kind, null, virtualTime, payload, null);
    }

    /** A draft with a ledger-chosen event id. */
    public static EventDraft of(String kind, String capabilityId, long virtualTime, CanonicalJson payload) {
        return new EventDraft(kind, capabilityId, virtualTime, payload, null);
    }

    static boolean validCapabilityId(String id) {
        if (id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            // Printable only: no space, no C0/DEL/C1 control, no surrogate (so no
            // supplementary characters either), which keeps ids one line and easy to type.
            if (c < 0x21 || Character.isISOControl(c) || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 80 ? s.substring(0, 77) + "..." : s;
        return '"' + shown.replace("\n", "\\n") + '"';
    }

    /** The event id the ledger records for this draft at {@code position}. */
    String eventIdAt(long position) {
        return eventId != null ? eventId : "ev-" + position;
    }

    @Override
    public String toString() {
        return "EventDraft[kind=" + kind + ", capabilityId=" + capabilityId + ", virtualTime=" + virtualTime
                + ", eventId=" + eventId + ", payload=" + Objects.toString(payload) + "]";
    }
}
