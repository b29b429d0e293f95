package dev.os2.kernel;

/**
 * The kernel-assigned id of a grant: 1 for the first grant or derivation a kernel records, then
 * one more for each. Printed as {@code g<value>}.
 *
 * @param value the id, at least 1
 */
public record GrantId(long value) implements Comparable<GrantId> {

    /**
     * Validates the id.
     *
     * @throws InvalidInputException if {@code value} is not positive or beyond 2^53
     */
    public GrantId {
        if (value < 1 || value > Budget.MAX_FINITE) {
            throw new InvalidInputException(InvalidInputException.Reason.INVALID_VALUE,
                    "a grant id is between 1 and 2^53, got " + value);
        }
    }

    /** Shorthand for {@code new GrantId(value)}. */
    public static GrantId of(long value) {
        return new GrantId(value);
    }

    @Override
    public int compareTo(GrantId o) {
        return Long.compare(value, o.value);
    }

    /** {@code g<value>}. */
    @Override
    public String toString() {
        return "g" + value;
    }
}
