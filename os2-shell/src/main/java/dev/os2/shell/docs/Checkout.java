package dev.os2.shell.docs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The root of an OS2 checkout: the directory whose {@code pom.xml} lists the modules. Found by
 * walking up from a start directory, or given explicitly.
 *
 * @param root the directory holding the parent {@code pom.xml}, absolute and normalised
 */
public record Checkout(Path root) {

    /** The parent pom's file name. */
    public static final String POM = "pom.xml";

    /** Makes {@code root} absolute and normalised. */
    public Checkout {
        root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /**
     * The checkout that holds {@code start}: {@code start} itself or the nearest parent directory
     * whose {@code pom.xml} has a {@code <modules>} element.
     *
     * @return the checkout, or empty when no directory from {@code start} up to the file system's
     *     root qualifies
     * @throws PomException if a {@code pom.xml} on the way cannot be read or is not XML
     */
    public static Optional<Checkout> find(Path start) {
        Path dir = Objects.requireNonNull(start, "start").toAbsolutePath().normalize();
        while (dir != null) {
            Path pom = dir.resolve(POM);
            if (Files.isRegularFile(pom) && PomFile.read(pom).hasModules()) {
                return Optional.of(new Checkout(dir));
            }
            dir = dir.getParent();
        }
        return Optional.empty();
    }

    /**
     * Whether {@code dir} is a checkout root: its {@code pom.xml} exists and lists modules.
     *
     * @throws PomException if its {@code pom.xml} cannot be read or is not XML
     */
    public static boolean isRoot(Path dir) {
        Path pom = dir.resolve(POM);
        return Files.isRegularFile(pom) && PomFile.read(pom).hasModules();
    }

    /** {@code <root>/pom.xml}. */
    public Path parentPom() {
        return root.resolve(POM);
    }

    /** {@code <root>/docs}. */
    public Path docs() {
        return root.resolve("docs");
    }

    /** {@code <root>/releases}. */
    public Path releases() {
        return root.resolve("releases");
    }
}
