package dev.os2.snapshot;

import static dev.os2.snapshot.Fixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.InvalidInputException;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Taking, keeping and restoring snapshots of a live kernel, and the kernel seams they rest on. */
class SnapshotServiceTest {

    @TempDir
    Path dir;

    @Test
    void createRecordsTheSnapshotAndCapturesTheStateAtItsEntry() {
        KernelConfig config = Fixture.config(7);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, SnapshotStore.at(dir), SnapshotPolicy.MANUAL)) {
            Fixture.submit(k, Fixture.WORK, "{\"cost\":10}");
            k.runUntilIdle();
            KernelState before = k.state();
            SnapshotState s = svc.create("first");
            EventEnvelope created = ledger.read(s.position());
            assertEquals(KernelEvents.SNAPSHOT_CREATED, created.kind());
            assertEquals("create_snapshot", ledger.read(s.position() - 1).kind());
            assertEquals(ledger.size() - 1, s.position(), "the snapshot belongs to the head at the time");
            assertEquals(created.hash(), s.header().headHash());
            assertEquals(ledger.chainId().orElseThrow(), s.header().chainId());
            assertEquals("s" + s.position(), s.id().toString());
            assertEquals("first", s.label());
            assertEquals(before.clock(), s.timestamp());
            assertEquals(before.stateHash(), s.header().stateHash(), "taking a snapshot does not change the state");
            assertEquals(before.stateHash(), k.state().stateHash());
            assertEquals(s.header().stateHash().toHex(), created.payload().toJsonNode().get("state_hash").asText());
            assertEquals(KernelState.FORMAT, s.header().stateFormat());
            assertEquals(KernelEvents.FORMAT, s.header().eventFormat());
            // Written to the store and read back equal.
            SnapshotState read = SnapshotStore.at(dir).read(s.id());
            assertEquals(s.header(), read.header());
            assertEquals(s.state().toJson(), read.state().toJson());
        }
    }

    @Test
    void aSnapshotRequestedDuringARunIsTakenWhenTheRunEnds() {
        KernelConfig config = Fixture.config(8);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.CHECKPOINTS)) {
            long from = ledger.size();
            Fixture.submit(k, Fixture.WORK, "{\"cost\":6,\"checkpoint\":\"mid\"}");
            k.runUntilIdle();
            List<String> kinds = Fixture.kinds(ledger, from);
            assertEquals(List.of("submit_token", "token_scheduled", "token_started", "charge", "custom.half", "checkpoint_requested",
                    "create_snapshot", "charge", "token_completed", KernelEvents.SNAPSHOT_CREATED), kinds);
            assertEquals(1, svc.taken().size());
            SnapshotState s = svc.taken().get(0);
            assertEquals("mid", s.label());
            assertEquals(ledger.size() - 1, s.position());
            assertEquals(0, s.state().liveTokenCount(), "the state is taken between steps, after the run");
            assertEquals(k.state().stateHash(), s.header().stateHash());
        }
    }

    @Test
    void thePolicyTakesASnapshotEveryNEntries() {
        KernelConfig config = Fixture.config(9);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL.withEveryEntries(20))) {
            for (int i = 0; i < 30; i++) {
                Fixture.submit(k, Fixture.WORK, "{\"cost\":" + i + "}");
                k.runUntilIdle();
            }
            List<SnapshotState> taken = svc.taken();
            assertTrue(taken.size() >= 8, "taken: " + taken.size());
            long previous = -1;
            for (SnapshotState s : taken) {
                assertEquals(KernelEvents.SNAPSHOT_CREATED, ledger.read(s.position()).kind());
                if (previous >= 0) {
                    long gap = s.position() - previous;
                    assertTrue(gap >= 20 && gap <= 30, "gap " + gap);
                }
                previous = s.position();
            }
            // The requests are recorded inputs: a replay without the service reproduces them.
            assertEquals(k.state().stateHash(), Kernel.replay(config, ledger, null, 0).stateHash());
        }
    }

    @Test
    void restoreRollsBackAndTheLedgerRecordsIt() {
        KernelConfig config = Fixture.config(10);
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            Fixture.submit(k, Fixture.WORK, "{\"cost\":3}");
            SnapshotState s = svc.create("before");
            assertEquals(1, s.state().liveTokenCount(), "a queued token is part of the state");
            k.runUntilIdle();
            Fixture.submit(k, Fixture.WORK, "{\"cost\":5}");
            k.runUntilIdle();
            assertNotEquals(s.header().stateHash(), k.state().stateHash());
            SnapshotService.RestoreResult r = svc.restore(s);
            SnapshotService.RestoreResult.Restored restored = assertInstanceOf(SnapshotService.RestoreResult.Restored.class, r);
            assertEquals(s.header().stateHash(), k.state().stateHash());
            EventEnvelope e = ledger.read(restored.response().position());
            assertEquals("restore_snapshot", e.kind());
            assertEquals(s.id().toString(), e.payload().toJsonNode().get("snapshot").asText());
            assertEquals(s.position(), e.payload().toJsonNode().get("position").asLong());
            // The queued token is live again and runs as it did the first time.
            k.runUntilIdle();
            assertEquals(0, k.state().liveTokenCount());
            // The ledger with its rollback replays from genesis, and a kernel recovers from it.
            KernelState end = k.state();
            assertEquals(end.stateHash(), Kernel.replay(config, ledger, null, 0).stateHash());
        }
        try (Ledger ledger = InMemoryLedger.create()) {
            // Recovery over a rollback: build the same history, then recover a second kernel from it.
            KernelState expected;
            try (Kernel k = Fixture.kernel(config, ledger); SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
                SnapshotState s = svc.create("x");
                Fixture.submit(k, Fixture.WORK, "{\"cost\":2}");
                k.runUntilIdle();
                svc.restore(s);
                expected = k.state();
            }
            try (Kernel recovered = Kernel.recover(config, ledger)) {
                assertEquals(expected.stateHash(), recovered.state().stateHash());
                Fixture.submit(recovered, Fixture.WORK, "{\"cost\":2}");
                recovered.runUntilIdle();
            }
        }
    }

    @Test
    void restoreRefusesASnapshotOfAnotherLedgerAndChangesNothing() {
        KernelConfig config = Fixture.config(11);
        SnapshotState foreign;
        try (Ledger other = InMemoryLedger.create(); Kernel k = Fixture.kernel(Fixture.config(12), other);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            foreign = svc.create("elsewhere");
        }
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Fixture.kernel(config, ledger);
                SnapshotService svc = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
            long size = ledger.size();
            SnapshotService.RestoreResult r = svc.restore(foreign);
            SnapshotService.RestoreResult.Refused refused = assertInstanceOf(SnapshotService.RestoreResult.Refused.class, r);
            assertEquals(SnapshotVerification.Reason.OTHER_LEDGER, refused.verdict().reason());
            assertEquals(size, ledger.size());
            // The kernel itself refuses another kernel's state (another seed) as misuse, recording nothing.
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> k.execute(
                    new KernelInput.RestoreSnapshot(foreign.id().toString(), foreign.position(), foreign.state())));
            assertTrue(e.getMessage().contains("seed"), e.getMessage());
            assertEquals(size, ledger.size());
        }
    }

    @Test
    void aRestoreOfferedDuringARunIsRefusedAndRecordsNothing() {
        AtomicReference<Kernel> kernel = new AtomicReference<>();
        AtomicReference<KernelState> initial = new AtomicReference<>();
        AtomicReference<CompletableFuture<KernelResponse>> offered = new AtomicReference<>();
        KernelConfig config = KernelConfig.builder().seed(13)
                .capability(CapabilityDescriptor.builder("t.restorer").description("offers a restore").build(), (ctx, args) -> {
                    offered.set(kernel.get().offer(new KernelInput.RestoreSnapshot("s0", 0, initial.get())));
                    ctx.chargeTokens(1);
                    return json("{}");
                })
                .build();
        try (Ledger ledger = InMemoryLedger.create(); Kernel k = Kernel.create(config, ledger)) {
            kernel.set(k);
            initial.set(k.state());
            k.execute(new KernelInput.GrantCapability("a", "t.restorer", GrantTerms.UNRESTRICTED));
            k.execute(KernelInput.SubmitToken.of("a", "t.restorer", json("{}")));
            long size = ledger.size();
            k.runUntilIdle();
            ExecutionException e = assertThrows(ExecutionException.class, () -> offered.get().get());
            InvalidInputException cause = assertInstanceOf(InvalidInputException.class, e.getCause());
            assertEquals(InvalidInputException.Reason.NOT_ALLOWED, cause.reason());
            assertEquals(List.of("token_started", "charge", "token_completed"), Fixture.kinds(ledger, size));
        }
    }
}
