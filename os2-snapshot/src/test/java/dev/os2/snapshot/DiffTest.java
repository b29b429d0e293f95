package dev.os2.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.kernel.Budget;
import dev.os2.kernel.GrantId;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Structural diffs between snapshots: what changed, classified, and agreeing with the states themselves. */
class DiffTest {

    @Test
    void theDiffNamesEveryChangeBySectionAndAspect() {
        KernelConfig config = Fixture.config(71);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            Fixture.submit(k, Fixture.WORK, "{\"cost\":5}");
            SnapshotState a = svc.create("a");
            k.runUntilIdle();
            k.execute(new KernelInput.GrantCapability("b", Fixture.WORK, GrantTerms.UNRESTRICTED.withTokenCeiling(9)));
            k.execute(new KernelInput.RevokeCapability(new GrantId(3)));
            k.execute(KernelInput.SubmitToken.of("a", Fixture.WORK, Fixture.json("{\"cost\":1}")).withBudget(Budget.ofTokens(1000)));
            k.execute(KernelInput.SubmitToken.of("nobody", Fixture.WORK, Fixture.json("{\"cost\":1}")));
            SnapshotState b = svc.create("b");
            StateDiff d = StateDiff.between(a.state(), b.state());
            assertEquals(StateDiff.between(a.state(), b.state()), d, "deterministic");
            Map<String, StateDiff.Delta> byKey = new TreeMap<>();
            d.deltas().forEach(x -> byKey.put(x.section() + "/" + x.key(), x));
            // The capability's usage counters moved (token t1 ran, 5 tokens charged).
            StateDiff.Delta cap = byKey.get("CAPABILITIES/" + Fixture.WORK);
            assertEquals(StateDiff.Change.CHANGED, cap.change());
            assertEquals(StateDiff.Aspect.USAGE, cap.aspect());
            assertEquals(List.of("invocations", "tokens"), cap.fields());
            // Grant 1 (a's grant of t.work) was used; grant 3 (a's t.flaky) revoked; grant 4 new.
            assertEquals(StateDiff.Aspect.USAGE, byKey.get("GRANTS/1").aspect());
            StateDiff.Delta revoked = byKey.get("GRANTS/3");
            assertEquals(StateDiff.Aspect.DEFINITION, revoked.aspect());
            assertTrue(revoked.fields().contains("status"), revoked.fields().toString());
            StateDiff.Delta added = byKey.get("GRANTS/4");
            assertEquals(StateDiff.Change.ADDED, added.change());
            assertNull(added.before());
            assertNotNull(added.after());
            // Token 1 completed (no longer live), token 2 is live, token 3 was rejected.
            assertEquals(StateDiff.Change.REMOVED, byKey.get("TOKENS/1").change());
            assertEquals(StateDiff.Change.ADDED, byKey.get("TOKENS/2").change());
            assertEquals(StateDiff.Change.ADDED, byKey.get("FINISHED/3").change());
            assertEquals("\"rejected\"", byKey.get("FINISHED/3").after().text());
            assertEquals(7, d.deltas().size(), d.toJson().text());
            Map<String, long[]> scalars = new TreeMap<>();
            d.scalars().forEach(s -> scalars.put(s.name(), new long[] {s.before(), s.after()}));
            assertEquals(a.state().clock(), scalars.get("clock")[0]);
            assertEquals(b.state().clock(), scalars.get("clock")[1]);
            assertTrue(scalars.containsKey("next_grant") && scalars.containsKey("counts.rejected") && scalars.containsKey("counts.completed"));
            // The reverse diff mirrors it, and a state against itself is empty.
            StateDiff back = StateDiff.between(b.state(), a.state());
            assertEquals(d.deltas().size(), back.deltas().size());
            assertTrue(StateDiff.between(b.state(), b.state()).isEmpty());
            assertTrue(d.toJson().text().contains("\"aspect\":\"usage\""));
        }
    }

    @Test
    void diffsOfRelatedAndOfUnrelatedStatesAgree() {
        // Snapshots of one kernel share structure; the same states read back from bundles share
        // nothing. The diff walks them differently and must report the same thing.
        SplittableRandom rnd = new SplittableRandom(72);
        KernelConfig config = Fixture.config(72);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            for (int i = 0; i < 300; i++) {
                k.execute(new KernelInput.GrantCapability("s" + i, Fixture.WORK, GrantTerms.UNRESTRICTED));
            }
            SnapshotState previous = svc.create("base");
            for (int round = 0; round < 20; round++) {
                int changes = 1 + rnd.nextInt(6);
                for (int c = 0; c < changes; c++) {
                    k.execute(rnd.nextBoolean() ? new KernelInput.RevokeCapability(new GrantId(4 + rnd.nextInt(300)))
                            : KernelInput.SubmitToken.of("s" + rnd.nextInt(300), Fixture.WORK, Fixture.json("{\"cost\":2}")));
                }
                if (rnd.nextBoolean()) {
                    k.step();
                }
                SnapshotState next = svc.create("round-" + round);
                StateDiff related = StateDiff.between(previous.state(), next.state());
                KernelState fromBundleA = SnapshotBundle.decode(SnapshotBundle.encode(previous), null).state();
                KernelState fromBundleB = SnapshotBundle.decode(SnapshotBundle.encode(next), null).state();
                assertEquals(related, StateDiff.between(fromBundleA, fromBundleB), "round " + round);
                assertTrue(related.deltas().size() <= 3 * changes + 3, "round " + round + ": " + related.deltas().size() + " deltas");
                previous = next;
            }
        }
    }
}
