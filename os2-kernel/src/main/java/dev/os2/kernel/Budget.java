package dev.os2.kernel;

/**
 * The resource envelope of a {@link KernelToken}: how much its handlers may charge before the
 * kernel halts it with {@code resource_budget_exceeded}.
 *
 * <p>Each limit is a count from 0 to 2<sup>53</sup>, or {@link #UNLIMITED}. A token that charges
 * more than a limit is halted at once; the charge that would exceed it is not applied.
 *
 * @param tokens cost units the handlers may charge ({@link HandlerContext#chargeTokens}); each
 *     charged unit also advances the virtual clock by one tick
 * @param memoryBytes bytes the handlers may declare they allocate ({@link HandlerContext#chargeMemory})
 * @param networkBytes bytes the handlers may declare they send or receive ({@link HandlerContext#chargeNetwork})
 * @param deadlineTicks ticks after submission by which the token must have finished: it is halted
 *     when a charge would move the clock past its deadline, and not started once the clock is past it
 */
public record Budget(long tokens, long memoryBytes, long networkBytes, long deadlineTicks) {

    /** A limit that is never reached. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /** The largest finite limit: 2^53, the largest integer canonical JSON holds exactly. */
    public static final long MAX_FINITE = 1L << 53;

    /** No limit on anything. */
    public static final Budget UNLIMITED_BUDGET = new Budget(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED);

    /**
     * Validates every limit.
     *
     * @throws InvalidInputException if a limit is negative or between 2^53 and {@link #UNLIMITED}
     */
    public Budget {
        check("tokens", tokens);
        check("memoryBytes", memoryBytes);
        check("networkBytes", networkBytes);
        check("deadlineTicks", deadlineTicks);
    }

    /** A budget of {@code tokens} cost units with no other limit. */
    public static Budget ofTokens(long tokens) {
        return new Budget(tokens, UNLIMITED, UNLIMITED, UNLIMITED);
    }

    /** This budget with another token limit. */
    public Budget withTokens(long value) {
        return new Budget(value, memoryBytes, networkBytes, deadlineTicks);
    }

    /** This budget with another memory limit. */
    public Budget withMemoryBytes(long value) {
        return new Budget(tokens, value, networkBytes, deadlineTicks);
    }

    /** This budget with another network limit. */
    public Budget withNetworkBytes(long value) {
        return new Budget(tokens, memoryBytes, value, deadlineTicks);
    }

    /** This budget with another deadline. */
    public Budget withDeadlineTicks(long value) {
        return new Budget(tokens, memoryBytes, networkBytes, value);
    }

    /** The limit of {@code resource}. */
    public long limit(Resource resource) {
        return switch (resource) {
            case TOKENS -> tokens;
            case MEMORY_BYTES -> memoryBytes;
            case NETWORK_BYTES -> networkBytes;
            case DEADLINE_TICKS -> deadlineTicks;
        };
    }

    /** Each limit the smaller of this budget's and {@code other}'s. */
    public Budget min(Budget other) {
        return new Budget(Math.min(tokens, other.tokens), Math.min(memoryBytes, other.memoryBytes),
                Math.min(networkBytes, other.networkBytes), Math.min(deadlineTicks, other.deadlineTicks));
    }

    static void check(String name, long value) {
        if (value < 0 || (value > MAX_FINITE && value != UNLIMITED)) {
            throw new InvalidInputException(InvalidInputException.Reason.INVALID_VALUE,
                    name + " must be between 0 and 2^53, or Budget.UNLIMITED; got " + value);
        }
    }

    /** The resources a budget limits, with the names events use for them. */
    public enum Resource {
        /** Cost units; see {@link Budget#tokens()}. */
        TOKENS("tokens"),
        /** Declared allocation; see {@link Budget#memoryBytes()}. */
        MEMORY_BYTES("memory_bytes"),
        /** Declared traffic; see {@link Budget#networkBytes()}. */
        NETWORK_BYTES("network_bytes"),
        /** Virtual time; see {@link Budget#deadlineTicks()}. */
        DEADLINE_TICKS("deadline_ticks");

        private final String wireName;

        Resource(String wireName) {
            this.wireName = wireName;
        }

        /** The name in event payloads, for example {@code memory_bytes}. */
        public String wireName() {
            return wireName;
        }

        /**
         * The resource with a wire name.
         *
         * @throws InvalidInputException if no resource has that name
         */
        public static Resource ofWireName(String name) {
            for (Resource r : values()) {
                if (r.wireName.equals(name)) {
                    return r;
                }
            }
            throw new InvalidInputException(InvalidInputException.Reason.INVALID_VALUE, "no resource is named " + name);
        }
    }
}
