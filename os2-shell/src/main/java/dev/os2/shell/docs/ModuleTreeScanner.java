package dev.os2.shell.docs;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.DocTree;
import com.sun.source.doctree.EntityTree;
import com.sun.source.doctree.LinkTree;
import com.sun.source.doctree.LiteralTree;
import com.sun.source.doctree.StartElementTree;
import com.sun.source.doctree.EndElementTree;
import com.sun.source.doctree.TextTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Reads a checkout's {@link ModuleTree}: the modules from the parent pom's {@code <modules>}, each
 * module's dependencies from its pom (versions from the parent's {@code <dependencyManagement>}
 * and properties), and its packages and public types from its sources under
 * {@code src/main/java}, parsed (not compiled) with the JDK's compiler tree API so that kinds and
 * javadoc are read exactly as javac reads them.
 *
 * <p>Needs a JDK (the {@code jdk.compiler} module). Not thread-safe; cheap to create.
 */
public final class ModuleTreeScanner {

    private static final String SOURCES = "src/main/java";

    private ModuleTreeScanner() {
    }

    /**
     * Scans the checkout.
     *
     * @throws PomException if a pom is missing, malformed, or names a property or module that is not there
     * @throws IllegalStateException if no Java compiler is available (a JRE, not a JDK)
     * @throws UncheckedIOException if a source file cannot be read
     */
    public static ModuleTree scan(Checkout checkout) {
        PomFile parent = PomFile.read(checkout.parentPom());
        List<String> moduleNames = parent.modules();
        Map<String, PomFile> poms = new LinkedHashMap<>();
        for (String name : moduleNames) {
            Path pom = checkout.root().resolve(name).resolve(Checkout.POM);
            poms.put(name, PomFile.read(pom));
        }
        List<String> artifactIds = poms.values().stream().map(PomFile::artifactId).toList();
        List<ModuleTree.Module> modules = new ArrayList<>();
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no Java compiler in this runtime; the module tree is read with the JDK's parser, so run it on a JDK");
        }
        for (Map.Entry<String, PomFile> e : poms.entrySet()) {
            PomFile pom = e.getValue();
            List<ModuleTree.Dependency> deps = new ArrayList<>();
            for (PomFile.Dependency d : pom.dependencies()) {
                deps.add(resolved(d, pom, parent, artifactIds));
            }
            deps.sort(Comparator.comparing((ModuleTree.Dependency d) -> !d.internal()).thenComparing(ModuleTree.Dependency::key));
            Path sources = checkout.root().resolve(e.getKey()).resolve(SOURCES);
            modules.add(new ModuleTree.Module(pom.artifactId(), e.getKey().replace('\\', '/'), pom.description(), deps,
                    packages(compiler, sources)));
        }
        List<ModuleTree.Dependency> inherited = new ArrayList<>();
        for (PomFile.Dependency d : parent.dependencies()) {
            inherited.add(resolved(d, parent, parent, artifactIds));
        }
        inherited.sort(Comparator.comparing(ModuleTree.Dependency::key));
        String release = Optional.ofNullable(parent.properties().get("maven.compiler.release"))
                .map(v -> PomFile.resolve(v, parent)).orElse("");
        return new ModuleTree(parent.groupId(), parent.version(), release, modules, inherited);
    }

    /**
     * A declared dependency with its version: as written in the module (resolved against the
     * module's properties over the parent's), else from the parent's dependency management, else
     * from a bill of materials the parent imports for the same group.
     */
    static ModuleTree.Dependency resolved(PomFile.Dependency d, PomFile module, PomFile parent, List<String> artifactIds) {
        boolean internal = d.groupId().equals(parent.groupId()) && artifactIds.contains(d.artifactId());
        String version;
        if (!d.version().isEmpty()) {
            version = PomFile.resolve(d.version(), merged(module, parent));
        } else {
            version = managedVersion(d, parent).orElseThrow(() -> new PomException(module.file(),
                    "the dependency " + d.key() + " has no version, and the parent pom's dependencyManagement has none for it", null));
        }
        return new ModuleTree.Dependency(d.groupId(), d.artifactId(), version, d.scope(), internal);
    }

    /** The version the parent's dependency management gives {@code d}, resolved. */
    public static Optional<String> managedVersion(PomFile.Dependency d, PomFile parent) {
        for (PomFile.Dependency m : parent.managedDependencies()) {
            if (m.key().equals(d.key()) && !"import".equals(m.scope())) {
                return Optional.of(PomFile.resolve(m.version(), parent));
            }
        }
        for (PomFile.Dependency m : parent.managedDependencies()) {
            // An imported BOM manages its own group's artifacts: junit-bom manages org.junit.jupiter:*.
            if ("import".equals(m.scope()) && (d.groupId().equals(m.groupId()) || d.groupId().startsWith(m.groupId() + "."))) {
                return Optional.of(PomFile.resolve(m.version(), parent) + " (" + m.key() + ")");
            }
        }
        return Optional.empty();
    }

    private static PomFile merged(PomFile module, PomFile parent) {
        Map<String, String> properties = new LinkedHashMap<>(parent.properties());
        properties.putAll(module.properties());
        return new PomFile(module.file(), module.groupId(), module.artifactId(), module.version(), module.description(),
                module.modules(), properties, module.managedDependencies(), module.dependencies(), module.hasModules());
    }

    /** The packages with public top-level types under {@code sources}, by name. */
    private static List<ModuleTree.JavaPackage> packages(JavaCompiler compiler, Path sources) {
        if (!Files.isDirectory(sources)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".java") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + sources, e);
        }
        if (files.isEmpty()) {
            return List.of();
        }
        Map<String, String> packageSummaries = new TreeMap<>();
        Map<String, List<ModuleTree.JavaType>> types = new TreeMap<>();
        try (StandardJavaFileManager fm = compiler.getStandardFileManager(d -> { }, Locale.ROOT, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromPaths(files);
            // Diagnostics are dropped: this only parses, and a broken source fails the build anyway.
            JavacTask task = (JavacTask) compiler.getTask(null, fm, d -> { }, List.of("-proc:none"), null, units);
            DocTrees docs = DocTrees.instance(task);
            for (CompilationUnitTree unit : task.parse()) {
                String pkg = unit.getPackageName() == null ? "" : unit.getPackageName().toString();
                if (unit.getSourceFile().getName().endsWith("package-info.java") && unit.getPackage() != null) {
                    packageSummaries.put(pkg, firstSentence(docs.getDocCommentTree(TreePath.getPath(unit, unit.getPackage()))));
                    continue;
                }
                for (Tree decl : unit.getTypeDecls()) {
                    if (decl instanceof ClassTree type && type.getModifiers().getFlags().contains(Modifier.PUBLIC)) {
                        types.computeIfAbsent(pkg, k -> new ArrayList<>()).add(new ModuleTree.JavaType(
                                type.getSimpleName().toString(), kind(type.getKind()),
                                firstSentence(docs.getDocCommentTree(TreePath.getPath(unit, type)))));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse the sources in " + sources, e);
        }
        List<ModuleTree.JavaPackage> result = new ArrayList<>();
        types.forEach((pkg, list) -> {
            list.sort(Comparator.comparing(ModuleTree.JavaType::name));
            result.add(new ModuleTree.JavaPackage(pkg, packageSummaries.getOrDefault(pkg, ""), list));
        });
        return result;
    }

    private static String kind(Tree.Kind kind) {
        return switch (kind) {
            case INTERFACE -> "interface";
            case RECORD -> "record";
            case ENUM -> "enum";
            case ANNOTATION_TYPE -> "annotation";
            default -> "class";
        };
    }

    /** The first sentence of a doc comment as one line of Markdown; empty when there is none. */
    static String firstSentence(DocCommentTree doc) {
        if (doc == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        render(doc.getFirstSentence(), sb);
        return PomFile.collapse(sb.toString());
    }

    private static void render(List<? extends DocTree> trees, StringBuilder sb) {
        for (DocTree t : trees) {
            switch (t.getKind()) {
                case TEXT -> sb.append(((TextTree) t).getBody());
                case CODE -> sb.append('`').append(((LiteralTree) t).getBody().getBody()).append('`');
                case LITERAL -> sb.append(((LiteralTree) t).getBody().getBody());
                case LINK, LINK_PLAIN -> {
                    LinkTree link = (LinkTree) t;
                    if (!link.getLabel().isEmpty()) {
                        render(link.getLabel(), sb);
                    } else {
                        String signature = link.getReference().getSignature();
                        // {@link #member} names a member of the type itself: show just the member.
                        signature = signature.startsWith("#") ? signature.substring(1) : signature;
                        int paren = signature.indexOf('(');
                        sb.append('`').append((paren < 0 ? signature : signature.substring(0, paren)).replace('#', '.')).append('`');
                    }
                }
                case ENTITY -> sb.append(switch (((EntityTree) t).getName().toString()) {
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "amp" -> "&";
                    case "quot" -> "\"";
                    case "nbsp" -> " ";
                    default -> "&" + ((EntityTree) t).getName() + ";";
                });
                case START_ELEMENT -> sb.append("code".contentEquals(((StartElementTree) t).getName()) ? "`" : "");
                case END_ELEMENT -> sb.append("code".contentEquals(((EndElementTree) t).getName()) ? "`" : "");
                default -> sb.append(t);
            }
        }
    }
}
