package dev.os2.kernel.state;

/**
 * A map key whose hash is the same in every JVM, so that {@link PersistentMap}'s iteration order,
 * and anything derived from it, is deterministic across processes and machines. {@link String},
 * {@link Long} and {@link Integer} keys need not implement it: their hash codes are specified.
 */
public interface StableKey {

    /** A hash that depends only on the key's value, never on identity or JVM run. */
    int stableHash();
}
