package dev.os2.shell;

import static dev.os2.shell.PythonCommandsTest.entries;
import static dev.os2.shell.PythonCommandsTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.os2.kernel.KernelEvents;
import dev.os2.ledger.EventEnvelope;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code curl}, {@code git} and {@code pip}: each denied by default with one line naming its
 * capability and the exact grant, and a recorded {@code capability_violation}; each working, once
 * granted, only within its grant's scope: a loopback HTTP server, a local bare git repository, a
 * local wheelhouse.
 */
class ToolCommandsTest {

    @TempDir
    Path dir;

    private final Session session = ShellTestSessions.session();

    private CliRun os2(String... args) {
        return CliRun.run(session, args);
    }

    /** Checks the one-line denial and its ledger entry; returns the grant command it names. */
    private String deniedWithGrantHint(CliRun run, Path workspace, String command, String capability) {
        assertEquals(1, run.status(), run.describe());
        assertEquals("", run.out());
        String prefix = "os2: " + command + " needs capability " + capability + ", which operator does not hold (not granted; "
                + "recorded as capability_violation at ledger position ";
        assertTrue(run.err().startsWith(prefix), run.describe());
        assertEquals(1, run.err().lines().count(), run.describe());
        long position = Long.parseLong(run.err().substring(prefix.length(), run.err().indexOf(')', prefix.length())));
        EventEnvelope violation = entries(workspace).get((int) position);
        assertEquals(KernelEvents.CAPABILITY_VIOLATION, violation.kind());
        assertEquals(capability, violation.capabilityId());
        assertEquals("not_granted", violation.payload().toJsonNode().path("reason").asText());
        String hint = run.err().substring(run.err().indexOf("Grant it with `os2 ") + "Grant it with `os2 ".length(),
                run.err().lastIndexOf('`'));
        assertTrue(hint.startsWith("cap-grant " + capability + " operator --scope '"), hint);
        return hint;
    }

    /** The words of a hint like {@code cap-grant x operator --scope '{...}'}, as a shell would split them. */
    private static List<String> words(String hint) {
        List<String> words = new ArrayList<>();
        int quote = hint.indexOf('\'');
        for (String w : hint.substring(0, quote).trim().split(" ")) {
            words.add(w);
        }
        words.add(hint.substring(quote + 1, hint.lastIndexOf('\'')));
        return words;
    }

    @Test
    void curlIsDeniedUntilGrantedThenFetchesOnlyAllowedHosts() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hello", exchange -> {
            byte[] body = "hello from loopback\n".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            String url = "http://127.0.0.1:" + port + "/hello";
            Path ws = dir.resolve("c");
            String hint = deniedWithGrantHint(os2("curl", "--workspace", ws.toString(), url), ws, "curl", ShellCapabilities.NET_HTTP);
            assertEquals("cap-grant net.http operator --scope '{\"hosts\":[\"127.0.0.1:" + port + "\"]}'", hint);

            List<String> grant = new ArrayList<>(words(hint));
            grant.addAll(List.of("--workspace", ws.toString()));
            assertEquals(0, os2(grant.toArray(String[]::new)).status());
            CliRun fetched = os2("curl", "--workspace", ws.toString(), url);
            assertEquals(0, fetched.status(), fetched.describe());
            assertEquals("hello from loopback\n", fetched.out());
            List<EventEnvelope> entries = entries(ws);
            JsonNode result = last(entries, KernelEvents.TOKEN_COMPLETED).path("result");
            assertEquals(200, result.path("status").asInt());
            assertEquals(20, result.path("bytes").asInt());
            assertEquals(PythonExecHandler.sha256("hello from loopback\n".getBytes(StandardCharsets.UTF_8)), result.path("sha256").asText());
            assertEquals(20, entries.stream().filter(e -> e.kind().equals(KernelEvents.CHARGE)
                    && e.payload().toJsonNode().path("resource").asText().equals("network_bytes"))
                    .mapToLong(e -> e.payload().toJsonNode().path("amount").asLong()).sum());

            // A script of the same subject reaches the same capability through os2, and gets the result.
            CliRun script = os2("python", "--workspace", ws.toString(), "-c",
                    "import os2\nr = os2.invoke('net.http', url='" + url + "')\nprint(r['status'], repr(r['text']))");
            assertEquals(0, script.status(), script.describe());
            assertEquals("200 'hello from loopback\\n'\n", script.out());

            CliRun json = os2("curl", "--workspace", ws.toString(), "--json", url);
            assertEquals("hello from loopback\n", PythonCommandsTest.read(json.out()).at("/result/text").asText());

            CliRun elsewhere = os2("curl", "--workspace", ws.toString(), "http://localhost:" + port + "/hello");
            assertEquals(1, elsewhere.status(), elsewhere.describe());
            assertTrue(elsewhere.err().startsWith("os2: curl failed: host localhost:" + port + " is not in the grant's scope"),
                    elsewhere.describe());
            assertEquals(2, os2("curl", "--workspace", ws.toString(), "http://[bad").status());
        } finally {
            server.stop(0);
        }
    }

    private static void run(Path in, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + output);
    }

    @Test
    void gitIsDeniedUntilGrantedThenReachesOnlyAllowedRemotes() throws Exception {
        Path origin = dir.resolve("origin");
        Files.createDirectories(origin);
        run(origin, "git", "init", "-q");
        Files.writeString(origin.resolve("README"), "hello\n");
        run(origin, "git", "add", "README");
        run(origin, "git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "first");
        Path remotes = dir.resolve("remotes");
        Files.createDirectories(remotes);
        run(dir, "git", "clone", "-q", "--bare", origin.toString(), remotes.resolve("app.git").toString());
        String remote = "file://" + remotes.resolve("app.git");

        Path ws = dir.resolve("g");
        String hint = deniedWithGrantHint(os2("git", "--workspace", ws.toString(), "clone", remote), ws, "git",
                ShellCapabilities.GIT_REMOTE);
        assertEquals("cap-grant git.remote operator --scope '{\"remotes\":[\"" + remote + "\"]}'", hint);

        assertEquals(0, os2("cap-grant", "--workspace", ws.toString(), "git.remote", "operator", "--scope",
                "{\"remotes\":[\"file://" + remotes + "/\"]}").status());
        CliRun cloned = os2("git", "--workspace", ws.toString(), "clone", remote);
        assertEquals(0, cloned.status(), cloned.describe());
        assertEquals("hello\n", Files.readString(ws.resolve("repos").resolve("app").resolve("README")));
        JsonNode result = last(entries(ws), KernelEvents.TOKEN_COMPLETED).path("result");
        assertEquals(0, result.path("exit_status").asInt());
        assertEquals(40, result.path("head").asText().length(), result.toString());

        CliRun refs = os2("git", "--workspace", ws.toString(), "ls-remote", remote);
        assertEquals(0, refs.status(), refs.describe());
        assertTrue(refs.out().contains(result.path("head").asText() + "\tHEAD"), refs.describe());
        assertEquals(0, os2("git", "--workspace", ws.toString(), "pull", "app").status());

        CliRun outside = os2("git", "--workspace", ws.toString(), "clone", "file://" + origin, "other");
        assertEquals(1, outside.status(), outside.describe());
        assertTrue(outside.err().contains("is not in the grant's scope"), outside.describe());
        assertEquals(2, os2("git", "--workspace", ws.toString(), "push", remote).status());
    }

    private static void wheel(Path file, String dist, String version, String tag, String... entries) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < entries.length; i += 2) {
                zip.putNextEntry(new ZipEntry(entries[i]));
                zip.write(entries[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            String info = dist + "-" + version + ".dist-info/";
            zip.putNextEntry(new ZipEntry(info + "WHEEL"));
            zip.write(("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: " + tag + "\n").getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(info + "METADATA"));
            zip.write(("Metadata-Version: 2.1\nName: " + dist + "\nVersion: " + version + "\n").getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    @Test
    void pipIsDeniedUntilGrantedThenInstallsPurePythonPackagesThatScriptsImport() throws IOException {
        Path wheelhouse = dir.resolve("wheelhouse");
        Files.createDirectories(wheelhouse);
        String init = "def hello():\n    return 'hi from tools'\n\ndef main():\n    print(hello())\n";
        wheel(wheelhouse.resolve("tools-1.0-py3-none-any.whl"), "tools", "1.0", "py3-none-any", "tools/__init__.py", init);
        wheel(wheelhouse.resolve("tools-0.9-py3-none-any.whl"), "tools", "0.9", "py3-none-any", "tools/__init__.py", "OLD = 1\n");
        wheel(wheelhouse.resolve("fast-1.0-cp312-cp312-linux_x86_64.whl"), "fast", "1.0", "cp312-cp312-linux_x86_64",
                "fast/__init__.py", "");
        Path tree = wheelhouse.resolve("my-lib");
        Files.createDirectories(tree.resolve("src").resolve("my_lib"));
        Files.writeString(tree.resolve("pyproject.toml"), "[project]\nname = \"my-lib\"\nversion = \"0.2\"\n");
        Files.writeString(tree.resolve("src").resolve("my_lib").resolve("__init__.py"), "VALUE = 42\n");

        Path ws = dir.resolve("p");
        String hint = deniedWithGrantHint(os2("pip", "install", "--workspace", ws.toString(), "tools"), ws, "pip install",
                ShellCapabilities.PIP_INSTALL);
        assertTrue(hint.contains("\"sources\""), hint);

        assertEquals(0, os2("cap-grant", "--workspace", ws.toString(), "pip.install", "operator", "--scope",
                "{\"sources\":[\"" + wheelhouse + "\"]}").status());
        CliRun installed = os2("pip", "install", "--workspace", ws.toString(), "tools");
        assertEquals(0, installed.status(), installed.describe());
        assertEquals("Installed tools 1.0 (wheel tools-1.0-py3-none-any.whl, 3 files) into site-packages/\n", installed.out());
        JsonNode event = last(entries(ws), "custom.pip_installed").path("data");
        assertEquals(3, event.path("files").size());
        for (JsonNode f : event.path("files")) {
            byte[] bytes = Files.readAllBytes(ws.resolve("site-packages").resolve(f.path("path").asText()));
            assertEquals(PythonExecHandler.sha256(bytes), f.path("sha256").asText(), f.toString());
        }

        assertEquals(0, os2("pip", "install", "--workspace", ws.toString(), "my-lib").status());
        CliRun imported = os2("python", "--workspace", ws.toString(), "-c", "import tools, my_lib\nprint(tools.hello(), my_lib.VALUE)");
        assertEquals(0, imported.status(), imported.describe());
        assertEquals("hi from tools 42\n", imported.out());
        CliRun pyvm = os2("pyvm", "run", "--workspace", ws.toString(), "tools");
        assertEquals("hi from tools\n", pyvm.out(), pyvm.describe());

        CliRun nativeCode = os2("pip", "install", "--workspace", ws.toString(), "fast");
        assertEquals(1, nativeCode.status(), nativeCode.describe());
        assertTrue(nativeCode.err().contains("is not a pure-Python wheel"), nativeCode.describe());
        CliRun absent = os2("pip", "install", "--workspace", ws.toString(), "absent");
        assertEquals(1, absent.status(), absent.describe());
        assertTrue(absent.err().contains("no wheel or source tree of absent"), absent.describe());
    }
}
