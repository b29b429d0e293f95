/**
 * Persistent, structure-sharing collections for kernel state: {@link dev.os2.kernel.state.PersistentMap}
 * (a CHAMP trie whose iteration order, equality and Merkle digest depend on contents only, never
 * on history or JVM run) and {@link dev.os2.kernel.state.StableKey} for keys whose hash is the
 * same in every JVM. Updates return new maps sharing all unchanged nodes, so a snapshot of the
 * kernel state is O(1) and diffing or digesting two versions costs time proportional to where
 * they differ.
 */
package dev.os2.kernel.state;
