/**
 * Ledger benchmarks, each OS2 figure beside its peer in the same run: hash-chained append against
 * raw Chronicle appends, verification against raw SHA-256, forced appends and group commit
 * against the machine's fsync rate, and Ed25519 signing and verification (BouncyCastle) against
 * the JDK's provider.
 */
package dev.os2.bench.ledger;
