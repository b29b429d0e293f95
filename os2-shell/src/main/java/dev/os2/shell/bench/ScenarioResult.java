package dev.os2.shell.bench;

import dev.os2.ledger.Hash;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The deterministic outcome of one scenario run: everything here depends only on the scenario,
 * the seed and the size, so two runs must give equal results.
 *
 * @param head the ledger's head hash
 * @param stateHash the kernel's final state hash
 * @param entries ledger entries written
 * @param operations headline operations performed (see {@link Scenario#operation()})
 * @param payloadBytes bytes of event payload the scenario emitted on purpose, or 0 when it does not count them
 * @param facts counts that describe the workload (tokens by outcome, grants, snapshots…), sorted by name
 * @param problems what the scenario's own checks found wrong; empty when all held
 */
record ScenarioResult(Hash head, Hash stateHash, long entries, long operations, long payloadBytes,
        SortedMap<String, Long> facts, List<String> problems) {

    /** Validates and copies. */
    public ScenarioResult {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(stateHash, "stateHash");
        facts = Collections.unmodifiableSortedMap(new TreeMap<>(facts));
        problems = List.copyOf(problems);
    }
}
