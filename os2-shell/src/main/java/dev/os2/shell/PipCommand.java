package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pip install PACKAGE}: installs a pure-Python package from an allowed local folder into the
 * workspace's {@code site-packages/}, through the {@code pip.install} capability (see
 * {@link PipInstallHandler}); {@code python} and {@code pyvm} can then import it.
 */
@Command(name = "pip",
        usageHelpAutoWidth = true,
        header = "Install pure-Python packages from allowed local folders (capability pip.install).",
        description = {"`pip install PACKAGE`: see `pip install --help`."},
        subcommands = {PipCommand.Install.class})
public final class PipCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public PipCommand(Session session) {
        this.session = session;
    }

    /** Without a subcommand: says how to use it. */
    @Override
    public Integer call() {
        throw new InputException("pip needs a subcommand", "Run `" + session.hint("pip install PACKAGE") + "`.");
    }

    /** {@code pip install PACKAGE}. */
    @Command(name = "install",
            usageHelpAutoWidth = true,
            header = "Install a pure-Python wheel or source tree into the workspace's site-packages/.",
            description = {
                "Install PACKAGE (a distribution name, or a wheel file or source folder name) from the local folders in the "
                        + "grant's scope, into <workspace>/site-packages/, where python and pyvm import it. Only pure-Python "
                        + "wheels (py*-none-any) and source trees (copied, never built: no package code runs) are installed; "
                        + "dependencies are not. Each file's SHA-256 is recorded in the ledger. Denied until granted: "
                        + "`cap-grant pip.install operator --scope '{\"sources\":[\"/srv/wheelhouse\"]}'`.",
                "Exit 0 when installed, 1 when denied or it failed (recorded), 2 for a usage error."
            })
    public static final class Install implements Callable<Integer> {

        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "--subject", paramLabel = "S", defaultValue = ShellCapabilities.OPERATOR,
                description = "Install as subject S, which must hold pip.install (default ${DEFAULT-VALUE}).")
        private String subject;

        @Option(names = "--json", description = "Print the recorded result as one JSON object.")
        private boolean json;

        @Parameters(index = "0", paramLabel = "PACKAGE", description = "A distribution name, or a wheel or source folder name.")
        private String pkg;

        /** Creates the command for {@code session}; picocli calls this through the session factory. */
        public Install(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            ObjectNode args = LedgerVerifyCommand.JSON.createObjectNode();
            args.put("package", pkg);
            return ToolRunner.run(session, spec.commandLine().getOut(), spec.commandLine().getErr(), common, "pip install",
                    ShellCapabilities.PIP_INSTALL, args, subject, "{\"sources\":[\"/path/to/wheelhouse\"]}", json);
        }
    }
}
