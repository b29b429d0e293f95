package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.os2.shell.docs.Checkout;
import dev.os2.shell.docs.JsonText;
import dev.os2.shell.docs.ModuleTree;
import dev.os2.shell.docs.ModuleTreeScanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code document-module-tree}: the committed {@code docs/module-tree.md} is what the build gives
 * now; on a small checkout written here, the modules, resolved dependency versions, exported
 * packages, kinds and first javadoc sentences are exactly what the poms and sources say, the output
 * is the same on every run, {@code --check} tells a stale file from a current one, and a folder that
 * is not a checkout or a broken pom is a one-line error.
 */
class ModuleTreeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final Session session = Session.of(Map.of());

    @Test
    void theCommittedModuleTreeIsCurrentAndNamesTheModules() throws IOException {
        // One scan of the real checkout serves both checks: it takes a few seconds.
        Path root = Checkouts.root();
        ModuleTree model = ModuleTreeScanner.scan(new Checkout(root));
        assertEquals(Files.readString(root.resolve(DocumentModuleTreeCommand.OUTPUT)), model.markdown(),
                "docs/module-tree.md is stale: run ./os2 document-module-tree and commit it");
        JsonNode tree = JSON.readTree(JsonText.pretty(model.json()));
        List<String> modules = new ArrayList<>();
        tree.path("modules").forEach(m -> modules.add(m.path("artifact_id").asText()));
        assertEquals(List.of("os2-ledger", "os2-kernel", "os2-snapshot", "os2-shell", "benchmarks"), modules.subList(0, 5));
        JsonNode kernel = tree.path("modules").get(1);
        JsonNode first = kernel.path("dependencies").get(0);
        assertEquals("os2-ledger", first.path("artifact_id").asText());
        assertTrue(first.path("internal").asBoolean());
        assertEquals(tree.path("version").asText(), first.path("version").asText());
        // The kernel's entry point is listed with its kind and summary.
        boolean found = false;
        for (JsonNode p : kernel.path("packages")) {
            for (JsonNode t : p.path("types")) {
                if (p.path("name").asText().equals("dev.os2.kernel") && t.path("name").asText().equals("Kernel")) {
                    found = true;
                    assertEquals("class", t.path("kind").asText());
                    assertFalse(t.path("summary").asText().isEmpty(), t.toString());
                }
            }
        }
        assertTrue(found, "dev.os2.kernel.Kernel is in the tree");
    }

    /** A two-module checkout whose every fact the test knows. */
    private Path writeSmallCheckout() throws IOException {
        Path root = dir.resolve("proj");
        Files.createDirectories(root);
        Files.writeString(root.resolve("pom.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.example</groupId>
                  <artifactId>parent</artifactId>
                  <version>1.2.3</version>
                  <packaging>pom</packaging>
                  <modules>
                    <module>core</module>
                    <module>app</module>
                  </modules>
                  <properties>
                    <maven.compiler.release>21</maven.compiler.release>
                    <lib.version>4.5</lib.version>
                    <lib.full>${lib.version}.6</lib.full>
                  </properties>
                  <dependencyManagement>
                    <dependencies>
                      <dependency><groupId>org.example</groupId><artifactId>core</artifactId><version>${project.version}</version></dependency>
                      <dependency><groupId>com.lib</groupId><artifactId>lib</artifactId><version>${lib.full}</version></dependency>
                      <dependency><groupId>org.testing</groupId><artifactId>testing-bom</artifactId><version>7.0</version>
                        <type>pom</type><scope>import</scope></dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                    <dependency><groupId>org.testing.unit</groupId><artifactId>unit</artifactId><scope>test</scope></dependency>
                  </dependencies>
                </project>
                """);
        Path core = Files.createDirectories(root.resolve("core/src/main/java/org/example/core"));
        Files.writeString(root.resolve("core/pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>1.2.3</version></parent>
                  <artifactId>core</artifactId>
                  <description>  The core,
                     on two lines.  </description>
                  <dependencies>
                    <dependency><groupId>com.lib</groupId><artifactId>lib</artifactId></dependency>
                  </dependencies>
                  <build><plugins><plugin><artifactId>p</artifactId><dependencies>
                    <dependency><groupId>not</groupId><artifactId>counted</artifactId><version>1</version></dependency>
                  </dependencies></plugin></plugins></build>
                </project>
                """);
        Files.writeString(core.resolve("package-info.java"), """
                /** The core: {@code Engine} and friends. More text. */
                package org.example.core;
                """);
        Files.writeString(core.resolve("Engine.java"), """
                package org.example.core;

                /**
                 * Runs {@link Part#run(int) parts} in order, see {@link java.util.List}; a | b &lt; c. Second
                 * sentence is not shown.
                 */
                public final class Engine {
                    /** Not a top-level type. */
                    public record Inner(int x) { }
                }

                /** Not public. */
                class Hidden { }
                """);
        Files.writeString(core.resolve("Part.java"), """
                package org.example.core;

                /** A <code>part</code> of the engine. */
                public interface Part {
                    void run(int times);
                }
                """);
        Files.writeString(core.resolve("Mode.java"), "package org.example.core;\npublic enum Mode { FAST, SLOW }\n");
        Files.writeString(core.resolve("Point.java"), "package org.example.core;\n/** A point. */\npublic record Point(int x, int y) { }\n");
        Path internal = Files.createDirectories(root.resolve("core/src/main/java/org/example/core/internal"));
        Files.writeString(internal.resolve("Detail.java"), "package org.example.core.internal;\nfinal class Detail { }\n");
        Files.createDirectories(root.resolve("app/src/main/java/org/example/app"));
        Files.writeString(root.resolve("app/pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>1.2.3</version></parent>
                  <artifactId>app</artifactId>
                  <properties><own.version>9.9</own.version></properties>
                  <dependencies>
                    <dependency><groupId>org.zzz</groupId><artifactId>own</artifactId><version>${own.version}</version>
                      <scope>runtime</scope></dependency>
                    <dependency><groupId>org.example</groupId><artifactId>core</artifactId></dependency>
                  </dependencies>
                </project>
                """);
        Files.writeString(root.resolve("app/src/main/java/org/example/app/Main.java"),
                "package org.example.app;\n/** The app. */\npublic @interface Main { }\n");
        return root;
    }

    @Test
    void theTreeIsWhatThePomsAndSourcesSay() throws IOException {
        Path root = writeSmallCheckout();
        CliRun run = CliRun.run(session, "document-module-tree", "--json", "--root", root.toString());
        assertEquals(0, run.status(), run.describe());
        JsonNode tree = JSON.readTree(run.out());
        assertEquals("org.example", tree.path("group_id").asText());
        assertEquals("1.2.3", tree.path("version").asText());
        assertEquals("21", tree.path("java_release").asText());
        assertEquals("7.0 (org.testing:testing-bom)", tree.path("inherited_dependencies").get(0).path("version").asText());

        JsonNode core = tree.path("modules").get(0);
        assertEquals("core", core.path("artifact_id").asText());
        assertEquals("The core, on two lines.", core.path("description").asText());
        assertEquals(1, core.path("dependencies").size(), "a plugin's dependencies are not the module's");
        assertEquals("4.5.6", core.path("dependencies").get(0).path("version").asText());
        assertFalse(core.path("dependencies").get(0).path("internal").asBoolean());
        assertEquals(1, core.path("packages").size(), "a package without public types is not exported");
        JsonNode pkg = core.path("packages").get(0);
        assertEquals("org.example.core", pkg.path("name").asText());
        assertEquals("The core: `Engine` and friends.", pkg.path("summary").asText());
        List<String> types = new ArrayList<>();
        pkg.path("types").forEach(t -> types.add(t.path("name").asText() + " " + t.path("kind").asText() + " " + t.path("summary").asText()));
        assertEquals(List.of(
                "Engine class Runs parts in order, see `java.util.List`; a | b < c.",
                "Mode enum ",
                "Part interface A `part` of the engine.",
                "Point record A point."), types);

        JsonNode app = tree.path("modules").get(1);
        List<String> deps = new ArrayList<>();
        app.path("dependencies").forEach(d -> deps.add(d.path("artifact_id").asText() + " " + d.path("version").asText() + " "
                + d.path("scope").asText() + " " + d.path("internal").asBoolean()));
        assertEquals(List.of("core 1.2.3 compile true", "own 9.9 runtime false"), deps, "internal first, then by name");
        assertEquals("annotation", app.path("packages").get(0).path("types").get(0).path("kind").asText());

        String first = CliRun.run(session, "document-module-tree", "--json", "--root", root.toString()).out();
        assertEquals(run.out(), first, "the same checkout gives the same bytes");
    }

    @Test
    void checkTellsAStaleFileFromACurrentOne() throws IOException {
        Path root = writeSmallCheckout();
        CliRun missing = CliRun.run(session, "document-module-tree", "--check", "--root", root.toString());
        assertEquals(1, missing.status(), missing.describe());
        assertTrue(missing.out().contains("out of date. Run `os2 document-module-tree`"), missing.describe());
        assertFalse(Files.exists(root.resolve("docs/module-tree.md")), "--check writes nothing");

        CliRun write = CliRun.run(session, "document-module-tree", "--root", root.toString());
        assertEquals(0, write.status(), write.describe());
        assertEquals("Wrote docs/module-tree.md: 2 modules, 2 exported packages, 5 public types.\n", write.out());
        String md = Files.readString(root.resolve("docs/module-tree.md"));
        assertTrue(md.contains("| `Engine` | class | Runs parts in order, see `java.util.List`; a \\| b &lt; c. |\n"), md);
        assertTrue(md.contains("  app[\"app\"] --> core[\"core\"]\n"), md);
        assertTrue(md.endsWith(" |\n") && !md.endsWith("\n\n"), "one final newline");
        assertEquals(0, CliRun.run(session, "document-module-tree", "--check", "--root", root.toString()).status());
        assertEquals("Unchanged docs/module-tree.md: 2 modules, 2 exported packages, 5 public types.\n",
                CliRun.run(session, "document-module-tree", "--root", root.toString()).out());

        // A new public type makes the committed file stale.
        Files.writeString(root.resolve("core/src/main/java/org/example/core/internal/Open.java"),
                "package org.example.core.internal;\n/** Now exported. */\npublic class Open { }\n");
        assertEquals(1, CliRun.run(session, "document-module-tree", "--check", "--root", root.toString()).status());
    }

    @Test
    void outsideACheckoutOrWithABrokenPomItIsAOneLineError() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun notCheckout = CliRun.run(session, "document-module-tree", "--root", empty.toString());
        assertEquals(2, notCheckout.status(), notCheckout.describe());
        assertTrue(notCheckout.err().startsWith("os2: --root " + empty + " is not an OS2 checkout"), notCheckout.describe());
        assertEquals(1, notCheckout.err().lines().count(), notCheckout.describe());

        Path root = writeSmallCheckout();
        assertEquals(root, Checkout.find(root.resolve("core/src/main/java")).orElseThrow().root(), "found by walking up");
        assertTrue(Checkout.find(empty).isEmpty());

        Files.writeString(root.resolve("app/pom.xml"), "<project><artifactId>app</artifactId>");
        CliRun broken = CliRun.run(session, "document-module-tree", "--root", root.toString());
        assertEquals(2, broken.status(), broken.describe());
        assertTrue(broken.err().startsWith("os2: " + root.resolve("app/pom.xml") + ": it is not well-formed XML"), broken.describe());

        Files.writeString(root.resolve("app/pom.xml"), "<project><artifactId>app</artifactId><dependencies><dependency>"
                + "<groupId>x</groupId><artifactId>y</artifactId></dependency></dependencies></project>");
        CliRun unmanaged = CliRun.run(session, "document-module-tree", "--root", root.toString());
        assertEquals(2, unmanaged.status(), unmanaged.describe());
        assertTrue(unmanaged.err().contains("the dependency x:y has no version"), unmanaged.describe());
    }
}
