package dev.os2.ledger;

/**
 * A fast, conservative test that UTF-8 bytes are RFC 8785 canonical JSON, without parsing them
 * into a tree: true only when every token is already in the one form {@link CanonicalJson} would
 * write it, so that {@code CanonicalJson.parse(bytes)} would give back exactly these bytes.
 * False means "not shown": the bytes may still be canonical (the check leaves some forms to the
 * full parse), and callers then take the full path, which decides.
 *
 * <p>What it accepts, token by token, and why each is the canonical form:
 * <ul>
 *   <li>no white space anywhere (canonical JSON has none);</li>
 *   <li>{@code true}, {@code false}, {@code null};</li>
 *   <li>integers {@code -?(0|[1-9][0-9]*)} of magnitude at most 2<sup>53</sup>, other than
 *       {@code -0}: a double holds them exactly and ECMAScript prints them so. Fractions,
 *       exponents and larger integers are left to the full parse;</li>
 *   <li>strings of well-formed UTF-8 (no overlong form, no encoded surrogate, nothing above
 *       U+10FFFF) with no raw control character, and only the escapes RFC 8785 writes:
 *       {@code \" \\ \b \f \n \r \t}, and <code>&#92;u00</code> with two lowercase hex digits
 *       for the other control characters. Any other escape ({@code \/}, <code>&#92;u0041</code>,
 *       a surrogate escape) is not canonical;</li>
 *   <li>objects whose member names are ASCII without escapes, in strictly increasing byte order
 *       (which for ASCII is RFC 8785's UTF-16 order, and excludes duplicates); an object with any
 *       other name is left to the full parse;</li>
 *   <li>nesting no deeper than {@link CanonicalJson#MAX_DEPTH}.</li>
 * </ul>
 */
final class CanonicalCheck {

    private static final long MAX_SAFE_INTEGER = 1L << 53;
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private final byte[] b;
    private final int end;
    /** The deepest nesting seen: the value's nesting depth when the check succeeds. */
    private int maxDepth;

    private CanonicalCheck(byte[] b, int end) {
        this.b = b;
        this.end = end;
    }

    /**
     * The nesting depth of the canonical value {@code b[from, to)} (0 for a scalar), or -1 when
     * the bytes are not shown to be canonical JSON.
     */
    static int canonicalDepth(byte[] b, int from, int to) {
        if (from >= to) {
            return -1;
        }
        CanonicalCheck c = new CanonicalCheck(b, to);
        int at = c.value(from, 0);
        return at == to ? c.maxDepth : -1;
    }

    /** The index after the value starting at {@code i}, or -1. {@code depth}: containers around it. */
    private int value(int i, int depth) {
        if (i >= end) {
            return -1;
        }
        return switch (b[i]) {
            case '{' -> object(i, depth + 1);
            case '[' -> array(i, depth + 1);
            case '"' -> string(i);
            case 't' -> literal(i, TRUE);
            case 'f' -> literal(i, FALSE);
            case 'n' -> literal(i, NULL);
            default -> number(i);
        };
    }

    private int literal(int i, byte[] word) {
        int stop = i + word.length;
        if (stop > end) {
            return -1;
        }
        for (int k = 1; k < word.length; k++) { // the first byte chose the word
            if (b[i + k] != word[k]) {
                return -1;
            }
        }
        return stop;
    }

    private int object(int i, int depth) {
        if (depth > CanonicalJson.MAX_DEPTH) {
            return -1;
        }
        maxDepth = Math.max(maxDepth, depth);
        i++;
        if (i < end && b[i] == '}') {
            return i + 1;
        }
        int lastFrom = -1;
        int lastTo = -1;
        while (true) {
            if (i >= end || b[i] != '"') {
                return -1;
            }
            int nameFrom = i + 1;
            int nameTo = nameFrom;
            while (nameTo < end && b[nameTo] != '"') {
                byte c = b[nameTo];
                if (c < 0x20 || c == '\\') {
                    return -1; // a control character, an escape or non-ASCII (negative): left to the full parse
                }
                nameTo++;
            }
            if (nameTo >= end) {
                return -1;
            }
            if (lastFrom >= 0 && !before(b, lastFrom, lastTo, nameFrom, nameTo)) {
                return -1; // out of order, or a duplicate
            }
            lastFrom = nameFrom;
            lastTo = nameTo;
            i = nameTo + 1;
            if (i >= end || b[i] != ':') {
                return -1;
            }
            i = value(i + 1, depth);
            if (i < 0 || i >= end) {
                return -1;
            }
            if (b[i] == '}') {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i++;
        }
    }

    /**
     * Whether the ASCII name {@code b[x, xEnd)} sorts strictly before {@code b[y, yEnd)}: byte by
     * byte, a loop (names are short, so cheaper than a call to the library's comparison).
     */
    private static boolean before(byte[] b, int x, int xEnd, int y, int yEnd) {
        int n = Math.min(xEnd - x, yEnd - y);
        for (int k = 0; k < n; k++) {
            if (b[x + k] != b[y + k]) {
                return b[x + k] < b[y + k];
            }
        }
        return xEnd - x < yEnd - y;
    }

    private int array(int i, int depth) {
        if (depth > CanonicalJson.MAX_DEPTH) {
            return -1;
        }
        maxDepth = Math.max(maxDepth, depth);
        i++;
        if (i < end && b[i] == ']') {
            return i + 1;
        }
        while (true) {
            i = value(i, depth);
            if (i < 0 || i >= end) {
                return -1;
            }
            if (b[i] == ']') {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i++;
        }
    }

    private int number(int i) {
        int at = i;
        boolean negative = at < end && b[at] == '-';
        if (negative) {
            at++;
        }
        int digitsFrom = at;
        while (at < end && b[at] >= '0' && b[at] <= '9') {
            at++;
        }
        int digits = at - digitsFrom;
        if (digits == 0 || digits > 16 || (digits > 1 && b[digitsFrom] == '0')) {
            return -1;
        }
        if (at < end && (b[at] == '.' || b[at] == 'e' || b[at] == 'E')) {
            return -1; // a fraction or an exponent: left to the full parse
        }
        long value = 0;
        for (int d = digitsFrom; d < at; d++) {
            value = value * 10 + (b[d] - '0');
        }
        if (value > MAX_SAFE_INTEGER || (negative && value == 0)) {
            return -1;
        }
        return at;
    }

    private int string(int i) {
        i++;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c == '"') {
                return i + 1;
            }
            if (c < 0x20) {
                return -1;
            }
            if (c == '\\') {
                if (i + 1 >= end) {
                    return -1;
                }
                switch (b[i + 1]) {
                    case '"', '\\', 'b', 'f', 'n', 'r', 't' -> i += 2;
                    case 'u' -> {
                        // Only control characters without a short escape, as \\u00xx in lowercase.
                        if (i + 5 >= end || b[i + 2] != '0' || b[i + 3] != '0') {
                            return -1;
                        }
                        int hi = b[i + 4];
                        int lo = hexDigit(b[i + 5]);
                        if ((hi != '0' && hi != '1') || lo < 0) {
                            return -1;
                        }
                        int ch = (hi - '0') << 4 | lo;
                        if (ch == '\b' || ch == '\f' || ch == '\n' || ch == '\r' || ch == '\t') {
                            return -1;
                        }
                        i += 6;
                    }
                    default -> {
                        return -1;
                    }
                }
            } else if (c < 0x80) {
                i++;
            } else {
                i = utf8(i, c);
                if (i < 0) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Lowercase hex only: canonical escapes use lowercase. */
    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    /** The index after the well-formed UTF-8 sequence that starts with {@code lead} at {@code i}, or -1. */
    private int utf8(int i, int lead) {
        int n;
        int min2 = 0x80;
        int max2 = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 3;
            if (lead == 0xE0) {
                min2 = 0xA0; // no overlong form
            } else if (lead == 0xED) {
                max2 = 0x9F; // no encoded surrogate
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 4;
            if (lead == 0xF0) {
                min2 = 0x90;
            } else if (lead == 0xF4) {
                max2 = 0x8F; // nothing above U+10FFFF
            }
        } else {
            return -1;
        }
        if (i + n > end) {
            return -1;
        }
        int second = b[i + 1] & 0xFF;
        if (second < min2 || second > max2) {
            return -1;
        }
        for (int k = 2; k < n; k++) {
            int cont = b[i + k] & 0xFF;
            if (cont < 0x80 || cont > 0xBF) {
                return -1;
            }
        }
        return i + n;
    }
}
