package dev.os2.shell.docs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * The module tree of a checkout, as {@link ModuleTreeScanner} reads it from the build: the modules
 * in build order with their dependencies (versions resolved from the parent's dependency
 * management), their exported packages (those with public top-level types) and each package's
 * public types. Rendered as Markdown ({@link #markdown}, the text of {@code docs/module-tree.md})
 * and as JSON ({@link #json}); both are deterministic: lists are sorted by name, except the
 * modules, which keep the parent pom's (build) order.
 *
 * @param groupId the project's group id
 * @param version the project's version
 * @param javaRelease the Java release the modules are compiled for ({@code maven.compiler.release}),
 *     empty when the parent pom does not set it
 * @param modules the modules in the parent pom's order
 * @param inherited the dependencies every module inherits from the parent pom, sorted
 */
public record ModuleTree(String groupId, String version, String javaRelease, List<Module> modules, List<Dependency> inherited) {

    /** Copies the lists. */
    public ModuleTree {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(javaRelease, "javaRelease");
        modules = List.copyOf(modules);
        inherited = List.copyOf(inherited);
    }

    /**
     * One module.
     *
     * @param artifactId the module's artifact id
     * @param directory its folder, relative to the checkout root, with {@code /} separators
     * @param description the pom's description; empty if none
     * @param dependencies its declared dependencies: internal ones first, then by group and artifact
     * @param packages its exported packages, by name
     */
    public record Module(String artifactId, String directory, String description, List<Dependency> dependencies,
            List<JavaPackage> packages) {
        /** Copies the lists. */
        public Module {
            Objects.requireNonNull(artifactId, "artifactId");
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(description, "description");
            dependencies = List.copyOf(dependencies);
            packages = List.copyOf(packages);
        }

        /** The number of public types over all its packages. */
        public int typeCount() {
            return packages.stream().mapToInt(p -> p.types().size()).sum();
        }
    }

    /**
     * A dependency with its version resolved.
     *
     * @param groupId the group id
     * @param artifactId the artifact id
     * @param version the resolved version; for a dependency managed by an imported bill of
     *     materials, {@code <version> (<bom group>:<bom artifact>)}
     * @param scope the Maven scope ({@code compile}, {@code runtime}, {@code test}, …)
     * @param internal whether it is another module of this checkout
     */
    public record Dependency(String groupId, String artifactId, String version, String scope, boolean internal) {
        /** Checks that nothing is null. */
        public Dependency {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(artifactId, "artifactId");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(scope, "scope");
        }

        /** {@code groupId:artifactId}. */
        public String key() {
            return groupId + ":" + artifactId;
        }
    }

    /**
     * A package with public types.
     *
     * @param name the package name
     * @param summary the first sentence of its {@code package-info.java} javadoc; empty if none
     * @param types its public top-level types, by name
     */
    public record JavaPackage(String name, String summary, List<JavaType> types) {
        /** Copies the list. */
        public JavaPackage {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(summary, "summary");
            types = List.copyOf(types);
        }
    }

    /**
     * A public top-level type.
     *
     * @param name its simple name
     * @param kind {@code class}, {@code interface}, {@code record}, {@code enum} or {@code annotation}
     * @param summary the first sentence of its javadoc, as Markdown text; empty if none
     */
    public record JavaType(String name, String kind, String summary) {
        /** Checks that nothing is null. */
        public JavaType {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(summary, "summary");
        }
    }

    /** The tree as one JSON object, members in a fixed order. */
    public ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format", 1);
        root.put("group_id", groupId);
        root.put("version", version);
        root.put("java_release", javaRelease);
        ArrayNode inheritedNode = root.putArray("inherited_dependencies");
        inherited.forEach(d -> inheritedNode.add(json(d)));
        ArrayNode modulesNode = root.putArray("modules");
        for (Module m : modules) {
            ObjectNode mn = modulesNode.addObject();
            mn.put("artifact_id", m.artifactId());
            mn.put("directory", m.directory());
            mn.put("description", m.description());
            ArrayNode deps = mn.putArray("dependencies");
            m.dependencies().forEach(d -> deps.add(json(d)));
            ArrayNode packages = mn.putArray("packages");
            for (JavaPackage p : m.packages()) {
                ObjectNode pn = packages.addObject();
                pn.put("name", p.name());
                pn.put("summary", p.summary());
                ArrayNode types = pn.putArray("types");
                for (JavaType t : p.types()) {
                    ObjectNode tn = types.addObject();
                    tn.put("name", t.name());
                    tn.put("kind", t.kind());
                    tn.put("summary", t.summary());
                }
            }
        }
        return root;
    }

    private static ObjectNode json(Dependency d) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("group_id", d.groupId());
        n.put("artifact_id", d.artifactId());
        n.put("version", d.version());
        n.put("scope", d.scope());
        n.put("internal", d.internal());
        return n;
    }

    /** The text of {@code docs/module-tree.md}: Markdown, lines ending in {@code \n}. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Module tree\n\n");
        md.append("<!-- Generated from the build by `./os2 document-module-tree`; do not edit by hand. -->\n\n");
        int packages = modules.stream().mapToInt(m -> m.packages().size()).sum();
        int types = modules.stream().mapToInt(Module::typeCount).sum();
        md.append("OS2 ").append(version).append(" (group `").append(groupId).append("`)");
        if (!javaRelease.isEmpty()) {
            md.append(", compiled for Java ").append(javaRelease);
        }
        md.append(": ").append(modules.size()).append(" modules, ").append(packages).append(" exported packages, ")
                .append(types).append(" public types. This page is generated from the poms and the sources, ")
                .append("so it is what the build holds; `./os2 document-module-tree --check` fails when it is out of date, ")
                .append("and `./os2 document-module-tree --json` prints the same as JSON.\n\n");
        md.append("A module depends only on modules listed before it (the parent pom's build order). ")
                .append("A package is *exported* when it has public types; packages without any are internal.\n\n");
        md.append("```mermaid\ngraph BT\n");
        for (Module m : modules) {
            List<Dependency> internal = m.dependencies().stream().filter(Dependency::internal).toList();
            if (internal.isEmpty()) {
                md.append("  ").append(node(m.artifactId())).append('\n');
            }
            for (Dependency d : internal) {
                md.append("  ").append(node(m.artifactId())).append(" --> ").append(node(d.artifactId())).append('\n');
            }
        }
        md.append("```\n\n");
        md.append("| module | description | depends on (internal) | packages | public types |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        for (Module m : modules) {
            List<String> internal = m.dependencies().stream().filter(Dependency::internal).map(d -> "`" + d.artifactId() + "`").toList();
            md.append("| [`").append(m.artifactId()).append("`](#").append(m.artifactId()).append(") | ")
                    .append(Markdown.cell(m.description())).append(" | ")
                    .append(internal.isEmpty() ? "none" : String.join(", ", internal)).append(" | ")
                    .append(m.packages().size()).append(" | ").append(m.typeCount()).append(" |\n");
        }
        md.append('\n');
        if (!inherited.isEmpty()) {
            md.append("Every module also inherits from the parent pom: ");
            md.append(String.join(", ", inherited.stream()
                    .map(d -> "`" + d.key() + "` " + d.version() + " (" + d.scope() + ")").toList()));
            md.append(".\n\n");
        }
        for (Module m : modules) {
            md.append("## ").append(m.artifactId()).append("\n\n");
            if (!m.description().isEmpty()) {
                md.append(Markdown.text(m.description())).append(" Folder `").append(m.directory()).append("/`.\n\n");
            } else {
                md.append("Folder `").append(m.directory()).append("/`.\n\n");
            }
            if (m.dependencies().isEmpty()) {
                md.append("Dependencies: none of its own.\n\n");
            } else {
                md.append("| dependency | version | scope |\n| --- | --- | --- |\n");
                for (Dependency d : m.dependencies()) {
                    md.append("| `").append(d.key()).append('`').append(d.internal() ? " (internal)" : "").append(" | ")
                            .append(Markdown.cell(d.version())).append(" | ").append(d.scope()).append(" |\n");
                }
                md.append('\n');
            }
            if (m.packages().isEmpty()) {
                md.append("Exported packages: none.\n\n");
                continue;
            }
            md.append("Exported packages: ").append(String.join(", ", m.packages().stream()
                    .map(p -> "`" + p.name() + "`").toList())).append(".\n\n");
            for (JavaPackage p : m.packages()) {
                md.append("### ").append(p.name()).append("\n\n");
                if (!p.summary().isEmpty()) {
                    md.append(Markdown.text(p.summary())).append("\n\n");
                }
                md.append("| type | kind | summary |\n| --- | --- | --- |\n");
                for (JavaType t : p.types()) {
                    md.append("| `").append(t.name()).append("` | ").append(t.kind()).append(" | ")
                            .append(Markdown.cell(t.summary())).append(" |\n");
                }
                md.append('\n');
            }
        }
        // One trailing newline, not two.
        return md.substring(0, md.length() - 1);
    }

    /** A Mermaid node id: its label quoted, so that hyphens and dots are fine. */
    private static String node(String artifactId) {
        return artifactId.replace('-', '_').replace('.', '_') + "[\"" + artifactId + "\"]";
    }
}
