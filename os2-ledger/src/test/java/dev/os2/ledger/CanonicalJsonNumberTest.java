package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Numbers in RFC 8785 form, which is ECMAScript's Number::toString: known values from the RFC's
 * Appendix B and the ECMAScript rules, and a property test over random bit patterns against a
 * reference built from {@link BigDecimal} arithmetic alone.
 */
class CanonicalJsonNumberTest {

    static String format(double d) {
        StringBuilder out = new StringBuilder();
        CanonicalJson.appendEcmaScriptNumber(d, out);
        return out.toString();
    }

    static double fromHex(String hex) {
        return Double.longBitsToDouble(HexFormat.fromHexDigitsToLong(hex));
    }

    /** RFC 8785 Appendix B: every finite row, IEEE-754 bits to canonical text. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0000000000000000, 0",
        "8000000000000000, 0",
        "0000000000000001, 5e-324",
        "8000000000000001, -5e-324",
        "7fefffffffffffff, 1.7976931348623157e+308",
        "ffefffffffffffff, -1.7976931348623157e+308",
        "4340000000000000, 9007199254740992",
        "c340000000000000, -9007199254740992",
        "4430000000000000, 295147905179352830000",
        "44b52d02c7e14af5, 9.999999999999997e+22",
        "44b52d02c7e14af6, 1e+23",
        "44b52d02c7e14af7, 1.0000000000000001e+23",
        "444b1ae4d6e2ef4e, 999999999999999700000",
        "444b1ae4d6e2ef4f, 999999999999999900000",
        "444b1ae4d6e2ef50, 1e+21",
        "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
        "3eb0c6f7a0b5ed8d, 0.000001",
        "41b3de4355555553, 333333333.3333332",
        "41b3de4355555554, 333333333.33333325",
        "41b3de4355555555, 333333333.3333333",
        "41b3de4355555556, 333333333.3333334",
        "41b3de4355555557, 333333333.33333343",
        "becbf647612f3696, -0.0000033333333333333333",
        "43143ff3c1cb0959, 1424953923781206.2",
    })
    void rfc8785AppendixB(String hex, String expected) {
        double d = fromHex(hex);
        assertEquals(expected, format(d));
        assertEquals(expected, CanonicalJson.of(com.fasterxml.jackson.databind.node.DoubleNode.valueOf(d)).text());
    }

    /** Values the ECMAScript rules single out: zero, the 1e21 and 1e-7 switches, one-digit minima. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0, 0",
        "-0.0, 0",
        "1, 1",
        "100, 100",
        "-1.5, -1.5",
        "0.5, 0.5",
        "0.1, 0.1",
        "4.35, 4.35",
        "0.30000000000000004, 0.30000000000000004",
        "0.3333333333333333, 0.3333333333333333",
        "9007199254740992, 9007199254740992",
        "1e20, 100000000000000000000",
        "18446744073709551616, 18446744073709552000",
        "123456789012345678901, 123456789012345680000",
        "999999999999999900000, 999999999999999900000",
        "1e21, 1e+21",
        "1e23, 1e+23",
        "1e100, 1e+100",
        "1e300, 1e+300",
        "0.000001, 0.000001",
        "-0.000001, -0.000001",
        "0.000001234, 0.000001234",
        "1e-7, 1e-7",
        "-1e-7, -1e-7",
        "1.5e-7, 1.5e-7",
        "123e-20, 1.23e-18",
        "2.2250738585072014e-308, 2.2250738585072014e-308",
        "4.9e-324, 5e-324",
        "1.5e-323, 1.5e-323",
        "4.4e-323, 4.4e-323",
        "1.7976931348623157e308, 1.7976931348623157e+308",
    })
    void ecmaScriptTable(String javaLiteral, String expected) {
        assertEquals(expected, format(Double.parseDouble(javaLiteral)));
    }

    @Test
    void namedConstants() {
        assertEquals("5e-324", format(Double.MIN_VALUE));
        assertEquals("1.7976931348623157e+308", format(Double.MAX_VALUE));
        assertEquals("2.2250738585072014e-308", format(Double.MIN_NORMAL));
        assertEquals("0.3333333333333333", format(1.0 / 3));
        assertEquals("9007199254740992", format(Math.pow(2, 53)));
        assertEquals("0", format(-0.0));
    }

    /** The same numbers written as JSON text come out canonical through the parser too. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "[0, -0, 0.0, -0.0, 0e10] | [0,0,0,0,0]",
        "[1E30, 4.50, 2e-3, 0.000000000000000000000000001] | [1e+30,4.5,0.002,1e-27]",
        "[1e21, 999999999999999900000, 1e+21] | [1e+21,999999999999999900000,1e+21]",
        "[1e-7, 0.0000001, 1e-6] | [1e-7,1e-7,0.000001]",
        "[123e-20, 5e-324, 4.9e-324, 2.5e-324] | [1.23e-18,5e-324,5e-324,5e-324]",
        "[333333333.33333329, 1.0, -1.50] | [333333333.3333333,1,-1.5]",
        "[100000000000000000000, 1e20] | [100000000000000000000,100000000000000000000]",
        "[9007199254740992, -9007199254740992, 9007199254740994] | [9007199254740992,-9007199254740992,9007199254740994]",
    })
    void jsonTextNumbers(String json, String expected) {
        assertEquals(expected, CanonicalJson.canonicalize(json));
        assertEquals(expected, CanonicalJson.canonicalize(expected), "canonical text must parse back to itself");
    }

    /** What ECMAScript's Number::toString can print, split by form. */
    private static final Pattern ES6_NUMBER = Pattern.compile(
            "0|-?[1-9][0-9]{0,20}"                                 // integers below 1e21
            + "|-?(0|[1-9][0-9]{0,20})\\.[0-9]*[1-9]"               // plain decimals, 1e-7 < |d| < 1e21
            + "|-?[1-9](\\.[0-9]*[1-9])?e[+-][1-9][0-9]{0,2}");     // exponent form

    /**
     * For 100,000 random finite doubles (random bit patterns, so every exponent is covered, and
     * one in eight a subnormal of random size): the text reads back as the same double, matches the ECMAScript grammar, has
     * the fewest significant digits any decimal that reads back has, is the closest such decimal
     * (ties to even), and is laid out in the form ECMAScript picks for its exponent.
     */
    @Test
    void randomDoublesAgreeWithTheReference() {
        long seed = 0x05_2024_8785L;
        SplittableRandom random = new SplittableRandom(seed);
        int checked = 0;
        while (checked < 100_000) {
            long bits = random.nextLong();
            if (checked % 8 == 0) {
                // Subnormals of every size, where a double has few digits of precision.
                bits = (bits & Long.MIN_VALUE) | (random.nextLong(1, 1L << 52) >>> random.nextInt(52));
            }
            double d = Double.longBitsToDouble(bits);
            if (!Double.isFinite(d)) {
                continue;
            }
            checked++;
            String text = format(d);
            try {
                checkAgainstReference(d, text);
            } catch (AssertionError e) {
                fail("seed " + seed + ", bits " + Long.toHexString(bits) + " (" + d + ") formatted as " + text + ": " + e.getMessage(), e);
            }
        }
    }

    private static void checkAgainstReference(double d, String text) {
        assertTrue(ES6_NUMBER.matcher(text).matches(), "does not match the ECMAScript grammar");
        assertEquals(d, Double.parseDouble(text), 0.0, "does not read back");
        if (d == 0) {
            assertEquals("0", text);
            return;
        }
        BigDecimal exact = new BigDecimal(Math.abs(d));
        BigDecimal printed = new BigDecimal(text).abs();
        BigDecimal unscaled = printed.stripTrailingZeros();
        int k = unscaled.precision();
        // Fewest digits: no decimal with k - 1 significant digits reads back as d. The decimals
        // that read back form an interval holding both the exact value and the printed one, so
        // checking the nearest shorter decimal on each side of the printed one suffices (and is
        // cheaper than rounding the exact value, which has hundreds of digits).
        if (k > 1) {
            for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
                BigDecimal shorter = unscaled.round(new MathContext(k - 1, mode));
                assertTrue(Double.parseDouble(shorter.toString()) != Math.abs(d), "the shorter " + shorter + " also reads back");
            }
        }
        // Closest: among the k-digit neighbours of the exact value that read back, the printed one
        // is the nearest, and on a tie the one with the even last digit.
        BigDecimal best = null;
        for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
            BigDecimal candidate = exact.round(new MathContext(k, mode));
            if (Double.parseDouble(candidate.toString()) != Math.abs(d)) {
                continue;
            }
            if (best == null) {
                best = candidate;
            } else {
                int closer = candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs());
                if (closer < 0 || closer == 0 && !candidate.unscaledValue().testBit(0)) {
                    best = candidate;
                }
            }
        }
        assertTrue(best != null && best.compareTo(unscaled) == 0, "the closest " + k + "-digit decimal is " + best);
        // Layout: value = 0.digits x 10^n; plain when -6 < n <= 21, exponent otherwise.
        int n = unscaled.precision() - unscaled.scale();
        boolean exponentForm = text.indexOf('e') >= 0;
        assertEquals(!(n > -6 && n <= 21), exponentForm, "wrong notation for n = " + n);
        assertEquals(d < 0, text.startsWith("-"), "sign");
    }
}
