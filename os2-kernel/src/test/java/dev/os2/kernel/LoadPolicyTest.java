package dev.os2.kernel;

import static dev.os2.kernel.Fixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.InMemoryLedger;
import org.junit.jupiter.api.Test;

/**
 * {@link KernelInput.LoadPolicy}: recorded as {@code policy_loaded} before it applies, used for
 * admission from there on, part of the state (and its canonical form), and reproduced by replay and
 * recovery; a state without one keeps the form it had before policies could be loaded.
 */
class LoadPolicyTest {

    private static final String TOML = """
            [default]
            token_budget = 100

            [capability."tool.run"]
            token_budget = 50
            memory_bytes = 1024
            """;

    private static KernelConfig config() {
        return KernelConfig.builder().seed(7).capability(Fixture.cap("tool.run"), Fixture.CHARGING).build();
    }

    @Test
    void aLoadedPolicyIsRecordedAndGovernsAdmission() {
        try (InMemoryLedger ledger = InMemoryLedger.create(); Kernel k = Kernel.create(config(), ledger)) {
            Fixture.grant(k, "agent", "tool.run");
            KernelState before = k.state();
            assertTrue(before.policy().isEmpty());
            assertFalse(before.toJson().text().contains("\"policy\""), "no policy field until one is loaded");

            KernelResponse r = k.execute(new KernelInput.LoadPolicy(CapabilityLimits.parse(TOML, "limits.toml"), "limits.toml"));
            assertEquals(KernelResponse.Disposition.ACCEPTED, r.disposition());
            assertEquals("policy_loaded", ledger.read(r.position()).kind());
            assertEquals("limits.toml", Fixture.payload(ledger.read(r.position())).get("source").asText());
            assertEquals(50, Fixture.payload(ledger.read(r.position())).at("/limits/capability/tool.run/tokens").asLong());

            // A token without a budget gets the policy's; one above it is refused.
            KernelResponse within = k.execute(KernelInput.SubmitToken.of("agent", "tool.run", json("{\"cost\":10}")));
            assertEquals(KernelResponse.Disposition.QUEUED, within.disposition());
            assertEquals(50, k.state().token(within.tokenId()).orElseThrow().budget().tokens());
            KernelResponse above = k.execute(KernelInput.SubmitToken.of("agent", "tool.run", json("{}"))
                    .withBudget(Budget.ofTokens(51)));
            assertEquals(KernelResponse.Disposition.REJECTED, above.disposition());
            assertEquals("over_budget", above.reason());
            k.runUntilIdle();

            KernelState after = k.state();
            assertEquals(CapabilityLimits.parse(TOML, "x"), after.policy().orElseThrow());
            assertTrue(after.toJson().text().contains("\"policy\""));
            // The canonical form round-trips, policy included.
            KernelState read = KernelState.fromJson(after.toJson());
            assertEquals(after.stateHash(), read.stateHash());
            assertEquals(after.policy(), read.policy());

            // Replay (handlers scripted) and recovery reach the same state.
            assertEquals(after.stateHash(), Kernel.replay(config(), ledger, null, 0).stateHash());
            try (Kernel recovered = Kernel.recover(config(), ledger)) {
                assertEquals(after.stateHash(), recovered.state().stateHash());
                KernelResponse again = recovered.execute(KernelInput.SubmitToken.of("agent", "tool.run", json("{}"))
                        .withBudget(Budget.ofTokens(51)));
                assertEquals("over_budget", again.reason(), "a recovered kernel keeps the loaded policy");
            }
        }
    }

    @Test
    void aMalformedSourceNameIsMisuse() {
        CapabilityLimits limits = CapabilityLimits.parse(TOML, "x");
        assertThrows(InvalidInputException.class, () -> new KernelInput.LoadPolicy(limits, ""));
        assertThrows(InvalidInputException.class, () -> new KernelInput.LoadPolicy(limits, "a\nb"));
    }
}
