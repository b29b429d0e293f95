package dev.os2.kernel;

import dev.os2.ledger.EventEnvelope;

/**
 * A replay ({@link Kernel#replay}, {@link Kernel#recover}) produced an entry that differs from the
 * recorded one, or could not go on. Names the position and both entries, so the first point where
 * a run stopped being reproducible is visible.
 */
public final class ReplayDivergenceException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Where replay and record differ. */
    private final long position;
    private final transient EventEnvelope recorded;
    private final transient EventEnvelope replayed;

    ReplayDivergenceException(long position, String problem, EventEnvelope recorded, EventEnvelope replayed) {
        super("replay diverges at position " + position + ": " + problem
                + (recorded == null ? "" : "\n  recorded: " + abbreviate(recorded.toJson()))
                + (replayed == null ? "" : "\n  replayed: " + abbreviate(replayed.toJson())));
        this.position = position;
        this.recorded = recorded;
        this.replayed = replayed;
    }

    private static String abbreviate(String s) {
        return s.length() > 600 ? s.substring(0, 597) + "..." : s;
    }

    /** The ledger position where replay and record differ. */
    public long position() {
        return position;
    }

    /** The recorded entry at that position, or null past the end. */
    public EventEnvelope recorded() {
        return recorded;
    }

    /** The entry the replay produced there, or null when it produced none. */
    public EventEnvelope replayed() {
        return replayed;
    }
}
