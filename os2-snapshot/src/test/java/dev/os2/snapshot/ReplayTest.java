package dev.os2.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay from a snapshot or from genesis in a scratch state machine: identical runs say so with the
 * position and head; strict replay names the first entry a lying "deterministic" handler changed;
 * --until stops anywhere, progress is reported; rollbacks replay too.
 */
class ReplayTest {

    @TempDir
    Path dir;

    /** A run with snapshots along the way; returns them. */
    private static List<SnapshotState> run(Kernel k, SnapshotService svc, int rounds) {
        List<SnapshotState> snapshots = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Fixture.submit(k, Fixture.WORK, "{\"cost\":" + (i * 7 % 11) + "}");
            Fixture.submit(k, Fixture.OUTER, "{\"cost\":" + i + "}");
            if (i % 3 == 1) {
                snapshots.add(svc.create("round-" + i));
            }
            k.step();
        }
        k.runUntilIdle();
        return snapshots;
    }

    @Test
    void replayFromEverySnapshotAndFromGenesisIsIdentical() {
        KernelConfig config = Fixture.config(61);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            List<SnapshotState> snapshots = run(k, svc, 12);
            KernelState end = k.state();
            long last = ledger.size() - 1;
            for (SnapshotState s : snapshots) {
                ReplayOutcome o = SnapshotReplay.replay(config, ledger, s, SnapshotReplay.Request.DEFAULT);
                ReplayOutcome.Identical same = assertInstanceOf(ReplayOutcome.Identical.class, o, o.summary());
                assertEquals(last, same.throughPosition());
                assertEquals(ledger.headHash(), same.head());
                assertEquals(end.stateHash(), same.stateHash());
                assertEquals(s.position() + 1, same.firstPosition());
                assertTrue(same.summary().startsWith("identical through position " + last + ", head " + ledger.headHash().toHex()), same.summary());
            }
            ReplayOutcome.Identical genesis = assertInstanceOf(ReplayOutcome.Identical.class,
                    SnapshotReplay.replay(config, ledger, null, SnapshotReplay.Request.DEFAULT.withStrict(true)));
            assertNull(genesis.from());
            assertEquals(0, genesis.firstPosition());
            assertEquals(end.stateHash(), genesis.stateHash());
            assertTrue(genesis.strict());
        }
    }

    @Test
    void untilStopsAtAnyPositionAndProgressIsReported() {
        KernelConfig config = Fixture.config(62);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            SnapshotState s = run(k, svc, 6).get(0);
            for (long until = s.position(); until < ledger.size(); until++) {
                List<long[]> progress = new ArrayList<>();
                SnapshotReplay.Request r = SnapshotReplay.Request.DEFAULT.until(until).withStrict(until % 2 == 0)
                        .withProgress((position, end) -> progress.add(new long[] {position, end}));
                ReplayOutcome.Identical o = assertInstanceOf(ReplayOutcome.Identical.class, SnapshotReplay.replay(config, ledger, s, r));
                assertEquals(until, o.throughPosition());
                assertEquals(ledger.read(until).hash(), o.head());
                assertEquals(until - s.position(), o.entries());
                assertTrue(!progress.isEmpty(), "progress is reported");
                long previous = -1;
                for (long[] p : progress) {
                    assertTrue(p[0] >= previous && p[0] <= until + 1 && p[1] == until + 1, "progress " + p[0] + "/" + p[1]);
                    previous = p[0];
                }
            }
            assertThrows(IllegalArgumentException.class,
                    () -> SnapshotReplay.replay(config, ledger, s, SnapshotReplay.Request.DEFAULT.until(s.position() - 1)));
        }
    }

    @Test
    void strictReplayNamesTheFirstEntryANonDeterministicHandlerChanged() {
        AtomicLong flaky = new AtomicLong();
        KernelConfig config = Fixture.config(63, flaky);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            SnapshotState s = svc.create("start");
            Fixture.submit(k, Fixture.WORK, "{\"cost\":4}");
            Fixture.submit(k, Fixture.FLAKY, "{}");
            Fixture.submit(k, Fixture.WORK, "{\"cost\":2}");
            k.runUntilIdle();
            // The flaky handler's first entry that depends on its hidden counter: its custom.call event.
            EventEnvelope firstChanged = Fixture.entries(ledger, 0).stream().filter(e -> e.kind().equals("custom.call")).findFirst().orElseThrow();
            // Not strict: handlers are not called, their recorded outcomes are used; identical.
            assertInstanceOf(ReplayOutcome.Identical.class, SnapshotReplay.replay(config, ledger, s, SnapshotReplay.Request.DEFAULT));
            // Strict: the flaky handler runs again, its counter is now 2, and the replay names exactly that entry.
            ReplayOutcome o = SnapshotReplay.replay(config, ledger, s, SnapshotReplay.Request.DEFAULT.withStrict(true));
            ReplayOutcome.Diverged d = assertInstanceOf(ReplayOutcome.Diverged.class, o, o.summary());
            assertEquals(firstChanged.position(), d.position());
            assertEquals(firstChanged, d.recorded());
            assertNotNull(d.replayed());
            assertEquals(firstChanged.hash(), d.recordedHash());
            assertEquals("custom.call", d.replayed().kind());
            assertTrue(d.replayed().payload().text().contains("\"n\":2"), d.replayed().payload().text());
            assertTrue(d.summary().startsWith("diverged at position " + firstChanged.position()), d.summary());
            // Until just before it, even strict replay is identical.
            assertInstanceOf(ReplayOutcome.Identical.class, SnapshotReplay.replay(config, ledger, s,
                    SnapshotReplay.Request.DEFAULT.withStrict(true).until(firstChanged.position() - 1)));
        }
    }

    @Test
    void aRewrittenLedgerDivergesAtTheRewrittenEntry() {
        KernelConfig config = Fixture.config(64);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            SnapshotState s = run(k, svc, 6).get(0);
            // A forger re-hashes the whole chain after changing one recorded handler result.
            List<EventEnvelope> all = Fixture.entries(ledger, 0);
            EventEnvelope target = all.stream().filter(e -> e.position() > s.position() && e.kind().equals("token_completed"))
                    .findFirst().orElseThrow();
            try (InMemoryLedger forged = InMemoryLedger.create()) {
                for (EventEnvelope e : all) {
                    dev.os2.ledger.CanonicalJson payload = e.position() == target.position()
                            ? dev.os2.ledger.CanonicalJson.parse(e.payload().text().replace("\"result\":", "\"result\":{\"forged\":true},\"was\":"))
                            : e.payload();
                    forged.append(new dev.os2.ledger.EventDraft(e.kind(), e.capabilityId(), e.virtualTime(), payload, e.eventId()));
                }
                ReplayOutcome.Diverged d = assertInstanceOf(ReplayOutcome.Diverged.class,
                        SnapshotReplay.replay(config, forged, s, SnapshotReplay.Request.DEFAULT));
                // The snapshot still belongs to the forged chain (it was rewritten after it); the
                // replay reproduces the handler's recorded result, whose entry is exactly the forged one.
                assertEquals(target.position(), d.position());
                assertEquals(forged.read(target.position()), d.recorded());
            }
        }
    }

    @Test
    void aSnapshotOfAnotherLedgerIsRefused() {
        SnapshotState foreign;
        try (Ledger other = InMemoryLedger.create(); Kernel k = Fixture.kernel(Fixture.config(65), other);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            foreign = svc.create("x");
        }
        KernelConfig config = Fixture.config(66);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger)) {
            Fixture.submit(k, Fixture.WORK, "{\"cost\":1}");
            k.runUntilIdle();
            ReplayOutcome.Refused r = assertInstanceOf(ReplayOutcome.Refused.class,
                    SnapshotReplay.replay(config, ledger, foreign, SnapshotReplay.Request.DEFAULT));
            assertEquals(SnapshotVerification.Reason.OTHER_LEDGER, r.verdict().reason());
        }
    }

    @Test
    void rollbacksReplayFromGenesisAndFromLaterSnapshotsWithTheStore() {
        KernelConfig config = Fixture.config(67);
        SnapshotStore store = SnapshotStore.at(dir);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, store, SnapshotPolicy.MANUAL)) {
            SnapshotState early = run(k, svc, 4).get(0);
            SnapshotState later = svc.create("later");
            assertInstanceOf(SnapshotService.RestoreResult.Restored.class, svc.restore(early));
            run(k, svc, 3);
            KernelState end = k.state();
            assertEquals(end.stateHash(), assertInstanceOf(ReplayOutcome.Identical.class,
                    SnapshotReplay.replay(config, ledger, null, SnapshotReplay.Request.DEFAULT)).stateHash());
            // From a snapshot after the one restored, the replay needs the store to find it.
            ReplayOutcome.Diverged missing = assertInstanceOf(ReplayOutcome.Diverged.class,
                    SnapshotReplay.replay(config, ledger, later, SnapshotReplay.Request.DEFAULT));
            assertEquals("restore_snapshot", missing.recorded().kind());
            assertTrue(missing.problem().contains(early.id().toString()), missing.problem());
            assertEquals(end.stateHash(), assertInstanceOf(ReplayOutcome.Identical.class,
                    SnapshotReplay.replay(config, ledger, later, SnapshotReplay.Request.DEFAULT.withStore(store))).stateHash());
        }
    }
}
