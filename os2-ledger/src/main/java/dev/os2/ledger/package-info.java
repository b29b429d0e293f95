/**
 * The OS2 ledger: an append-only, hash-chained log of events that makes any change to history
 * detectable.
 *
 * <p><b>Envelope.</b> Each entry is an {@link dev.os2.ledger.EventEnvelope}: {@code position}
 * (OS2's own sequence number from 0, never a store's index), {@code event_id}, {@code kind},
 * {@code capability_id} (or null), {@code virtual_time} in ticks, {@code payload} (any JSON value
 * that has a canonical form, see {@link dev.os2.ledger.CanonicalJson}), {@code prev_hash},
 * {@code hash} and the format version {@code format} (1). Callers hand in an
 * {@link dev.os2.ledger.EventDraft}; the ledger fills in the position, the event id when the
 * draft has none ({@code ev-<position>}), and the two hashes.
 *
 * <p><b>Canonical bytes and the hash chain (format 1).</b> The canonical bytes of an entry are
 * the RFC 8785 (JSON Canonicalization Scheme) UTF-8 text of the envelope without its
 * {@code hash}: the members {@code capability_id, event_id, format, kind, payload, position,
 * prev_hash, virtual_time} in that order, hashes as 64 lowercase hex digits. Then
 * <pre>  hash = SHA-256( "os2.ledger.v1" 0x00 ‖ prev_hash (32 bytes) ‖ canonical bytes )</pre>
 * with {@code prev_hash} of position 0 equal to {@link dev.os2.ledger.Hash#GENESIS} (32 zero
 * bytes). Each hash covers the one before it, so changing, dropping, reordering or inserting an
 * entry breaks every later link. {@link dev.os2.ledger.EventEnvelope} defines the format; this
 * summary follows it.
 *
 * <p><b>Writing and reading payloads.</b> A payload is a {@link dev.os2.ledger.CanonicalJson}: parsed
 * from text, canonicalised from a Jackson tree, or written directly in canonical form by a
 * {@link dev.os2.ledger.CanonicalWriter} (members named in canonical order, which it checks), the
 * cheap way for callers that know the payload's shape. Canonical values can be read without a
 * tree ({@link dev.os2.ledger.CanonicalJson#members()}, {@code elements()}, {@code stringValue()},
 * {@code longValue()}): a part of a canonical value is canonical as it stands.
 *
 * <p><b>Stores.</b> One {@link dev.os2.ledger.Ledger} interface, two stores with identical
 * semantics and identical bytes and hashes for identical appends: {@link dev.os2.ledger.ChronicleLedger},
 * durable on Chronicle Queue, and {@link dev.os2.ledger.InMemoryLedger} for tests and short-lived
 * kernels. Both keep each entry as one record: a version byte (1), the 32-byte hash, then the
 * canonical bytes. A store writes from one thread at a time; subscriptions deliver new entries as
 * they are appended.
 *
 * <p><b>Verification.</b> {@link dev.os2.ledger.Ledger#verify()} reads every stored record in
 * order and checks, on the stored bytes, that it sits at the expected position, links to the
 * previous hash and hashes to its stored hash; it stops at the first bad record and names its
 * position and the {@link dev.os2.ledger.VerifyResult.Problem}. The deep mode
 * ({@link dev.os2.ledger.Ledger.VerifyMode#DEEP}) also decodes every record and requires its exact
 * canonical form. A ranged verify trusts the stored hash of the entry before its range. Reads
 * check an entry's hash again, and decode a record straight off its bytes when it is in the form
 * the ledger writes (the payload shown canonical by a byte-level check), with the full parse for
 * anything else.
 *
 * <p><b>Bad input.</b> Payloads that cannot be canonical (NaN, infinities, unpaired surrogates,
 * duplicate keys, numbers outside IEEE-754 double, integers a double cannot hold, nesting beyond
 * {@link dev.os2.ledger.CanonicalJson#MAX_DEPTH}) and payloads over the size limit are refused
 * with an {@link dev.os2.ledger.InvalidPayloadException} naming the reason, before anything is
 * written; storage faults are {@link dev.os2.ledger.LedgerException}s with a category.
 */
package dev.os2.ledger;
