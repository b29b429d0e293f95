package dev.os2.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pyvm run <module> [args…]}: runs the {@code main()} of a module on the workspace's Python
 * path ({@code <workspace>/python/}, then {@code <workspace>/site-packages/}) as a
 * {@code python.exec} token; {@code main}'s return value is the exit status (None is 0).
 */
@Command(name = "pyvm",
        usageHelpAutoWidth = true,
        header = "Run a workspace module's main() in the sandbox.",
        description = {"Run the entry point of a module on the workspace's Python path. `pyvm run MODULE [ARG...]`."},
        subcommands = {PyvmCommand.Run.class})
public final class PyvmCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public PyvmCommand(Session session) {
        this.session = session;
    }

    /** Without a subcommand: says how to use it. */
    @Override
    public Integer call() {
        throw new InputException("pyvm needs a subcommand", "Run `" + session.hint("pyvm run MODULE") + "`.");
    }

    /** {@code pyvm run <module> [args…]}. */
    @Command(name = "run",
            usageHelpAutoWidth = true,
            header = "Run MODULE's main() as a python.exec token.",
            description = {
                "Import MODULE from <workspace>/python/ or <workspace>/site-packages/ (where pip install puts packages) in "
                        + "the deterministic sandbox, and call its main() with sys.argv = [MODULE, ARG...]. main's return "
                        + "value is the exit status (None is 0). Budget, seed and subject as for python.",
                "Exit 0 when main() returned 0 or None, 1 when it failed or was stopped, 2 when there is no such module."
            })
    public static final class Run implements Callable<Integer> {

        private static final Pattern MODULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

        private final Session session;

        @Spec
        private CommandSpec spec;

        @Mixin
        private CommonOptions common;

        @Option(names = "--token-budget", paramLabel = "N", description = "Statements the run may execute; default 1,000,000.")
        private Long tokenBudget;

        @Option(names = "--tag", paramLabel = "T", description = "After the run, take a snapshot labelled T.")
        private String tag;

        @Option(names = "--seed", paramLabel = "S", description = "Seed random with S; default: from the kernel's seed and the token.")
        private Long seed;

        @Option(names = "--subject", paramLabel = "S", defaultValue = ShellCapabilities.OPERATOR,
                description = "Run as subject S (default ${DEFAULT-VALUE}).")
        private String subject;

        @Option(names = "--json", description = "Print one JSON object instead of streaming the output.")
        private boolean json;

        @Parameters(index = "0", paramLabel = "MODULE", description = "The module, for example tools or tools.cli.")
        private String module;

        @Parameters(index = "1..*", paramLabel = "ARG", description = "The arguments main() finds in sys.argv[1:].")
        private List<String> args = new ArrayList<>();

        /** Creates the command for {@code session}; picocli calls this through the session factory. */
        public Run(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            if (!MODULE.matcher(module).matches()) {
                throw new InputException("not a module name: " + Table.clean(Table.fit(module, 80)),
                        "Give a dotted Python name such as tools or tools.cli.");
            }
            Workspace ws = common.workspace();
            if (WorkspacePython.find(ws, module).isEmpty()) {
                throw new InputException("no module " + module + " in " + ws.directory().resolve(WorkspacePython.MODULES_DIRECTORY)
                        + " or " + ws.directory().resolve(WorkspacePython.PACKAGES_DIRECTORY),
                        "Put " + module.replace('.', '/') + ".py in " + WorkspacePython.MODULES_DIRECTORY + "/ there, or `"
                                + session.hint("pip install PACKAGE") + "`.");
            }
            String name = WorkspacePython.pythonLiteral(module);
            String source = "import importlib, sys\n"
                    + "sys.argv[0] = " + name + "\n"
                    + "main = getattr(importlib.import_module(" + name + "), 'main', None)\n"
                    + "if not callable(main):\n"
                    + "    raise SystemExit('pyvm: module ' + " + name + " + ' has no main() function')\n"
                    + "sys.exit(main())\n";
            PythonRunner.Report report = PythonRunner.run(session, spec.commandLine().getOut(), spec.commandLine().getErr(), common,
                    new PythonRunner.Script("pyvm", "<pyvm " + module + ">", source, args),
                    new PythonRunner.Options(tokenBudget, seed, subject, tag, json));
            return PythonRunner.exitStatus(report.outcome());
        }
    }

    /** Marks the commands whose positional arguments end option parsing (the script's own follow). */
    static void configure(CommandLine root) {
        root.getSubcommands().get("python").setStopAtPositional(true);
        root.getSubcommands().get("pyvm").getSubcommands().get("run").setStopAtPositional(true);
        root.getSubcommands().get("pyx").setStopAtPositional(true);
    }
}
