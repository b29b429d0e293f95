/**
 * Benchmarks of the kernel's persistent map (the structure behind O(1) snapshots) against
 * {@link java.util.HashMap}, in the same run.
 */
package dev.os2.bench.state;
