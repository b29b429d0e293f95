/**
 * Deterministic simulation of a kernel: {@link dev.os2.kernel.sim.Workload} generates a random but
 * seeded stream of inputs and handler behaviours, and {@link dev.os2.kernel.sim.InvariantChecker}
 * checks the kernel's invariants on every entry and after every step. The same seed must give the
 * same ledger head hash and state hash in every run, JVM and machine; the kernel's tests and
 * {@code os2 simulate} both rest on that.
 */
package dev.os2.kernel.sim;
