package dev.os2.bench.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** How the report writes numbers: three significant digits, thousands grouped, no exponent. */
final class Figures {

    private Figures() {
    }

    /** {@code x} to three significant digits ({@code 0.532}, {@code 41.7}, {@code 28,600}); {@code ?} for NaN. */
    static String number(double x) {
        if (Double.isNaN(x)) {
            return "?";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "∞" : "-∞";
        }
        if (x == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(x).round(new MathContext(3));
        if (rounded.abs().compareTo(BigDecimal.valueOf(1000)) >= 0) {
            return String.format(Locale.ROOT, "%,d", rounded.toBigInteger());
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    /** {@code value ± error}, or {@code value} alone when the error is unknown. */
    static String withError(double value, double error) {
        return Double.isNaN(error) ? number(value) : number(value) + " ± " + number(error);
    }
}
