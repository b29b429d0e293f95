package dev.os2.shell;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * {@code python [--token-budget N] [--tag T] [--seed S] [--subject S] (-c CODE | script.py [args…])}:
 * runs a script in the deterministic sandbox as one {@code python.exec} token of the workspace
 * kernel (see {@link PythonRunner} and {@link PythonExecHandler}). Options go before the script;
 * everything after it is the script's.
 */
@Command(name = "python",
        usageHelpAutoWidth = true,
        header = "Run a Python script in the deterministic sandbox, as a kernel token.",
        description = {
            "Run CODE (-c) or the file SCRIPT in a GraalPy sandbox with no host access, as one python.exec token of the "
                    + "workspace's kernel: scheduled, started, charged one token per statement, its output hash recorded, "
                    + "then completed or stopped. Output streams as the script writes it.",
            "Same script, seed and budget: the same output bytes and, with --token-budget, the same stopping statement "
                    + "every time. random is seeded from --seed, or from the kernel's seed and the token; time is the "
                    + "virtual clock. Scripts reach the kernel only through the os2 module (os2.invoke, os2.capabilities) "
                    + "and import modules from <workspace>/python/ and <workspace>/site-packages/.",
            "Options come before the script; what follows the script is its own (sys.argv[1:]).",
            "Exit 0 when the script completed, 1 when it failed or was stopped (recorded), 2 for a usage error."
        })
public final class PythonCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "-c", paramLabel = "CODE", description = "Run CODE instead of a script file (named <string>).")
    private String code;

    @Option(names = "--token-budget", paramLabel = "N",
            description = "Statements the script may execute (one token each); it stops exactly at statement N+1. "
                    + "Default 1,000,000, or less if the policy says so.")
    private Long tokenBudget;

    @Option(names = "--tag", paramLabel = "T", description = "After the run, take a snapshot labelled T (as snapshot-create).")
    private String tag;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed random (and os.urandom, uuid4) with S; default: derived from the kernel's seed and the token.")
    private Long seed;

    @Option(names = "--subject", paramLabel = "S", defaultValue = ShellCapabilities.OPERATOR,
            description = "Run as subject S, which must hold python.exec; its grants are what os2.invoke may use. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String subject;

    @Option(names = "--json", description = "Print one JSON object (outcome, statements, seed, output and its hash, "
            + "ledger positions) instead of streaming the output.")
    private boolean json;

    @Parameters(paramLabel = "SCRIPT [ARG...]", arity = "0..*", description = "The script file, then its arguments.")
    private List<String> script = new ArrayList<>();

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public PythonCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        PythonRunner.Script run;
        if (code != null) {
            run = new PythonRunner.Script("python", "<string>", code, script);
        } else if (!script.isEmpty()) {
            Path file = Path.of(script.get(0));
            run = new PythonRunner.Script("python", name(file), read(file), script.subList(1, script.size()));
        } else {
            throw new InputException("give a script to run", "Run `" + session.hint("python -c 'print(1 + 1)'")
                    + "` or `" + session.hint("python script.py") + "`.");
        }
        PythonRunner.Report report = PythonRunner.run(session, spec.commandLine().getOut(), spec.commandLine().getErr(), common,
                run, new PythonRunner.Options(tokenBudget, seed, subject, tag, json));
        return PythonRunner.exitStatus(report.outcome());
    }

    /** The script's name as Python sees it: the file name, so that no host path reaches the ledger. */
    private static String name(Path file) {
        Path name = file.getFileName();
        return name == null ? "script.py" : name.toString();
    }

    /** Reads a script file as UTF-8 text. */
    static String read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new InputException(file + " is a directory", "Give a Python file.");
            }
            if (Files.size(file) > PythonRunner.SOURCE_BYTES_MAX) {
                PythonRunner.checkSize("x".repeat(PythonRunner.SOURCE_BYTES_MAX + 1), "the script " + file);
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new InputException("no such script: " + file, "Check the path.");
        } catch (CharacterCodingException e) {
            throw new InputException("the script " + file + " is not UTF-8 text", "Save it as UTF-8.");
        } catch (IOException e) {
            throw new InputException("cannot read the script " + file + ": " + Workspace.describe(e), "Check that it is a file you can read.");
        }
    }
}
