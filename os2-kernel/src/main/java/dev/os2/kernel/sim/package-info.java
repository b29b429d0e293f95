/**
 * Deterministic simulation of a kernel: {@link dev.os2.kernel.sim.Workload} generates a random but
 * seeded stream of inputs and handler behaviours, and {@link dev.os2.kernel.sim.InvariantChecker}
 * checks the kernel's invariants on every entry and after every step. What a step asks of the
 * kernel's state (the i-th live token, the i-th grant, a subject's newest grant in force) is
 * answered in O(log n), from an index kept up to date by the kernel's events, with the answers the
 * state itself would give, so long runs do not slow down step by step. The same seed must give the
 * same ledger head hash and state hash in every run, JVM and machine; the kernel's tests and
 * {@code os2 simulate} both rest on that.
 */
package dev.os2.kernel.sim;
