package dev.os2.shell.docs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * What these tools need from one Maven {@code pom.xml}, read with the JDK's DOM parser (DTDs and
 * external entities off): coordinates, description, modules, properties, managed dependencies and
 * declared dependencies. Only the direct children of {@code <project>} count, so a plugin's own
 * {@code <dependencies>} are not mistaken for the module's. Values are the text as written:
 * {@code ${...}} references are resolved by {@link #resolve}, against a parent's properties.
 *
 * @param file the pom's path
 * @param groupId the project's group id, or its parent's when it has none; empty if neither
 * @param artifactId the artifact id; empty if missing
 * @param version the version, or its parent's when it has none; empty if neither
 * @param description the description, white space collapsed; empty if none
 * @param modules the {@code <module>} entries in order
 * @param properties the {@code <properties>} in order
 * @param managedDependencies the {@code <dependencyManagement>} entries in order
 * @param dependencies the declared {@code <dependencies>} in order
 * @param hasModulesElement whether there is a {@code <modules>} element (even an empty one)
 */
public record PomFile(Path file, String groupId, String artifactId, String version, String description,
        List<String> modules, Map<String, String> properties, List<Dependency> managedDependencies,
        List<Dependency> dependencies, boolean hasModulesElement) {

    /**
     * One {@code <dependency>} as written.
     *
     * @param groupId the group id
     * @param artifactId the artifact id
     * @param version the version as written; empty when the pom leaves it to dependency management
     * @param scope the scope; {@code compile} when not written
     * @param type the type; {@code jar} when not written
     */
    public record Dependency(String groupId, String artifactId, String version, String scope, String type) {
        /** Checks that nothing is null. */
        public Dependency {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(artifactId, "artifactId");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(type, "type");
        }

        /** {@code groupId:artifactId}. */
        public String key() {
            return groupId + ":" + artifactId;
        }
    }

    /** Copies the collections. */
    public PomFile {
        Objects.requireNonNull(file, "file");
        modules = List.copyOf(modules);
        properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        managedDependencies = List.copyOf(managedDependencies);
        dependencies = List.copyOf(dependencies);
    }

    /** Whether the pom lists modules: the mark of a checkout's parent pom. */
    public boolean hasModules() {
        return hasModulesElement;
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws PomException if it is missing, unreadable, not well-formed XML or not a Maven project
     */
    public static PomFile read(Path file) {
        Element project;
        try (InputStream in = Files.newInputStream(file)) {
            project = builder().parse(in).getDocumentElement();
        } catch (NoSuchFileException e) {
            throw new PomException(file, "there is no such file", e);
        } catch (IOException e) {
            throw new PomException(file, "cannot read it: " + e.getMessage(), e);
        } catch (SAXException e) {
            throw new PomException(file, "it is not well-formed XML: " + e.getMessage(), e);
        }
        if (!"project".equals(localName(project))) {
            throw new PomException(file, "it is not a Maven project (its root element is <" + localName(project) + ">)", null);
        }
        Optional<Element> parent = child(project, "parent");
        String groupId = text(project, "groupId").orElseGet(() -> parent.flatMap(p -> text(p, "groupId")).orElse(""));
        String version = text(project, "version").orElseGet(() -> parent.flatMap(p -> text(p, "version")).orElse(""));
        List<String> modules = new ArrayList<>();
        Optional<Element> modulesElement = child(project, "modules");
        modulesElement.ifPresent(m -> children(m, "module").forEach(e -> modules.add(collapse(e.getTextContent()))));
        Map<String, String> properties = new LinkedHashMap<>();
        child(project, "properties").ifPresent(p -> children(p, null).forEach(e -> properties.put(localName(e), collapse(e.getTextContent()))));
        List<Dependency> managed = child(project, "dependencyManagement").flatMap(dm -> child(dm, "dependencies"))
                .map(PomFile::dependencies).orElse(List.of());
        List<Dependency> declared = child(project, "dependencies").map(PomFile::dependencies).orElse(List.of());
        return new PomFile(file, groupId, text(project, "artifactId").orElse(""), version,
                text(project, "description").orElse(""), modules, properties, managed, declared, modulesElement.isPresent());
    }

    /**
     * {@code value} with every {@code ${name}} replaced: {@code project.version},
     * {@code project.groupId} and {@code project.artifactId} from {@code owner}, anything else from
     * {@code owner}'s properties, recursively (at most 16 levels).
     *
     * @throws PomException if a reference names no property, or references loop
     */
    public static String resolve(String value, PomFile owner) {
        String text = value;
        for (int depth = 0; depth < 16; depth++) {
            int start = text.indexOf("${");
            if (start < 0) {
                return text;
            }
            int end = text.indexOf('}', start);
            if (end < 0) {
                throw new PomException(owner.file(), "the value '" + value + "' has an unclosed ${", null);
            }
            String name = text.substring(start + 2, end);
            String replacement = switch (name) {
                case "project.version", "pom.version" -> owner.version();
                case "project.groupId" -> owner.groupId();
                case "project.artifactId" -> owner.artifactId();
                default -> owner.properties().get(name);
            };
            if (replacement == null) {
                throw new PomException(owner.file(), "the value '" + value + "' names the property " + name + ", which it does not define", null);
            }
            text = text.substring(0, start) + replacement + text.substring(end + 1);
        }
        throw new PomException(owner.file(), "the value '" + value + "' has property references nested too deeply (a loop?)", null);
    }

    private static List<Dependency> dependencies(Element list) {
        List<Dependency> result = new ArrayList<>();
        for (Element d : children(list, "dependency")) {
            result.add(new Dependency(text(d, "groupId").orElse(""), text(d, "artifactId").orElse(""),
                    text(d, "version").orElse(""), text(d, "scope").orElse("compile"), text(d, "type").orElse("jar")));
        }
        return result;
    }

    private static DocumentBuilder builder() {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setExpandEntityReferences(false);
        try {
            // A pom needs none of these; refusing them keeps a hostile file from reading other files.
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a standard feature", e);
        }
    }

    private static String localName(Node node) {
        return node.getLocalName() != null ? node.getLocalName() : node.getNodeName();
    }

    /** The element children of {@code parent} named {@code name} (all of them when null), in order. */
    private static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || name.equals(localName(e)))) {
                result.add(e);
            }
        }
        return result;
    }

    private static Optional<Element> child(Element parent, String name) {
        List<Element> all = children(parent, name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static Optional<String> text(Element parent, String name) {
        return child(parent, name).map(e -> collapse(e.getTextContent())).filter(s -> !s.isEmpty());
    }

    /** Trims and turns every run of white space into one space. */
    static String collapse(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                space = sb.length() > 0;
            } else {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
