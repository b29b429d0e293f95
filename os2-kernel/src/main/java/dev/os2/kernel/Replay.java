package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;

/**
 * Re-runs a recorded ledger through a {@link Machine} without calling any handler: inputs are
 * decoded from their records and applied; each handler is replaced by a script that repeats the
 * handler's recorded actions and returns its recorded result. Every entry the machine produces is
 * sealed at the position it should occupy and compared with the recorded one, so the first
 * difference is caught where it happens.
 *
 * <p>Used to verify a run ({@link Kernel#replay}) and to rebuild a kernel's state from its ledger
 * after a restart ({@link Kernel#recover}), where the entries after the recorded ones are appended.
 */
final class Replay {

    /** A recorded handler failure, rethrown in replay so the kernel records the same error text. */
    static final class RecordedFailure extends Exception {
        private static final long serialVersionUID = 1L;

        RecordedFailure(String text) {
            super(text, null, false, false);
        }
    }

    /** Compares produced entries with recorded ones; past the end, appends (recovery) or fails (verification). */
    static final class VerifyingRecorder implements Machine.Recorder {
        private final Ledger ledger;
        private final long end;
        private final boolean appendAfterEnd;
        private long cursor;
        private Hash prev;

        VerifyingRecorder(Ledger ledger, long fromPosition, boolean appendAfterEnd) {
            this.ledger = ledger;
            this.end = ledger.size();
            this.appendAfterEnd = appendAfterEnd;
            this.cursor = fromPosition;
            this.prev = fromPosition == 0 ? Hash.GENESIS : ledger.read(fromPosition - 1).hash();
        }

        @Override
        public EventEnvelope record(EventDraft draft) {
            if (cursor >= end) {
                if (appendAfterEnd) {
                    cursor++;
                    return ledger.append(draft);
                }
                throw new ReplayDivergenceException(cursor, "the replay produced " + draft.kind()
                        + " after the last recorded entry", null, null);
            }
            EventEnvelope expected = ledger.read(cursor);
            EventEnvelope actual = EventEnvelope.seal(cursor, prev, draft);
            if (!actual.hash().equals(expected.hash())) {
                throw new ReplayDivergenceException(cursor, "the replay produced a different entry", expected, actual);
            }
            prev = expected.hash();
            cursor++;
            return expected;
        }

        boolean caughtUp() {
            return cursor >= end;
        }

        /** The recorded entry the machine should produce next, or null past the end. */
        EventEnvelope next() {
            return cursor < end ? ledger.read(cursor) : null;
        }

        long cursor() {
            return cursor;
        }
    }

    private final Machine machine;
    private final VerifyingRecorder recorder;

    private Replay(Machine machine, VerifyingRecorder recorder) {
        this.machine = machine;
        this.recorder = recorder;
    }

    /**
     * Replays {@code ledger} from {@code fromPosition} into a machine built on {@code from} (or the
     * initial state, then position 0 must hold {@code kernel_started}). Returns the machine, which
     * has consumed every recorded entry.
     *
     * @throws ReplayDivergenceException at the first entry that differs
     */
    static Machine run(KernelConfig config, Ledger ledger, KernelState from, long fromPosition, boolean recover) {
        VerifyingRecorder recorder = new VerifyingRecorder(ledger, fromPosition, recover);
        Machine m = new Machine(config, recorder, from == null ? KernelState.initial(config.seed()) : from);
        Replay r = new Replay(m, recorder);
        m.overrideHandlers(r::script);
        m.setPump(r::pumpRecordedInputs);
        if (from == null) {
            m.recordStart();
        }
        while (!recorder.caughtUp()) {
            EventEnvelope e = recorder.next();
            if (Codec.isInput(e.kind())) {
                r.applyRecorded(e);
            } else if (!m.runNext()) {
                throw new ReplayDivergenceException(e.position(), "the recorded entry is " + e.kind()
                        + ", but no input is recorded there and no token is ready to run", e, null);
            }
        }
        m.overrideHandlers(null);
        m.setPump(() -> { });
        return m;
    }

    private void applyRecorded(EventEnvelope e) {
        KernelInput input;
        try {
            input = Codec.input(e.kind(), e.capabilityId(), e.payload(), (ctx, args) -> {
                throw new IllegalStateException("replay never calls a handler");
            });
        } catch (RuntimeException malformed) {
            throw new ReplayDivergenceException(e.position(), "the recorded input cannot be read back: " + malformed, e, null);
        }
        try {
            machine.apply(input);
        } catch (InvalidInputException misuse) {
            throw new ReplayDivergenceException(e.position(), "the recorded input is refused on replay: " + misuse.getMessage(), e, null);
        }
    }

    private void pumpRecordedInputs() {
        EventEnvelope e;
        while ((e = recorder.next()) != null && Codec.isInput(e.kind())) {
            applyRecorded(e);
        }
    }

    /** Stands in for every handler: repeats the recorded actions of one invocation. */
    private CanonicalJson script(HandlerContext ctx, CanonicalJson args) throws Exception {
        while (true) {
            pumpRecordedInputs();
            // An input applied just now may have halted the token (a cancel): then the handler's
            // next action threw, as here, and nothing of it was recorded.
            ctx.remaining();
            EventEnvelope e = recorder.next();
            if (e == null) {
                // The ledger ends while the handler ran: the process stopped mid-run. The token fails.
                throw new RecordedFailure("the kernel stopped while this invocation ran (recovered from the ledger)");
            }
            JsonNode p = e.payload().toJsonNode();
            String kind = e.kind();
            switch (kind) {
                case KernelEvents.CHARGE -> {
                    long amount = p.get("amount").asLong();
                    switch (Budget.Resource.ofWireName(p.get("resource").asText())) {
                        case TOKENS -> ctx.chargeTokens(amount);
                        case MEMORY_BYTES -> ctx.chargeMemory(amount);
                        case NETWORK_BYTES -> ctx.chargeNetwork(amount);
                        case DEADLINE_TICKS -> throw divergence(e, "a charge of deadline ticks");
                    }
                }
                case KernelEvents.CAPABILITY_INVOKED -> {
                    try {
                        ctx.invoke(e.capabilityId(), CanonicalJson.of(p.get("args")));
                    } catch (InvocationFailedException failedAsRecorded) {
                        // The recorded handler went on after the failure; so does the script.
                    }
                }
                case KernelEvents.CHECKPOINT_REQUESTED -> ctx.requestCheckpoint(p.get("label").asText());
                case KernelEvents.TOKEN_COMPLETED, KernelEvents.INVOCATION_COMPLETED -> {
                    return CanonicalJson.of(p.get("result"));
                }
                case KernelEvents.TOKEN_FAILED, KernelEvents.INVOCATION_FAILED -> throw new RecordedFailure(p.get("error").asText());
                case KernelEvents.RESOURCE_BUDGET_EXCEEDED -> {
                    if (!"actions".equals(p.get("resource").asText())) {
                        throw divergence(e, "a halt for " + p.get("resource").asText() + " that no charge precedes");
                    }
                    // The handler's next action, whichever it was, was one too many; any action reproduces that.
                    ctx.chargeTokens(0);
                }
                default -> {
                    if (!kind.startsWith(KernelEvents.CUSTOM_PREFIX)) {
                        throw divergence(e, "an entry of kind " + kind);
                    }
                    ctx.emit(kind.substring(KernelEvents.CUSTOM_PREFIX.length()), CanonicalJson.of(p.get("data")));
                }
            }
        }
    }

    private static ReplayDivergenceException divergence(EventEnvelope e, String what) {
        return new ReplayDivergenceException(e.position(), "a handler's next recorded action is " + what
                + ", which no handler action produces", e, null);
    }
}
