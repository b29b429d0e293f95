package dev.os2.snapshot;

import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.HandlerContext;
import dev.os2.ledger.CanonicalJson;
import java.util.Objects;

/**
 * A {@link CapabilityHandler} that promises to be deterministic: what it does and returns depends
 * only on its arguments and on its {@link HandlerContext} (the virtual clock, the seeded
 * {@link HandlerContext#random()}, the results of what it invokes), never on wall time, I/O,
 * unseeded randomness or state kept outside the kernel. Strict replay
 * ({@link SnapshotReplay.Request#strict()}) calls such handlers again instead of repeating their
 * recorded actions, and reports the first entry where the promise was broken.
 */
public interface DeterministicHandler extends CapabilityHandler {

    /**
     * Marks {@code handler} as deterministic.
     *
     * @throws NullPointerException if handler is null
     */
    static DeterministicHandler of(CapabilityHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return handler instanceof DeterministicHandler d ? d : handler::handle;
    }

    @Override
    CanonicalJson handle(HandlerContext context, CanonicalJson args) throws Exception;
}
