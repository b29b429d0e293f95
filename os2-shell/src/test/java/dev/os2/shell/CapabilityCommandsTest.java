package dev.os2.shell;

import static dev.os2.shell.PythonCommandsTest.entries;
import static dev.os2.shell.PythonCommandsTest.last;
import static dev.os2.shell.PythonCommandsTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.KernelEvents;
import dev.os2.ledger.EventEnvelope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cap-grant}, {@code cap-derive}, {@code cap-revoke} and {@code policy-load} through the
 * one-shot command line, and what they change for Python: a script reaches the kernel only
 * through the capabilities its subject holds.
 */
class CapabilityCommandsTest {

    @TempDir
    Path dir;

    private final Session session = ShellTestSessions.session();

    private CliRun os2(String... args) {
        return CliRun.run(session, args);
    }

    @Test
    void grantDeriveAndRevokeAreRecordedAndOnlyNarrow() {
        String ws = dir.resolve("g").toString();
        CliRun grant = os2("cap-grant", "--workspace", ws, "python.exec", "agent:alice", "--budget", "500", "--rate", "5/100");
        assertEquals(0, grant.status(), grant.describe());
        assertTrue(grant.out().startsWith("Granted python.exec to agent:alice: grant g3 (ledger position "), grant.describe());
        assertTrue(grant.out().contains("budget 500"), grant.describe());

        CliRun derived = os2("cap-derive", "--workspace", ws, "g3", "agent:bob", "--budget", "100", "--json");
        assertEquals(0, derived.status(), derived.describe());
        JsonNode d = read(derived.out());
        assertEquals("g4", d.path("id").asText());
        assertEquals("g3", d.path("derived_from").asText());
        assertEquals(100, d.path("budget_tokens").asLong());

        CliRun wider = os2("cap-derive", "--workspace", ws, "g4", "agent:carol", "--budget", "1000");
        assertEquals(1, wider.status(), wider.describe());
        assertTrue(wider.err().startsWith("os2: the kernel refused to derive from g4 for agent:carol (widening)"), wider.describe());

        CliRun revoke = os2("cap-revoke", "--workspace", ws, "g3");
        assertEquals(0, revoke.status(), revoke.describe());
        assertTrue(revoke.out().startsWith("Revoked g3 (python.exec of agent:alice) and 1 derived from it"), revoke.describe());
        List<EventEnvelope> entries = entries(dir.resolve("g"));
        assertEquals(2, entries.stream().filter(e -> e.kind().equals(KernelEvents.CAPABILITY_REVOKED)).count());
        CliRun again = os2("cap-revoke", "--workspace", ws, "g3");
        assertEquals(1, again.status(), again.describe());

        // Revoked: bob's python run is refused.
        CliRun refused = os2("python", "--workspace", ws, "--subject", "agent:bob", "-c", "print(1)");
        assertEquals(1, refused.status(), refused.describe());
        assertTrue(refused.err().contains("(revoked;"), refused.describe());

        // Bad input changes nothing.
        long size = entries(dir.resolve("g")).size();
        assertEquals(2, os2("cap-grant", "--workspace", ws, "no.such", "agent:alice").status());
        assertEquals(2, os2("cap-grant", "--workspace", ws, "python.exec", "agent:alice", "--scope", "[1]").status());
        assertEquals(2, os2("cap-grant", "--workspace", ws, "python.exec", "agent:alice", "--rate", "5").status());
        assertEquals(2, os2("cap-revoke", "--workspace", ws, "g99").status());
        assertEquals(2, os2("cap-revoke", "--workspace", ws, "x1").status());
        CliRun noScope = os2("cap-grant", "--workspace", ws, "net.http", "agent:alice");
        assertEquals(2, noScope.status());
        assertTrue(noScope.err().contains("net.http needs --scope with a \"hosts\" list"), noScope.describe());
        assertEquals(size, entries(dir.resolve("g")).size());
    }

    @Test
    void scriptsReachTheKernelOnlyThroughGrantedCapabilities() {
        String ws = dir.resolve("o").toString();
        String script = """
                import os2
                print(os2.capabilities())
                try:
                    os2.invoke('net.http', url='http://127.0.0.1:1/')
                except os2.CapabilityDenied as e:
                    print('denied:', e)
                try:
                    os2.invoke('Not An Id')
                except PermissionError as e:
                    print('denied:', e)
                """;
        CliRun run = os2("python", "--workspace", ws, "-c", script);
        assertEquals(0, run.status(), run.describe());
        assertEquals("['python.exec', 'shell.tool']\n"
                + "denied: capability net.http is not available to operator (not granted; `os2 cap-grant net.http operator` grants it)\n"
                + "denied: Not An Id is not a capability id (dotted lower-case words such as net.http)\n", run.out());
        JsonNode denied = last(entries(dir.resolve("o")), "custom.python_denied").path("data");
        assertEquals("net.http", denied.path("capability").asText());
        assertEquals("not_granted", denied.path("reason").asText());

        // Granted (for an unreachable host, so the handler fails): the call is made, charged and
        // recorded, and its failure is the script's to handle.
        assertEquals(0, os2("cap-grant", "--workspace", ws, "net.http", "operator", "--scope", "{\"hosts\":[\"example.org\"]}").status());
        CliRun allowed = os2("python", "--workspace", ws, "-c",
                "import os2\ntry:\n    os2.invoke('net.http', url='http://127.0.0.1:1/')\nexcept os2.InvocationFailed as e:\n    print('failed:', e)");
        assertEquals(0, allowed.status(), allowed.describe());
        assertTrue(allowed.out().startsWith("failed: java.lang.IllegalArgumentException: host 127.0.0.1:1 is not in the grant's scope"),
                allowed.describe());
        List<EventEnvelope> entries = entries(dir.resolve("o"));
        long token = last(entries, KernelEvents.TOKEN_STARTED).path("token").asLong();
        List<String> kinds = PythonCommandsTest.tokenKinds(entries, token);
        assertEquals(List.of("submit_token", KernelEvents.TOKEN_SCHEDULED, KernelEvents.TOKEN_STARTED, KernelEvents.CHARGE,
                KernelEvents.CAPABILITY_INVOKED, KernelEvents.INVOCATION_FAILED, KernelEvents.CHARGE, "custom.python_output",
                KernelEvents.TOKEN_COMPLETED), kinds);
    }

    @Test
    void aPolicyIsValidatedFullyThenRecordedAndApplied() throws IOException {
        String ws = dir.resolve("p").toString();
        assertEquals(0, os2("python", "--workspace", ws, "-c", "pass").status());
        long size = entries(dir.resolve("p")).size();

        Path bad = dir.resolve("bad.toml");
        Files.writeString(bad, "[default]\ntoken_budget = 100\n\n[capability.\"python.exec\"]\ntoken_budgets = 5\n");
        CliRun refused = os2("policy-load", "--workspace", ws, bad.toString());
        assertEquals(2, refused.status(), refused.describe());
        assertTrue(refused.err().contains("bad.toml:5: capability.\"python.exec\".token_budgets: unknown key"), refused.describe());
        assertEquals(size, entries(dir.resolve("p")).size(), "a bad policy records nothing");
        assertEquals(2, os2("policy-load", "--workspace", ws, dir.resolve("absent.toml").toString()).status());

        Path good = dir.resolve("CapabilityLimits.toml");
        Files.writeString(good, "[default]\ntoken_budget = 100000\n\n[capability.\"python.exec\"]\ntoken_budget = 300\n");
        CliRun loaded = os2("policy-load", "--workspace", ws, good.toString());
        assertEquals(0, loaded.status(), loaded.describe());
        assertTrue(loaded.out().startsWith("Loaded the policy CapabilityLimits.toml (ledger position " + size + ")"), loaded.describe());
        JsonNode recorded = last(entries(dir.resolve("p")), "policy_loaded");
        assertEquals("CapabilityLimits.toml", recorded.path("source").asText());
        assertEquals(300, recorded.at("/limits/capability/python.exec/tokens").asLong());

        // A run without --token-budget gets the policy's 300 statements; asking for more is refused.
        CliRun limited = os2("python", "--workspace", ws, "-c", "while True:\n    pass");
        assertEquals(1, limited.status(), limited.describe());
        assertTrue(limited.err().contains("ran out after 300 statements"), limited.describe());
        CliRun over = os2("python", "--workspace", ws, "--token-budget", "301", "-c", "pass");
        assertEquals(1, over.status(), over.describe());
        assertTrue(over.err().contains("(over_budget)"), over.describe());

        // The workspace still opens and replays, policy included.
        try (WorkspaceKernel wk = WorkspaceKernel.openReadOnly(Workspace.at(dir.resolve("p")))) {
            assertEquals(300, wk.state().policy().orElseThrow().forCapability("python.exec").tokens());
        }
    }
}
