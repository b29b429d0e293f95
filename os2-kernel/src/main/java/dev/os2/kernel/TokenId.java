package dev.os2.kernel;

/**
 * The kernel-assigned id of a {@link KernelToken}: 1 for the first token a kernel sees, then one
 * more for each token submitted, in submission order (so within one priority, a lower id runs
 * first). Printed as {@code t<value>}.
 *
 * @param value the id, at least 1
 */
public record TokenId(long value) implements TokenRef, Comparable<TokenId> {

    /**
     * Validates the id.
     *
     * @throws InvalidInputException if {@code value} is not positive or beyond 2^47
     */
    public TokenId {
        if (value < 1 || value > MAX_VALUE) {
            throw new InvalidInputException(InvalidInputException.Reason.INVALID_VALUE,
                    "a token id is between 1 and 2^47, got " + value);
        }
    }

    /** The largest token id: ids share a 64-bit scheduling key with the priority. */
    static final long MAX_VALUE = 1L << 47;

    /** Shorthand for {@code new TokenId(value)}. */
    public static TokenId of(long value) {
        return new TokenId(value);
    }

    @Override
    public int compareTo(TokenId o) {
        return Long.compare(value, o.value);
    }

    /** {@code t<value>}, as the shell and the docs print it. */
    @Override
    public String toString() {
        return "t" + value;
    }
}
