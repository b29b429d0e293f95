/**
 * Python benchmarks: {@link dev.os2.bench.python.PyxBench} times {@code pyx 1+1} through the
 * shell's command line (kernel, ledger and sandbox included) beside {@code python3 -c} as a
 * subprocess, and a bare sandbox run, in the same forks. Scores are milliseconds per operation.
 */
package dev.os2.bench.python;
