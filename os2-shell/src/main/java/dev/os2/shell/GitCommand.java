package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * {@code git clone REMOTE [NAME] | git ls-remote REMOTE | git pull NAME}: the system git, through
 * the {@code git.remote} capability, only against remotes the grant allows (see
 * {@link GitRemoteHandler}). Clones live in {@code <workspace>/repos/}.
 */
@Command(name = "git",
        usageHelpAutoWidth = true,
        header = "Run git against an allowed remote (capability git.remote).",
        description = {
            "`git clone REMOTE [NAME]` clones into <workspace>/repos/NAME; `git ls-remote REMOTE` lists its refs; "
                    + "`git pull NAME` fast-forwards a clone from its origin. Only remotes in the grant's scope are reached "
                    + "(file:// repositories work offline), with none of your git configuration. Denied until granted: "
                    + "`cap-grant git.remote operator --scope '{\"remotes\":[\"file:///srv/git/\"]}'`.",
            "Exit 0 when git succeeded, 1 when denied or git failed (recorded), 2 for a usage error."
        })
public final class GitCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--subject", paramLabel = "S", defaultValue = ShellCapabilities.OPERATOR,
            description = "Run as subject S, which must hold git.remote (default ${DEFAULT-VALUE}).")
    private String subject;

    @Option(names = "--json", description = "Print the recorded result (exit status, head commit) as JSON instead of git's output.")
    private boolean json;

    @Parameters(paramLabel = "COMMAND [ARG...]", arity = "1..3", description = "clone REMOTE [NAME], ls-remote REMOTE, or pull NAME.")
    private List<String> words = new ArrayList<>();

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public GitCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        String command = words.get(0);
        ObjectNode args = LedgerVerifyCommand.JSON.createObjectNode();
        args.put("command", command);
        String hint;
        switch (command) {
            case "clone" -> {
                need(words.size() >= 2 && words.size() <= 3, "git clone REMOTE [NAME]");
                args.put("remote", words.get(1));
                if (words.size() == 3) {
                    args.put("name", words.get(2));
                }
                hint = words.get(1);
            }
            case "ls-remote" -> {
                need(words.size() == 2, "git ls-remote REMOTE");
                args.put("remote", words.get(1));
                hint = words.get(1);
            }
            case "pull" -> {
                need(words.size() == 2, "git pull NAME");
                args.put("name", words.get(1));
                hint = "file:///srv/git/";
            }
            default -> throw new InputException("git here runs clone, ls-remote and pull, not " + Table.clean(Table.fit(command, 40)),
                    "Run `" + session.hint("git --help") + "` for the forms.");
        }
        String scope = "{\"remotes\":[\"" + hint.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]}";
        return ToolRunner.run(session, spec.commandLine().getOut(), spec.commandLine().getErr(), common, "git",
                ShellCapabilities.GIT_REMOTE, args, subject, scope, json);
    }

    private void need(boolean ok, String form) {
        if (!ok) {
            throw new InputException("wrong arguments for " + words.get(0), "The form is `" + session.hint(form) + "`.");
        }
    }
}
