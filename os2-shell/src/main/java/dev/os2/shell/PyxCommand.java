package dev.os2.shell;

import dev.os2.shell.python.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pyx <expr>}: evaluates one Python expression in the sandbox, as a {@code python.exec}
 * token, and prints its {@code repr}. The words of the expression are joined with spaces, so
 * {@code pyx 1 + 1} works unquoted. The result and the statements used go to the transcript.
 */
@Command(name = "pyx",
        usageHelpAutoWidth = true,
        header = "Evaluate a Python expression in the sandbox and print its repr.",
        description = {
            "Evaluate EXPR in the deterministic sandbox as one python.exec token (as `python -c`), and print repr() of "
                    + "the value. The words are joined with spaces: `pyx 1 + 1`, `pyx \"sorted({3, 1, 2})\"`. An expression "
                    + "that starts with - needs -- before it: `pyx -- -1 + 2`.",
            "Exit 0 when it evaluated, 1 when it raised or was stopped."
        })
public final class PyxCommand implements Callable<Integer> {

    /** The expression's file name, in tracebacks. */
    static final String NAME = "<pyx>";

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--token-budget", paramLabel = "N", description = "Statements the evaluation may execute; default 1,000,000.")
    private Long tokenBudget;

    @Option(names = "--seed", paramLabel = "S", description = "Seed random with S; default: from the kernel's seed and the token.")
    private Long seed;

    @Option(names = "--subject", paramLabel = "S", defaultValue = ShellCapabilities.OPERATOR,
            description = "Evaluate as subject S (default ${DEFAULT-VALUE}).")
    private String subject;

    @Option(names = "--json", description = "Print one JSON object with the result's repr and the run's details.")
    private boolean json;

    @Parameters(paramLabel = "EXPR", arity = "1..*", description = "The expression.")
    private List<String> words = new ArrayList<>();

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public PyxCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        String expression = String.join(" ", words);
        PythonRunner.checkSize(expression, "the expression");
        // The expression is compiled on its own, so that it can only be an expression.
        String source = "print(repr(eval(compile(" + WorkspacePython.pythonLiteral(expression) + ", "
                + WorkspacePython.pythonLiteral(NAME) + ", 'eval', dont_inherit=True))))\n";
        PythonRunner.Report report = PythonRunner.run(session, spec.commandLine().getOut(), spec.commandLine().getErr(), common,
                new PythonRunner.Script("pyx", NAME, source, List.of()),
                new PythonRunner.Options(tokenBudget, seed, subject, null, json));
        report.outcome().python().ifPresent(r -> {
            if (r instanceof RunResult.Completed c) {
                String shown = c.output().stdoutText();
                session.services().annotate("result", Table.fit(shown.endsWith("\n") ? shown.substring(0, shown.length() - 1) : shown, 1000));
            }
        });
        return PythonRunner.exitStatus(report.outcome());
    }
}
