package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checkout under test is: Surefire runs in the module directory, whose parent is the root. */
final class Checkouts {

    private Checkouts() {
    }

    /** The root of the checkout these tests were built from. */
    static Path root() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().normalize();
        Path root = module.getParent();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("docs")),
                "the checkout root is " + root);
        return root;
    }
}
