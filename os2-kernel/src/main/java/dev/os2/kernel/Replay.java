package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EntryCursor;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Re-runs a recorded ledger through a {@link Machine} without calling any handler: inputs are
 * decoded from their records and applied; each handler is replaced by a script that repeats the
 * handler's recorded actions and returns its recorded result. Every entry the machine produces is
 * sealed at the position it should occupy and compared with the recorded one, so the first
 * difference is caught where it happens.
 *
 * <p>Used to verify a run ({@link Kernel#replay}) and to rebuild a kernel's state from its ledger
 * after a restart ({@link Kernel#recover}), where the entries after the recorded ones are appended.
 *
 * <p>Options ({@link ReplayOptions}): a replay may stop after a given position, even in the middle
 * of a run; may call the real handlers of some capabilities (strict replay), whose actions are then
 * checked like everything else; reports each step boundary; and resolves the states that recorded
 * rollbacks ({@code restore_snapshot}) name: first among the snapshots it passed through itself
 * (their {@code snapshot_created} entries, or the state it started from), then through a resolver.
 */
final class Replay {

    /** A recorded handler failure, rethrown in replay so the kernel records the same error text. */
    static final class RecordedFailure extends Exception {
        private static final long serialVersionUID = 1L;

        RecordedFailure(String text) {
            super(text, null, false, false);
        }
    }

    /** Ends a replay that was asked to stop at a position (thrown where the machine goes past it). */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("the replay reached the position it was asked to stop at", null, false, false);
        }
    }

    /**
     * Compares produced entries with recorded ones; past the end, appends (recovery) or fails
     * (verification). The recorded entries are read once each, in order, through one
     * {@link EntryCursor} of the ledger, which checks each entry's position and hash as it reads
     * it and decodes an entry only when asked: the script and the input pump decode the entries
     * they take apart, and an entry the machine produces on its own (a token started, a token
     * scheduled) is compared on its canonical bytes without being decoded. The entry at the
     * cursor is kept until the machine produces its counterpart, however often the script and
     * the input pump look at it meanwhile.
     */
    static final class VerifyingRecorder implements Machine.Recorder, AutoCloseable {
        private final Ledger ledger;
        private final long from;
        private final long end;
        /** True when the replay stops before the ledger's end: going past it is a stop, not a divergence. */
        private final boolean stopsEarly;
        private final boolean appendAfterEnd;
        private long cursor;
        private Hash prev;
        private Replay replay;
        private EntryCursor recorded;
        /** True once the recorded entry at {@link #cursor} is the one {@link #recorded} stands on. */
        private boolean atCursor;

        VerifyingRecorder(Ledger ledger, long fromPosition, boolean appendAfterEnd, long untilPosition) {
            this.ledger = ledger;
            long size = ledger.size();
            this.from = fromPosition;
            this.end = untilPosition == ReplayOptions.TO_END || untilPosition >= size - 1 ? size : untilPosition + 1;
            this.stopsEarly = end < size;
            this.appendAfterEnd = appendAfterEnd && !stopsEarly;
            this.cursor = fromPosition;
            this.prev = fromPosition == 0 ? Hash.GENESIS : ledger.read(fromPosition - 1).hash();
        }

        /**
         * Checks the entry the machine produced against the recorded one at the cursor: it must
         * be what sealing the draft at this position after the previous recorded hash gives
         * ({@link EntryCursor#sealOf}, byte for byte on the canonical bytes, or field by field
         * on an entry already decoded, which {@link EventEnvelope#isSealOf} shows to be the
         * same). Only a difference is sealed, to be reported.
         */
        @Override
        public EventEnvelope record(EventDraft draft) {
            if (cursor >= end) {
                if (stopsEarly) {
                    throw new Stop();
                }
                if (appendAfterEnd) {
                    cursor++;
                    return ledger.append(draft);
                }
                throw new ReplayDivergenceException(cursor, "the replay produced " + draft.kind()
                        + " after the last recorded entry", null, null);
            }
            EntryCursor at = atCursor();
            EventEnvelope expected = at.sealOf(cursor, prev, draft);
            if (expected == null) {
                throw new ReplayDivergenceException(cursor, "the replay produced a different entry", at.envelope(),
                        EventEnvelope.seal(cursor, prev, draft));
            }
            prev = expected.hash();
            cursor++;
            atCursor = false;
            if (replay != null && KernelEvents.SNAPSHOT_CREATED.equals(expected.kind())) {
                replay.passedSnapshot(expected.position());
            }
            return expected;
        }

        boolean caughtUp() {
            return cursor >= end;
        }

        /** The cursor standing on the recorded entry the machine should produce next; the caller checks {@link #caughtUp()}. */
        private EntryCursor atCursor() {
            if (!atCursor) {
                if (recorded == null) {
                    recorded = ledger.cursor(from);
                }
                if (!recorded.next()) {
                    // The ledger held this entry when the replay began (end is below its size then).
                    throw new IllegalStateException("the ledger has no entry at position " + cursor + " any more");
                }
                atCursor = true;
            }
            return recorded;
        }

        /** The kind of the recorded entry the machine should produce next, or null past the end. */
        String nextKind() {
            return cursor >= end ? null : atCursor().kind();
        }

        /** The recorded entry the machine should produce next, decoded, or null past the end. */
        EventEnvelope next() {
            return cursor >= end ? null : atCursor().envelope();
        }

        long cursor() {
            return cursor;
        }

        /** Releases the ledger cursor. */
        @Override
        public void close() {
            if (recorded != null) {
                recorded.close();
                recorded = null;
            }
        }
    }

    private final Machine machine;
    private final VerifyingRecorder recorder;
    private final ReplayOptions options;
    /** The real handlers of the capabilities strict replay calls again. */
    private final Map<String, CapabilityHandler> reexecuted = new HashMap<>();
    /** States of the snapshots this replay passed through, by the position of their snapshot_created entry. */
    private final Map<Long, KernelState> snapshots = new HashMap<>();

    private Replay(Machine machine, VerifyingRecorder recorder, ReplayOptions options, KernelConfig config) {
        this.machine = machine;
        this.recorder = recorder;
        this.options = options;
        Set<String> wanted = options.reexecute();
        for (KernelInput.RegisterCapability r : config.capabilities()) {
            if (wanted.contains(r.descriptor().id())) {
                reexecuted.put(r.descriptor().id(), r.handler());
            }
        }
    }

    private void passedSnapshot(long position) {
        snapshots.put(position, machine.snapshot());
    }

    /**
     * Replays {@code ledger} from {@code fromPosition} into a machine built on {@code from} (or the
     * initial state, then position 0 must hold {@code kernel_started}). Returns the machine, which
     * has consumed every recorded entry.
     *
     * @throws ReplayDivergenceException at the first entry that differs
     */
    static Machine run(KernelConfig config, Ledger ledger, KernelState from, long fromPosition, boolean recover) {
        return run(config, ledger, from, fromPosition, recover, ReplayOptions.DEFAULT);
    }

    /**
     * As above, with options. When the options stop the replay early, the machine may be in the
     * middle of a run (and is then unusable but for its {@link Machine#snapshot()}).
     */
    static Machine run(KernelConfig config, Ledger ledger, KernelState from, long fromPosition, boolean recover,
            ReplayOptions options) {
        VerifyingRecorder recorder = new VerifyingRecorder(ledger, fromPosition, recover, options.untilPosition());
        Machine m = new Machine(config, recorder, from == null ? KernelState.initial(config.seed()) : from);
        Replay r = new Replay(m, recorder, options, config);
        recorder.replay = r;
        if (from != null && fromPosition > 0) {
            // Starting from a snapshot: a later rollback to it finds its state here.
            r.snapshots.put(fromPosition - 1, from);
        }
        m.overrideHandlers(r::script);
        m.setPump(r::pumpRecordedInputs);
        ReplayOptions.Listener listener = options.listener();
        try (recorder) {
            if (from == null) {
                m.recordStart();
            }
            while (!recorder.caughtUp()) {
                if (listener != null) {
                    listener.reached(recorder.cursor(), m.snapshot());
                }
                String kind = recorder.nextKind();
                if (Codec.isInput(kind)) {
                    r.applyRecorded(recorder.next());
                } else if (!m.runNext()) {
                    EventEnvelope e = recorder.next();
                    throw new ReplayDivergenceException(e.position(), "the recorded entry is " + e.kind()
                            + ", but no input is recorded there and no token is ready to run", e, null);
                }
            }
            if (listener != null) {
                listener.reached(recorder.cursor(), m.snapshot());
            }
        } catch (Stop stop) {
            // Asked to stop at a position, and the machine went past it (perhaps in the middle of a run).
            return m;
        }
        m.overrideHandlers(null);
        m.setPump(() -> { });
        return m;
    }

    private void applyRecorded(EventEnvelope e) {
        KernelInput input;
        try {
            input = "restore_snapshot".equals(e.kind()) ? restoreInput(e) : Codec.input(e.kind(), e.capabilityId(), e.payload(),
                    (ctx, args) -> {
                        throw new IllegalStateException("replay never calls a handler");
                    });
        } catch (ReplayDivergenceException unresolved) {
            throw unresolved;
        } catch (RuntimeException malformed) {
            throw new ReplayDivergenceException(e.position(), "the recorded input cannot be read back: " + malformed, e, null);
        }
        try {
            machine.apply(input);
        } catch (InvalidInputException misuse) {
            throw new ReplayDivergenceException(e.position(), "the recorded input is refused on replay: " + misuse.getMessage(), e, null);
        }
    }

    /** The rollback a restore_snapshot entry records, with the state it names resolved. */
    private KernelInput restoreInput(EventEnvelope e) {
        JsonNode p = e.payload().toJsonNode();
        String id = p.get("snapshot").asText();
        long position = p.get("position").asLong();
        Hash stateHash = Hash.parse(p.get("state_hash").asText());
        KernelState state = snapshots.get(position);
        if (state == null && options.resolver() != null) {
            state = options.resolver().state(id, position, stateHash);
        }
        if (state == null) {
            throw new ReplayDivergenceException(e.position(), "the entry restores snapshot " + id + " (position " + position
                    + "), whose state this replay neither passed through nor was given", e, null);
        }
        if (!state.stateHash().equals(stateHash)) {
            throw new ReplayDivergenceException(e.position(), "the entry restores snapshot " + id + " with state hash "
                    + stateHash.toHex() + ", but the state found for it has hash " + state.stateHash().toHex(), e, null);
        }
        return new KernelInput.RestoreSnapshot(id, position, state);
    }

    private void pumpRecordedInputs() {
        String kind;
        // Once the running token is halted its run records nothing more, and the live kernel never
        // pumped inputs after that point inside the run (every later action throws first); inputs
        // recorded next were applied between steps, and are applied there again.
        while (!(machine.running() && !machine.runInProgress()) && (kind = recorder.nextKind()) != null && Codec.isInput(kind)) {
            applyRecorded(recorder.next());
        }
    }

    /** Stands in for every handler: repeats the recorded actions of one invocation, or calls the real handler (strict). */
    private CanonicalJson script(HandlerContext ctx, CanonicalJson args) throws Exception {
        CapabilityHandler real = reexecuted.get(ctx.capabilityId());
        if (real != null) {
            return real.handle(ctx, args);
        }
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
            // The recorded payloads are canonical: their members are read off the bytes, and a
            // member value (arguments, a result, event data) is handed on as the canonical value it is.
            CanonicalJson p = e.payload();
            String kind = e.kind();
            switch (kind) {
                case KernelEvents.CHARGE -> {
                    // One pass over the members; a resource named as the usual one is that constant string.
                    CanonicalJson.Members m = p.members();
                    long amount = m.getLong("amount", Long.MIN_VALUE);
                    if (amount == Long.MIN_VALUE) {
                        throw divergence(e, "a charge without an amount");
                    }
                    String resource = m.getString("resource", Budget.Resource.TOKENS.wireName());
                    switch (Budget.Resource.ofWireName(resource)) {
                        case TOKENS -> ctx.chargeTokens(amount);
                        case MEMORY_BYTES -> ctx.chargeMemory(amount);
                        case NETWORK_BYTES -> ctx.chargeNetwork(amount);
                        case DEADLINE_TICKS -> throw divergence(e, "a charge of deadline ticks");
                    }
                }
                case KernelEvents.CAPABILITY_INVOKED -> {
                    try {
                        ctx.invoke(e.capabilityId(), p.member("args"));
                    } catch (InvocationFailedException failedAsRecorded) {
                        // The recorded handler went on after the failure; so does the script.
                    }
                }
                case KernelEvents.CHECKPOINT_REQUESTED -> ctx.requestCheckpoint(p.member("label").stringValue());
                case KernelEvents.TOKEN_COMPLETED, KernelEvents.INVOCATION_COMPLETED -> {
                    return p.member("result");
                }
                case KernelEvents.TOKEN_FAILED, KernelEvents.INVOCATION_FAILED -> throw new RecordedFailure(p.member("error").stringValue());
                case KernelEvents.RESOURCE_BUDGET_EXCEEDED -> {
                    String resource = p.member("resource").stringValue();
                    if (!"actions".equals(resource)) {
                        throw divergence(e, "a halt for " + resource + " that no charge precedes");
                    }
                    // The handler's next action, whichever it was, was one too many; any action reproduces that.
                    ctx.chargeTokens(0);
                }
                default -> {
                    if (!kind.startsWith(KernelEvents.CUSTOM_PREFIX)) {
                        throw divergence(e, "an entry of kind " + kind);
                    }
                    ctx.emit(kind.substring(KernelEvents.CUSTOM_PREFIX.length()), p.member("data"));
                }
            }
        }
    }

    private static ReplayDivergenceException divergence(EventEnvelope e, String what) {
        return new ReplayDivergenceException(e.position(), "a handler's next recorded action is " + what
                + ", which no handler action produces", e, null);
    }
}
