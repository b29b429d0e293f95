package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.os2.kernel.Kernel;
import dev.os2.ledger.Ledger;
import dev.os2.shell.docs.PomFile;
import dev.os2.snapshot.ReadyFlag;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code release-manifest} on a temporary copy of the checkout's poms with real jars, packed here
 * from the classes the build compiled for four modules: every jar's hash is the SHA-256 of its
 * bytes (computed here independently), versions come from the poms, the ledger head is the
 * release workspace's after a real demo run, the ready flag and archived snapshot are those that
 * {@code kernel-ready-flag --set} left, benchmark reports are summarised, the same inputs give the
 * same bytes, and a missing jar, a missing ledger or an existing manifest is a one-line error.
 */
class ReleaseManifestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DEMO_HEAD = "0654b9680373f41389d1540b1e84bc0fb5129ae71a9472a2c8d940a8b63b2f80";
    /** The modules whose classes are on this test's class path, with a class of each. */
    private static final Map<String, Class<?>> MODULES = Map.of("os2-ledger", Ledger.class, "os2-kernel", Kernel.class,
            "os2-snapshot", ReadyFlag.class, "os2-shell", Os2.class);
    private static final List<String> ORDER = List.of("os2-ledger", "os2-kernel", "os2-snapshot", "os2-shell");

    @TempDir
    Path dir;

    private final Session session = Session.of(Map.of());
    private Path root;
    private String version;

    @BeforeEach
    void copyCheckoutAndPackJars() throws IOException, URISyntaxException {
        Path real = Checkouts.root();
        root = Files.createDirectories(dir.resolve("checkout"));
        // The parent pom as it is, but listing only the modules whose classes this test can pack.
        String parent = Files.readString(real.resolve("pom.xml"));
        int from = parent.indexOf("<modules>");
        int to = parent.indexOf("</modules>") + "</modules>".length();
        StringBuilder modules = new StringBuilder("<modules>");
        ORDER.forEach(m -> modules.append("<module>").append(m).append("</module>"));
        Files.writeString(root.resolve("pom.xml"), parent.substring(0, from) + modules + "</modules>" + parent.substring(to));
        version = PomFile.read(root.resolve("pom.xml")).version();
        for (String module : ORDER) {
            Files.createDirectories(root.resolve(module));
            Files.copy(real.resolve(module).resolve("pom.xml"), root.resolve(module).resolve("pom.xml"));
            Path classes = Path.of(MODULES.get(module).getProtectionDomain().getCodeSource().getLocation().toURI());
            Path jar = root.resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
            Files.createDirectories(jar.getParent());
            pack(classes, jar);
        }
    }

    /** A real jar of the compiled classes (or a copy, when the build put a jar on the class path). */
    private static void pack(Path classes, Path jar) throws IOException {
        if (Files.isRegularFile(classes)) {
            Files.copy(classes, jar);
            return;
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Build-Jdk-Spec", Integer.toString(Runtime.version().feature()));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jo = new JarOutputStream(out, manifest)) {
            for (Path f : files) {
                JarEntry e = new JarEntry(classes.relativize(f).toString().replace('\\', '/'));
                e.setTime(0);
                jo.putNextEntry(e);
                Files.copy(f, jo);
                jo.closeEntry();
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private CliRun ok(String... args) {
        CliRun run = CliRun.run(session, args);
        assertEquals(0, run.status(), run.describe());
        return run;
    }

    @Test
    void theManifestHoldsTheReleaseAndItsEvidence() throws IOException {
        String ws = dir.resolve("ws").toString();
        Path releases = root.resolve("releases");
        ok("ledger-demo", "--workspace", ws);
        String snapshot = JSON.readTree(ok("snapshot-create", "--label", "release", "--workspace", ws, "--json").out())
                .path("id").asText();
        ok("snapshot-auth", snapshot, "--workspace", ws);
        ok("kernel-ready-flag", "--set", snapshot, "--release", "9.9.9", "--releases", releases.toString(), "--workspace", ws);
        String head = JSON.readTree(ok("ledger-verify", "--json", "--workspace", ws).out()).path("head").asText();
        Path bench = Files.createDirectories(releases.resolve("rc1/benchmarks"));
        Files.writeString(bench.resolve("scheduler.json"), """
                {"scenario":"scheduler","seed":42,"heads_identical":true,
                 "throughput":{"ops_per_s":1234.5},"latency":{"p50_us":10,"p99_us":20,"histogram":[1,2,3]},"runs":[{"x":1}]}
                """);
        Files.writeString(bench.resolve("report.html"), "<html></html>");
        Path jmh = Files.createDirectories(releases.resolve("rc1/jmh"));
        Files.writeString(jmh.resolve("results.json"), """
                [{"benchmark":"dev.os2.bench.kernel.SchedulerBench.os2","mode":"thrpt","params":{"size":"1000","depth":"2"},
                  "primaryMetric":{"score":12.5,"scoreError":0.25,"scoreUnit":"ops/us","rawData":[[12.4,12.6]]}}]
                """);
        Files.writeString(jmh.resolve("summary.json"), """
                {"format":1,"type":"os2.bench.summary","about":{"profile":"quick"},"rows":[
                 {"pair":"p","issue":3,"verdict":"met","marginal":false,"note":"","os2":null,"peer":null,"ratio":0.75,
                  "ratio_error":0.05,"goal":{"quantity":"ratio","direction":"at least","threshold":0.5,"text":"≥ 0.5","value":0.75}},
                 {"pair":"q","issue":4,"verdict":"not run","marginal":false,"note":"","os2":null,"peer":null,"ratio":null,
                  "ratio_error":null,"goal":null}]}
                """);

        CliRun run = ok("release-manifest", "--version", "9.9.9", "--tag", "rc1", "--root", root.toString(), "--workspace", ws);
        Path file = releases.resolve("9.9.9/manifest.json");
        assertTrue(run.out().startsWith("Wrote " + file + ":\n"), run.describe());
        String text = Files.readString(file);
        JsonNode m = JSON.readTree(text);

        List<String> members = new ArrayList<>();
        m.fieldNames().forEachRemaining(members::add);
        assertEquals(List.of("format", "type", "version", "tag", "project", "java", "dependencies", "modules", "ledger",
                "ready_flag", "snapshots", "benchmarks"), members);
        assertEquals("os2.release.manifest", m.path("type").asText());
        assertEquals("9.9.9", m.path("version").asText());
        assertEquals("rc1", m.path("tag").asText());
        assertEquals(version, m.path("project").path("version").asText());
        assertEquals("21", m.path("java").path("release").asText());
        assertEquals(Integer.toString(Runtime.version().feature()), m.path("java").path("build_jdk").asText());

        PomFile parent = PomFile.read(root.resolve("pom.xml"));
        boolean chronicle = false;
        for (JsonNode d : m.path("dependencies")) {
            if (d.path("artifact_id").asText().equals("chronicle-queue")) {
                chronicle = true;
                assertEquals(parent.properties().get("chronicle-queue.version"), d.path("version").asText());
            }
            assertFalse(d.path("version").asText().contains("${"), d.toString());
        }
        assertTrue(chronicle, "chronicle-queue is listed");

        assertEquals(ORDER.size(), m.path("modules").size());
        for (int i = 0; i < ORDER.size(); i++) {
            JsonNode module = m.path("modules").get(i);
            assertEquals(ORDER.get(i), module.path("artifact_id").asText());
            JsonNode jar = module.path("jars").get(0);
            Path jarFile = root.resolve(ORDER.get(i)).resolve("target").resolve(ORDER.get(i) + "-" + version + ".jar");
            assertEquals(ORDER.get(i) + "/target/" + ORDER.get(i) + "-" + version + ".jar", jar.path("file").asText());
            assertEquals(Files.size(jarFile), jar.path("bytes").asLong());
            assertEquals(sha256(jarFile), jar.path("sha256").asText());
        }

        JsonNode ledger = m.path("ledger");
        assertEquals("intact", ledger.path("status").asText());
        assertEquals("deep", ledger.path("verify_mode").asText());
        assertEquals(head, ledger.path("head").asText());
        assertEquals(DEMO_HEAD, JSON.readTree(ok("ledger-inspect", "--json", "--limit", "38", "--workspace", ws).outLines().get(37))
                .path("hash").asText(), "the demo's entries are the ledger's first 38");
        assertEquals(JSON.readTree(ok("ledger-inspect", "--json", "--limit", "1", "--workspace", ws).out()).path("hash").asText(),
                ledger.path("chain_id").asText());

        assertEquals("set", m.path("ready_flag").path("flag").asText());
        assertEquals(snapshot, m.path("ready_flag").path("snapshot").asText());
        assertEquals(2, m.path("snapshots").size(), "the bundle and its token");
        for (JsonNode s : m.path("snapshots")) {
            assertTrue(s.path("file").asText().startsWith("releases/9.9.9/snapshots/" + snapshot), s.toString());
            assertEquals(sha256(root.resolve(s.path("file").asText())), s.path("sha256").asText());
        }

        JsonNode det = m.path("benchmarks").path("deterministic");
        assertEquals(1, det.size(), "only the JSON reports");
        assertEquals("releases/rc1/benchmarks/scheduler.json", det.get(0).path("file").asText());
        assertEquals(sha256(bench.resolve("scheduler.json")), det.get(0).path("sha256").asText());
        assertEquals("{\"heads_identical\":true,\"latency.p50_us\":10,\"latency.p99_us\":20,\"scenario\":\"scheduler\","
                + "\"seed\":42,\"throughput.ops_per_s\":1234.5}", det.get(0).path("summary").toString());
        assertEquals("[{\"benchmark\":\"dev.os2.bench.kernel.SchedulerBench.os2\",\"params\":{\"depth\":\"2\",\"size\":\"1000\"},"
                + "\"mode\":\"thrpt\",\"score\":12.5,\"error\":0.25,\"unit\":\"ops/us\"}]",
                m.path("benchmarks").path("jmh").get(0).path("summary").toString());
        assertEquals("releases/rc1/jmh/summary.json", m.path("benchmarks").path("jmh").get(1).path("file").asText());
        assertEquals("[{\"pair\":\"p\",\"issue\":3,\"ratio\":0.75,\"ratio_error\":0.05,\"goal\":\"≥ 0.5\",\"verdict\":\"met\"},"
                + "{\"pair\":\"q\",\"issue\":4,\"ratio\":null,\"ratio_error\":null,\"goal\":null,\"verdict\":\"not run\"}]",
                m.path("benchmarks").path("jmh").get(1).path("summary").toString());

        // Same inputs, same bytes; an existing manifest is replaced only when asked.
        CliRun again = CliRun.run(session, "release-manifest", "--version", "9.9.9", "--tag", "rc1", "--root", root.toString(),
                "--workspace", ws);
        assertEquals(2, again.status(), again.describe());
        assertTrue(again.err().contains("already exists. Pass --force to replace it"), again.describe());
        ok("release-manifest", "--version", "9.9.9", "--tag", "rc1", "--root", root.toString(), "--workspace", ws, "--force");
        assertEquals(text, Files.readString(file));
        assertTrue(text.endsWith("}\n") && text.contains("\n  \"format\": 1,\n"), "pretty-printed with \\n line ends");
    }

    @Test
    void aMissingJarOrLedgerIsAOneLineErrorAndNothingIsWritten() throws IOException {
        String ws = dir.resolve("ws").toString();
        CliRun noLedger = CliRun.run(session, "release-manifest", "--version", "1.0", "--root", root.toString(), "--workspace", ws);
        assertEquals(2, noLedger.status(), noLedger.describe());
        assertTrue(noLedger.err().startsWith("os2: there is no ledger in "), noLedger.describe());

        ok("ledger-demo", "--workspace", ws);
        Files.delete(root.resolve("os2-kernel/target/os2-kernel-" + version + ".jar"));
        CliRun missing = CliRun.run(session, "release-manifest", "--version", "1.0", "--root", root.toString(), "--workspace", ws);
        assertEquals(2, missing.status(), missing.describe());
        assertEquals("os2: the build is not complete: os2-kernel/target/os2-kernel-" + version + ".jar is missing. "
                + "Build every module first, from " + root + ": ./mvnw -B package (after ./os2 test, add -DskipTests).\n",
                missing.err());
        assertFalse(Files.exists(root.resolve("releases/1.0/manifest.json")));

        CliRun badVersion = CliRun.run(session, "release-manifest", "--version", "../x", "--root", root.toString(), "--workspace", ws);
        assertEquals(2, badVersion.status(), badVersion.describe());
        assertTrue(badVersion.err().startsWith("os2: --version '../x' is not a valid release name."), badVersion.describe());
    }
}
