package dev.os2.kernel;

import static dev.os2.kernel.Fixture.cap;
import static dev.os2.kernel.Fixture.json;
import static dev.os2.kernel.Fixture.last;
import static dev.os2.kernel.Fixture.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.ledger.CanonicalJson;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Budgets halt at once and leave the last consistent state; misbehaving handlers corrupt nothing. */
class BudgetTest {

    private static Kernel kernelWith(String id, CapabilityHandler handler) {
        Kernel k = Kernel.create(KernelConfig.builder().maxActionsPerInvocation(50).capability(cap(id), handler).build());
        Fixture.grant(k, "alice", id);
        return k;
    }

    private static JsonNode runOne(Kernel k, String id, Budget budget) {
        k.execute(KernelInput.SubmitToken.of("alice", id, CanonicalJson.EMPTY_OBJECT).withBudget(budget));
        k.runUntilIdle();
        return payload(last(k, KernelEvents.RESOURCE_BUDGET_EXCEEDED));
    }

    @Test
    void overspendingTokensHaltsAtOnceWithoutApplyingTheCharge() {
        boolean[] after = new boolean[1];
        try (Kernel k = kernelWith("llm.call", (ctx, args) -> {
            ctx.chargeTokens(60);
            ctx.chargeTokens(50);
            after[0] = true;
            return CanonicalJson.NULL;
        })) {
            JsonNode e = runOne(k, "llm.call", Budget.ofTokens(100));
            assertEquals("tokens", e.get("resource").asText());
            assertEquals(50, e.get("attempted").asLong());
            assertEquals(40, e.get("remaining").asLong());
            assertTrue(!after[0], "the handler went on after its budget ran out");
            // The last consistent state: the first charge applied (the clock moved 60), the second not.
            assertEquals(60, k.state().clock());
            assertEquals(60, k.state().capability("llm.call").orElseThrow().tokensCharged());
            assertEquals(1, k.state().counts().budgetExceeded());
            assertEquals(0, k.state().liveTokenCount());
        }
    }

    @Test
    void memoryNetworkAndDeadlineAreLimitsToo() {
        Consumer<HandlerContext> memory = ctx -> ctx.chargeMemory(2048);
        Consumer<HandlerContext> network = ctx -> ctx.chargeNetwork(10);
        Consumer<HandlerContext> time = ctx -> ctx.chargeTokens(30);
        List<Object[]> cases = List.of(
                new Object[] {memory, Budget.UNLIMITED_BUDGET.withMemoryBytes(1024), "memory_bytes", 1024L},
                new Object[] {network, Budget.UNLIMITED_BUDGET.withNetworkBytes(9), "network_bytes", 9L},
                new Object[] {time, Budget.UNLIMITED_BUDGET.withDeadlineTicks(20), "deadline_ticks", 20L});
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Consumer<HandlerContext> action = (Consumer<HandlerContext>) c[0];
            try (Kernel k = kernelWith("x.y", (ctx, args) -> {
                action.accept(ctx);
                return CanonicalJson.NULL;
            })) {
                JsonNode e = runOne(k, "x.y", (Budget) c[1]);
                assertEquals(c[2], e.get("resource").asText());
                assertEquals((long) c[3], e.get("remaining").asLong());
            }
        }
    }

    @Test
    void aTokenPastItsDeadlineDoesNotStart() {
        try (Kernel k = kernelWith("x.y", Fixture.CHARGING)) {
            k.execute(KernelInput.SubmitToken.of("alice", "x.y", CanonicalJson.EMPTY_OBJECT).withBudget(Budget.UNLIMITED_BUDGET.withDeadlineTicks(5)));
            k.execute(new KernelInput.Tick(6));
            long from = k.ledger().size();
            k.runUntilIdle();
            assertEquals(List.of("resource_budget_exceeded"), Fixture.kindsFrom(k, from));
            assertEquals("deadline_ticks", payload(last(k, KernelEvents.RESOURCE_BUDGET_EXCEEDED)).get("resource").asText());
        }
    }

    @Test
    void aHandlerThatLoopsIsStoppedByItsBudgetAtTheSameCountEveryRun() {
        for (int run = 0; run < 2; run++) {
            try (Kernel k = kernelWith("busy.loop", (ctx, args) -> {
                while (true) {
                    ctx.chargeTokens(1);
                }
            })) {
                JsonNode e = runOne(k, "busy.loop", Budget.ofTokens(37));
                assertEquals(37, k.state().clock());
                assertEquals(0, e.get("remaining").asLong());
            }
            // Without a budget to run out, the action limit stops it.
            try (Kernel k = kernelWith("busy.loop", (ctx, args) -> {
                while (true) {
                    ctx.emit("tick", CanonicalJson.NULL);
                }
            })) {
                JsonNode e = runOne(k, "busy.loop", Budget.UNLIMITED_BUDGET);
                assertEquals("actions", e.get("resource").asText());
                assertEquals(51, e.get("attempted").asLong());
            }
        }
    }

    @Test
    void theCeilingOfAnInvocationIsACapabilityViolation() {
        CapabilityDescriptor inner = CapabilityDescriptor.builder("tool.small").tokenCeiling(10).build();
        KernelConfig config = KernelConfig.builder()
                .capability(inner, (ctx, args) -> {
                    ctx.chargeTokens(8);
                    ctx.chargeTokens(8);
                    return CanonicalJson.NULL;
                })
                .capability(cap("agent.step"), (ctx, args) -> ctx.invoke("tool.small", CanonicalJson.EMPTY_OBJECT)).build();
        try (Kernel k = Kernel.create(config)) {
            Fixture.grant(k, "alice", "tool.small");
            Fixture.grant(k, "alice", "agent.step");
            // Asking for more than the ceiling at submission is refused there.
            assertEquals("ceiling", k.execute(KernelInput.SubmitToken.of("alice", "tool.small", CanonicalJson.EMPTY_OBJECT)
                    .withBudget(Budget.ofTokens(11))).reason());
            Fixture.submit(k, "alice", "agent.step", "{}");
            k.runUntilIdle();
            JsonNode v = payload(last(k, KernelEvents.CAPABILITY_VIOLATION));
            assertEquals("ceiling", v.get("reason").asText());
            assertEquals("tool.small", last(k, KernelEvents.CAPABILITY_VIOLATION).capabilityId());
            assertEquals(8, k.state().clock());
        }
    }

    @Test
    void aHandlerThatThrowsOrReturnsNothingFailsItsTokenOnly() {
        List<CapabilityHandler> bad = List.of(
                (ctx, args) -> {
                    throw new java.io.IOException("disk on fire");
                },
                (ctx, args) -> null,
                (ctx, args) -> CanonicalJson.parse("{not json"),
                (ctx, args) -> json("{\"big\":\"" + "x".repeat(70_000) + "\"}"),
                (ctx, args) -> {
                    throw new StackOverflowError();
                });
        for (CapabilityHandler h : bad) {
            try (Kernel k = kernelWith("bad.tool", h)) {
                KernelState before = k.state();
                TokenId t = Fixture.submit(k, "alice", "bad.tool", "{}").tokenId();
                k.runUntilIdle();
                assertEquals(KernelToken.Status.FAILED, k.state().status(t).orElseThrow());
                assertTrue(payload(last(k, KernelEvents.TOKEN_FAILED)).get("error").asText().length() > 0);
                assertEquals(before.clock(), k.state().clock());
                assertEquals(0, k.state().liveTokenCount());
                // The kernel goes on working.
                assertTrue(Fixture.submit(k, "alice", "bad.tool", "{}").ok());
                assertTrue(k.ledger().verify().intact());
            }
        }
    }

    @Test
    void aNestedFailureCanBeCaughtAndTheTokenGoesOn() {
        KernelConfig config = KernelConfig.builder()
                .capability(cap("tool.flaky"), (ctx, args) -> {
                    throw new IllegalStateException("flaky");
                })
                .capability(cap("agent.step"), (ctx, args) -> {
                    try {
                        ctx.invoke("tool.flaky", CanonicalJson.EMPTY_OBJECT);
                    } catch (InvocationFailedException e) {
                        return CanonicalJson.ofString("recovered from " + e.capabilityId());
                    }
                    return CanonicalJson.NULL;
                }).build();
        try (Kernel k = Kernel.create(config)) {
            Fixture.grant(k, "alice", "tool.flaky");
            Fixture.grant(k, "alice", "agent.step");
            TokenId t = Fixture.submit(k, "alice", "agent.step", "{}").tokenId();
            k.runUntilIdle();
            assertEquals(KernelToken.Status.COMPLETED, k.state().status(t).orElseThrow());
            assertEquals("\"recovered from tool.flaky\"", payload(last(k, KernelEvents.TOKEN_COMPLETED)).get("result").toString());
            assertEquals(k.state().stateHash(), Kernel.replay(config, k.ledger(), null, 0).stateHash());
        }
    }

    @Test
    void aContextIsUsableOnlyDuringItsInvocationAndOnItsThread() throws Exception {
        HandlerContext[] kept = new HandlerContext[1];
        Throwable[] fromOtherThread = new Throwable[1];
        try (Kernel k = kernelWith("x.y", (ctx, args) -> {
            kept[0] = ctx;
            Thread t = new Thread(() -> {
                try {
                    ctx.chargeTokens(1);
                } catch (Throwable e) {
                    fromOtherThread[0] = e;
                }
            });
            t.start();
            t.join();
            return CanonicalJson.NULL;
        })) {
            Fixture.submit(k, "alice", "x.y", "{}");
            k.runUntilIdle();
            assertTrue(fromOtherThread[0] instanceof IllegalStateException, String.valueOf(fromOtherThread[0]));
            assertThrows(IllegalStateException.class, () -> kept[0].chargeTokens(1));
            assertEquals(0, k.state().clock());
        }
    }

    @Test
    void theSeededRandomSourceRepeats() {
        long[] draws = new long[2];
        for (int run = 0; run < 2; run++) {
            int i = run;
            try (Kernel k = Kernel.create(KernelConfig.builder().seed(99).capability(cap("x.y"), (ctx, args) -> {
                draws[i] = ctx.random().nextLong();
                return CanonicalJson.NULL;
            }).build())) {
                Fixture.grant(k, "alice", "x.y");
                Fixture.submit(k, "alice", "x.y", "{}");
                k.runUntilIdle();
            }
        }
        assertEquals(draws[0], draws[1]);
    }
}
