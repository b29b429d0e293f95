package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.HandlerContext;
import dev.os2.ledger.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The handler of {@code pip.install} (what {@code pip install} runs): installs one pure-Python
 * package into the workspace's {@code site-packages/}, from a local folder the grant's scope
 * allows, {@code {"sources": ["/srv/wheelhouse"]}}. A scope without {@code sources} allows none.
 * Nothing is downloaded and no package code runs (no build backend, no {@code setup.py}).
 *
 * <p>The package is a wheel or a source tree in one of those folders: the argument names the file
 * or folder itself ({@code tools-1.0-py3-none-any.whl}, {@code tools}), or the distribution, whose
 * newest wheel (else its source tree) is taken. A wheel must be pure ({@code py*-none-any},
 * {@code Root-Is-Purelib: true}); its {@code .data/purelib} and {@code platlib} files go to the
 * top, its scripts, headers and data are not installed. A source tree is a folder with
 * {@code pyproject.toml}, {@code setup.cfg} or {@code setup.py}, whose import package or module
 * (the distribution name with {@code _} for {@code -}) is copied from the folder or its
 * {@code src/}. Native code ({@code .so}, {@code .pyd}, {@code .dylib}, {@code .dll}) is refused, as
 * is any path that would leave {@code site-packages/}. Dependencies are not installed.
 *
 * <p>Each installed file's path, size and SHA-256 are recorded ({@code custom.pip_installed}, in
 * parts of at most {@link #FILES_PER_EVENT} files) and one token is charged per file, before
 * anything is written. Files are written to a staging folder first and then moved into place.
 */
final class PipInstallHandler implements CapabilityHandler {

    /** Most files one package may install. */
    static final int FILES_MAX = 10_000;
    /** Most bytes one package may install. */
    static final long BYTES_MAX = 64L << 20;
    /** Files listed per {@code pip_installed} event. */
    static final int FILES_PER_EVENT = 200;

    private static final Pattern WHEEL = Pattern.compile("([A-Za-z0-9_.]+)-([A-Za-z0-9_.!+]+)(-[0-9][A-Za-z0-9_.]*)?-([a-z0-9_.]+)-([a-z0-9_.]+)-([a-z0-9_.]+)\\.whl");
    private static final List<String> NATIVE = List.of(".so", ".pyd", ".dylib", ".dll", ".exe");
    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*version\\s*=\\s*[\"']([^\"']{1,64})[\"']");

    /** One file to install: where under site-packages, and its bytes. */
    private record Item(String path, byte[] bytes) {
    }

    /** What was found to install. */
    private record Package(String name, String version, String kind, String from, List<Item> items) {
    }

    @Override
    public CanonicalJson handle(HandlerContext ctx, CanonicalJson args) throws IOException {
        String wanted = args.toJsonNode().get("package").asText();
        Optional<RunAttachment> attachment = RunAttachment.of(ctx);
        if (attachment.isEmpty()) {
            throw new IllegalStateException("pip.install runs only from the shell's pip command or a script it runs");
        }
        JsonNode sources = ctx.scope().toJsonNode().get("sources");
        if (sources == null || !sources.isArray() || sources.isEmpty()) {
            throw new IllegalArgumentException("the grant's scope allows no source folder (it has no \"sources\" list)");
        }
        Package pkg = find(wanted, sources);
        ctx.chargeTokens(pkg.items().size());
        List<ObjectNode> files = new ArrayList<>();
        for (Item item : pkg.items()) {
            ObjectNode f = LedgerVerifyCommand.JSON.createObjectNode();
            f.put("path", item.path());
            f.put("bytes", item.bytes().length);
            f.put("sha256", PythonExecHandler.sha256(item.bytes()));
            files.add(f);
        }
        int parts = Math.max(1, (files.size() + FILES_PER_EVENT - 1) / FILES_PER_EVENT);
        for (int part = 0; part < parts; part++) {
            ObjectNode e = LedgerVerifyCommand.JSON.createObjectNode();
            e.put("package", pkg.name());
            e.put("version", pkg.version());
            e.put("kind", pkg.kind());
            e.put("from", pkg.from());
            e.put("part", part + 1);
            e.put("parts", parts);
            ArrayNode list = e.putArray("files");
            files.subList(part * FILES_PER_EVENT, Math.min(files.size(), (part + 1) * FILES_PER_EVENT)).forEach(list::add);
            ctx.emit("pip_installed", CanonicalJson.of(e));
        }
        install(attachment.get().workspace().directory().resolve(WorkspacePython.PACKAGES_DIRECTORY), pkg, ctx.token().value());
        if (attachment.get().toolOutput()) {
            PrintStream out = new PrintStream(attachment.get().stdout(), true, StandardCharsets.UTF_8);
            out.println("Installed " + pkg.name() + " " + pkg.version() + " (" + pkg.kind() + " " + pkg.from() + ", "
                    + pkg.items().size() + (pkg.items().size() == 1 ? " file" : " files") + ") into "
                    + WorkspacePython.PACKAGES_DIRECTORY + "/");
        }
        ObjectNode r = LedgerVerifyCommand.JSON.createObjectNode();
        r.put("package", pkg.name());
        r.put("version", pkg.version());
        r.put("kind", pkg.kind());
        r.put("files", pkg.items().size());
        return CanonicalJson.of(r);
    }

    /** PEP 503 normalisation: lower case, runs of {@code -_.} as one {@code -}. */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    private static Package find(String wanted, JsonNode sources) throws IOException {
        if (wanted.isEmpty() || wanted.contains("/") || wanted.contains("\\") || wanted.equals(".") || wanted.equals("..")) {
            throw new IllegalArgumentException("pip install takes a package name or a file name in a source folder, got "
                    + Table.clean(Table.fit(wanted, 80)));
        }
        List<String> searched = new ArrayList<>();
        for (JsonNode source : sources) {
            Path dir = Path.of(source.asText());
            searched.add(dir.toString());
            if (!dir.isAbsolute() || !Files.isDirectory(dir)) {
                continue;
            }
            Path exact = dir.resolve(wanted);
            if (Files.isRegularFile(exact) && wanted.endsWith(".whl")) {
                return wheel(exact);
            }
            if (Files.isDirectory(exact) && isSourceTree(exact)) {
                return sourceTree(exact);
            }
            String name = normalize(wanted);
            List<Path> wheels = new ArrayList<>();
            Path tree = null;
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : entries.sorted().toList()) {
                    String file = p.getFileName().toString();
                    Matcher m = WHEEL.matcher(file);
                    if (Files.isRegularFile(p) && m.matches() && normalize(m.group(1)).equals(name)) {
                        wheels.add(p);
                    } else if (Files.isDirectory(p) && normalize(file).equals(name) && isSourceTree(p)) {
                        tree = p;
                    }
                }
            }
            if (!wheels.isEmpty()) {
                wheels.sort(Comparator.comparing(p -> versionKey(wheelVersion(p))));
                return wheel(wheels.get(wheels.size() - 1));
            }
            if (tree != null) {
                return sourceTree(tree);
            }
        }
        throw new IllegalArgumentException("no wheel or source tree of " + Table.clean(Table.fit(wanted, 80))
                + " in the allowed source folders " + searched);
    }

    private static String wheelVersion(Path wheel) {
        Matcher m = WHEEL.matcher(wheel.getFileName().toString());
        return m.matches() ? m.group(2) : "";
    }

    /** A sort key that orders the numeric parts of a version by value: 1.10 after 1.9. */
    private static String versionKey(String version) {
        StringBuilder key = new StringBuilder();
        Matcher m = Pattern.compile("\\d+|\\D+").matcher(version);
        while (m.find()) {
            String part = m.group();
            key.append(Character.isDigit(part.charAt(0)) ? String.format("%020d", Long.parseLong(part.length() > 18 ? part.substring(0, 18) : part)) : part);
        }
        return key.toString();
    }

    private static boolean isSourceTree(Path dir) {
        return Files.isRegularFile(dir.resolve("pyproject.toml")) || Files.isRegularFile(dir.resolve("setup.py"))
                || Files.isRegularFile(dir.resolve("setup.cfg"));
    }

    private static Package wheel(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        Matcher m = WHEEL.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException(fileName + " is not named like a wheel (name-version-python-abi-platform.whl)");
        }
        boolean pure = m.group(5).equals("none") && m.group(6).equals("any");
        for (String tag : m.group(4).split("\\.")) {
            pure &= tag.startsWith("py");
        }
        if (!pure) {
            throw new IllegalArgumentException(fileName + " is not a pure-Python wheel (its tags are " + m.group(4) + "-" + m.group(5)
                    + "-" + m.group(6) + "; only py*-none-any is installed)");
        }
        String dataPrefix = m.group(1) + "-" + m.group(2) + ".data/";
        List<Item> items = new ArrayList<>();
        boolean purelib = false;
        long total = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            Map<String, ZipEntry> sorted = new TreeMap<>();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (!e.isDirectory()) {
                    sorted.put(e.getName(), e);
                }
            }
            for (ZipEntry e : sorted.values()) {
                String path = e.getName();
                if (path.startsWith(dataPrefix)) {
                    String rest = path.substring(dataPrefix.length());
                    if (rest.startsWith("purelib/") || rest.startsWith("platlib/")) {
                        path = rest.substring(rest.indexOf('/') + 1);
                    } else {
                        continue;
                    }
                }
                checkPath(path, fileName);
                byte[] bytes = read(zip, e, BYTES_MAX - total);
                total += bytes.length;
                if (path.endsWith(".dist-info/WHEEL")) {
                    purelib = new String(bytes, StandardCharsets.UTF_8).lines()
                            .anyMatch(l -> l.strip().equalsIgnoreCase("Root-Is-Purelib: true"));
                }
                items.add(new Item(path, bytes));
                if (items.size() > FILES_MAX) {
                    throw new IllegalArgumentException(fileName + " has more than " + FILES_MAX + " files");
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(fileName + " is not a readable wheel (zip): " + e.getMessage());
        }
        if (!purelib) {
            throw new IllegalArgumentException(fileName + " does not declare Root-Is-Purelib: true in its WHEEL file");
        }
        return new Package(m.group(1), m.group(2), "wheel", fileName, items);
    }

    private static byte[] read(ZipFile zip, ZipEntry e, long room) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            // The size in the header is not trusted: read at most what is left of the limit, plus one.
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, room + 1));
            if (bytes.length > room) {
                throw new IllegalArgumentException("the package is larger than " + BYTES_MAX + " bytes");
            }
            return bytes;
        }
    }

    private static Package sourceTree(Path dir) throws IOException {
        String dist = dir.getFileName().toString();
        String version = "unknown";
        Path pyproject = dir.resolve("pyproject.toml");
        if (Files.isRegularFile(pyproject)) {
            String text = Files.readString(pyproject, StandardCharsets.UTF_8);
            Matcher name = Pattern.compile("(?m)^\\s*name\\s*=\\s*[\"']([A-Za-z0-9._-]{1,100})[\"']").matcher(text);
            if (name.find()) {
                dist = name.group(1);
            }
            Matcher v = VERSION.matcher(text);
            if (v.find()) {
                version = v.group(1);
            }
        }
        String module = normalize(dist).replace('-', '_');
        List<Item> items = new ArrayList<>();
        long[] total = {0};
        for (Path base : List.of(dir.resolve("src"), dir)) {
            Path pkg = base.resolve(module);
            if (Files.isRegularFile(pkg.resolve("__init__.py"))) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(pkg)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    String relative = base.relativize(f).toString().replace('\\', '/');
                    if (relative.contains("__pycache__/") || relative.endsWith(".pyc")) {
                        continue;
                    }
                    checkPath(relative, dir.getFileName().toString());
                    if (!f.toRealPath().startsWith(dir.toRealPath())) {
                        throw new IllegalArgumentException(relative + " in " + dir.getFileName() + " links outside the source tree");
                    }
                    items.add(sourceItem(f, relative, total));
                }
                return new Package(dist, version, "source", dir.getFileName().toString(), items);
            }
            Path single = base.resolve(module + ".py");
            if (Files.isRegularFile(single)) {
                items.add(sourceItem(single, module + ".py", total));
                return new Package(dist, version, "source", dir.getFileName().toString(), items);
            }
        }
        throw new IllegalArgumentException("the source tree " + dir.getFileName() + " has no package or module named " + module
                + " (looked in " + dir.getFileName() + "/ and " + dir.getFileName() + "/src/)");
    }

    private static Item sourceItem(Path f, String relative, long[] total) throws IOException {
        if (Files.size(f) > BYTES_MAX - total[0]) {
            throw new IllegalArgumentException("the package is larger than " + BYTES_MAX + " bytes");
        }
        byte[] bytes = Files.readAllBytes(f);
        total[0] += bytes.length;
        return new Item(relative, bytes);
    }

    /** Refuses paths that leave site-packages and native code. */
    private static void checkPath(String path, String from) {
        String lower = path.toLowerCase(Locale.ROOT);
        boolean bad = path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains(":") || path.contains("\0");
        for (String segment : path.split("/", -1)) {
            bad |= segment.isEmpty() || segment.equals("..") || segment.equals(".");
        }
        if (bad) {
            throw new IllegalArgumentException(from + " holds a file whose path would leave site-packages: "
                    + Table.clean(Table.fit(path, 120)));
        }
        for (String suffix : NATIVE) {
            if (lower.endsWith(suffix) || lower.contains(suffix + ".")) {
                throw new IllegalArgumentException(from + " holds native code (" + Table.clean(Table.fit(path, 120))
                        + "); only pure-Python packages are installed");
            }
        }
    }

    /** Writes the files to a staging folder, then moves each into place. */
    private static void install(Path sitePackages, Package pkg, long token) throws IOException {
        Files.createDirectories(sitePackages);
        Path staging = sitePackages.resolve(".os2-staging-t" + token);
        try {
            for (Item item : pkg.items()) {
                Path target = staging.resolve(item.path());
                Files.createDirectories(target.getParent());
                Files.write(target, item.bytes());
            }
            for (Item item : pkg.items()) {
                Path target = sitePackages.resolve(item.path());
                Files.createDirectories(target.getParent());
                Files.move(staging.resolve(item.path()), target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            if (Files.exists(staging)) {
                try (Stream<Path> walk = Files.walk(staging)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
