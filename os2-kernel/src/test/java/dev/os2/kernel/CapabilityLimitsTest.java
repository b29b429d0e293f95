package dev.os2.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.CanonicalJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy file: the documented sample parses; every malformation names file, line and key. */
class CapabilityLimitsTest {

    static Path docs() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().resolve("docs");
    }

    @Test
    void theDocumentedSampleLoadsAndMapsOntoBudgets() {
        CapabilityLimits limits = CapabilityLimits.load(docs().resolve("CapabilityLimits.toml"));
        assertEquals(new Budget(10000, 67108864, 0, 1000), limits.defaults());
        assertEquals(new Budget(10000, 16777216, 0, 1000), limits.forCapability("fs.read"));
        assertEquals(new Budget(10000, 67108864, 1048576, 5000), limits.forCapability("net.fetch"));
        assertEquals(limits.defaults(), limits.forCapability("no.table"));
        assertEquals(new Budget(2000, 67108864, 0, 200), limits.profile("interactive").orElseThrow());
        assertEquals(java.util.List.of("batch", "interactive"), limits.profileNames());
        assertEquals(java.util.List.of("fs.read", "llm.complete", "net.fetch"), limits.capabilityIds());
    }

    @Test
    void anEmptyFileLimitsNothing() {
        assertEquals(Budget.UNLIMITED_BUDGET, CapabilityLimits.parse("", "empty.toml").forCapability("x.y"));
    }

    private static PolicyFileException bad(String toml) {
        return assertThrows(PolicyFileException.class, () -> CapabilityLimits.parse(toml, "limits.toml"));
    }

    @Test
    void aSyntaxErrorNamesFileAndLine() {
        PolicyFileException e = bad("[default]\ntoken_budget = 10\ncpu_time_ms = = 3\n");
        assertEquals("limits.toml", e.file());
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("limits.toml:3: "), e.getMessage());
    }

    @Test
    void anUnknownKeyNamesItsKeyAndLine() {
        PolicyFileException e = bad("[default]\ntoken_budget = 10\n\n[capability.\"fs.read\"]\nmemory_byte = 5\n");
        assertEquals(5, e.line());
        assertEquals("capability.\"fs.read\".memory_byte", e.key());
        assertTrue(e.getMessage().contains("limits.toml:5: capability.\"fs.read\".memory_byte: unknown key"), e.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeNamesItsKeyAndLine() {
        PolicyFileException e = bad("# policy\n[profile.\"fast\"]\ncpu_time_ms = \"soon\"\n");
        assertEquals(3, e.line());
        assertEquals("profile.\"fast\".cpu_time_ms", e.key());
        assertEquals(4, bad("[default]\n\n\ntoken_budget = -1\n").line());
        assertEquals(2, bad("[default]\nnetwork_bytes = 1.5\n").line());
    }

    @Test
    void anUnknownTableIsRefused() {
        PolicyFileException e = bad("[default]\ntoken_budget = 1\n[defaults]\ntoken_budget = 2\n");
        assertEquals("defaults", e.key());
        assertEquals(3, e.line());
        PolicyFileException top = bad("token_budget = 1\n");
        assertEquals("token_budget", top.key());
        assertEquals(1, top.line());
    }

    @Test
    void anUnquotedDottedCapabilityIdGetsAHint() {
        PolicyFileException e = bad("[capability.fs.read]\nmemory_bytes = 1\n");
        assertEquals("capability.\"fs\".read", e.key());
        assertTrue(e.getMessage().contains("must be quoted"), e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void anUnreadableFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("missing.toml");
        PolicyFileException e = assertThrows(PolicyFileException.class, () -> CapabilityLimits.load(missing));
        assertEquals(missing.toString(), e.file());
        assertEquals(0, e.line());
    }

    @Test
    void theKernelAppliesThePolicyToSubmissions(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("CapabilityLimits.toml");
        Files.writeString(file, "[default]\ntoken_budget = 100\ncpu_time_ms = 50\n[capability.\"net.fetch\"]\nnetwork_bytes = 10\n");
        KernelConfig config = KernelConfig.builder().limits(CapabilityLimits.load(file))
                .capability(Fixture.cap("net.fetch"), Fixture.CHARGING).build();
        try (Kernel k = Kernel.create(config)) {
            Fixture.grant(k, "alice", "net.fetch");
            TokenId t = Fixture.submit(k, "alice", "net.fetch", "{}").tokenId();
            assertEquals(new Budget(100, Budget.UNLIMITED, 10, 50), k.state().token(t).orElseThrow().budget());
            KernelResponse r = k.execute(KernelInput.SubmitToken.of("alice", "net.fetch", CanonicalJson.EMPTY_OBJECT)
                    .withBudget(new Budget(100, 0, 11, 50)));
            assertEquals("over_budget", r.reason());
            assertTrue(r.detail().startsWith("network_bytes 11 is above the policy limit 10"), r.detail());
        }
    }
}
