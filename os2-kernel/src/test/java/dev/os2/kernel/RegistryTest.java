package dev.os2.kernel;

import static dev.os2.kernel.Fixture.cap;
import static dev.os2.kernel.Fixture.json;
import static dev.os2.kernel.Fixture.last;
import static dev.os2.kernel.Fixture.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.CanonicalJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Grants: derive narrows only, revoke cascades, expiry and rate limits run on the virtual clock. */
class RegistryTest {

    private static Kernel kernel(CapabilityDescriptor... extra) {
        KernelConfig.Builder b = KernelConfig.builder().capability(cap("fs.read"), Fixture.CHARGING);
        for (CapabilityDescriptor d : extra) {
            b.capability(d, Fixture.CHARGING);
        }
        return Kernel.create(b.build());
    }

    @Test
    void deriveNarrowsAndRefusesEveryWayOfWidening() {
        try (Kernel k = kernel()) {
            GrantTerms parentTerms = GrantTerms.UNRESTRICTED.withTokenCeiling(100).withMaxInvocations(10)
                    .withRateLimit(5, 10).withExpiresAtTick(1000).withBudgetTokens(500)
                    .withScope(json("{\"paths\":[\"/a\",\"/b\"],\"mode\":\"r\"}"));
            GrantId parent = k.execute(new KernelInput.GrantCapability("alice", "fs.read", parentTerms)).grantId();

            GrantTerms narrow = GrantTerms.UNRESTRICTED.withTokenCeiling(50).withMaxInvocations(3).withRateLimit(2, 20)
                    .withExpiresAtTick(500).withBudgetTokens(100).withScope(json("{\"paths\":[\"/a\"],\"mode\":\"r\",\"depth\":1}"));
            KernelResponse ok = k.execute(new KernelInput.DeriveCapability(parent, "bob", narrow));
            assertEquals(KernelResponse.Disposition.ACCEPTED, ok.disposition());
            Grant child = k.state().grant(ok.grantId()).orElseThrow();
            assertEquals(parent, child.parent());
            assertEquals(50, child.tokenCeiling());
            assertEquals(500, child.expiresAtTick());
            assertEquals(List.of(child.id()), k.state().grant(parent).orElseThrow().children());

            // Unset terms inherit the parent's, which is not widening.
            GrantId inheritedId = k.execute(new KernelInput.DeriveCapability(parent, "carol", GrantTerms.UNRESTRICTED)).grantId();
            Grant inherited = k.state().grant(inheritedId).orElseThrow();
            assertEquals(100, inherited.tokenCeiling());
            assertEquals(1000, inherited.expiresAtTick());

            List<GrantTerms> wider = List.of(
                    GrantTerms.UNRESTRICTED.withTokenCeiling(101),
                    GrantTerms.UNRESTRICTED.withMaxInvocations(11),
                    GrantTerms.UNRESTRICTED.withRateLimit(6, 10),
                    GrantTerms.UNRESTRICTED.withRateLimit(5, 5),
                    GrantTerms.UNRESTRICTED.withExpiresAtTick(1001),
                    GrantTerms.UNRESTRICTED.withBudgetTokens(501),
                    GrantTerms.UNRESTRICTED.withScope(json("{\"paths\":[\"/a\",\"/c\"],\"mode\":\"r\"}")),
                    GrantTerms.UNRESTRICTED.withScope(json("{\"paths\":[\"/a\"]}")));
            for (GrantTerms t : wider) {
                KernelState before = k.state();
                long size = k.ledger().size();
                KernelResponse r = k.execute(new KernelInput.DeriveCapability(parent, "mallory", t));
                assertEquals(KernelResponse.Disposition.REJECTED, r.disposition(), t.toString());
                assertEquals("widening", r.reason());
                assertNull(r.grant());
                // The refusal is recorded (input, then input_rejected) and changes nothing else.
                assertEquals(size + 2, k.ledger().size());
                assertEquals("widening", payload(last(k, KernelEvents.INPUT_REJECTED)).get("reason").asText());
                assertEquals(before.stateHash(), k.state().stateHash(), t.toString());
            }
        }
    }

    @Test
    void revokeCascadesToEveryDerivedGrantAndBlocksNewWork() {
        try (Kernel k = kernel()) {
            GrantId root = Fixture.grant(k, "alice", "fs.read").grantId();
            GrantId child = k.execute(new KernelInput.DeriveCapability(root, "bob", GrantTerms.UNRESTRICTED)).grantId();
            GrantId grandchild = k.execute(new KernelInput.DeriveCapability(child, "carol", GrantTerms.UNRESTRICTED)).grantId();
            GrantId sibling = Fixture.grant(k, "bob", "fs.read").grantId();
            long from = k.ledger().size();
            assertEquals(KernelResponse.Disposition.ACCEPTED, k.execute(new KernelInput.RevokeCapability(root)).disposition());
            List<String> kinds = Fixture.kindsFrom(k, from);
            assertEquals(List.of("revoke_capability", "capability_revoked", "capability_revoked", "capability_revoked"), kinds);
            KernelState s = k.state();
            for (GrantId g : List.of(root, child, grandchild)) {
                assertEquals(Grant.Status.REVOKED, s.grant(g).orElseThrow().status());
                assertEquals(2, s.grant(g).orElseThrow().version());
            }
            assertEquals(Grant.Status.ACTIVE, s.grant(sibling).orElseThrow().status());
            assertEquals("revoked", Fixture.submit(k, "carol", "fs.read", "{}").reason());
            assertEquals("revoked", Fixture.submit(k, "alice", "fs.read", "{}").reason());
            // bob still holds another grant in force.
            assertEquals(KernelResponse.Disposition.QUEUED, Fixture.submit(k, "bob", "fs.read", "{}").disposition());
            // Revoking again is a recorded refusal.
            assertEquals("not_in_force", k.execute(new KernelInput.RevokeCapability(child)).reason());
        }
    }

    @Test
    void aQueuedTokenUnderARevokedGrantIsAViolationWhenItsTurnComes() {
        try (Kernel k = kernel()) {
            GrantId g = Fixture.grant(k, "alice", "fs.read").grantId();
            TokenId t = Fixture.submit(k, "alice", "fs.read", "{}").tokenId();
            k.execute(new KernelInput.RevokeCapability(g));
            k.runUntilIdle();
            var v = payload(last(k, KernelEvents.CAPABILITY_VIOLATION));
            assertEquals(t.value(), v.get("token").asLong());
            assertEquals("revoked", v.get("reason").asText());
            assertEquals(KernelToken.Status.VIOLATION, k.state().status(t).orElseThrow());
            assertEquals(1, k.state().capability("fs.read").orElseThrow().violations());
        }
    }

    @Test
    void anInFlightTokensNextInvocationUnderARevokedGrantIsAViolation() {
        CapabilityDescriptor tool = cap("tool.search");
        CapabilityDescriptor agent = cap("agent.step");
        Kernel[] self = new Kernel[1];
        KernelConfig config = KernelConfig.builder()
                .capability(tool, (ctx, args) -> CanonicalJson.EMPTY_OBJECT)
                .capability(agent, (ctx, args) -> {
                    ctx.invoke("tool.search", CanonicalJson.EMPTY_OBJECT);
                    GrantId toolGrant = self[0].state().grants().stream()
                            .filter(x -> x.capabilityId().equals("tool.search")).findFirst().orElseThrow().id();
                    // Another thread of the host revokes the grant while the token runs.
                    self[0].offer(new KernelInput.RevokeCapability(toolGrant));
                    ctx.invoke("tool.search", CanonicalJson.EMPTY_OBJECT);
                    throw new AssertionError("the second invocation must not run");
                }).build();
        try (Kernel k = Kernel.create(config)) {
            self[0] = k;
            Fixture.grant(k, "alice", "tool.search");
            Fixture.grant(k, "alice", "agent.step");
            TokenId t = Fixture.submit(k, "alice", "agent.step", "{}").tokenId();
            long from = k.ledger().size();
            k.runUntilIdle();
            assertEquals(List.of("token_started", "capability_invoked", "invocation_completed", "revoke_capability",
                    "capability_revoked", "capability_invoked", "capability_violation"), Fixture.kindsFrom(k, from));
            assertEquals("revoked", payload(last(k, KernelEvents.CAPABILITY_VIOLATION)).get("reason").asText());
            assertEquals(KernelToken.Status.VIOLATION, k.state().status(t).orElseThrow());
            assertEquals(k.state().stateHash(), Kernel.replay(config, k.ledger(), null, 0).stateHash());
        }
    }

    @Test
    void grantsExpireOnTheVirtualClockWithAnEvent() {
        try (Kernel k = kernel()) {
            GrantId g = k.execute(new KernelInput.GrantCapability("alice", "fs.read",
                    GrantTerms.UNRESTRICTED.withExpiresAtTick(10))).grantId();
            GrantId d = k.execute(new KernelInput.DeriveCapability(g, "bob", GrantTerms.UNRESTRICTED.withExpiresAtTick(5))).grantId();
            k.execute(new KernelInput.Tick(4));
            assertEquals(Grant.Status.ACTIVE, k.state().grant(d).orElseThrow().status());
            long from = k.ledger().size();
            k.execute(new KernelInput.Tick(1));
            assertEquals(List.of("tick", "grant_expired"), Fixture.kindsFrom(k, from));
            assertEquals(Grant.Status.EXPIRED, k.state().grant(d).orElseThrow().status());
            assertEquals("expired", Fixture.submit(k, "bob", "fs.read", "{}").reason());
            assertEquals(KernelResponse.Disposition.QUEUED, Fixture.submit(k, "alice", "fs.read", "{}").disposition());
            k.execute(new KernelInput.Tick(100));
            assertEquals(Grant.Status.EXPIRED, k.state().grant(g).orElseThrow().status());
            // The queued token's turn comes after its grant expired.
            k.runUntilIdle();
            assertEquals("expired", payload(last(k, KernelEvents.CAPABILITY_VIOLATION)).get("reason").asText());
            // A grant that would be born expired is refused.
            assertEquals("expired", k.execute(new KernelInput.GrantCapability("alice", "fs.read",
                    GrantTerms.UNRESTRICTED.withExpiresAtTick(k.state().clock()))).reason());
        }
    }

    @Test
    void rateLimitsCountInvocationsPerWindowOfVirtualTime() {
        CapabilityDescriptor limited = CapabilityDescriptor.builder("net.fetch").rateLimit(2, 10).build();
        try (Kernel k = kernel(limited)) {
            Fixture.grant(k, "alice", "net.fetch");
            for (int i = 0; i < 2; i++) {
                assertTrue(Fixture.submit(k, "alice", "net.fetch", "{}").ok());
                k.runUntilIdle();
            }
            // The window [0, 10) is used up: refused at submission, and recorded.
            KernelResponse r = Fixture.submit(k, "alice", "net.fetch", "{}");
            assertEquals("rate_limit", r.reason());
            assertEquals(KernelEvents.TOKEN_REJECTED, k.ledger().read(r.position() + 1).kind());
            k.execute(new KernelInput.Tick(10));
            assertTrue(Fixture.submit(k, "alice", "net.fetch", "{}").ok());
            k.runUntilIdle();
            assertEquals(3, k.state().capability("net.fetch").orElseThrow().invocations());
            Grant g = k.state().grants().get(0);
            assertEquals(3, g.invocations());
        }
    }

    @Test
    void invocationsThroughADerivedGrantCountAgainstItsAncestors() {
        try (Kernel k = kernel()) {
            GrantId root = k.execute(new KernelInput.GrantCapability("alice", "fs.read",
                    GrantTerms.UNRESTRICTED.withMaxInvocations(2))).grantId();
            GrantId a = k.execute(new KernelInput.DeriveCapability(root, "bob", GrantTerms.UNRESTRICTED)).grantId();
            GrantId b = k.execute(new KernelInput.DeriveCapability(root, "carol", GrantTerms.UNRESTRICTED)).grantId();
            assertTrue(Fixture.submit(k, "bob", "fs.read", "{}").ok());
            assertTrue(Fixture.submit(k, "carol", "fs.read", "{}").ok());
            k.runUntilIdle();
            assertEquals(2, k.state().grant(root).orElseThrow().invocations());
            assertEquals(1, k.state().grant(a).orElseThrow().invocations());
            assertEquals(1, k.state().grant(b).orElseThrow().invocations());
            assertEquals("max_invocations", Fixture.submit(k, "carol", "fs.read", "{}").reason());
        }
    }

    @Test
    void aDerivedBudgetSliceBoundsWhatItsHolderCanSpend() {
        try (Kernel k = kernel()) {
            GrantId root = k.execute(new KernelInput.GrantCapability("alice", "fs.read",
                    GrantTerms.UNRESTRICTED.withBudgetTokens(100))).grantId();
            GrantId slice = k.execute(new KernelInput.DeriveCapability(root, "bob",
                    GrantTerms.UNRESTRICTED.withBudgetTokens(30))).grantId();
            Fixture.submit(k, "bob", "fs.read", "{\"cost\":20}");
            Fixture.submit(k, "bob", "fs.read", "{\"cost\":20}");
            k.runUntilIdle();
            var v = payload(last(k, KernelEvents.CAPABILITY_VIOLATION));
            assertEquals("grant_budget", v.get("reason").asText());
            assertEquals(slice.value(), v.get("grant").asLong());
            assertEquals(20, k.state().grant(slice).orElseThrow().tokensCharged());
            assertEquals(20, k.state().grant(root).orElseThrow().tokensCharged());
            // A new slice may not exceed what is left of the parent.
            assertEquals("widening", k.execute(new KernelInput.DeriveCapability(root, "carol",
                    GrantTerms.UNRESTRICTED.withBudgetTokens(81))).reason());
            assertNull(k.execute(new KernelInput.DeriveCapability(root, "carol",
                    GrantTerms.UNRESTRICTED.withBudgetTokens(80))).reason());
        }
    }

    @Test
    void scopesNarrowByKeepingEveryRestriction() {
        assertTrue(Machine.narrows(json("{\"p\":[\"a\"],\"m\":\"r\",\"x\":1}").toJsonNode(), json("{\"p\":[\"a\",\"b\"],\"m\":\"r\"}").toJsonNode()));
        assertFalse(Machine.narrows(json("{\"p\":[\"a\"]}").toJsonNode(), json("{\"p\":[\"a\"],\"m\":\"r\"}").toJsonNode()));
        assertFalse(Machine.narrows(json("{\"p\":[\"c\"],\"m\":\"r\"}").toJsonNode(), json("{\"p\":[\"a\"],\"m\":\"r\"}").toJsonNode()));
        assertFalse(Machine.narrows(json("{\"m\":\"w\"}").toJsonNode(), json("{\"m\":\"r\"}").toJsonNode()));
        assertTrue(Machine.narrows(json("{\"m\":{\"x\":[]}}").toJsonNode(), json("{\"m\":{\"x\":[1,2]}}").toJsonNode()));
    }

    @Test
    void theHandlerSeesTheEffectiveScopeAndTheDescriptorsConfiguration() {
        CapabilityDescriptor d = CapabilityDescriptor.builder("fs.list").configuration(json("{\"root\":\"/srv\"}")).build();
        String[] seen = new String[2];
        KernelConfig config = KernelConfig.builder().capability(d, (ctx, args) -> {
            seen[0] = ctx.scope().text();
            seen[1] = ctx.configuration().text();
            return CanonicalJson.NULL;
        }).build();
        try (Kernel k = Kernel.create(config)) {
            GrantId g = k.execute(new KernelInput.GrantCapability("alice", "fs.list",
                    GrantTerms.UNRESTRICTED.withScope(json("{\"paths\":[\"/a\",\"/b\"]}")))).grantId();
            k.execute(new KernelInput.DeriveCapability(g, "bob", GrantTerms.UNRESTRICTED.withScope(json("{\"paths\":[\"/b\"]}"))));
            Fixture.submit(k, "bob", "fs.list", "{}");
            k.runUntilIdle();
            assertEquals("{\"paths\":[\"/b\"]}", seen[0]);
            assertEquals("{\"root\":\"/srv\"}", seen[1]);
        }
    }
}
