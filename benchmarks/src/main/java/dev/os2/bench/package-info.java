/**
 * OS2's JMH benchmarks and their runner. Each benchmark class times an OS2 operation beside a
 * peer doing the same job in plain Java, in the same run; {@link dev.os2.bench.BenchMain}
 * ({@code ./os2 bench}) runs them with a profile and summarises every pair through
 * {@link dev.os2.bench.report}. The packages below follow OS2's modules: {@code ledger},
 * {@code kernel}, {@code state} (the persistent map), {@code snapshot}.
 */
package dev.os2.bench;
