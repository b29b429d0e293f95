package dev.os2.kernel;

import java.util.regex.Pattern;

/** The formats of the names the kernel accepts, checked in one place. */
final class Names {

    private static final Pattern CAPABILITY = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
    private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final Pattern KIND = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");
    private static final Pattern EVENT_NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private Names() {
    }

    static String capabilityId(String id) {
        require(id, "capability id");
        if (id.length() > 128 || !CAPABILITY.matcher(id).matches()) {
            throw invalid("a capability id is dotted lower-case words such as fs.read (at most 128 characters), got " + quote(id));
        }
        return id;
    }

    static String subject(String subject) {
        require(subject, "subject");
        if (!SUBJECT.matcher(subject).matches()) {
            throw invalid("a subject is 1 to 128 characters from [A-Za-z0-9._:@-], got " + quote(subject));
        }
        return subject;
    }

    static String kind(String kind) {
        if (kind != null && !KIND.matcher(kind).matches()) {
            throw invalid("a token kind is a word of at most 32 characters such as Plan, got " + quote(kind));
        }
        return kind;
    }

    static String eventName(String name) {
        require(name, "event name");
        if (!EVENT_NAME.matcher(name).matches()) {
            throw invalid("a custom event name is lower snake case, at most 48 characters, got " + quote(name));
        }
        return name;
    }

    static String field(String name) {
        require(name, "field name");
        if (!FIELD.matcher(name).matches()) {
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
