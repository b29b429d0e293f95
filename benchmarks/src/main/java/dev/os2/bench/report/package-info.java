/**
 * The benchmark report: which OS2 benchmark is compared with which peer and what goal each pair
 * has ({@link dev.os2.bench.report.PairTable}), reading a JMH JSON result file
 * ({@link dev.os2.bench.report.JmhResults}), and the summary of one run's ratios, error bars and
 * verdicts as a text table, Markdown and versioned JSON ({@link dev.os2.bench.report.Summary}).
 */
package dev.os2.bench.report;
