package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelToken;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventEnvelope;
import dev.os2.shell.python.TerminalSafeOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.List;

/**
 * What {@code pip}, {@code git} and {@code curl} share: each runs as one {@code shell.tool} token of
 * the subject (default {@code operator}), whose handler invokes the tool's own capability. So a
 * subject that does not hold the tool's capability is stopped by the kernel with a recorded
 * {@code capability_violation}, and the command says, in one line, which capability to grant and
 * the exact {@code cap-grant} that grants it.
 *
 * <p>Exit status: 0 when the tool did its work, 1 when the kernel refused or stopped it or the tool
 * failed (recorded either way), 2 for usage errors (nothing recorded).
 */
final class ToolRunner {

    private ToolRunner() {
    }

    /** A scope that would allow {@code capability} something, for hints. */
    static String scopeExample(String capability) {
        return switch (capability) {
            case ShellCapabilities.NET_HTTP -> "{\"hosts\":[\"example.org\"]}";
            case ShellCapabilities.GIT_REMOTE -> "{\"remotes\":[\"file:///srv/git/\"]}";
            case ShellCapabilities.PIP_INSTALL -> "{\"sources\":[\"/srv/wheelhouse\"]}";
            default -> "{}";
        };
    }

    /**
     * Runs {@code capability} with {@code args} for {@code subject} through {@code shell.tool}.
     *
     * @param command the command's name, for messages ({@code curl})
     * @param scopeHint the scope to suggest in the grant hint, fitted to what was asked
     * @param json print the tool's result as one JSON object instead of streaming its output
     * @return the exit status
     */
    static int run(Session session, PrintWriter out, PrintWriter err, CommonOptions common, String command, String capability,
            ObjectNode args, String subject, String scopeHint, boolean json) {
        ObjectNode toolArgs = LedgerVerifyCommand.JSON.createObjectNode();
        toolArgs.put("capability", capability);
        toolArgs.set("args", args);
        OutputStream stdout = json ? OutputStream.nullOutputStream() : new WriterOutputStream(out);
        OutputStream stderr = json ? OutputStream.nullOutputStream() : new WriterOutputStream(err);
        if (!json && session.stdoutTerminal()) {
            stdout = new TerminalSafeOutputStream(stdout);
        }
        if (!json && session.stderrTerminal()) {
            stderr = new TerminalSafeOutputStream(stderr);
        }
        OutputStream runOut = stdout;
        OutputStream runErr = stderr;
        TokenRunner.Outcome outcome = session.services().withKernel(common.workspace(), wk -> TokenRunner.run(wk,
                KernelInput.SubmitToken.of(subject, ShellCapabilities.SHELL_TOOL, CanonicalJson.of(toolArgs)).withKind(command.split(" ")[0]),
                runOut, runErr, !json));
        try {
            stdout.flush();
            stderr.flush();
        } catch (java.io.IOException e) {
            // A command's writers do not fail.
        }
        if (outcome.interrupted()) {
            // Handed back now that the kernel and its ledger are closed.
            Thread.currentThread().interrupt();
        }
        ShellServices services = session.services();
        services.annotate("token", outcome.token().value());
        services.annotate("subject", subject);
        services.annotate("capability", capability);
        services.annotate("outcome", outcome.outcomeKind());
        services.annotate("ledger_positions", List.of(outcome.fromPosition(), outcome.toPosition()));
        String problem = problem(session, command, capability, subject, scopeHint, outcome);
        if (json) {
            ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
            o.put("token", outcome.token().value());
            o.put("capability", capability);
            o.put("subject", subject);
            o.put("outcome", outcome.outcomeKind());
            if (outcome.status() == KernelToken.Status.COMPLETED && outcome.ending() != null) {
                o.set("result", outcome.endingPayload().get("result"));
            }
            if (problem != null) {
                o.put("problem", problem);
            }
            o.putArray("ledger_positions").add(outcome.fromPosition()).add(outcome.toPosition());
            out.println(o);
            out.flush();
        } else if (problem != null) {
            err.println("os2: " + problem);
            err.flush();
        }
        out.flush();
        return outcome.status() == KernelToken.Status.COMPLETED ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }

    private static String problem(Session session, String command, String capability, String subject, String scopeHint,
            TokenRunner.Outcome outcome) {
        long token = outcome.token().value();
        String grantHint = "`" + session.hint("cap-grant " + capability + " " + subject + " --scope '" + scopeHint + "'") + "`";
        if (!outcome.submitted().ok()) {
            String reason = outcome.submitted().reason();
            if (List.of("not_granted", "revoked", "expired").contains(reason)) {
                return command + " runs as " + ShellCapabilities.SHELL_TOOL + ", which " + subject + " does not hold ("
                        + reason.replace('_', ' ') + "; token t" + token + " was rejected). Grant it with `"
                        + session.hint("cap-grant " + ShellCapabilities.SHELL_TOOL + " " + subject) + "`.";
            }
            return "the kernel rejected token t" + token + " (" + reason + "): " + Table.clean(String.valueOf(outcome.submitted().detail()))
                    + ".";
        }
        if (outcome.interrupted()) {
            return "interrupted: token t" + token + " was stopped.";
        }
        JsonNode p = outcome.endingPayload();
        EventEnvelope ending = outcome.ending();
        return switch (outcome.status()) {
            case COMPLETED -> null;
            case VIOLATION -> {
                String reason = p.path("reason").asText();
                String on = ending == null ? capability : String.valueOf(ending.capabilityId());
                if (List.of("not_granted", "revoked", "expired").contains(reason) && on.equals(capability)) {
                    yield command + " needs capability " + capability + ", which " + subject + " does not hold ("
                            + reason.replace('_', ' ') + "; recorded as " + KernelEvents.CAPABILITY_VIOLATION + " at ledger position "
                            + ending.position() + "). Grant it with " + grantHint + ".";
                }
                yield command + " was stopped by a " + KernelEvents.CAPABILITY_VIOLATION + " on " + on + " (" + reason + "): "
                        + Table.clean(p.path("detail").asText()) + ".";
            }
            case BUDGET_EXCEEDED -> command + " ran out of budget (" + KernelEvents.RESOURCE_BUDGET_EXCEEDED + ": "
                    + p.path("resource").asText() + ", token t" + token + ").";
            case FAILED -> command + " failed: " + failure(outcome) + ".";
            case CANCELLED -> "token t" + token + " was cancelled.";
            case REJECTED -> "token t" + token + " was rejected.";
            case WAITING, READY, RUNNING -> "token t" + token + " did not finish.";
        };
    }

    /** The tool's own error (its invocation_failed entry), without Java class names. */
    private static String failure(TokenRunner.Outcome outcome) {
        String error = null;
        for (EventEnvelope e : outcome.events()) {
            if (e.kind().equals(KernelEvents.INVOCATION_FAILED)) {
                error = e.payload().toJsonNode().path("error").asText();
            }
        }
        if (error == null) {
            error = outcome.endingPayload().path("error").asText();
        }
        return Table.clean(error.replaceFirst("^([a-zA-Z_$][a-zA-Z0-9_$]*\\.)*[A-Za-z0-9_$]*(Exception|Error): ", ""));
    }
}
