package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two stores give the same envelopes, records, hashes and heads for the same appends. */
class StoreEquivalenceTest {

    private static final long SEED = 0x05_2024_1EDL;

    @TempDir
    Path dir;

    static List<EventEnvelope> all(Stream<EventEnvelope> entries) {
        try (entries) {
            return entries.toList();
        }
    }

    @Test
    void sameAppendsGiveSameEnvelopesRecordsAndHeads() {
        SplittableRandom drafts = new SplittableRandom(SEED);
        try (InMemoryLedger memory = InMemoryLedger.create();
                ChronicleLedger chronicle = ChronicleLedger.open(dir.resolve("ledger"))) {
            for (int i = 0; i < 700; i++) {
                EventDraft draft = CrashChild.draft(drafts, i);
                EventEnvelope sealed = EventEnvelope.seal(i, memory.headHash(), draft);
                EventEnvelope a = memory.append(draft);
                EventEnvelope b = chronicle.append(draft);
                assertEquals(sealed, a, "seed " + SEED + ", entry " + i + ": an append is EventEnvelope.seal");
                assertEquals(a, b, "seed " + SEED + ", entry " + i);
                assertArrayEquals(RecordCodec.encode(a), RecordCodec.encode(b));
                assertEquals(memory.headHash(), chronicle.headHash());
            }
            assertEquals(memory.size(), chronicle.size());
            assertEquals(memory.head(), chronicle.head());
            assertEquals(memory.chainId(), chronicle.chainId());
            assertEquals(all(memory.entries(0)), all(chronicle.entries(0)));
            assertEquals(all(memory.entries(333)), all(chronicle.entries(333)));
            assertEquals(memory.verify(), chronicle.verify());
            assertEquals(memory.verify(100, 555), chronicle.verify(100, 555));
            Hash since = memory.read(420).hash();
            assertEquals(all(memory.entriesSince(since)), all(chronicle.entriesSince(since)));
            // The stored records are the same bytes: either store reads the other's.
            List<byte[]> records = new ArrayList<>();
            for (long p = 0; p < chronicle.size(); p++) {
                records.add(RecordCodec.encode(chronicle.read(p)));
            }
            List<byte[]> exported = memory.exportRecords();
            for (int p = 0; p < records.size(); p++) {
                assertArrayEquals(exported.get(p), records.get(p));
            }
        }
    }

    @Test
    void reopenContinuesTheChain() {
        SplittableRandom drafts = new SplittableRandom(SEED + 1);
        SplittableRandom breaks = new SplittableRandom(SEED + 2);
        Path path = dir.resolve("ledger");
        try (InMemoryLedger memory = InMemoryLedger.create()) {
            int appended = 0;
            for (int session = 0; session < 6; session++) {
                try (ChronicleLedger chronicle = ChronicleLedger.open(path)) {
                    assertEquals(appended, chronicle.size(), "seed " + SEED + ", session " + session);
                    assertEquals(memory.headHash(), chronicle.headHash());
                    assertInstanceOf(VerifyResult.Intact.class, chronicle.verify());
                    int n = breaks.nextInt(0, 300);
                    for (int i = 0; i < n; i++) {
                        EventDraft draft = CrashChild.draft(drafts, appended);
                        assertEquals(memory.append(draft), chronicle.append(draft));
                        appended++;
                    }
                }
            }
            try (ChronicleLedger chronicle = ChronicleLedger.builder(path).readOnly(true).open()) {
                assertEquals(memory.size(), chronicle.size());
                assertEquals(memory.headHash(), chronicle.headHash());
                VerifyResult result = chronicle.verify();
                assertTrue(result.intact(), result.toString());
                assertEquals(memory.verify(), result);
                assertEquals(all(memory.entries(0)), all(chronicle.entries(0)));
            }
        }
    }
}
