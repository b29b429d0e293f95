package dev.os2.ledger;

import java.util.Objects;

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

    /** Largest position or virtual time a canonical JSON number holds exactly. */
    static final long MAX_SAFE_INTEGER = 1L << 53;

    /**
     * Validates every field.
     *
     * @throws InvalidPayloadException if a field is null where it may not be, or malformed
     */
    public EventDraft {
        check(kind, capabilityId, virtualTime, payload, eventId);
    }

    /**
     * Kinds and capability ids that passed {@link #check}, remembered by identity in small
     * direct-mapped tables (slot: the string's hash): kinds and capability ids are a few strings
     * used over and over (constants, descriptors), and a draft's strings are checked again when a
     * ledger seals the draft into an {@link EventEnvelope}, so the same string object is scanned
     * once rather than at every event. Shared by all threads without synchronization on purpose:
     * a thread may see an older entry or none, which only costs a scan; every entry it can see
     * was checked, and a string never changes.
     */
    private static final int CHECKED_SLOTS = 64;
    private static final String[] CHECKED_KINDS = new String[CHECKED_SLOTS];
    private static final String[] CHECKED_CAPABILITY_IDS = new String[CHECKED_SLOTS];

    /**
     * The field rules of a draft, shared with {@link EventEnvelope} so that an envelope holds
     * nothing a draft could not. Allocates nothing unless a field is bad.
     *
     * @throws InvalidPayloadException if a field is null where it may not be, or malformed
     */
    static void check(String kind, String capabilityId, long virtualTime, CanonicalJson payload, String eventId) {
        if (kind == null || CHECKED_KINDS[kind.hashCode() & (CHECKED_SLOTS - 1)] != kind) {
            if (kind == null || !validKind(kind)) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                        "event kind must match [a-z][a-z0-9_.]{0,63}, got " + quote(kind));
            }
            CHECKED_KINDS[kind.hashCode() & (CHECKED_SLOTS - 1)] = kind;
        }
        if (capabilityId != null && CHECKED_CAPABILITY_IDS[capabilityId.hashCode() & (CHECKED_SLOTS - 1)] != capabilityId) {
            if (!validCapabilityId(capabilityId)) {
                throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                        "capability id must be 1 to 128 printable characters, got " + quote(capabilityId));
            }
            CHECKED_CAPABILITY_IDS[capabilityId.hashCode() & (CHECKED_SLOTS - 1)] = capabilityId;
        }
        if (virtualTime < 0 || virtualTime > MAX_SAFE_INTEGER) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.INVALID_FIELD,
                    "virtual time must be between 0 and 2^53 ticks, got " + virtualTime);
        }
        if (payload == null) {
            throw new InvalidPayloadException(InvalidPayloadException.Reason.NULL,
                    "payload is null; use CanonicalJson.NULL for the JSON literal null");
        }
        if (eventId != null && !validEventId(eventId)) {
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

    // The field rules below are table lookups rather than regular expressions: every draft is
    // checked, and a matcher costs an allocation and many times the time of the loop.
    private static final boolean[] KIND_CHARS = asciiSet("abcdefghijklmnopqrstuvwxyz0123456789_.");
    private static final boolean[] EVENT_ID_CHARS = asciiSet(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

    private static boolean[] asciiSet(String chars) {
        boolean[] set = new boolean[128];
        for (int i = 0; i < chars.length(); i++) {
            set[chars.charAt(i)] = true;
        }
        return set;
    }

    /** {@code [a-z][a-z0-9_.]{0,63}}. */
    static boolean validKind(String kind) {
        int length = kind.length();
        if (length == 0 || length > 64) {
            return false;
        }
        char first = kind.charAt(0);
        if (first < 'a' || first > 'z') {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = kind.charAt(i);
            if (c >= 128 || !KIND_CHARS[c]) {
                return false;
            }
        }
        return true;
    }

    /** {@code [A-Za-z0-9._:-]{1,128}}. */
    static boolean validEventId(String id) {
        int length = id.length();
        if (length == 0 || length > 128) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (c >= 128 || !EVENT_ID_CHARS[c]) {
                return false;
            }
        }
        return true;
    }

    static boolean validCapabilityId(String id) {
        int length = id.length();
        if (length == 0 || length > 128) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            // Printable only: no space, no C0/DEL/C1 control, no surrogate (so no
            // supplementary characters either), which keeps ids one line and easy to type.
            if ((c < 0x21 || c >= 0x7F) && (c < 0x21 || Character.isISOControl(c) || Character.isSurrogate(c))) {
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
