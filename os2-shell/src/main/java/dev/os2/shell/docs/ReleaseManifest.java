package dev.os2.shell.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The release manifest, {@code releases/<version>/manifest.json}: what a release is made of and
 * the evidence that goes with it. Format 1, members in this order:
 * <pre>
 *   format, type ("os2.release.manifest"), version, tag,
 *   project      {group_id, version}                    from the parent pom
 *   java         {release, build_jdk}                   the pom's maven.compiler.release; the JDK that built the jars
 *   dependencies [{group_id, artifact_id, version}]     the parent's dependencyManagement, resolved, sorted
 *   modules      [{artifact_id, jars: [{file, bytes, sha256}]}]   every jar in each module's build folder
 *   ledger       {verify_mode, status, entries, chain_id, head}   the release workspace's ledger, verified
 *   ready_flag   {flag, snapshot, entry}                the kernel-ready flag of the version, from that ledger
 *   snapshots    [{file, bytes, sha256}]                releases/&lt;version&gt;/snapshots/*
 *   benchmarks   {deterministic: [report], jmh: [report]}
 * </pre>
 * A benchmark report entry is {@code {file, bytes, sha256, summary}}: for a
 * {@code deterministic-benchmark} report ({@code releases/<tag>/benchmarks/*.json}) the summary
 * is the report's top-level scalar members and the scalar members of its top-level objects
 * (as {@code "object.member"}), sorted by name; for a JMH result file
 * ({@code releases/<tag>/jmh/results.json}, JMH's {@code -rf json}) it is one line per benchmark:
 * benchmark, parameters, mode, score, error and unit; for the pair summary {@code ./os2 bench}
 * writes beside it ({@code summary.json}, type {@code os2.bench.summary}) it is one line per
 * pair: pair, issue, ratio, ratio_error, goal (its text, or null) and verdict. Paths are relative to the checkout root
 * with {@code /} separators. Nothing in it depends on the time or the machine, so the same build,
 * ledger and reports give the same bytes.
 */
public final class ReleaseManifest {

    /** The manifest's format version. */
    public static final int FORMAT = 1;
    /** The manifest's {@code type} member. */
    public static final String TYPE = "os2.release.manifest";
    /** The manifest's file name inside {@code releases/<version>/}. */
    public static final String FILE = "manifest.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ReleaseManifest() {
    }

    /**
     * The verified ledger of the release workspace.
     *
     * @param entries the number of entries
     * @param chainId the hash of entry 0, 64 hex digits
     * @param head the head hash, 64 hex digits
     * @param verifyMode how it was verified ({@code chain} or {@code deep})
     */
    public record LedgerHead(long entries, String chainId, String head, String verifyMode) {
        /** Checks that nothing is null. */
        public LedgerHead {
            Objects.requireNonNull(chainId, "chainId");
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(verifyMode, "verifyMode");
        }
    }

    /**
     * A jar a module's build is missing, or that is older than the module's sources.
     *
     * @param module the module's folder
     * @param jar the expected jar, relative to the checkout root
     * @param problem {@code missing} or {@code stale}
     */
    public record BuildProblem(String module, String jar, String problem) {
    }

    /** The jars of a build could not be hashed: some are missing or older than their sources. */
    public static final class BuildMissingException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final transient List<BuildProblem> problems;

        BuildMissingException(List<BuildProblem> problems) {
            super(describe(problems));
            this.problems = List.copyOf(problems);
        }

        /** What is missing or stale, in module order. */
        public List<BuildProblem> problems() {
            return problems;
        }

        private static String describe(List<BuildProblem> problems) {
            List<String> parts = new ArrayList<>();
            for (BuildProblem p : problems) {
                parts.add(p.jar() + " is " + ("missing".equals(p.problem()) ? "missing" : "older than the module's sources"));
            }
            return String.join("; ", parts);
        }
    }

    /**
     * Builds the manifest.
     *
     * @param checkout the checkout whose poms and build folders are read
     * @param buildDirectory each module's build folder name ({@code target} unless the build was
     *     run with another suffix)
     * @param version the release version
     * @param tag the tag the benchmark reports were written under
     * @param releases the releases folder ({@code releases/} of the checkout, normally)
     * @param ledger the verified ledger of the release workspace
     * @param readyFlag the kernel-ready flag of {@code version} as one JSON object
     * @throws BuildMissingException if a module's jar is missing or older than its sources
     * @throws PomException if a pom cannot be read
     * @throws UncheckedIOException if a file cannot be read
     */
    public static ObjectNode build(Checkout checkout, String buildDirectory, String version, String tag, Path releases,
            LedgerHead ledger, ObjectNode readyFlag) {
        PomFile parent = PomFile.read(checkout.parentPom());
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format", FORMAT);
        root.put("type", TYPE);
        root.put("version", version);
        root.put("tag", tag);
        ObjectNode project = root.putObject("project");
        project.put("group_id", parent.groupId());
        project.put("version", parent.version());

        List<ObjectNode> modules = new ArrayList<>();
        List<BuildProblem> problems = new ArrayList<>();
        String buildJdk = null;
        for (String module : parent.modules()) {
            PomFile pom = PomFile.read(checkout.root().resolve(module).resolve(Checkout.POM));
            Path target = checkout.root().resolve(module).resolve(buildDirectory);
            String mainJarName = pom.artifactId() + "-" + pom.version() + ".jar";
            Path mainJar = target.resolve(mainJarName);
            String shown = relative(checkout, mainJar);
            if (!Files.isRegularFile(mainJar)) {
                problems.add(new BuildProblem(module, shown, "missing"));
                continue;
            }
            if (newerSource(checkout.root().resolve(module), mainJar)) {
                problems.add(new BuildProblem(module, shown, "stale"));
                continue;
            }
            if (buildJdk == null) {
                buildJdk = buildJdk(mainJar).orElse(null);
            }
            ObjectNode m = f.objectNode();
            m.put("artifact_id", pom.artifactId());
            ArrayNode jars = m.putArray("jars");
            for (Path jar : list(target, ".jar")) {
                jars.add(fileNode(checkout, jar));
            }
            modules.add(m);
        }
        if (!problems.isEmpty()) {
            throw new BuildMissingException(problems);
        }
        ObjectNode java = root.putObject("java");
        java.put("release", Optional.ofNullable(parent.properties().get("maven.compiler.release"))
                .map(v -> PomFile.resolve(v, parent)).orElse(null));
        java.put("build_jdk", buildJdk);

        Map<String, ObjectNode> dependencies = new TreeMap<>();
        for (PomFile.Dependency d : parent.managedDependencies()) {
            if (d.groupId().equals(parent.groupId()) || d.version().isEmpty()) {
                continue;
            }
            ObjectNode n = f.objectNode();
            n.put("group_id", d.groupId());
            n.put("artifact_id", d.artifactId());
            n.put("version", PomFile.resolve(d.version(), parent));
            dependencies.put(d.key(), n);
        }
        root.putArray("dependencies").addAll(dependencies.values());
        root.putArray("modules").addAll(modules);

        ObjectNode ledgerNode = root.putObject("ledger");
        ledgerNode.put("verify_mode", ledger.verifyMode());
        ledgerNode.put("status", "intact");
        ledgerNode.put("entries", ledger.entries());
        ledgerNode.put("chain_id", ledger.chainId());
        ledgerNode.put("head", ledger.head());
        root.set("ready_flag", readyFlag);

        ArrayNode snapshots = root.putArray("snapshots");
        for (Path file : list(releases.resolve(version).resolve("snapshots"), "")) {
            snapshots.add(fileNode(checkout, file));
        }
        ObjectNode benchmarks = root.putObject("benchmarks");
        ArrayNode deterministic = benchmarks.putArray("deterministic");
        for (Path file : list(releases.resolve(tag).resolve("benchmarks"), ".json")) {
            ObjectNode n = fileNode(checkout, file);
            n.set("summary", deterministicSummary(read(file)));
            deterministic.add(n);
        }
        ArrayNode jmh = benchmarks.putArray("jmh");
        for (Path file : list(releases.resolve(tag).resolve("jmh"), ".json")) {
            ObjectNode n = fileNode(checkout, file);
            Optional<JsonNode> json = read(file);
            n.set("summary", isBenchSummary(json) ? pairSummary(json.get()) : jmhSummary(json));
            jmh.add(n);
        }
        return root;
    }

    /** The summary of a deterministic-benchmark report: scalars at the top and one level down, sorted. */
    static ObjectNode deterministicSummary(Optional<JsonNode> report) {
        ObjectNode summary = JsonNodeFactory.instance.objectNode();
        if (report.isEmpty() || !report.get().isObject()) {
            return summary;
        }
        Map<String, JsonNode> flat = new TreeMap<>();
        report.get().properties().forEach(e -> {
            if (e.getValue().isValueNode()) {
                flat.put(e.getKey(), e.getValue());
            } else if (e.getValue().isObject()) {
                e.getValue().properties().forEach(inner -> {
                    if (inner.getValue().isValueNode()) {
                        flat.put(e.getKey() + "." + inner.getKey(), inner.getValue());
                    }
                });
            }
        });
        flat.forEach(summary::set);
        return summary;
    }

    /** True for the pair summary {@code ./os2 bench} writes ({@code summary.json}). */
    static boolean isBenchSummary(Optional<JsonNode> json) {
        return json.isPresent() && json.get().isObject() && json.get().path("type").asText().equals("os2.bench.summary");
    }

    /** The summary of a {@code ./os2 bench} pair summary: one object per pair, in the file's order. */
    static ArrayNode pairSummary(JsonNode summary) {
        ArrayNode rows = JsonNodeFactory.instance.arrayNode();
        for (JsonNode r : summary.path("rows")) {
            ObjectNode n = rows.addObject();
            n.put("pair", r.path("pair").asText());
            n.set("issue", r.path("issue"));
            n.set("ratio", r.path("ratio"));
            n.set("ratio_error", r.path("ratio_error"));
            JsonNode goal = r.path("goal");
            n.set("goal", goal.isObject() ? goal.path("text") : JsonNodeFactory.instance.nullNode());
            n.put("verdict", r.path("verdict").asText());
        }
        return rows;
    }

    /** The summary of a JMH JSON result file: one object per benchmark, in the file's order. */
    static ArrayNode jmhSummary(Optional<JsonNode> results) {
        ArrayNode summary = JsonNodeFactory.instance.arrayNode();
        if (results.isEmpty() || !results.get().isArray()) {
            return summary;
        }
        for (JsonNode r : results.get()) {
            if (!r.isObject() || !r.has("benchmark")) {
                continue;
            }
            ObjectNode n = summary.addObject();
            n.put("benchmark", r.path("benchmark").asText());
            ObjectNode params = n.putObject("params");
            Map<String, JsonNode> sorted = new TreeMap<>();
            r.path("params").properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
            sorted.forEach(params::set);
            n.put("mode", r.path("mode").asText());
            JsonNode metric = r.path("primaryMetric");
            n.set("score", metric.path("score"));
            n.set("error", metric.path("scoreError"));
            n.put("unit", metric.path("scoreUnit").asText());
        }
        return summary;
    }

    /** The file parsed as JSON, or empty when it is not JSON (it is still listed with its hash). */
    private static Optional<JsonNode> read(Path file) {
        try {
            return Optional.of(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static ObjectNode fileNode(Checkout checkout, Path file) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("file", relative(checkout, file));
        try {
            n.put("bytes", Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        n.put("sha256", sha256(file));
        return n;
    }

    /**
     * The SHA-256 of a file's bytes, as 64 lowercase hex digits.
     *
     * @throws UncheckedIOException if it cannot be read
     */
    public static String sha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The regular files in {@code dir} (not below it) whose names end in {@code suffix}, by name. */
    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(suffix) && !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Whether the module's pom or a file under its src/main changed after {@code jar} was written. */
    private static boolean newerSource(Path module, Path jar) {
        try {
            FileTime built = Files.getLastModifiedTime(jar);
            if (Files.getLastModifiedTime(module.resolve(Checkout.POM)).compareTo(built) > 0) {
                return true;
            }
            Path main = module.resolve("src/main");
            if (!Files.isDirectory(main)) {
                return false;
            }
            try (Stream<Path> walk = Files.walk(main)) {
                return walk.filter(Files::isRegularFile).anyMatch(p -> {
                    try {
                        return Files.getLastModifiedTime(p).compareTo(built) > 0;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the times of " + module, e);
        }
    }

    /** {@code Build-Jdk-Spec} from the jar's manifest, as Maven's jar plugin writes it. */
    private static Optional<String> buildJdk(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return Optional.ofNullable(file.getManifest()).map(m -> m.getMainAttributes().getValue("Build-Jdk-Spec"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String relative(Checkout checkout, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path shown = abs.startsWith(checkout.root()) ? checkout.root().relativize(abs) : abs;
        return shown.toString().replace('\\', '/');
    }
}
