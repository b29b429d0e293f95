package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.os2.ledger.Ledger.VerifyMode;
import dev.os2.ledger.VerifyResult.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default verification, a chain check on the stored bytes ({@link RecordCodec.ChainCheck}),
 * against the deep check that decodes every entry: the suffix it reads from the end of a record
 * cannot be faked by a payload, it finds every change at the same position and with the same
 * result as the deep check, and only the deep check refuses a record that hashes correctly but
 * is not a canonical envelope.
 */
class ChainVerifyTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] record) {
        return new String(record, RecordCodec.HEADER_BYTES, record.length - RecordCodec.HEADER_BYTES, StandardCharsets.UTF_8);
    }

    /** A record of {@code canonical} sealed behind {@code prev}: hash recomputed, as a forger would. */
    private static byte[] resealed(Hash prev, byte[] canonical) {
        return RecordCodec.encode(EventEnvelope.computeHash(prev, canonical), canonical);
    }

    private static Hash storedHash(byte[] record) {
        return Hash.of(Arrays.copyOfRange(record, 1, RecordCodec.HEADER_BYTES));
    }

    private static VerifyResult verify(List<byte[]> records, VerifyMode mode) {
        try (InMemoryLedger ledger = InMemoryLedger.ofRecords(records)) {
            return ledger.verify(mode);
        }
    }

    /** A payload whose members spell the envelope's own suffix. */
    private static CanonicalJson suffixLookalike(long position, Hash prev, long virtualTime) {
        return CanonicalJson.parse("{\"a\":1,\"position\":" + position + ",\"prev_hash\":\"" + prev.toHex()
                + "\",\"virtual_time\":" + virtualTime + "}");
    }

    /**
     * Entries 3 and 4 carry payloads that end exactly like an envelope's suffix: entry 3's with
     * its own true position and prev_hash, entry 4's with false ones. Reading from the end still
     * finds each entry's real members.
     */
    private static List<byte[]> lookalikeLedger() {
        try (InMemoryLedger ledger = InMemoryLedgerTest.ledgerOf(3)) {
            ledger.append(EventDraft.of("test.lookalike", 30, suffixLookalike(3, ledger.headHash(), 30)));
            ledger.append(EventDraft.of("test.lookalike", 40, suffixLookalike(0, Hash.GENESIS, 7)));
            for (int i = 5; i < 8; i++) {
                ledger.append(InMemoryLedgerTest.draft(i));
            }
            return ledger.exportRecords();
        }
    }

    @Test
    void thePayloadCannotMoveTheSuffix() {
        List<byte[]> records = lookalikeLedger();
        RecordCodec.ChainCheck check = new RecordCodec.ChainCheck(Hash.GENESIS);
        for (int p = 0; p < records.size(); p++) {
            byte[] r = records.get(p);
            assertTrue(check.readSuffix(r), "entry " + p);
            assertEquals(p, check.suffixPosition(), "entry " + p);
            EventEnvelope e = ((RecordCodec.Ok) RecordCodec.decode(r)).envelope();
            assertEquals(e.prevHash().toHex(), new String(r, check.suffixPrevHexAt(), 64, StandardCharsets.US_ASCII), "entry " + p);
        }
        VerifyResult chain = verify(records, VerifyMode.CHAIN);
        assertEquals(new VerifyResult.Intact(0, 8, storedHash(records.get(7))), chain);
        assertEquals(chain, verify(records, VerifyMode.DEEP));
    }

    /**
     * Entry 3 cut right after its payload: what is left ends in the payload's copy of the suffix,
     * with entry 3's true position and prev_hash, so the suffix reads well. The hash does not
     * match, and the entry is named as cut short, as the deep check names it.
     */
    @Test
    void aCutThatLeavesAFakeSuffixIsFoundByTheHash() {
        List<byte[]> records = lookalikeLedger();
        byte[] r = records.get(3);
        String t = text(r);
        int payloadEnd = t.indexOf("},\"position\":3,\"prev_hash\":\"") + 1;
        assertTrue(payloadEnd > 0, t);
        byte[] cut = Arrays.copyOf(r, RecordCodec.HEADER_BYTES + utf8(t.substring(0, payloadEnd)).length);
        RecordCodec.ChainCheck check = new RecordCodec.ChainCheck(Hash.GENESIS);
        assertTrue(check.readSuffix(cut), "the cut record ends in the payload's lookalike suffix");
        assertEquals(3, check.suffixPosition());

        List<byte[]> damaged = new ArrayList<>(records);
        damaged.set(3, cut);
        VerifyResult.Broken broken = assertInstanceOf(VerifyResult.Broken.class, verify(damaged, VerifyMode.CHAIN));
        assertEquals(3, broken.position());
        assertEquals(Problem.TRUNCATED_ENTRY, broken.problem());
        assertEquals(3, broken.verifiedEntries());
        assertEquals(broken, verify(damaged, VerifyMode.DEEP));

        // Re-sealed (its hash recomputed) and made the last entry, the cut record passes the
        // chain check; only the deep check sees that it is not an envelope.
        List<byte[]> forged = new ArrayList<>(records.subList(0, 3));
        forged.add(resealed(storedHash(records.get(2)), Arrays.copyOfRange(cut, RecordCodec.HEADER_BYTES, cut.length)));
        assertTrue(verify(forged, VerifyMode.CHAIN).intact());
        VerifyResult.Broken deep = assertInstanceOf(VerifyResult.Broken.class, verify(forged, VerifyMode.DEEP));
        assertEquals(3, deep.position());
        assertEquals(Problem.TRUNCATED_ENTRY, deep.problem());
    }

    /**
     * Records with a correct hash that the ledger would never write: white space, unsorted payload
     * keys, a needless escape, something that is not an envelope at all. Entry 5 of 10 is forged
     * and every later entry re-chained behind it, so only the record itself is wrong.
     */
    @Test
    void onlyTheDeepCheckRefusesAResealedRecordThatIsNotCanonical() {
        List<byte[]> good = InMemoryLedgerTest.ledgerOf(10).exportRecords();
        String entry5 = text(good.get(5));
        Hash prev4 = storedHash(good.get(4));
        List<String> forgeries = List.of(
                entry5.replace(",\"kind\":", ", \"kind\":"),
                EventEnvelopeRecordTest.replaceOnce(entry5, "{\"i\":5,\"text\":\"entry 5 \u00e9\"}", "{\"text\":\"entry 5 \u00e9\",\"i\":5}"),
                entry5.replace("entry 5 \u00e9", "entry 5 \\u00e9"),
                "{\"junk\":true,\"position\":5,\"prev_hash\":\"" + prev4.toHex() + "\",\"virtual_time\":50}");
        for (String forgery : forgeries) {
            assertFalse(forgery.equals(entry5));
            List<byte[]> records = new ArrayList<>(good.subList(0, 5));
            byte[] forged = resealed(prev4, utf8(forgery));
            records.add(forged);
            Hash prev = storedHash(forged);
            for (int p = 6; p < 10; p++) {
                EventEnvelope e = EventEnvelope.seal(p, prev, InMemoryLedgerTest.draft(p));
                records.add(RecordCodec.encode(e));
                prev = e.hash();
            }
            assertEquals(new VerifyResult.Intact(0, 10, prev), verify(records, VerifyMode.CHAIN), forgery);
            VerifyResult.Broken deep = assertInstanceOf(VerifyResult.Broken.class, verify(records, VerifyMode.DEEP), forgery);
            assertEquals(5, deep.position(), forgery);
            assertEquals(Problem.UNREADABLE_RECORD, deep.problem(), forgery);
            assertEquals(5, deep.verifiedEntries(), forgery);
            try (InMemoryLedger ledger = InMemoryLedger.ofRecords(records)) {
                assertEquals(new VerifyResult.Broken(5, deep.problem(), deep.detail(), 2), ledger.verify(3, 10, VerifyMode.DEEP),
                        forgery);
                assertTrue(ledger.verify(3, 10).intact(), forgery);
            }
        }
    }

    /**
     * Every bit of a record in the middle flipped in turn, and one bit of every byte of the first
     * and the last record: the chain check names the flipped record, with exactly the deep
     * check's result.
     */
    @Test
    void everyBitFlipIsFoundWhereAndAsTheDeepCheckFindsIt() {
        List<byte[]> good = InMemoryLedgerTest.ledgerOf(8).exportRecords();
        for (int target : new int[] {0, 5, 7}) {
            byte[] original = good.get(target);
            for (int at = 0; at < original.length; at++) {
                for (int bit = target == 5 ? 0 : at % 8; bit < 8; bit += target == 5 ? 1 : 8) {
                    List<byte[]> records = new ArrayList<>(good);
                    byte[] r = original.clone();
                    r[at] ^= (byte) (1 << bit);
                    records.set(target, r);
                    VerifyResult chain = verify(records, VerifyMode.CHAIN);
                    String what = "bit " + bit + " of byte " + at + " of record " + target;
                    if (!(chain instanceof VerifyResult.Broken broken) || broken.position() != target) {
                        fail(what + ": " + chain);
                        return;
                    }
                    assertEquals(verify(records, VerifyMode.DEEP), chain, what);
                }
            }
        }
    }

    /** Random ledgers with random damage: both modes give equal results, from genesis and ranged. */
    @Test
    void bothModesAgreeOnRandomDamage() {
        long seed = 0xC4A1;
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> good;
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            for (int i = 0; i < 60; i++) {
                ledger.append(EventEnvelopeTest.randomDraft(random));
            }
            good = ledger.exportRecords();
        }
        for (int m = 0; m < 300; m++) {
            List<byte[]> records = new ArrayList<>(good);
            int target = random.nextInt(records.size());
            byte[] r = records.get(target).clone();
            switch (random.nextInt(4)) {
                case 0 -> r[random.nextInt(r.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> r = Arrays.copyOf(r, random.nextInt(r.length));
                case 2 -> r[random.nextInt(r.length)] = (byte) random.nextInt(256);
                default -> records.remove(target);
            }
            if (records.size() == good.size()) {
                records.set(target, r);
            }
            try (InMemoryLedger ledger = InMemoryLedger.ofRecords(records)) {
                long from = random.nextInt(target + 1);
                String what = "seed " + seed + ", mutation " + m;
                assertEquals(ledger.verify(VerifyMode.DEEP), ledger.verify(VerifyMode.CHAIN), what);
                assertEquals(ledger.verify(from, records.size(), VerifyMode.DEEP), ledger.verify(from, records.size()), what);
            }
        }
    }

    /**
     * An intact result's head is the hash the checked chain ends at: the last checked entry's,
     * or for an empty range the hash the range starts from.
     */
    @Test
    void rangedHeadIsTheHashTheRangeEndsAt() {
        try (InMemoryLedger ledger = InMemoryLedgerTest.ledgerOf(10)) {
            for (VerifyMode mode : VerifyMode.values()) {
                assertEquals(new VerifyResult.Intact(0, 0, Hash.GENESIS), ledger.verify(0, 0, mode));
                assertEquals(new VerifyResult.Intact(5, 0, ledger.read(4).hash()), ledger.verify(5, 5, mode));
                assertEquals(new VerifyResult.Intact(10, 0, ledger.headHash()), ledger.verify(10, 10, mode));
                assertEquals(new VerifyResult.Intact(3, 4, ledger.read(6).hash()), ledger.verify(3, 7, mode));
                assertEquals(new VerifyResult.Intact(0, 10, ledger.headHash()), ledger.verify(mode));
            }
        }
        try (InMemoryLedger empty = InMemoryLedger.create()) {
            assertEquals(new VerifyResult.Intact(0, 0, Hash.GENESIS), empty.verify(VerifyMode.DEEP));
            assertEquals(new VerifyResult.Intact(0, 0, Hash.GENESIS), empty.verify());
        }
    }

    @Test
    void bothModesOnChronicle() {
        Path ledgerDir = dir.resolve("ledger");
        List<byte[]> records = new ArrayList<>();
        try (ChronicleLedger ledger = ChronicleLedger.open(ledgerDir)) {
            SplittableRandom random = new SplittableRandom(0x5EA1);
            for (int i = 0; i < 300; i++) {
                records.add(RecordCodec.encode(ledger.append(CrashChild.draft(random, i))));
            }
            VerifyResult chain = ledger.verify();
            assertEquals(new VerifyResult.Intact(0, 300, ledger.headHash()), chain);
            assertEquals(chain, ledger.verify(VerifyMode.DEEP));
            assertEquals(ledger.verify(100, 200, VerifyMode.DEEP), ledger.verify(100, 200));
        }
        try (ChronicleLedger ledger = ChronicleLedger.builder(ledgerDir).readOnly(true).open()) {
            assertEquals(ledger.verify(VerifyMode.DEEP), ledger.verify());
            assertTrue(ledger.verify().intact());
        }
        try (InMemoryLedger memory = InMemoryLedger.ofRecords(records)) {
            assertArrayEquals(records.get(299), memory.exportRecords().get(299));
            assertTrue(memory.verify().intact());
        }
    }
}
