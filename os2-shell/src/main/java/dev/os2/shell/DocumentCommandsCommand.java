package dev.os2.shell;

import dev.os2.shell.docs.Checkout;
import dev.os2.shell.docs.CommandManual;
import dev.os2.shell.docs.GeneratedFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code document-commands}: regenerates the shell manual, {@code docs/shell-manual.md}, from the
 * command definitions, or checks that the committed file is current.
 */
@Command(name = "document-commands",
        usageHelpAutoWidth = true,
        header = "Regenerate docs/shell-manual.md from the command definitions.",
        description = {
            "Render every command's synopsis, description, parameters, options (with descriptions and defaults) and exit "
                    + "statuses from the definitions the command line parses with, and write them to docs/shell-manual.md. "
                    + "Defaults are shown as they are without OS2_WORKSPACE set.",
            "With --check, write nothing and exit 1 when docs/shell-manual.md differs from what would be written."
        })
public final class DocumentCommandsCommand implements Callable<Integer> {

    /** Where the manual is written, relative to the checkout root. */
    public static final String OUTPUT = "docs/shell-manual.md";

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CheckoutOption root;

    @Option(names = "--check", description = "Write nothing; exit 1 when " + OUTPUT + " is out of date.")
    private boolean check;

    @Option(names = CommonOptions.DEBUG_OPTION, description = "Print the stack trace of an error.")
    private boolean debug;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public DocumentCommandsCommand(Session session) {
        this.session = session;
    }

    /** The manual as this build's command definitions give it, independent of the environment. */
    static String manual() {
        // A session of its own: the manual must not show this user's $OS2_WORKSPACE as the default.
        return CommandManual.markdown(Os2.commandLine(Session.of(Map.of())));
    }

    @Override
    public Integer call() {
        Checkout checkout = root.checkout();
        String text = manual();
        Path file = checkout.root().resolve(OUTPUT);
        boolean current = GeneratedFile.isCurrent(file, text);
        PrintWriter out = spec.commandLine().getOut();
        if (check) {
            out.println(current ? OUTPUT + " is up to date."
                    : OUTPUT + " is out of date. Run `" + session.hint("document-commands") + "` to regenerate it.");
            out.flush();
            return current ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
        }
        if (!current) {
            GeneratedFile.write(file, text);
        }
        out.println((current ? "Unchanged " : "Wrote ") + OUTPUT + ".");
        out.flush();
        return Os2.EXIT_OK;
    }
}
