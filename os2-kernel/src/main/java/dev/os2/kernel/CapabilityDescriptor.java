package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a capability is and the limits every use of it obeys: registered once per kernel with
 * {@link KernelInput.RegisterCapability} and recorded in the ledger.
 *
 * @param id dotted lower-case id such as {@code fs.read}
 * @param description one sentence for people ({@code cap-show}); at most 512 characters
 * @param fields the invocation shape: the arguments of every invocation must be a JSON object
 *     whose fields match these; fields not listed are allowed
 * @param tokenCeiling most cost units one invocation may charge; {@link Budget#UNLIMITED} for none
 * @param maxInvocations most invocations through one grant (derived grants count against their
 *     ancestors too); {@link Budget#UNLIMITED} for none
 * @param rateLimit most invocations per window of virtual time through one grant, or null for none
 * @param configuration scoped configuration handed to the handler ({@link HandlerContext#configuration()});
 *     {@link CanonicalJson#EMPTY_OBJECT} when there is none
 */
public record CapabilityDescriptor(String id, String description, List<Field> fields, long tokenCeiling,
        long maxInvocations, RateLimit rateLimit, CanonicalJson configuration) {

    /**
     * Validates the descriptor and copies the field list.
     *
     * @throws NullPointerException if id, description, fields or configuration is null
     * @throws InvalidInputException if a value is out of range or two fields share a name
     */
    public CapabilityDescriptor {
        Names.capabilityId(id);
        Names.require(description, "description");
        if (description.length() > 512) {
            throw Names.invalid("a description is at most 512 characters, got " + description.length());
        }
        Names.require(fields, "fields");
        fields = List.copyOf(fields);
        Set<String> seen = new HashSet<>();
        for (Field f : fields) {
            if (!seen.add(f.name())) {
                throw Names.invalid("field " + f.name() + " is declared twice in capability " + id);
            }
        }
        Budget.check("tokenCeiling", tokenCeiling);
        Budget.check("maxInvocations", maxInvocations);
        Names.require(configuration, "configuration");
    }

    /** A builder for a descriptor with id {@code id}, no fields, no limits and empty configuration. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /**
     * Checks {@code args} against the invocation shape.
     *
     * @return null when the arguments fit, or a sentence naming the first field that does not
     */
    String shapeProblem(CanonicalJson args) {
        String text = args.text();
        if (text.isEmpty() || text.charAt(0) != '{') {
            return "arguments must be a JSON object";
        }
        if (fields.isEmpty() || fitsAtAGlance(text)) {
            return null;
        }
        return shapeProblemParsed(args);
    }

    /** {@link #shapeProblem} on the parsed arguments, field by field: the full check, which words the problem. */
    String shapeProblemParsed(CanonicalJson args) {
        if (!args.text().startsWith("{")) {
            return "arguments must be a JSON object";
        }
        JsonNode node = args.toJsonNode();
        for (Field f : fields) {
            JsonNode value = node.get(f.name());
            if (value == null) {
                if (f.required()) {
                    return "required field " + f.name() + " is missing";
                }
            } else if (!f.type().matches(value)) {
                return "field " + f.name() + " must be " + f.type().wireName() + ", got " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
            }
        }
        return null;
    }

    /**
     * True when the canonical object {@code text} certainly fits the shape, decided without
     * parsing it: its top-level members are walked once, and each field's value is typed by its
     * first character, which in JSON names the type ({@code "} string, <code>{</code> object,
     * {@code [} array, {@code t}/{@code f} boolean, {@code n} null, a digit or {@code -} number).
     * A number counts as an integer only when it has no fraction or exponent; anything this cannot
     * settle (an exponent, a missing or mistyped field) answers false, and the full check decides
     * and words the problem. So the answer is never true where the full check finds a problem.
     * Canonical text has no white space and no duplicate member, and a field name is an
     * identifier, which needs no escape: a member name with a backslash is no field's.
     */
    private boolean fitsAtAGlance(String text) {
        int n = fields.size();
        if (n > 64) {
            return false;
        }
        long present = 0;
        int i = 1;
        int end = text.length() - 1; // the closing brace
        while (i < end) {
            // A member: "name":value, then a comma or the end.
            int nameEnd = i + 1;
            boolean plain = true;
            for (char c; (c = text.charAt(nameEnd)) != '"'; nameEnd++) {
                if (c == '\\') {
                    plain = false;
                    nameEnd++; // the escaped character, perhaps a quote
                }
            }
            int field = -1;
            for (int f = 0; plain && f < n; f++) {
                String name = fields.get(f).name();
                if (name.length() == nameEnd - i - 1 && text.startsWith(name, i + 1)) {
                    field = f;
                    break;
                }
            }
            int valueAt = nameEnd + 2; // after the quote and the colon
            int valueEnd = endOfValue(text, valueAt);
            if (field >= 0) {
                if (!fields.get(field).type().fitsToken(text, valueAt, valueEnd)) {
                    return false;
                }
                present |= 1L << field;
            }
            i = valueEnd + 1; // past the comma
        }
        for (int f = 0; f < n; f++) {
            if ((present & (1L << f)) == 0 && fields.get(f).required()) {
                return false;
            }
        }
        return true;
    }

    /** The index of the quote that closes the string whose opening quote is at {@code at}. */
    private static int endOfString(String text, int at) {
        int i = at + 1;
        while (true) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i;
            } else {
                i++;
            }
        }
    }

    /** The index just past the value that starts at {@code at} (a comma or the object's closing brace). */
    private static int endOfValue(String text, int at) {
        int depth = 0;
        int i = at;
        while (true) {
            char c = text.charAt(i);
            if (c == '"') {
                i = endOfString(text, i) + 1;
            } else if (c == '{' || c == '[') {
                depth++;
                i++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                i++;
            } else if (c == ',' && depth == 0) {
                return i;
            } else {
                i++;
            }
        }
    }

    /**
     * One field of an invocation shape.
     *
     * @param name the field name, an identifier of at most 64 characters
     * @param type the JSON type its value must have
     * @param required whether an invocation without it is refused
     */
    public record Field(String name, JsonType type, boolean required) {
        /**
         * Validates the field.
         *
         * @throws NullPointerException if name or type is null
         * @throws InvalidInputException if the name is malformed
         */
        public Field {
            Names.field(name);
            Objects.requireNonNull(type, "type");
        }
    }

    /** The JSON types an invocation shape can ask for. */
    public enum JsonType {
        /** A JSON string. */
        STRING("string"),
        /** Any JSON number. */
        NUMBER("number"),
        /** A JSON number without a fraction. */
        INTEGER("integer"),
        /** {@code true} or {@code false}. */
        BOOLEAN("boolean"),
        /** A JSON object. */
        OBJECT("object"),
        /** A JSON array. */
        ARRAY("array"),
        /** The literal {@code null}. */
        NULL("null"),
        /** Any JSON value. */
        ANY("any");

        private final String wireName;

        JsonType(String wireName) {
            this.wireName = wireName;
        }

        /** The name used in the ledger and in error messages. */
        public String wireName() {
            return wireName;
        }

        static JsonType ofWireName(String name) {
            for (JsonType t : values()) {
                if (t.wireName.equals(name)) {
                    return t;
                }
            }
            throw Names.invalid("no JSON type is named " + name);
        }

        boolean matches(JsonNode value) {
            return switch (this) {
                case STRING -> value.isTextual();
                case NUMBER -> value.isNumber();
                case INTEGER -> value.isIntegralNumber() || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
                case BOOLEAN -> value.isBoolean();
                case OBJECT -> value.isObject();
                case ARRAY -> value.isArray();
                case NULL -> value.isNull();
                case ANY -> true;
            };
        }

        /**
         * True when the canonical value {@code text[from, to)} certainly has this type, judged by
         * its first character (see {@code fitsAtAGlance}); false when it has another type or
         * when the first character cannot settle it (an integer written with an exponent).
         */
        boolean fitsToken(String text, int from, int to) {
            char c = text.charAt(from);
            return switch (this) {
                case STRING -> c == '"';
                case NUMBER -> c == '-' || (c >= '0' && c <= '9');
                case INTEGER -> (c == '-' || (c >= '0' && c <= '9')) && noFractionOrExponent(text, from, to);
                case BOOLEAN -> c == 't' || c == 'f';
                case OBJECT -> c == '{';
                case ARRAY -> c == '[';
                case NULL -> c == 'n';
                case ANY -> true;
            };
        }

        private static boolean noFractionOrExponent(String text, int from, int to) {
            for (int i = from; i < to; i++) {
                char c = text.charAt(i);
                if (c == '.' || c == 'e' || c == 'E') {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * At most {@code invocations} invocations in each window of {@code windowTicks} ticks of
     * virtual time. Windows are fixed: window {@code k} covers ticks {@code [k*w, (k+1)*w)}.
     *
     * @param invocations invocations allowed per window, at least 1
     * @param windowTicks window length in ticks, at least 1
     */
    public record RateLimit(long invocations, long windowTicks) {
        /**
         * Validates the limit.
         *
         * @throws InvalidInputException if either value is below 1 or beyond 2^53
         */
        public RateLimit {
            if (invocations < 1 || invocations > Budget.MAX_FINITE || windowTicks < 1 || windowTicks > Budget.MAX_FINITE) {
                throw Names.invalid("a rate limit needs 1 to 2^53 invocations per 1 to 2^53 ticks, got "
                        + invocations + " per " + windowTicks);
            }
        }

        /**
         * True when this limit is no wider than {@code other} (null meaning no limit): no more
         * invocations over a window no shorter. Invocations also count against every ancestor
         * grant's own window, so a derived grant can never exceed its parent's rate in any span.
         */
        boolean atMost(RateLimit other) {
            return other == null || (invocations <= other.invocations && windowTicks >= other.windowTicks);
        }
    }

    /** Builds a {@link CapabilityDescriptor}; not thread-safe. */
    public static final class Builder {
        private final String id;
        private String description = "";
        private final List<Field> fields = new ArrayList<>();
        private long tokenCeiling = Budget.UNLIMITED;
        private long maxInvocations = Budget.UNLIMITED;
        private RateLimit rateLimit;
        private CanonicalJson configuration = CanonicalJson.EMPTY_OBJECT;

        private Builder(String id) {
            this.id = id;
        }

        /** Sets the description. */
        public Builder description(String value) {
            this.description = value;
            return this;
        }

        /** Adds a required field. */
        public Builder field(String name, JsonType type) {
            fields.add(new Field(name, type, true));
            return this;
        }

        /** Adds an optional field: it may be absent, but when present it must have {@code type}. */
        public Builder optionalField(String name, JsonType type) {
            fields.add(new Field(name, type, false));
            return this;
        }

        /** Sets the per-invocation token ceiling. */
        public Builder tokenCeiling(long value) {
            this.tokenCeiling = value;
            return this;
        }

        /** Sets the most invocations per grant. */
        public Builder maxInvocations(long value) {
            this.maxInvocations = value;
            return this;
        }

        /** Sets a rate limit of {@code invocations} per {@code windowTicks}. */
        public Builder rateLimit(long invocations, long windowTicks) {
            this.rateLimit = new RateLimit(invocations, windowTicks);
            return this;
        }

        /** Sets the scoped configuration. */
        public Builder configuration(CanonicalJson value) {
            this.configuration = value;
            return this;
        }

        /**
         * Builds the descriptor.
         *
         * @throws InvalidInputException if a value is out of range
         */
        public CapabilityDescriptor build() {
            return new CapabilityDescriptor(id, description, fields, tokenCeiling, maxInvocations, rateLimit, configuration);
        }
    }
}
