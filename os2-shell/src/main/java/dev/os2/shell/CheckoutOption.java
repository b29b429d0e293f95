package dev.os2.shell;

import dev.os2.shell.docs.Checkout;
import dev.os2.shell.docs.PomException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --root DIR}: the OS2 checkout a documentation or release command works on. Without it,
 * the checkout is found by walking up from the current directory to the {@code pom.xml} that lists
 * the modules.
 */
final class CheckoutOption {

    @Option(names = "--root", paramLabel = "DIR",
            description = "The OS2 checkout (the folder of the pom.xml that lists the modules). "
                    + "Default: found by walking up from the current directory.")
    private Path root;

    /**
     * The checkout.
     *
     * @throws InputException if {@code --root} is not a checkout, or none holds the current directory
     */
    Checkout checkout() {
        try {
            if (root != null) {
                if (!Files.isDirectory(root)) {
                    throw new InputException("--root " + root + " is not a directory", "Pass the folder of an OS2 checkout.");
                }
                if (!Checkout.isRoot(root)) {
                    throw new InputException("--root " + root.toAbsolutePath().normalize() + " is not an OS2 checkout (it has no pom.xml "
                            + "with <modules>)", "Pass the folder that holds the parent pom.xml.");
                }
                return new Checkout(root);
            }
            Path cwd = Path.of("").toAbsolutePath();
            return Checkout.find(cwd).orElseThrow(() -> new InputException("not in an OS2 checkout: neither " + cwd
                    + " nor a folder above it has a pom.xml with <modules>",
                    "Run it inside the OS2 repository, or pass --root DIR."));
        } catch (PomException e) {
            throw new InputException(e.getMessage(), "Fix the pom.xml, or pass --root with another checkout.");
        }
    }
}
