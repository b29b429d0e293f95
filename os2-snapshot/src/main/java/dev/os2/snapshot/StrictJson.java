package dev.os2.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.Hash;
import dev.os2.ledger.InvalidPayloadException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the small JSON objects of the snapshot formats strictly: exactly the expected members,
 * each of the expected type and form. Every complaint is a {@link SnapshotFileException} naming
 * the file and the member.
 */
final class StrictJson {

    private static final Pattern LOWER_HEX = Pattern.compile("[0-9a-f]*");
    static final HexFormat HEX = HexFormat.of();
    private static final long MAX_SAFE = 1L << 53;

    private final Path file;
    private final String what;
    private final JsonNode node;

    private StrictJson(Path file, String what, JsonNode node) {
        this.file = file;
        this.what = what;
        this.node = node;
    }

    /**
     * Parses {@code utf8} as a JSON object with exactly {@code members}.
     *
     * @throws SnapshotFileException MALFORMED
     */
    static StrictJson object(Path file, String what, byte[] utf8, SortedSet<String> members) {
        JsonNode node;
        try {
            node = CanonicalJson.parse(utf8).toJsonNode();
        } catch (InvalidPayloadException e) {
            throw malformed(file, what + " is not JSON: " + e.getMessage(), e);
        }
        return object(file, what, node, members);
    }

    /** As above, for a parsed tree. */
    static StrictJson object(Path file, String what, JsonNode node, SortedSet<String> members) {
        if (!node.isObject()) {
            throw malformed(file, what + " is not a JSON object");
        }
        SortedSet<String> found = new TreeSet<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            found.add(names.next());
        }
        if (!found.equals(members)) {
            SortedSet<String> missing = new TreeSet<>(members);
            missing.removeAll(found);
            SortedSet<String> extra = new TreeSet<>(found);
            extra.removeAll(members);
            throw malformed(file, what + " has the wrong members" + (missing.isEmpty() ? "" : "; missing " + missing)
                    + (extra.isEmpty() ? "" : "; unexpected " + extra));
        }
        return new StrictJson(file, what, node);
    }

    JsonNode node() {
        return node;
    }

    String string(String name) {
        JsonNode n = node.get(name);
        if (!n.isTextual()) {
            throw bad(name, "a string");
        }
        return n.asText();
    }

    /** A string or null. */
    String optionalString(String name) {
        JsonNode n = node.get(name);
        return n.isNull() ? null : string(name);
    }

    long integer(String name) {
        JsonNode n = node.get(name);
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0 || n.longValue() > MAX_SAFE) {
            throw bad(name, "an integer from 0 to 2^53");
        }
        return n.longValue();
    }

    Hash hash(String name) {
        return Hash.of(hex(name, Hash.LENGTH_BYTES));
    }

    byte[] hex(String name, int bytes) {
        String s = string(name);
        if (!LOWER_HEX.matcher(s).matches() || s.length() % 2 != 0) {
            throw bad(name, "lowercase hex digits");
        }
        if (s.length() != bytes * 2) {
            throw malformed(file, what + ": \"" + name + "\" is " + s.length() / 2 + " bytes, not " + bytes
                    + (s.length() < bytes * 2 ? " (truncated)" : ""));
        }
        return HEX.parseHex(s);
    }

    String matching(String name, Pattern pattern, String form) {
        String s = string(name);
        if (!pattern.matcher(s).matches()) {
            throw bad(name, form);
        }
        return s;
    }

    /** Checks the {@code type} and {@code format} members. */
    void requireType(String type, int format) {
        if (!type.equals(node.path("type").asText(null))) {
            throw malformed(file, what + " is not of type " + type + " (its \"type\" is " + abbreviate(node.path("type").toString()) + ")");
        }
        JsonNode f = node.get("format");
        if (f == null || !f.isIntegralNumber()) {
            throw bad("format", "an integer");
        }
        if (f.asLong() != format) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.UNSUPPORTED_FORMAT,
                    what + " has format " + f.asLong() + "; this version of OS2 reads format " + format);
        }
    }

    private SnapshotFileException bad(String name, String form) {
        return malformed(file, what + ": \"" + name + "\" must be " + form + ", found " + abbreviate(node.get(name).toString()));
    }

    static SnapshotFileException malformed(Path file, String detail) {
        return new SnapshotFileException(file, SnapshotFileException.Problem.MALFORMED, detail);
    }

    static SnapshotFileException malformed(Path file, String detail, Throwable cause) {
        return new SnapshotFileException(file, SnapshotFileException.Problem.MALFORMED, detail, cause);
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
