package dev.os2.kernel;

/**
 * The formats of the names the kernel accepts, checked in one place. Each format is a regular
 * expression, given in its method's comment, checked by a loop over a character table: names are
 * checked on every submission (and every replayed one), where a regular expression costs an
 * allocation and several times the loop's time. {@code NamesTest} holds each loop to its expression.
 */
final class Names {

    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String DIGITS = "0123456789";
    private static final boolean[] LOWER_START = set(LOWER);
    private static final boolean[] LETTER = set(LOWER + UPPER);
    private static final boolean[] CAPABILITY_PART = set(LOWER + DIGITS + "_");
    private static final boolean[] SUBJECT_CHAR = set(LOWER + UPPER + DIGITS + "._:@-");
    private static final boolean[] KIND_CHAR = set(LOWER + UPPER + DIGITS + "_-");
    private static final boolean[] FIELD_START = set(LOWER + UPPER + "_");
    private static final boolean[] FIELD_CHAR = set(LOWER + UPPER + DIGITS + "_");

    private Names() {
    }

    private static boolean[] set(String chars) {
        boolean[] set = new boolean[128];
        for (int i = 0; i < chars.length(); i++) {
            set[chars.charAt(i)] = true;
        }
        return set;
    }

    private static boolean in(boolean[] set, char c) {
        return c < 128 && set[c];
    }

    /** {@code min} to {@code max} characters: the first from {@code first} (when given), the others from {@code rest}. */
    private static boolean word(String s, boolean[] first, boolean[] rest, int min, int max) {
        int n = s.length();
        if (n < min || n > max || (first != null && !in(first, s.charAt(0)))) {
            return false;
        }
        for (int i = first == null ? 0 : 1; i < n; i++) {
            if (!in(rest, s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*}: dot-separated words, each starting with a letter. */
    static boolean isCapabilityId(String id) {
        boolean wordStart = true;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (wordStart) {
                if (!in(LOWER_START, c)) {
                    return false;
                }
                wordStart = false;
            } else if (c == '.') {
                wordStart = true;
            } else if (!in(CAPABILITY_PART, c)) {
                return false;
            }
        }
        return !wordStart;
    }

    /** {@code [A-Za-z0-9._:@-]{1,128}}. */
    static boolean isSubject(String s) {
        return word(s, null, SUBJECT_CHAR, 1, 128);
    }

    /** {@code [A-Za-z][A-Za-z0-9_-]{0,31}}. */
    static boolean isKind(String s) {
        return word(s, LETTER, KIND_CHAR, 1, 32);
    }

    /** {@code [a-z][a-z0-9_]{0,47}}. */
    static boolean isEventName(String s) {
        return word(s, LOWER_START, CAPABILITY_PART, 1, 48);
    }

    /** {@code [A-Za-z_][A-Za-z0-9_]{0,63}}. */
    static boolean isField(String s) {
        return word(s, FIELD_START, FIELD_CHAR, 1, 64);
    }

    static String capabilityId(String id) {
        require(id, "capability id");
        if (id.length() > 128 || !isCapabilityId(id)) {
            throw invalid("a capability id is dotted lower-case words such as fs.read (at most 128 characters), got " + quote(id));
        }
        return id;
    }

    static String subject(String subject) {
        require(subject, "subject");
        if (!isSubject(subject)) {
            throw invalid("a subject is 1 to 128 characters from [A-Za-z0-9._:@-], got " + quote(subject));
        }
        return subject;
    }

    static String kind(String kind) {
        if (kind != null && !isKind(kind)) {
            throw invalid("a token kind is a word of at most 32 characters such as Plan, got " + quote(kind));
        }
        return kind;
    }

    static String eventName(String name) {
        require(name, "event name");
        if (!isEventName(name)) {
            throw invalid("a custom event name is lower snake case, at most 48 characters, got " + quote(name));
        }
        return name;
    }

    static String field(String name) {
        require(name, "field name");
        if (!isField(name)) {
            throw invalid("a field name is an identifier of at most 64 characters, got " + quote(name));
        }
        return name;
    }

    static String label(String label) {
        require(label, "label");
        if (label.isEmpty() || label.length() > 128) {
            throw invalid("a label is 1 to 128 characters, got " + quote(label));
        }
        return label;
    }

    static void require(Object value, String what) {
        if (value == null) {
            throw new NullPointerException(what + " is null");
        }
    }

    static InvalidInputException invalid(String message) {
        return new InvalidInputException(InvalidInputException.Reason.INVALID_VALUE, message);
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return '"' + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + '"';
    }
}
