package dev.os2.kernel;

import static dev.os2.kernel.Fixture.cap;
import static dev.os2.kernel.Fixture.json;
import static dev.os2.kernel.Fixture.last;
import static dev.os2.kernel.Fixture.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventEnvelope;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Order: priority, then FIFO by id; dependencies, their failures and cycles. */
class SchedulerTest {

    private final List<Long> ran = new ArrayList<>();

    private Kernel kernel() {
        KernelConfig config = KernelConfig.builder()
                .capability(cap("job.run"), (ctx, args) -> {
                    ran.add(ctx.token().value());
                    if (args.toJsonNode().path("fail").asBoolean()) {
                        throw new IllegalStateException("asked to fail");
                    }
                    return CanonicalJson.NULL;
                }).build();
        Kernel k = Kernel.create(config);
        Fixture.grant(k, "alice", "job.run");
        return k;
    }

    private static TokenId submit(Kernel k, int priority, TokenRef... deps) {
        return k.execute(KernelInput.SubmitToken.of("alice", "job.run", CanonicalJson.EMPTY_OBJECT)
                .withPriority(priority).withDependencies(deps)).tokenId();
    }

    @Test
    void higherPriorityFirstThenFifoWithinAPriority() {
        try (Kernel k = kernel()) {
            SplittableRandom rnd = new SplittableRandom(42);
            // The reference model: a PriorityQueue ordered by (priority descending, id ascending).
            PriorityQueue<long[]> model = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
            for (int i = 0; i < 300; i++) {
                int p = rnd.nextInt(5) - 2;
                model.add(new long[] {p, submit(k, p).value()});
                if (rnd.nextInt(4) == 0) {
                    k.step();
                    ran.remove(ran.size() - 1);
                    model.poll();
                }
            }
            List<Long> expected = new ArrayList<>();
            while (!model.isEmpty()) {
                expected.add(model.poll()[1]);
            }
            k.runUntilIdle();
            assertEquals(expected, ran);
        }
    }

    @Test
    void extremePrioritiesKeepTheirOrder() {
        try (Kernel k = kernel()) {
            TokenId low = submit(k, KernelInput.SubmitToken.MIN_PRIORITY);
            TokenId high = submit(k, KernelInput.SubmitToken.MAX_PRIORITY);
            TokenId mid = submit(k, 0);
            k.runUntilIdle();
            assertEquals(List.of(high.value(), mid.value(), low.value()), ran);
        }
    }

    @Test
    void aTokenWaitsForItsDependencies() {
        try (Kernel k = kernel()) {
            TokenId a = submit(k, 0);
            TokenId b = submit(k, 0);
            TokenId c = submit(k, 100, a, b);
            assertEquals(KernelToken.Status.WAITING, k.state().token(c).orElseThrow().status());
            assertEquals(2, payload(last(k, KernelEvents.TOKEN_SCHEDULED)).get("waiting").asInt());
            k.runUntilIdle();
            // Despite its priority, c runs after both of its dependencies.
            assertEquals(List.of(a.value(), b.value(), c.value()), ran);
            // A dependency that already completed is satisfied at once.
            TokenId d = submit(k, 0, c);
            assertEquals(KernelToken.Status.READY, k.state().token(d).orElseThrow().status());
        }
    }

    @Test
    void aFailedDependencyCancelsItsDependentsTransitivelyEachWithAnEvent() {
        try (Kernel k = kernel()) {
            TokenId a = k.execute(KernelInput.SubmitToken.of("alice", "job.run", json("{\"fail\":true}"))).tokenId();
            TokenId b = submit(k, 0, a);
            TokenId c = submit(k, 0, b);
            TokenId other = submit(k, 0);
            long from = k.ledger().size();
            k.runUntilIdle();
            List<EventEnvelope> events = Fixture.entriesFrom(k, from);
            assertEquals(List.of("token_started", "token_failed", "token_cancelled", "token_cancelled", "token_started",
                    "token_completed"), events.stream().map(EventEnvelope::kind).toList());
            assertEquals(b.value(), payload(events.get(2)).get("token").asLong());
            assertEquals(a.value(), payload(events.get(2)).get("dependency").asLong());
            assertEquals(c.value(), payload(events.get(3)).get("token").asLong());
            assertEquals(b.value(), payload(events.get(3)).get("dependency").asLong());
            assertEquals(KernelToken.Status.CANCELLED, k.state().status(c).orElseThrow());
            assertEquals(List.of(a.value(), other.value()), ran);
            // A new token that depends on a failed one is refused.
            assertEquals("dependency_failed", k.execute(KernelInput.SubmitToken.of("alice", "job.run", CanonicalJson.EMPTY_OBJECT)
                    .withDependencies(a)).reason());
        }
    }

    @Test
    void cancellingCascadesToo() {
        try (Kernel k = kernel()) {
            TokenId a = submit(k, 0);
            TokenId b = submit(k, 0, a);
            assertEquals(KernelResponse.Disposition.ACCEPTED, k.execute(new KernelInput.CancelToken(a)).disposition());
            assertEquals(KernelToken.Status.CANCELLED, k.state().status(b).orElseThrow());
            assertEquals("finished", k.execute(new KernelInput.CancelToken(a)).reason());
            k.runUntilIdle();
            assertEquals(List.of(), ran);
        }
    }

    @Test
    void unknownDependenciesAreRejected() {
        try (Kernel k = kernel()) {
            TokenId a = submit(k, 0);
            KernelResponse r = k.execute(KernelInput.SubmitToken.of("alice", "job.run", CanonicalJson.EMPTY_OBJECT)
                    .withDependencies(new TokenId(a.value() + 5)));
            assertEquals("unknown_dependency", r.reason());
            // A token can never name itself: its id is not known before it is submitted.
            KernelResponse self = k.execute(KernelInput.SubmitToken.of("alice", "job.run", CanonicalJson.EMPTY_OBJECT)
                    .withDependencies(k.state().nextTokenId()));
            assertEquals("unknown_dependency", self.reason());
        }
    }

    @Test
    void aBatchRunsInDependencyOrderAndACycleRejectsItWhole() {
        try (Kernel k = kernel()) {
            KernelInput.SubmitToken plain = KernelInput.SubmitToken.of("alice", "job.run", CanonicalJson.EMPTY_OBJECT);
            KernelResponse r = k.execute(new KernelInput.SubmitTokens(List.of(
                    plain.withDependencies(TokenRef.batch(2)),
                    plain.withPriority(9).withDependencies(TokenRef.batch(0)),
                    plain)));
            assertEquals(KernelResponse.Disposition.QUEUED, r.disposition());
            long first = r.tokenId().value();
            k.runUntilIdle();
            assertEquals(List.of(first + 2, first, first + 1), ran);

            long before = k.state().counts().rejected();
            KernelResponse cycle = k.execute(new KernelInput.SubmitTokens(List.of(
                    plain.withDependencies(TokenRef.batch(1)),
                    plain.withDependencies(TokenRef.batch(2)),
                    plain.withDependencies(TokenRef.batch(0)),
                    plain)));
            assertEquals("dependency_cycle", cycle.reason());
            assertEquals(before + 4, k.state().counts().rejected());
            assertEquals(0, k.state().liveTokenCount());
            KernelResponse selfLoop = k.execute(new KernelInput.SubmitTokens(List.of(plain.withDependencies(TokenRef.batch(0)))));
            assertEquals("dependency_cycle", selfLoop.reason());
        }
    }

    @Test
    void theGovernorCapsLiveTokens() {
        KernelConfig config = KernelConfig.builder().maxLiveTokens(2).capability(cap("job.run"), Fixture.CHARGING).build();
        try (Kernel k = Kernel.create(config)) {
            Fixture.grant(k, "alice", "job.run");
            Fixture.submit(k, "alice", "job.run", "{}");
            Fixture.submit(k, "alice", "job.run", "{}");
            assertEquals("capacity", Fixture.submit(k, "alice", "job.run", "{}").reason());
            k.step();
            assertEquals(KernelResponse.Disposition.QUEUED, Fixture.submit(k, "alice", "job.run", "{}").disposition());
        }
    }
}
