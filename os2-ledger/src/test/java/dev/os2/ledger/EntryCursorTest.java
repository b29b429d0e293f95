package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Ledger#cursor(long)}: the stores' cursors over stored bytes answer as the decoded
 * entries do, {@link EntryCursor#sealOf} agrees with {@link EventEnvelope#isSealOf} for every
 * draft it is asked about, and damaged or forged entries are refused as reading them is.
 */
class EntryCursorTest {

    @TempDir
    Path dir;

    private static final String[] KINDS = {"token_scheduled", "token_started", "charge", "custom.note"};
    private static final String[] CAPABILITIES = {null, "fs.read", "net.fetch", "caf\u00e9.tool", "quote\"d"};

    /** A seeded mix of drafts: generated and chosen event ids, capability ids plain and escaped, several kinds. */
    private static List<EventDraft> drafts(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<EventDraft> drafts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String kind = KINDS[random.nextInt(KINDS.length)];
            String capability = CAPABILITIES[random.nextInt(CAPABILITIES.length)];
            String id = random.nextInt(4) == 0 ? "id-" + random.nextInt(1000) : null;
            CanonicalJson payload = CanonicalJson.parse("{\"i\":" + i + ",\"s\":\"x\\u0001y\",\"n\":" + random.nextInt(100) + "}");
            drafts.add(new EventDraft(kind, capability, random.nextLong(1L << 40), payload, id));
        }
        return drafts;
    }

    /** Walks {@code ledger} with a cursor and checks every answer against the decoded entries. */
    private static void checkAgainstEntries(Ledger ledger, List<EventDraft> drafts, long from) {
        List<EventEnvelope> entries = InMemoryLedgerTest.all(ledger.entries(from));
        try (EntryCursor cursor = ledger.cursor(from)) {
            for (EventEnvelope e : entries) {
                assertTrue(cursor.next());
                long p = e.position();
                assertEquals(p, cursor.position());
                assertEquals(e.kind(), cursor.kind());
                EventDraft own = drafts.get((int) p);
                EventDraft other = drafts.get((int) ((p + 1) % drafts.size()));
                assertNull(cursor.sealOf(p, e.prevHash(), other), "another draft at " + p);
                assertNull(cursor.sealOf(p + 1, e.prevHash(), own), "the right draft at the wrong position");
                assertNull(cursor.sealOf(p, e.hash(), own), "the right draft after the wrong hash");
                assertEquals(e, cursor.sealOf(p, e.prevHash(), own));
                assertEquals(e, cursor.envelope());
            }
            assertFalse(cursor.next());
        }
    }

    @Test
    void inMemoryCursorAnswersAsTheEntries() {
        List<EventDraft> drafts = drafts(7, 200);
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            drafts.forEach(ledger::append);
            checkAgainstEntries(ledger, drafts, 0);
            checkAgainstEntries(ledger, drafts, 150);
            checkAgainstEntries(ledger, drafts, 200);
            assertThrows(NoSuchElementException.class, () -> ledger.cursor(201));
        }
    }

    @Test
    void chronicleCursorAnswersAsTheEntries() {
        List<EventDraft> drafts = drafts(11, 300);
        try (ChronicleLedger ledger = ChronicleLedger.open(dir.resolve("ledger"))) {
            drafts.forEach(ledger::append);
            checkAgainstEntries(ledger, drafts, 0);
            checkAgainstEntries(ledger, drafts, 129);
        }
    }

    @Test
    void sealOfWithoutDecodingGivesTheStoredEnvelope() {
        List<EventDraft> drafts = drafts(3, 50);
        try (InMemoryLedger ledger = InMemoryLedger.create(); EntryCursor cursor = ledger.cursor(0)) {
            List<EventEnvelope> appended = new ArrayList<>();
            drafts.forEach(d -> appended.add(ledger.append(d)));
            // A cursor made before the appends sees none of them.
            assertFalse(cursor.next());
            try (EntryCursor fresh = ledger.cursor(0)) {
                for (int i = 0; i < drafts.size(); i++) {
                    assertTrue(fresh.next());
                    // sealOf first, so that the comparison runs on the bytes, not on a decoded envelope.
                    EventEnvelope sealed = fresh.sealOf(i, appended.get(i).prevHash(), drafts.get(i));
                    assertEquals(appended.get(i), sealed);
                    assertEquals(appended.get(i).hash(), sealed.hash());
                }
            }
        }
    }

    @Test
    void cursorBeforeItsFirstEntryRefusesQuestions() {
        try (InMemoryLedger ledger = InMemoryLedgerTest.ledgerOf(3); EntryCursor cursor = ledger.cursor(0)) {
            assertThrows(IllegalStateException.class, cursor::kind);
            assertThrows(IllegalStateException.class, cursor::envelope);
            assertThrows(IllegalStateException.class, cursor::position);
        }
    }

    @Test
    void damagedEntriesAreRefusedAsReadingThemIs() {
        List<byte[]> good = InMemoryLedgerTest.ledgerOf(10).exportRecords();
        List<byte[]> changed = new ArrayList<>(good);
        byte[] payloadChanged = good.get(6).clone();
        int at = EventEnvelopeRecordTest.indexOf(payloadChanged, "\"i\":6".getBytes(StandardCharsets.US_ASCII)) + 4;
        payloadChanged[at] = '7';
        changed.set(6, payloadChanged);
        try (InMemoryLedger ledger = InMemoryLedger.ofRecords(changed); EntryCursor cursor = ledger.cursor(4)) {
            LedgerException read = assertThrows(LedgerException.class, () -> ledger.read(6));
            assertTrue(cursor.next());
            assertTrue(cursor.next());
            LedgerException e = assertThrows(LedgerException.class, cursor::next);
            assertEquals(LedgerException.Category.CORRUPT, e.category());
            assertEquals(read.getMessage(), e.getMessage());
        }
    }

    @Test
    void forgedEntryWithARightHashIsRefusedWhenLookedAt() {
        // Entry 2 rewritten with white space inside its payload and its hash recomputed: every
        // stored byte hashes right, but it is no canonical envelope, and reading it says so.
        List<byte[]> records = InMemoryLedgerTest.ledgerOf(4).exportRecords();
        EventEnvelope e = RecordCodec.decode(records.get(2)) instanceof RecordCodec.Ok ok ? ok.envelope() : null;
        String text = new String(e.canonicalBytes(), StandardCharsets.UTF_8).replace("{\"i\":", "{ \"i\":");
        byte[] canonical = text.getBytes(StandardCharsets.UTF_8);
        records.set(2, RecordCodec.encode(EventEnvelope.computeHash(e.prevHash(), canonical), canonical));
        try (InMemoryLedger ledger = InMemoryLedger.ofRecords(records); EntryCursor cursor = ledger.cursor(2)) {
            LedgerException read = assertThrows(LedgerException.class, () -> ledger.read(2));
            assertTrue(cursor.next(), "position and hash are right");
            LedgerException sealed = assertThrows(LedgerException.class,
                    () -> cursor.sealOf(2, e.prevHash(), new EventDraft(e.kind(), e.capabilityId(), e.virtualTime(), e.payload(), null)));
            assertEquals(read.getMessage(), sealed.getMessage());
            assertEquals(read.getMessage(), assertThrows(LedgerException.class, cursor::envelope).getMessage());
        }
    }

    @Test
    void defaultCursorReadsTheEntries() {
        List<EventDraft> drafts = drafts(5, 40);
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            drafts.forEach(ledger::append);
            try (EntryCursor cursor = EntryCursor.over(ledger.entries(10))) {
                for (long p = 10; p < 40; p++) {
                    assertTrue(cursor.next());
                    EventEnvelope e = ledger.read(p);
                    assertEquals(p, cursor.position());
                    assertEquals(e.kind(), cursor.kind());
                    assertEquals(e, cursor.sealOf(p, e.prevHash(), drafts.get((int) p)));
                    assertNull(cursor.sealOf(p, e.prevHash(), drafts.get((int) p - 1)));
                }
                assertFalse(cursor.next());
            }
        }
    }
}
