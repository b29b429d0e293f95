package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.os2.ledger.VerifyResult.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tamper corpus: a ledger of 3,000 entries with varied payloads of about 200 bytes, and at least
 * 10,000 seeded random mutations of its stored records (bit flips in every field, deletions,
 * duplicates, swaps, cuts mid-record, appended garbage, zeroed tails). Each damaged ledger is
 * loaded with {@link InMemoryLedger#ofRecords} and verified; verification must report it broken
 * at exactly the first bad position, which the test derives from the mutation alone.
 *
 * <p>Every mutation is verified from genesis with the default {@link Ledger#verify()}, the chain
 * check on the stored bytes. Every {@value #RANGED_EVERY}th is also verified with a ranged verify
 * that starts a random distance (up to {@value #WINDOW}) before the first bad position, and every
 * {@value #DEEP_EVERY}th also from genesis in {@link Ledger.VerifyMode#DEEP} mode, which must give
 * exactly the same result (with {@code -Dos2.stress=true}, every mutation is verified both ways).
 * A failure prints the master seed, the mutation number and what the mutation did;
 * {@code -Dos2.tamper.seed=N} reruns a seed.
 */
class RecordTamperCorpusTest {

    private static final int ENTRIES = 3_000;
    private static final int MUTATIONS = 10_000;
    private static final int WINDOW = 16;
    private static final int RANGED_EVERY = 10;
    private static final int DEEP_EVERY = 100;
    private static final boolean STRESS = Boolean.getBoolean("os2.stress");
    private static final long SEED = Long.getLong("os2.tamper.seed", 0x7A3BE5L);

    /** What a mutation does to the stored records. */
    enum Kind {
        BIT_FLIP, DELETE, DUPLICATE, SWAP, TRUNCATE, APPEND_GARBAGE, ZERO_TAIL
    }

    /** A damaged copy of the records, and the first position verification must name. */
    record Mutation(Kind kind, String description, List<byte[]> records, long firstBad, Set<Problem> problems) {
    }

    private static List<byte[]> records;
    private static Hash head;

    @BeforeAll
    static void buildLedger() {
        SplittableRandom random = new SplittableRandom(SEED);
        try (InMemoryLedger ledger = InMemoryLedger.create()) {
            String[] kinds = {"token.scheduled", "token.started", "token.completed", "capability.granted",
                "capability.revoked", "snapshot_created", "resource_budget_exceeded"};
            long virtualTime = 0;
            long payloadBytes = 0;
            for (int i = 0; i < ENTRIES; i++) {
                virtualTime += random.nextInt(100);
                String kind = kinds[random.nextInt(kinds.length)];
                String capability = random.nextInt(4) == 0 ? null : "cap." + kinds[random.nextInt(kinds.length)].replace('_', '-') + ":" + random.nextInt(50);
                CanonicalJson payload = payload(random, i);
                payloadBytes += payload.utf8Length();
                ledger.append(new EventDraft(kind, capability, virtualTime, payload, random.nextInt(10) == 0 ? "ext-" + i : null));
            }
            records = ledger.exportRecords();
            head = ledger.headHash();
            assertTrue(ledger.verify().intact());
            double meanPayload = (double) payloadBytes / ENTRIES;
            assertTrue(meanPayload > 150 && meanPayload < 260, "payloads should average about 200 bytes, got " + meanPayload);
        }
    }

    /** About 200 bytes of JSON with nesting, numbers of every form, escapes and non-ASCII text. */
    static CanonicalJson payload(SplittableRandom random, int i) {
        StringBuilder note = new StringBuilder();
        String[] words = {"budget", "grant", "r\u00e9sum\u00e9", "\u20ac12", "\u65e5\u672c", "tab\t", "quote\"", "line\n", "\uD83D\uDE02", "x"};
        int n = random.nextInt(6, 20);
        for (int w = 0; w < n; w++) {
            note.append(words[random.nextInt(words.length)]).append(' ');
        }
        String json = "{\"step\":" + i
                + ",\"agent\":\"agent-" + random.nextInt(1000) + "\""
                + ",\"cost\":" + random.nextDouble() * Math.pow(10, random.nextInt(-8, 25))
                + ",\"tokens\":" + random.nextLong(0, 1L << 53)
                + ",\"ok\":" + random.nextBoolean()
                + ",\"note\":" + CanonicalJson.ofString(note.toString()).text()
                + ",\"tags\":[" + random.nextInt(10) + ",null,{\"k\":\"v" + random.nextInt(100) + "\"}]}";
        return CanonicalJson.parse(json);
    }

    @Test
    void everyMutationIsFoundAtItsFirstBadPosition() {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        Map<Problem, Integer> problems = new EnumMap<>(Problem.class);
        int rangedVerifies = 0;
        int deepVerifies = 0;
        for (int m = 0; m < MUTATIONS; m++) {
            long mutationSeed = SEED * 0x9E3779B97F4A7C15L + m;
            SplittableRandom random = new SplittableRandom(mutationSeed);
            Mutation mutation = mutate(random);
            counts.merge(mutation.kind(), 1, Integer::sum);
            boolean ranged = STRESS || m % RANGED_EVERY == 0;
            boolean deep = STRESS || m % DEEP_EVERY == 0;
            long from = Math.max(0, mutation.firstBad() - random.nextInt(WINDOW + 1));
            VerifyResult result;
            try (InMemoryLedger ledger = InMemoryLedger.ofRecords(mutation.records())) {
                result = ledger.verify();
                assertBrokenAt(m, mutationSeed, mutation, 0, result);
                if (ranged) {
                    rangedVerifies++;
                    assertBrokenAt(m, mutationSeed, mutation, from, ledger.verify(from, mutation.records().size()));
                }
                if (deep) {
                    deepVerifies++;
                    VerifyResult deepResult = ledger.verify(Ledger.VerifyMode.DEEP);
                    if (!deepResult.equals(result)) {
                        fail(failure(m, mutationSeed, mutation, 0) + ": the chain check says " + result + " but the deep check "
                                + deepResult);
                    }
                }
            } catch (RuntimeException e) {
                throw new AssertionError(failure(m, mutationSeed, mutation, 0) + " threw " + e, e);
            }
            problems.merge(((VerifyResult.Broken) result).problem(), 1, Integer::sum);
        }
        System.out.println("tamper corpus: seed " + SEED + ", " + MUTATIONS + " mutations " + counts + ", problems " + problems
                + ", all verified from genesis, " + rangedVerifies + " also ranged, " + deepVerifies + " also deep");
        for (Kind kind : Kind.values()) {
            assertTrue(counts.getOrDefault(kind, 0) >= MUTATIONS / Kind.values().length / 2,
                    "too few " + kind + " mutations ran: " + counts);
        }
    }

    private static void assertBrokenAt(int m, long mutationSeed, Mutation mutation, long from, VerifyResult result) {
        if (!(result instanceof VerifyResult.Broken broken)
                || broken.position() != mutation.firstBad()
                || broken.verifiedEntries() != mutation.firstBad() - from
                || !mutation.problems().contains(broken.problem())) {
            fail(failure(m, mutationSeed, mutation, from) + ": expected broken at " + mutation.firstBad()
                    + " with one of " + mutation.problems() + ", got " + result);
        }
    }

    private static String failure(int m, long mutationSeed, Mutation mutation, long from) {
        return "seed " + SEED + ", mutation #" + m + " (seed " + mutationSeed + "): " + mutation.kind() + " " + mutation.description()
                + (from > 0 ? ", verified from " + from : ", verified from genesis");
    }

    /** One random mutation of the corpus; the records it returns share untouched arrays with it. */
    static Mutation mutate(SplittableRandom random) {
        int n = records.size();
        List<byte[]> out = new ArrayList<>(records);
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        switch (kind) {
            case BIT_FLIP -> {
                int i = random.nextInt(n);
                byte[] r = out.get(i).clone();
                // Aim at each field: the version byte, the stored hash, the canonical bytes.
                int region = random.nextInt(8);
                int at = region == 0 ? 0 : region <= 3 ? random.nextInt(1, RecordCodec.HEADER_BYTES) : random.nextInt(RecordCodec.HEADER_BYTES, r.length);
                int bit = random.nextInt(8);
                r[at] ^= (byte) (1 << bit);
                out.set(i, r);
                String field = at == 0 ? "version byte" : at < RecordCodec.HEADER_BYTES ? "hash" : "canonical bytes";
                return new Mutation(kind, "flip bit " + bit + " of byte " + at + " (" + field + ") of record " + i, out, i,
                        EnumSet.of(Problem.HASH_MISMATCH, Problem.BROKEN_LINK, Problem.GAP, Problem.DUPLICATE,
                                Problem.UNREADABLE_RECORD, Problem.TRUNCATED_ENTRY));
            }
            case DELETE -> {
                // Deleting the last record leaves a shorter valid chain; only a recorded head can
                // expose that (see deletingTheLastEntryNeedsAKnownHead).
                int i = random.nextInt(n - 1);
                out.remove(i);
                return new Mutation(kind, "delete record " + i, out, i, EnumSet.of(Problem.GAP));
            }
            case DUPLICATE -> {
                int i = random.nextInt(n);
                out.add(i + 1, out.get(i).clone());
                return new Mutation(kind, "duplicate record " + i, out, i + 1, EnumSet.of(Problem.DUPLICATE));
            }
            case SWAP -> {
                int i = random.nextInt(n - 1);
                int j = random.nextInt(i + 1, n);
                byte[] a = out.get(i);
                out.set(i, out.get(j));
                out.set(j, a);
                return new Mutation(kind, "swap records " + i + " and " + j, out, i, EnumSet.of(Problem.GAP));
            }
            case TRUNCATE -> {
                int i = random.nextInt(n);
                byte[] r = out.get(i);
                int length = random.nextInt(r.length);
                List<byte[]> cut = new ArrayList<>(out.subList(0, i));
                cut.add(Arrays.copyOf(r, length));
                return new Mutation(kind, "cut record " + i + " to " + length + " of " + r.length + " bytes and drop the rest",
                        cut, i, EnumSet.of(Problem.TRUNCATED_ENTRY));
            }
            case APPEND_GARBAGE -> {
                byte[] garbage;
                String what;
                switch (random.nextInt(3)) {
                    case 0 -> {
                        garbage = new byte[random.nextInt(1, 600)];
                        for (int b = 0; b < garbage.length; b++) {
                            garbage[b] = (byte) random.nextInt(256);
                        }
                        garbage[0] = random.nextBoolean() ? RecordCodec.RECORD_VERSION : garbage[0];
                        what = garbage.length + " random bytes";
                    }
                    case 1 -> {
                        int k = random.nextInt(n);
                        garbage = out.get(k).clone();
                        what = "a replay of record " + k;
                    }
                    default -> {
                        // A well-formed entry that claims the next position but links elsewhere.
                        EventEnvelope fake = EventEnvelope.seal(n, EventEnvelopeTest.randomHash(random),
                                EventEnvelopeTest.randomDraft(random));
                        garbage = RecordCodec.encode(fake);
                        what = "a sealed entry at position " + n + " with a foreign prev_hash";
                    }
                }
                out.add(garbage);
                return new Mutation(kind, "append " + what, out, n, EnumSet.allOf(Problem.class));
            }
            case ZERO_TAIL -> {
                int k = random.nextInt(4) == 0 ? random.nextInt(1, n + 1) : random.nextInt(1, 64);
                for (int i = n - k; i < n; i++) {
                    out.set(i, new byte[out.get(i).length]);
                }
                return new Mutation(kind, "zero the last " + k + " records", out, n - k, EnumSet.of(Problem.UNREADABLE_RECORD));
            }
        }
        throw new AssertionError("unreachable");
    }

    @Test
    void theCorpusIsIntactBeforeMutation() {
        try (InMemoryLedger ledger = InMemoryLedger.ofRecords(records)) {
            VerifyResult.Intact intact = assertInstanceOf(VerifyResult.Intact.class, ledger.verify());
            assertEquals(ENTRIES, intact.verifiedEntries());
            assertEquals(head, intact.head());
            assertEquals(head, ledger.headHash());
        }
    }

    /**
     * Dropping whole entries from the end leaves a valid, shorter chain: verification of the
     * records alone cannot tell, so the head must be compared with one known from elsewhere (the
     * Chronicle store's sealed head, or a signed checkpoint).
     */
    @Test
    void deletingTheLastEntryNeedsAKnownHead() {
        try (InMemoryLedger shorter = InMemoryLedger.ofRecords(records.subList(0, ENTRIES - 1))) {
            assertTrue(shorter.verify().intact());
            assertNotEquals(head, shorter.headHash());
            assertEquals(ENTRIES - 1, shorter.size());
        }
    }
}
