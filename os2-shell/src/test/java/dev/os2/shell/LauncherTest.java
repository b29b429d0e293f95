package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./os2} launcher, run for real by bash in a controlled environment: it refuses a
 * machine whose only java is 17 with install advice, finds a JDK 21+ in the install folders it is
 * told to search, and passes the same JVM flags as the parent pom. Its hidden {@code --which-java}
 * and {@code --jvm-flags} options exit before building anything.
 */
class LauncherTest {

    private static final String FAKE_JAVA_17 = """
            #!/bin/sh
            echo 'openjdk version "17.0.2" 2022-01-18' >&2
            echo 'OpenJDK Runtime Environment (build 17.0.2+8-86)' >&2
            echo 'OpenJDK 64-Bit Server VM (build 17.0.2+8-86, mixed mode, sharing)' >&2
            """;

    @TempDir
    Path dir;

    private Path repo;
    private Path bash;
    private Path fakeBin;

    @BeforeEach
    void setUp() throws IOException {
        // Surefire runs in the module directory and sets basedir to it; the repository is its parent.
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        repo = module.getParent();
        assertTrue(Files.isRegularFile(repo.resolve("os2")), "the launcher is at " + repo.resolve("os2"));
        bash = Stream.of("/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash", "/opt/homebrew/bin/bash")
                .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(bash != null, "bash is not installed");
        fakeBin = Files.createDirectories(dir.resolve("fake-jdk-17").resolve("bin"));
        Path java = fakeBin.resolve("java");
        Files.writeString(java, FAKE_JAVA_17);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Result(int status, String out, String err) {
        String describe() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs the launcher with exactly {@code env} as its environment. */
    private Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(bash.toString(), repo.resolve("os2").toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        pb.redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        return new Result(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    /** Only the fake java 17 on PATH, no JAVA_HOME, and install folders limited to {@code searchDirs}. */
    private Map<String, String> onlyJava17(String searchDirs) {
        Map<String, String> env = new TreeMap<>();
        env.put("PATH", fakeBin.toString());
        env.put("HOME", dir.resolve("home").toString());
        env.put("OS2_JDK_SEARCH_DIRS", searchDirs);
        return env;
    }

    private static Path jdkHome() throws IOException {
        return Path.of(System.getProperty("java.home")).toRealPath();
    }

    @Test
    void withOnlyJava17ItStopsWithExitTwoAndSaysWhatToInstall() throws Exception {
        Path notAJdk = Files.createDirectories(dir.resolve("jvms").resolve("empty-folder"));
        Result r = launch(onlyJava17(notAJdk.getParent() + "/*"), "ledger-verify");
        assertEquals(2, r.status(), r.describe());
        assertEquals("", r.out(), r.describe());
        assertTrue(r.err().startsWith("os2: no JDK 21 or newer found."), r.describe());
        assertTrue(r.err().contains(fakeBin.resolve("java") + " [PATH]"), "names the rejected candidate: " + r.describe());
        assertTrue(r.err().contains("version 17.0.2"), "with its version: " + r.describe());
        assertTrue(r.err().contains("sudo apt-get install openjdk-21-jdk"), r.describe());
        assertTrue(r.err().contains("brew install openjdk@21"), r.describe());
        assertTrue(r.err().contains("JAVA_HOME"), r.describe());

        // The same for ./os2 test: nothing runs without a JDK 21+.
        assertEquals(2, launch(onlyJava17(""), "test").status());
    }

    @Test
    void aJavaHomeOf17IsReportedAndSkipped() throws Exception {
        Map<String, String> env = onlyJava17("");
        env.put("JAVA_HOME", fakeBin.getParent().toString());
        Result r = launch(env, "--which-java");
        assertEquals(2, r.status(), r.describe());
        assertTrue(r.err().contains(fakeBin.getParent() + " [JAVA_HOME]  (version 17.0.2, need 21 or newer)"), r.describe());

        env.put("OS2_JAVA_HOME", fakeBin.getParent().toString());
        Result forced = launch(env, "--which-java");
        assertEquals(2, forced.status(), forced.describe());
        assertTrue(forced.err().startsWith("os2: OS2_JAVA_HOME is "), forced.describe());
    }

    @Test
    void itFindsTheJdkInTheInstallFolders() throws Exception {
        Path home = jdkHome();
        Result r = launch(onlyJava17(dir.resolve("nothing-here") + ":" + home), "--which-java");
        assertEquals(0, r.status(), r.describe());
        List<String> lines = r.out().lines().toList();
        assertEquals(home.resolve("bin").resolve("java").toString(), lines.get(0), r.describe());
        assertEquals(Runtime.version().toString().replaceFirst("[+].*", ""), lines.get(1).replaceFirst("[+].*", ""),
                r.describe());

        // JAVA_HOME and OS2_JAVA_HOME pointing at it are taken as they are.
        Map<String, String> env = onlyJava17("");
        env.put("JAVA_HOME", home.toString());
        assertEquals(home.resolve("bin").resolve("java").toString(), launch(env, "--which-java").out().lines().findFirst().orElse(""));
        env.remove("JAVA_HOME");
        env.put("OS2_JAVA_HOME", home.toString());
        assertEquals(home.resolve("bin").resolve("java").toString(), launch(env, "--which-java").out().lines().findFirst().orElse(""));
    }

    @Test
    void itPassesTheSameJvmFlagsAsTheParentPom() throws Exception {
        String pom = Files.readString(repo.resolve("pom.xml"));
        Matcher chronicle = Pattern.compile("<os2\\.chronicle\\.flags>([^<]*)</os2\\.chronicle\\.flags>").matcher(pom);
        assertTrue(chronicle.find(), "the parent pom defines os2.chronicle.flags");
        Matcher jdk23 = Pattern.compile("<os2\\.jdk23\\.flags>([^<]+)</os2\\.jdk23\\.flags>").matcher(pom);
        assertTrue(jdk23.find(), "the parent pom's JDK 23+ profile defines os2.jdk23.flags");
        List<String> expected = new ArrayList<>(List.of(chronicle.group(1).trim().split("\\s+")));
        if (Runtime.version().feature() >= 23) {
            expected.addAll(List.of(jdk23.group(1).trim().split("\\s+")));
        }
        Result r = launch(onlyJava17(jdkHome().toString()), "--jvm-flags");
        assertEquals(0, r.status(), r.describe());
        assertEquals(expected, r.out().lines().toList());
    }

    @Test
    void ciRunsExactlyTheReadmeTestCommand() throws IOException {
        Path ci = repo.resolve(".ci").resolve("run");
        assertTrue(Files.isExecutable(ci), ".ci/run is executable");
        List<String> commands = Files.readAllLines(ci).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
        assertTrue(commands.contains("set -euo pipefail"), commands.toString());
        assertTrue(commands.stream().anyMatch(line -> line.matches("(exec )?\"?[^ ]*\\./os2\"? test")), commands.toString());
        assertTrue(Files.readString(repo.resolve("README.md")).contains("./os2 test"), "the README names the test command");
        assertTrue(Files.isExecutable(repo.resolve("os2")), "./os2 is executable");
    }
}
