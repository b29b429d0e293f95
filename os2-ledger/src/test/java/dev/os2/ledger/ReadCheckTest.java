package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * What reads, the head and subscriptions promise about damaged entries and failing listeners:
 * a read checks the entry's hash again (the pair check), a ledger whose last entry is damaged
 * does not pretend to have another head, an Error thrown by a listener is not swallowed, and
 * the append path stores exactly the record {@link EventEnvelope#seal} describes.
 */
class ReadCheckTest {

    @TempDir
    Path dir;

    /** Entry {@code position}'s payload digit changed: the record still decodes, its hash no longer matches. */
    private static byte[] changedPayload(byte[] record, int position) {
        byte[] r = record.clone();
        int at = EventEnvelopeRecordTest.indexOf(r, ("\"i\":" + position).getBytes(StandardCharsets.US_ASCII)) + 4;
        r[at] = (byte) (r[at] == '9' ? '8' : r[at] + 1);
        assertInstanceOf(RecordCodec.Ok.class, RecordCodec.decode(r));
        return r;
    }

    private static void assertCorrupt(long position, Executable action) {
        LedgerException e = assertThrows(LedgerException.class, action);
        assertEquals(LedgerException.Category.CORRUPT, e.category());
        assertTrue(e.getMessage().contains("position " + position), e.getMessage());
    }

    @Test
    void readChecksTheHashAgain() {
        List<byte[]> good = InMemoryLedgerTest.ledgerOf(10).exportRecords();
        List<byte[]> changed = new ArrayList<>(good);
        changed.set(7, changedPayload(good.get(7), 7));
        byte[] hashFlipped = good.get(3).clone();
        hashFlipped[1 + 10] ^= 0x40;
        changed.set(3, hashFlipped);
        try (InMemoryLedger ledger = InMemoryLedger.ofRecords(changed); InMemoryLedger original = InMemoryLedger.ofRecords(good)) {
            assertCorrupt(7, () -> ledger.read(7));
            assertCorrupt(3, () -> ledger.read(3));
            assertEquals(original.read(6), ledger.read(6));
            assertEquals(original.read(8), ledger.read(8), "the entry after a changed one still matches its own hash");
            assertCorrupt(3, () -> InMemoryLedgerTest.all(ledger.entries(0)));
            assertCorrupt(7, () -> InMemoryLedgerTest.all(ledger.entries(4)));
            assertEquals(2, InMemoryLedgerTest.all(ledger.entries(8)).size());
            assertCorrupt(7, () -> InMemoryLedgerTest.all(ledger.entriesSince(original.read(5).hash())));
            assertCorrupt(7, () -> ledger.entriesSince(original.read(7).hash()));
            assertThrows(java.util.NoSuchElementException.class, () -> ledger.entriesSince(original.read(3).hash()),
                    "entry 3's stored hash was changed, so no entry has its old hash");
            assertCorrupt(3, () -> ledger.subscribe(0, e -> { }));
            VerifyResult.Broken broken = assertInstanceOf(VerifyResult.Broken.class, ledger.verify());
            assertEquals(3, broken.position());
            assertEquals(VerifyResult.Problem.HASH_MISMATCH, broken.problem());
        }
    }

    @Test
    void readChecksTheHashAgainOnChronicle() throws Exception {
        Path ledgerDir = dir.resolve("ledger");
        List<byte[]> records = new ArrayList<>();
        try (ChronicleLedger ledger = ChronicleLedger.open(ledgerDir)) {
            for (int i = 0; i < 20; i++) {
                records.add(RecordCodec.encode(ledger.append(InMemoryLedgerTest.draft(i))));
            }
        }
        Path file = ChronicleTamperTest.queueFile(ledgerDir);
        ChronicleTamperTest.Extent extent = ChronicleTamperTest.locate(file, records).get(12);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ChronicleTamperTest.write(ch, extent.data(), changedPayload(records.get(12), 12));
        }
        try (ChronicleLedger ledger = ChronicleLedger.builder(ledgerDir).readOnly(true).open()) {
            assertCorrupt(12, () -> ledger.read(12));
            assertArrayEquals(records.get(11), RecordCodec.encode(ledger.read(11)));
            assertArrayEquals(records.get(13), RecordCodec.encode(ledger.read(13)));
            assertCorrupt(12, () -> InMemoryLedgerTest.all(ledger.entries(10)));
            VerifyResult.Broken broken = assertInstanceOf(VerifyResult.Broken.class, ledger.verify());
            assertEquals(12, broken.position());
            assertEquals(VerifyResult.Problem.HASH_MISMATCH, broken.problem());
        }
    }

    @Test
    void aDamagedLastEntryLeavesNoHeadToReport() {
        List<byte[]> records = InMemoryLedgerTest.ledgerOf(10).exportRecords();
        records.set(9, changedPayload(records.get(9), 9));
        try (InMemoryLedger damaged = InMemoryLedger.ofRecords(records)) {
            assertEquals(10, damaged.size());
            assertCorrupt(9, damaged::head);
            assertCorrupt(9, damaged::headHash);
            assertCorrupt(9, () -> damaged.append(InMemoryLedgerTest.draft(10)));
            assertEquals(10, damaged.size());
            assertDoesNotThrow(() -> damaged.read(8));
            VerifyResult.Broken broken = assertInstanceOf(VerifyResult.Broken.class, damaged.verify());
            assertEquals(9, broken.position());
        }
    }

    @Test
    void aDamagedLastEntryLeavesNoHeadToReportOnChronicle() throws Exception {
        Path ledgerDir = dir.resolve("ledger");
        List<byte[]> records = new ArrayList<>();
        try (ChronicleLedger ledger = ChronicleLedger.open(ledgerDir)) {
            for (int i = 0; i < 10; i++) {
                records.add(RecordCodec.encode(ledger.append(InMemoryLedgerTest.draft(i))));
            }
        }
        Path file = ChronicleTamperTest.queueFile(ledgerDir);
        ChronicleTamperTest.Extent extent = ChronicleTamperTest.locate(file, records).get(9);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ChronicleTamperTest.write(ch, extent.data(), changedPayload(records.get(9), 9));
        }
        try (ChronicleLedger ledger = ChronicleLedger.open(ledgerDir)) {
            assertEquals(10, ledger.size());
            assertCorrupt(9, ledger::head);
            assertCorrupt(9, ledger::headHash);
            assertCorrupt(9, () -> ledger.append(InMemoryLedgerTest.draft(10)));
            // Closing keeps the old sealed head as evidence, and does not trip over the missing head.
        }
        try (ChronicleLedger ledger = ChronicleLedger.builder(ledgerDir).readOnly(true).open()) {
            assertCorrupt(9, ledger::headHash);
            VerifyResult.Broken broken = assertInstanceOf(VerifyResult.Broken.class, ledger.verify());
            assertEquals(9, broken.position());
            assertEquals(VerifyResult.Problem.HASH_MISMATCH, broken.problem());
        }
    }

    @Test
    void sinceGenesisIsEverything() {
        try (InMemoryLedger ledger = InMemoryLedgerTest.ledgerOf(5); InMemoryLedger empty = InMemoryLedger.create()) {
            assertEquals(InMemoryLedgerTest.all(ledger.entries(0)), InMemoryLedgerTest.all(ledger.entriesSince(Hash.GENESIS)));
            assertEquals(List.of(), InMemoryLedgerTest.all(empty.entriesSince(Hash.GENESIS)));
        }
    }

    @Test
    void anErrorFromAListenerIsNotSwallowed() {
        try (InMemoryLedger ledger = InMemoryLedgerTest.ledgerOf(2)) {
            AssertionError boom = new AssertionError("a listener's assertion failed");
            List<Long> healthy = new ArrayList<>();
            Subscription faulty = ledger.subscribe(0, e -> {
                if (e.position() == 3) {
                    throw boom;
                }
            });
            Subscription good = ledger.subscribe(0, e -> healthy.add(e.position()));
            ledger.append(InMemoryLedgerTest.draft(2));
            assertSame(boom, assertThrows(AssertionError.class, () -> ledger.append(InMemoryLedgerTest.draft(3))));
            assertEquals(4, ledger.size(), "the entry is stored before it is delivered");
            assertEquals(3, ledger.read(3).position());
            assertFalse(faulty.active());
            assertSame(boom, faulty.failure().orElseThrow());
            assertTrue(good.active());
            assertEquals(List.of(0L, 1L, 2L, 3L), healthy, "the other subscription got the entry first");
            ledger.append(InMemoryLedgerTest.draft(4));
            assertEquals(5, healthy.size());

            OutOfMemoryError oom = new OutOfMemoryError("thrown by a listener during catch-up");
            assertSame(oom, assertThrows(OutOfMemoryError.class, () -> ledger.subscribe(0, e -> {
                throw oom;
            })));
            ledger.append(InMemoryLedgerTest.draft(5));
            assertEquals(6, healthy.size());
            assertTrue(ledger.verify().intact());
        }
    }

    /**
     * The append path seals into a reused buffer: every stored record is the one
     * {@link EventEnvelope#seal} describes, also after a payload large enough to make the buffer
     * grow and be let go, and when the same capability id objects come back (plain ones are
     * remembered by the buffer; ones that need escapes or UTF-8 must be encoded every time).
     */
    @Test
    void appendStoresWhatSealDescribes() {
        long seed = 0xA99E;
        SplittableRandom random = new SplittableRandom(seed);
        CanonicalJson big = CanonicalJson.ofString("\u20ac".repeat(40_000));
        String[] repeated = {"cap.plain", "cap.\"quoted\"", "cap.plain", "caf\u00e9", "cap.back\\slash", "cap.other"};
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            Hash prev = Hash.GENESIS;
            for (int i = 0; i < 400; i++) {
                EventDraft draft = i % 97 == 50 ? EventDraft.of("test.big", i, big)
                        : i % 2 == 0 ? EventDraft.of("test.repeat", repeated[(i / 2) % repeated.length], i, CanonicalJson.NULL)
                        : EventEnvelopeTest.randomDraft(random);
                EventEnvelope appended = ledger.append(draft);
                EventEnvelope sealed = EventEnvelope.seal(i, prev, draft);
                assertEquals(sealed, appended, "seed " + seed + ", entry " + i);
                assertEquals(sealed, ledger.read(i));
                prev = appended.hash();
            }
            List<byte[]> stored = ledger.exportRecords();
            for (int i = 0; i < stored.size(); i++) {
                assertArrayEquals(RecordCodec.encode(ledger.read(i)), stored.get(i), "seed " + seed + ", entry " + i);
            }
            assertTrue(ledger.verify(Ledger.VerifyMode.DEEP).intact());
        }
    }
}
