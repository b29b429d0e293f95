package dev.os2.shell.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the gateway adds beyond allow and deny: modules handed in as source (imported, metered as
 * the script's own code, shown in tracebacks), failed invocations as {@code os2.InvocationFailed},
 * and the statement count that comes with each invocation.
 */
class GatewayModulesTest {

    private final PythonSandbox sandbox = TestSandboxes.shared();

    /** Modules by name; {@code fails} fails, everything else is echoed; records the counts it was called with. */
    private static final class ModuleGateway implements CapabilityGateway {
        final Map<String, ModuleSource> modules = new TreeMap<>();
        final List<Long> counts = new ArrayList<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public GatewayReply invoke(String capabilityId, String argsJson) {
            throw new AssertionError("the sandbox calls the three-argument invoke");
        }

        @Override
        public GatewayReply invoke(String capabilityId, String argsJson, long statementsUsed) {
            counts.add(statementsUsed);
            return capabilityId.equals("fails") ? new GatewayReply.Failed("the disk is on fire")
                    : new GatewayReply.Allowed(argsJson);
        }

        @Override
        public List<String> capabilities() {
            return List.of("echo", "fails");
        }

        @Override
        public Optional<ModuleSource> module(String name) {
            asked.add(name);
            return Optional.ofNullable(modules.get(name));
        }
    }

    @Test
    void aModuleFromTheGatewayImportsAndItsCodeIsMetered() {
        ModuleGateway gateway = new ModuleGateway();
        gateway.modules.put("tools", new ModuleSource("python/tools.py", """
                GREETING = 'hello'
                def spin(n):
                    total = 0
                    for i in range(n):
                        total += i
                    return total
                """, false));
        gateway.modules.put("pkg", new ModuleSource("site-packages/pkg/__init__.py", "NAME = 'pkg'\n", true));
        gateway.modules.put("pkg.sub", new ModuleSource("site-packages/pkg/sub.py", "def f():\n    return 41 + 1\n", false));
        String script = "import tools, pkg.sub, json\nprint(tools.GREETING, tools.spin(10), pkg.NAME, pkg.sub.f(), tools.__file__)\n";
        RunResult.Completed small = assertInstanceOf(RunResult.Completed.class,
                sandbox.run(RunRequest.of("main.py", script).withGateway(gateway), null, null));
        assertEquals("hello 45 pkg 42 python/tools.py\n", small.output().stdoutText());
        // The standard library's json never reaches the gateway; the workspace's modules do.
        assertTrue(gateway.asked.containsAll(List.of("tools", "pkg", "pkg.sub")), gateway.asked.toString());
        assertTrue(!gateway.asked.contains("json"), gateway.asked.toString());

        // Ten more loop iterations in the module cost more fuel: its code is metered.
        RunResult.Completed large = assertInstanceOf(RunResult.Completed.class, sandbox.run(RunRequest.of("main.py",
                script.replace("spin(10)", "spin(20)")).withGateway(gateway), null, null));
        assertEquals(small.statementsUsed() + 20, large.statementsUsed());

        // A module's top level is metered too: an endless loop there is stopped by the budget.
        gateway.modules.put("forever", new ModuleSource("python/forever.py", "while True:\n    pass\n", false));
        RunResult.BudgetExceeded stopped = assertInstanceOf(RunResult.BudgetExceeded.class, sandbox.run(
                RunRequest.of("main.py", "import forever\n").withGateway(gateway).withStatementBudget(500), null, null));
        assertEquals("python/forever.py", stopped.file());
    }

    @Test
    void aModuleErrorShowsItsOwnSourceInTheTraceback() {
        ModuleGateway gateway = new ModuleGateway();
        gateway.modules.put("broken", new ModuleSource("python/broken.py", "def boom():\n    return 1 / 0\n", false));
        RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class, sandbox.run(
                RunRequest.of("main.py", "import broken\nbroken.boom()\n").withGateway(gateway), null, null));
        assertEquals("ZeroDivisionError", failed.exceptionType());
        String traceback = String.join("\n", failed.traceback());
        assertTrue(traceback.contains("File \"python/broken.py\", line 2, in boom"), traceback);
        assertTrue(traceback.contains("return 1 / 0"), traceback);
    }

    @Test
    void anUnknownModuleIsAnImportError() {
        RunResult.Failed failed = assertInstanceOf(RunResult.Failed.class, sandbox.run(
                RunRequest.of("main.py", "import not_here\n").withGateway(new ModuleGateway()), null, null));
        assertEquals("ModuleNotFoundError", failed.exceptionType());
    }

    @Test
    void aFailedInvocationIsAnInvocationFailedAndEachCallCarriesTheCount() {
        ModuleGateway gateway = new ModuleGateway();
        RunResult.Completed completed = assertInstanceOf(RunResult.Completed.class, sandbox.run(RunRequest.of("calls.py", """
                import os2
                os2.invoke('echo', n=1)
                x = 1
                x = 2
                try:
                    os2.invoke('fails')
                except RuntimeError as e:
                    print(type(e).__name__, e)
                """).withGateway(gateway), null, null));
        assertEquals("InvocationFailed the disk is on fire\n", completed.output().stdoutText());
        assertEquals(List.of(2L, 6L), gateway.counts);
    }
}
