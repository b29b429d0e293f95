package dev.os2.ledger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Arrays;

/**
 * The stored form of one entry, shared by every store:
 * <pre>  byte 0      record version (1)
 *   bytes 1-32  the entry's hash
 *   bytes 33-   the envelope's canonical bytes (see {@link EventEnvelope})</pre>
 * Decoding is strict: the canonical bytes must parse and re-encode to exactly themselves.
 */
final class RecordCodec {

    static final byte RECORD_VERSION = 1;
    static final int HEADER_BYTES = 1 + Hash.LENGTH_BYTES;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RecordCodec() {
    }

    static byte[] encode(EventEnvelope envelope) {
        return encode(envelope.hash(), envelope.canonicalBytes());
    }

    static byte[] encode(Hash hash, byte[] canonical) {
        byte[] record = new byte[HEADER_BYTES + canonical.length];
        record[0] = RECORD_VERSION;
        hash.copyTo(record, 1);
        System.arraycopy(canonical, 0, record, HEADER_BYTES, canonical.length);
        return record;
    }

    /** The result of decoding one record. */
    sealed interface Decoded {
    }

    /** The record decoded to this envelope (its hash not yet checked). */
    record Ok(EventEnvelope envelope) implements Decoded {
    }

    /** The record could not be decoded. */
    record Bad(VerifyResult.Problem problem, String detail) implements Decoded {
    }

    static Decoded decode(byte[] record) {
        if (record == null || record.length == 0) {
            return new Bad(VerifyResult.Problem.TRUNCATED_ENTRY, "the record is empty");
        }
        if (record[0] != RECORD_VERSION) {
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD,
                    "record version " + (record[0] & 0xff) + " is not " + RECORD_VERSION);
        }
        if (record.length < HEADER_BYTES + 2) {
            return new Bad(VerifyResult.Problem.TRUNCATED_ENTRY,
                    "the record has " + record.length + " bytes, fewer than a header and an envelope");
        }
        Hash stored = Hash.wrap(Arrays.copyOfRange(record, 1, HEADER_BYTES));
        byte[] canonical = Arrays.copyOfRange(record, HEADER_BYTES, record.length);
        JsonNode node;
        try {
            node = MAPPER.readTree(canonical);
        } catch (JsonProcessingException e) {
            // Jackson reports running out of input as JsonEOFException in some states only (a cut
            // inside "true" or after "0." is a plain parse error), so also look at the structure.
            String msg = String.valueOf(e.getOriginalMessage());
            if (e instanceof JsonEOFException || endsInsideValue(canonical)) {
                return new Bad(VerifyResult.Problem.TRUNCATED_ENTRY, "the envelope's JSON ends early: " + msg);
            }
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD, "the envelope is not valid JSON: " + msg);
        } catch (IOException e) {
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD, "the envelope cannot be read: " + e.getMessage());
        }
        EventEnvelope envelope;
        try {
            envelope = toEnvelope(node, stored);
        } catch (IllegalArgumentException e) { // includes InvalidPayloadException
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD, "the envelope has a bad field: " + e.getMessage());
        }
        if (!Arrays.equals(envelope.canonicalBytes(), canonical)) {
            return new Bad(VerifyResult.Problem.UNREADABLE_RECORD, "the envelope is not in canonical form");
        }
        return new Ok(envelope);
    }

    /**
     * True when {@code json} stops inside a string or an unclosed object or array: what a record
     * cut short looks like. A whole envelope closes its object at its last byte.
     */
    static boolean endsInsideValue(byte[] json) {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (byte b : json) {
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
                continue;
            }
            switch (b) {
                case '"' -> inString = true;
                case '{', '[' -> depth++;
                case '}', ']' -> depth--;
                default -> {
                }
            }
        }
        return inString || depth > 0;
    }

    private static EventEnvelope toEnvelope(JsonNode node, Hash hash) {
        if (!node.isObject() || node.size() != 8) {
            throw new IllegalArgumentException("expected an object with the 8 envelope members");
        }
        JsonNode cap = require(node, "capability_id");
        return new EventEnvelope(
                (int) integer(node, "format"),
                integer(node, "position"),
                text(node, "event_id"),
                text(node, "kind"),
                cap.isNull() ? null : text(node, "capability_id"),
                integer(node, "virtual_time"),
                CanonicalJson.of(require(node, "payload")),
                Hash.parse(text(node, "prev_hash")),
                hash);
    }

    private static JsonNode require(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing member " + name);
        }
        return value;
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = require(node, name);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return value.textValue();
    }

    private static long integer(JsonNode node, String name) {
        JsonNode value = require(node, name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(name + " is not an integer");
        }
        return value.longValue();
    }
}
