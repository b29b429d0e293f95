package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelToken;
import dev.os2.kernel.TokenId;
import dev.os2.ledger.EventEnvelope;
import dev.os2.shell.python.RunResult;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs one token for a command, on the command's thread: submits it, attaches the command's
 * output and workspace ({@link RunAttachment}), runs the kernel until it is idle, and reads back how
 * the token ended from the ledger. Stateless.
 */
final class TokenRunner {

    private TokenRunner() {
    }

    /**
     * How a command's token went.
     *
     * @param submitted the kernel's answer to the submission
     * @param status the token's final status ({@code REJECTED} if it was refused)
     * @param ending the entry that ended it ({@code token_completed}, {@code token_failed},
     *     {@code resource_budget_exceeded}, {@code capability_violation}, {@code token_cancelled},
     *     {@code token_rejected}), or null if none was found
     * @param events this token's entries, in order, from the submission on
     * @param fromPosition the ledger position of the submission
     * @param toPosition the last ledger position written by the run
     * @param python the Python run's result, if {@code python.exec} ran
     * @param interrupted whether a handler stopped because the thread was interrupted
     */
    record Outcome(KernelResponse submitted, KernelToken.Status status, EventEnvelope ending, List<EventEnvelope> events,
            long fromPosition, long toPosition, Optional<RunResult> python, boolean interrupted) {

        /** The token's id (assigned even to a refused submission). */
        TokenId token() {
            return submitted.tokenId();
        }

        /** The payload of the ending entry, or an empty object. */
        JsonNode endingPayload() {
            return ending == null ? LedgerVerifyCommand.JSON.createObjectNode() : ending.payload().toJsonNode();
        }

        /** The payload of this token's last {@code custom.<name>} entry, if any. */
        Optional<JsonNode> custom(String name) {
            Optional<JsonNode> found = Optional.empty();
            for (EventEnvelope e : events) {
                if (e.kind().equals(KernelEvents.CUSTOM_PREFIX + name)) {
                    found = Optional.of(e.payload().toJsonNode().path("data"));
                }
            }
            return found;
        }

        /** The kind of the ending entry, for transcripts: {@code token_completed}, … */
        String outcomeKind() {
            return ending == null ? LedgerDemoCommand.outcome(status) : ending.kind();
        }
    }

    /**
     * Submits {@code submit} and runs the kernel until idle with the command's streams attached.
     *
     * @param toolOutput whether host-tool handlers write to the streams (see {@link RunAttachment#attach})
     */
    static Outcome run(WorkspaceKernel wk, KernelInput.SubmitToken submit, OutputStream stdout, OutputStream stderr,
            boolean toolOutput) {
        Kernel kernel = wk.kernel();
        long from = kernel.ledger().size();
        KernelResponse r = kernel.execute(submit);
        Optional<RunResult> python = Optional.empty();
        boolean interrupted = false;
        if (r.ok()) {
            try (RunAttachment attachment = RunAttachment.attach(r.tokenId(), wk.workspace(), stdout, stderr, toolOutput)) {
                kernel.runUntilIdle();
                python = attachment.pythonResult();
                interrupted = attachment.interrupted();
            }
        }
        KernelToken.Status status = kernel.state().status(r.tokenId()).orElse(KernelToken.Status.COMPLETED);
        long to = kernel.ledger().size() - 1;
        List<EventEnvelope> events = new ArrayList<>();
        EventEnvelope ending = null;
        try (Stream<EventEnvelope> entries = kernel.ledger().entries(from)) {
            Iterator<EventEnvelope> it = entries.iterator();
            while (it.hasNext()) {
                EventEnvelope e = it.next();
                if (e.payload().toJsonNode().path("token").asLong(-1) != r.tokenId().value()) {
                    continue;
                }
                events.add(e);
                switch (e.kind()) {
                    case KernelEvents.TOKEN_COMPLETED, KernelEvents.TOKEN_FAILED, KernelEvents.RESOURCE_BUDGET_EXCEEDED,
                            KernelEvents.CAPABILITY_VIOLATION, KernelEvents.TOKEN_CANCELLED, KernelEvents.TOKEN_REJECTED -> ending = e;
                    default -> {
                    }
                }
            }
        }
        return new Outcome(r, status, ending, List.copyOf(events), from, to, python, interrupted);
    }
}
