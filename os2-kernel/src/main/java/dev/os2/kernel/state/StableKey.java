package dev.os2.kernel.state;

/**
 * A map key whose hash is the same in every JVM, so that {@link PersistentMap}'s shape, iteration
 * order and digest are deterministic across processes and machines. {@link String}, {@link Long}
 * and {@link Integer} keys need not implement it: their hash codes are specified by the JDK.
 *
 * <p>Implementations must be immutable values: {@code equals} compares values (never identity),
 * and equal keys have equal {@link #stableHash()} and equal {@link #stableBytes()}. A record whose
 * components are strings and numbers is the usual form.
 *
 * <p>When two unequal keys of one class have the same stable hash, the map orders them by
 * {@code compareTo} if the class is {@link Comparable}, otherwise by {@link #stableBytes()}; one
 * of the two must then be consistent with {@code equals} (see {@link PersistentMap}).
 */
public interface StableKey {

    /**
     * A hash that depends only on the key's value, never on identity or the JVM run (so not on
     * {@code Object.hashCode}, enum {@code hashCode} or {@code System.identityHashCode}).
     *
     * @return the stable hash
     */
    int stableHash();

    /**
     * The key's canonical bytes, used by {@link PersistentMap#merkleDigest} and to order colliding
     * keys that are not {@link Comparable}. They must be a pure function of the key's value and
     * distinct for unequal keys, including keys of other StableKey classes stored in the same map
     * (so begin them with a type tag when a map mixes key classes).
     *
     * <p>The default throws: a key type that is never digested and whose colliding keys are
     * {@link Comparable} need not implement it.
     *
     * @return the canonical bytes; a fresh or unshared array
     * @throws UnsupportedOperationException when the key type does not define canonical bytes
     */
    default byte[] stableBytes() {
        throw new UnsupportedOperationException(getClass().getName()
                + " does not implement StableKey.stableBytes(), which PersistentMap needs for"
                + " merkleDigest (and to order colliding keys that are not Comparable)");
    }
}
