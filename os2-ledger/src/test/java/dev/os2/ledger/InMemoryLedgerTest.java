package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.InvalidPayloadException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The in-memory store: the whole {@link Ledger} contract on the shared record logic. */
class InMemoryLedgerTest {

    static EventDraft draft(int i) {
        return new EventDraft("test.event", i % 3 == 0 ? null : "cap." + i, i * 10L,
                CanonicalJson.parse("{\"i\":" + i + ",\"text\":\"entry " + i + " \u00e9\"}"), i % 5 == 0 ? "custom-" + i : null);
    }

    static InMemoryLedger ledgerOf(int entries) {
        InMemoryLedger ledger = InMemoryLedger.create();
        for (int i = 0; i < entries; i++) {
            ledger.append(draft(i));
        }
        return ledger;
    }

    static List<EventEnvelope> all(Stream<EventEnvelope> entries) {
        try (entries) {
            return entries.toList();
        }
    }

    @Test
    void emptyLedger() {
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            assertEquals(0, ledger.size());
            assertEquals(Optional.empty(), ledger.head());
            assertEquals(Hash.GENESIS, ledger.headHash());
            assertEquals(Optional.empty(), ledger.chainId());
            assertEquals(List.of(), all(ledger.entries(0)));
            assertEquals(new VerifyResult.Intact(0, 0, Hash.GENESIS), ledger.verify());
            assertThrows(NoSuchElementException.class, () -> ledger.read(0));
            assertEquals(List.of(), ledger.exportRecords());
        }
    }

    @Test
    void appendChainsAndReadsBack() {
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            Hash prev = Hash.GENESIS;
            List<EventEnvelope> appended = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                EventEnvelope e = ledger.append(draft(i));
                assertEquals(i, e.position());
                assertEquals(prev, e.prevHash());
                assertEquals(EventEnvelope.seal(i, prev, draft(i)), e, "append seals exactly as EventEnvelope.seal does");
                assertEquals(i % 5 == 0 ? "custom-" + i : "ev-" + i, e.eventId());
                assertEquals(i + 1, ledger.size());
                assertEquals(Optional.of(e), ledger.head());
                assertEquals(e.hash(), ledger.headHash());
                prev = e.hash();
                appended.add(e);
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(appended.get(i), ledger.read(i));
            }
            assertEquals(Optional.of(appended.get(0).hash()), ledger.chainId());
            assertThrows(NoSuchElementException.class, () -> ledger.read(-1));
            assertThrows(NoSuchElementException.class, () -> ledger.read(50));
            assertThrows(NullPointerException.class, () -> ledger.append(null));
            assertEquals(50, ledger.size());
        }
    }

    @Test
    void everyAcceptedPayloadReadsBackAndVerifies() {
        long seed = 0x1ED6E5L;
        SplittableRandom random = new SplittableRandom(seed);
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            List<EventEnvelope> appended = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                appended.add(ledger.append(EventEnvelopeTest.randomDraft(random)));
            }
            appended.add(ledger.append(EventDraft.of("big.numbers", 0, CanonicalJson.parse("[1e20,18446744073709551616,-1e17]"))));
            assertEquals(appended, all(ledger.entries(0)), "seed " + seed);
            assertTrue(ledger.verify().intact(), () -> "seed " + seed + ": " + ledger.verify());
        }
    }

    @Test
    void sameAppendsGiveSameHashes() {
        try (InMemoryLedger a = ledgerOf(30); InMemoryLedger b = ledgerOf(30)) {
            assertEquals(a.headHash(), b.headHash());
            List<byte[]> ra = a.exportRecords();
            List<byte[]> rb = b.exportRecords();
            for (int i = 0; i < ra.size(); i++) {
                assertArrayEquals(ra.get(i), rb.get(i));
            }
        }
    }

    @Test
    void entriesFromAPosition() {
        try (InMemoryLedger ledger = ledgerOf(20)) {
            List<EventEnvelope> everything = all(ledger.entries(0));
            assertEquals(20, everything.size());
            for (int i = 0; i < 20; i++) {
                assertEquals(ledger.read(i), everything.get(i));
            }
            assertEquals(everything.subList(7, 20), all(ledger.entries(7)));
            assertEquals(List.of(everything.get(19)), all(ledger.entries(19)));
            assertEquals(List.of(), all(ledger.entries(20)));
            assertThrows(NoSuchElementException.class, () -> ledger.entries(-1));
            assertThrows(NoSuchElementException.class, () -> ledger.entries(21));
            // A stream covers the entries present when it was made.
            try (Stream<EventEnvelope> s = ledger.entries(18)) {
                ledger.append(draft(20));
                assertEquals(2, s.count());
            }
        }
    }

    @Test
    void entriesSinceAHash() {
        try (InMemoryLedger ledger = ledgerOf(20)) {
            List<EventEnvelope> everything = all(ledger.entries(0));
            assertEquals(everything.subList(1, 20), all(ledger.entriesSince(everything.get(0).hash())));
            assertEquals(everything.subList(11, 20), all(ledger.entriesSince(everything.get(10).hash())));
            assertEquals(List.of(), all(ledger.entriesSince(ledger.headHash())));
            assertThrows(NoSuchElementException.class, () -> ledger.entriesSince(Hash.sha256(new byte[] {42})));
            // The genesis hash is the prev_hash of the first entry: "since genesis" is everything.
            assertEquals(everything, all(ledger.entriesSince(Hash.GENESIS)));
            assertThrows(NullPointerException.class, () -> ledger.entriesSince(null));
        }
    }

    @Test
    void subscriptionCatchesUpThenFollows() {
        try (InMemoryLedger ledger = ledgerOf(5)) {
            List<Long> fromStart = new ArrayList<>();
            List<Long> fromThree = new ArrayList<>();
            List<Long> liveOnly = new ArrayList<>();
            Subscription a = ledger.subscribe(0, e -> fromStart.add(e.position()));
            Subscription b = ledger.subscribe(3, e -> fromThree.add(e.position()));
            Subscription c = ledger.subscribe(5, e -> liveOnly.add(e.position()));
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), fromStart, "catch-up is synchronous");
            assertEquals(List.of(3L, 4L), fromThree);
            assertEquals(List.of(), liveOnly);
            for (int i = 5; i < 8; i++) {
                ledger.append(draft(i));
            }
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), fromStart);
            assertEquals(List.of(3L, 4L, 5L, 6L, 7L), fromThree);
            assertEquals(List.of(5L, 6L, 7L), liveOnly);
            assertTrue(a.active() && b.active() && c.active());

            b.close();
            assertFalse(b.active());
            b.close(); // idempotent
            ledger.append(draft(8));
            assertEquals(List.of(3L, 4L, 5L, 6L, 7L), fromThree, "a closed subscription receives nothing");
            assertEquals(9, fromStart.size());
            assertEquals(Optional.empty(), a.failure());

            assertThrows(NoSuchElementException.class, () -> ledger.subscribe(-1, e -> { }));
            assertThrows(NoSuchElementException.class, () -> ledger.subscribe(10, e -> { }));
            assertThrows(NullPointerException.class, () -> ledger.subscribe(0, null));

            ledger.close();
            assertFalse(a.active(), "closing the ledger ends its subscriptions");
            assertFalse(c.active());
        }
    }

    @Test
    void aThrowingListenerEndsOnlyItsOwnSubscription() {
        try (InMemoryLedger ledger = ledgerOf(2)) {
            RuntimeException boom = new IllegalStateException("listener bug");
            List<Long> healthy = new ArrayList<>();
            List<Long> seenByFaulty = new ArrayList<>();
            Subscription faulty = ledger.subscribe(0, e -> {
                seenByFaulty.add(e.position());
                if (e.position() == 3) {
                    throw boom;
                }
            });
            Subscription good = ledger.subscribe(0, e -> healthy.add(e.position()));
            ledger.append(draft(2));
            EventEnvelope third = ledger.append(draft(3)); // the faulty listener throws here
            assertEquals(3, third.position(), "the append succeeds regardless");
            assertEquals(4, ledger.size());
            assertEquals(third, ledger.read(3));
            assertFalse(faulty.active());
            assertSame(boom, faulty.failure().orElseThrow());
            assertTrue(good.active());
            ledger.append(draft(4));
            assertEquals(List.of(0L, 1L, 2L, 3L), seenByFaulty);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), healthy);
            assertTrue(ledger.verify().intact());

            // A listener that throws during catch-up is ended before it goes live.
            Subscription early = ledger.subscribe(0, e -> {
                throw new IllegalArgumentException("at once");
            });
            assertFalse(early.active());
            assertInstanceOf(IllegalArgumentException.class, early.failure().orElseThrow());
            ledger.append(draft(5));
            assertEquals(6, healthy.size());
        }
    }

    @Test
    void verifyWholeAndRanged() {
        try (InMemoryLedger ledger = ledgerOf(40)) {
            VerifyResult.Intact whole = assertInstanceOf(VerifyResult.Intact.class, ledger.verify());
            assertEquals(0, whole.fromPosition());
            assertEquals(40, whole.verifiedEntries());
            assertEquals(ledger.headHash(), whole.head());
            assertTrue(whole.intact());

            VerifyResult.Intact middle = assertInstanceOf(VerifyResult.Intact.class, ledger.verify(10, 20));
            assertEquals(new VerifyResult.Intact(10, 10, ledger.read(19).hash()), middle);
            assertEquals(new VerifyResult.Intact(0, 1, ledger.read(0).hash()), ledger.verify(0, 1));
            assertEquals(new VerifyResult.Intact(39, 1, ledger.headHash()), ledger.verify(39, 40));
            assertEquals(new VerifyResult.Intact(30, 10, ledger.headHash()), ledger.verify(30, 1000), "the end is clamped");
            assertEquals(0, ledger.verify(40, 40).verifiedEntries());
            assertEquals(0, ledger.verify(5, 5).verifiedEntries());
            assertThrows(IllegalArgumentException.class, () -> ledger.verify(-1, 3));
            assertThrows(IllegalArgumentException.class, () -> ledger.verify(5, 4));
            assertThrows(IllegalArgumentException.class, () -> ledger.verify(41, 50));
        }
    }

    @Test
    void verifyNamesTheFirstBadEntryInRangeAndWhole() {
        List<byte[]> records;
        try (InMemoryLedger ledger = ledgerOf(30)) {
            records = ledger.exportRecords();
        }
        records.get(17)[1 + 5] ^= 0x01; // a bit of the stored hash
        try (InMemoryLedger damaged = InMemoryLedger.ofRecords(records)) {
            VerifyResult.Broken whole = assertInstanceOf(VerifyResult.Broken.class, damaged.verify());
            assertEquals(17, whole.position());
            assertEquals(17, whole.verifiedEntries());
            assertEquals(VerifyResult.Problem.HASH_MISMATCH, whole.problem());
            assertFalse(whole.intact());
            VerifyResult.Broken ranged = assertInstanceOf(VerifyResult.Broken.class, damaged.verify(10, 30));
            assertEquals(17, ranged.position());
            assertEquals(7, ranged.verifiedEntries());
            assertTrue(damaged.verify(0, 17).intact(), "the range before the damage is intact");
            assertTrue(damaged.verify(19, 30).intact(), "a range after it trusts the entry before the range");
            assertEquals(VerifyResult.Problem.BROKEN_LINK,
                    assertInstanceOf(VerifyResult.Broken.class, damaged.verify(18, 30)).problem(),
                    "the entry after a changed one no longer links to its hash");
        }
    }

    @Test
    void payloadSizeLimit() {
        try (InMemoryLedger ledger = InMemoryLedger.create(100)) {
            ledger.append(draft(0));
            Hash head = ledger.headHash();
            CanonicalJson exactly = CanonicalJson.ofString("x".repeat(98));
            CanonicalJson over = CanonicalJson.ofString("x".repeat(99));
            assertEquals(100, exactly.utf8Length());
            InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> ledger.append(EventDraft.of("k", 0, over)));
            assertEquals(Reason.TOO_LARGE, e.reason());
            assertEquals(1, ledger.size(), "a refused append changes nothing");
            assertEquals(head, ledger.headHash());
            assertEquals(1, ledger.exportRecords().size());
            // The limit counts UTF-8 bytes, not characters: 34 euro signs are 102 bytes.
            assertEquals(Reason.TOO_LARGE, assertThrows(InvalidPayloadException.class,
                    () -> ledger.append(EventDraft.of("k", 0, CanonicalJson.ofString("\u20ac".repeat(34))))).reason());
            assertEquals(1, ledger.size());
            assertEquals(1, ledger.append(EventDraft.of("k", 0, exactly)).position());
            assertTrue(ledger.verify().intact());
        }
        assertThrows(IllegalArgumentException.class, () -> InMemoryLedger.create(0));
        assertThrows(IllegalArgumentException.class, () -> InMemoryLedger.create(-1));
    }

    @Test
    void defaultPayloadLimitIsOneMebibyte() {
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            CanonicalJson exactly = CanonicalJson.ofString("y".repeat((1 << 20) - 2));
            CanonicalJson over = CanonicalJson.ofString("y".repeat((1 << 20) - 1));
            assertEquals(Reason.TOO_LARGE, assertThrows(InvalidPayloadException.class, () -> ledger.append(EventDraft.of("k", 0, over))).reason());
            assertEquals(0, ledger.size());
            assertEquals(0, ledger.append(EventDraft.of("k", 0, exactly)).position());
            assertTrue(ledger.verify().intact());
        }
    }

    @Test
    void aClosedLedgerRefusesUse() {
        InMemoryLedger ledger = ledgerOf(3);
        List<byte[]> before = ledger.exportRecords();
        ledger.close();
        ledger.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> ledger.append(draft(3)));
        assertThrows(IllegalStateException.class, () -> ledger.read(0));
        assertThrows(IllegalStateException.class, () -> ledger.entries(0));
        assertThrows(IllegalStateException.class, () -> ledger.entriesSince(Hash.GENESIS));
        assertThrows(IllegalStateException.class, () -> ledger.subscribe(0, e -> { }));
        assertThrows(IllegalStateException.class, ledger::verify);
        assertThrows(IllegalStateException.class, () -> ledger.verify(0, 1));
        // The records stay exportable, unchanged.
        List<byte[]> after = ledger.exportRecords();
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), after.get(i));
        }
    }

    @Test
    void exportedRecordsReproduceTheLedger() {
        try (InMemoryLedger original = ledgerOf(25)) {
            List<byte[]> records = original.exportRecords();
            try (InMemoryLedger copy = InMemoryLedger.ofRecords(records)) {
                assertEquals(original.size(), copy.size());
                assertEquals(original.headHash(), copy.headHash());
                assertEquals(original.head(), copy.head());
                assertEquals(original.verify(), copy.verify());
                assertEquals(all(original.entries(0)), all(copy.entries(0)));
                // Both continue the chain identically.
                assertEquals(original.append(draft(25)), copy.append(draft(25)));
                assertEquals(original.headHash(), copy.headHash());
            }
            // The copy owns its records: changing the list handed in changes nothing.
            records.get(0)[0] = 0;
            records.clear();
            assertEquals(26, original.size());
        }
    }

    @Test
    void aDamagedLastRecordStopsAppendsButNotReads() {
        List<byte[]> records = ledgerOf(10).exportRecords();
        records.set(9, java.util.Arrays.copyOf(records.get(9), 50));
        try (InMemoryLedger damaged = InMemoryLedger.ofRecords(records)) {
            assertEquals(10, damaged.size());
            LedgerException e = assertThrows(LedgerException.class, () -> damaged.append(draft(10)));
            assertEquals(LedgerException.Category.CORRUPT, e.category());
            assertEquals(10, damaged.exportRecords().size());
            assertEquals(ledgerOf(9).read(8), damaged.read(8));
            assertEquals(LedgerException.Category.CORRUPT, assertThrows(LedgerException.class, () -> damaged.read(9)).category());
            VerifyResult.Broken broken = assertInstanceOf(VerifyResult.Broken.class, damaged.verify());
            assertEquals(9, broken.position());
            assertEquals(VerifyResult.Problem.TRUNCATED_ENTRY, broken.problem());
        }
    }

    @Test
    void concurrentAppendsFormOneChain() throws Exception {
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            int threads = 4;
            int each = 250;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Long> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
            ledger.subscribe(0, e -> delivered.add(e.position()));
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                        SplittableRandom random = new SplittableRandom(id);
                        for (int i = 0; i < each; i++) {
                            ledger.append(EventDraft.of("concurrent", random.nextLong(0, 1000), CanonicalJson.parse("[" + id + "," + i + "]")));
                        }
                    } catch (Throwable ex) {
                        failures.add(ex);
                    }
                });
                workers.add(w);
                w.start();
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            assertEquals(List.of(), failures);
            assertEquals(threads * each, ledger.size());
            VerifyResult.Intact intact = assertInstanceOf(VerifyResult.Intact.class, ledger.verify());
            assertEquals(threads * each, intact.verifiedEntries());
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < threads * each; i++) {
                expected.add(i);
            }
            assertEquals(expected, delivered, "each entry delivered once, in position order");
        }
    }
}
