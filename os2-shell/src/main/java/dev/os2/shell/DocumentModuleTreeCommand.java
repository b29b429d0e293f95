package dev.os2.shell;

import dev.os2.shell.docs.Checkout;
import dev.os2.shell.docs.GeneratedFile;
import dev.os2.shell.docs.JsonText;
import dev.os2.shell.docs.ModuleTree;
import dev.os2.shell.docs.ModuleTreeScanner;
import dev.os2.shell.docs.PomException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code document-module-tree}: regenerates {@code docs/module-tree.md} from the build itself
 * (poms and sources), prints the same as JSON, or checks that the committed file is current.
 */
@Command(name = "document-module-tree",
        usageHelpAutoWidth = true,
        header = "Regenerate docs/module-tree.md from the build: modules, dependencies, packages, public types.",
        description = {
            "Read the checkout's build: the modules from the parent pom's <modules>, each module's dependencies from its "
                    + "pom (versions from the parent's dependencyManagement), its exported packages (those with public "
                    + "types) from its sources under src/main/java, and each public type's kind and the first sentence of "
                    + "its javadoc. Write the result to docs/module-tree.md (sorted, so the same build gives the same file).",
            "With --check, write nothing and exit 1 when docs/module-tree.md differs from what would be written. With "
                    + "--json, print the same model as one JSON object instead of writing the file.",
            "Needs a JDK (it parses the sources with the JDK's compiler)."
        })
public final class DocumentModuleTreeCommand implements Callable<Integer> {

    /** Where the module tree is written, relative to the checkout root. */
    public static final String OUTPUT = "docs/module-tree.md";

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CheckoutOption root;

    @Option(names = "--check", description = "Write nothing; exit 1 when " + OUTPUT + " is out of date.")
    private boolean check;

    @Option(names = "--json", description = "Print the module tree as one JSON object instead of writing " + OUTPUT + ".")
    private boolean json;

    @Option(names = CommonOptions.DEBUG_OPTION, description = "Print the stack trace of an error.")
    private boolean debug;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public DocumentModuleTreeCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Checkout checkout = root.checkout();
        ModuleTree tree;
        try {
            tree = ModuleTreeScanner.scan(checkout);
        } catch (PomException e) {
            throw new InputException(e.getMessage(), "Fix the pom.xml; the build would fail on it too.");
        } catch (IllegalStateException e) {
            throw new InputException(e.getMessage(), "Point JAVA_HOME at a JDK 21 or newer.");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(JsonText.pretty(tree.json()));
        }
        String text = tree.markdown();
        Path file = checkout.root().resolve(OUTPUT);
        boolean current = GeneratedFile.isCurrent(file, text);
        if (check) {
            if (!json) {
                out.println(current ? OUTPUT + " is up to date."
                        : OUTPUT + " is out of date. Run `" + session.hint("document-module-tree") + "` to regenerate it.");
            }
            out.flush();
            return current ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
        }
        if (!json) {
            if (!current) {
                GeneratedFile.write(file, text);
            }
            int packages = tree.modules().stream().mapToInt(m -> m.packages().size()).sum();
            int types = tree.modules().stream().mapToInt(ModuleTree.Module::typeCount).sum();
            out.println((current ? "Unchanged " : "Wrote ") + OUTPUT + ": " + tree.modules().size() + " modules, "
                    + packages + " exported packages, " + types + " public types.");
        }
        out.flush();
        return Os2.EXIT_OK;
    }
}
