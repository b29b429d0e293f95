package dev.os2.snapshot;

import java.util.regex.Pattern;

/**
 * A snapshot's id: {@code s<position>}, the ledger position of the {@code snapshot_created} entry
 * that recorded it. Positions are unique in a ledger, so ids are too; snapshots of different
 * ledgers may share an id, which is why every bundle also names its ledger's chain id.
 *
 * @param position the position of the snapshot's {@code snapshot_created} entry, 0 to 2^53
 */
public record SnapshotId(long position) implements Comparable<SnapshotId> {

    private static final Pattern FORM = Pattern.compile("s(0|[1-9][0-9]{0,15})");
    private static final long MAX_POSITION = 1L << 53;

    /**
     * Validates the position.
     *
     * @throws IllegalArgumentException if the position is negative or above 2^53
     */
    public SnapshotId {
        if (position < 0 || position > MAX_POSITION) {
            throw new IllegalArgumentException("a snapshot's position is 0 to 2^53, got " + position);
        }
    }

    /**
     * Reads {@code s<position>}.
     *
     * @throws IllegalArgumentException if {@code text} is not of that form
     * @throws NullPointerException if {@code text} is null
     */
    public static SnapshotId parse(String text) {
        if (!FORM.matcher(text).matches()) {
            throw new IllegalArgumentException("a snapshot id is s<position>, such as s42, got "
                    + (text.length() > 40 ? '"' + text.substring(0, 37) + "...\"" : '"' + text + '"'));
        }
        return new SnapshotId(Long.parseLong(text.substring(1)));
    }

    /** Whether {@code text} is of the form {@code s<position>}. */
    public static boolean isId(String text) {
        return text != null && FORM.matcher(text).matches() && Long.parseLong(text.substring(1)) <= MAX_POSITION;
    }

    /** Orders by position. */
    @Override
    public int compareTo(SnapshotId o) {
        return Long.compare(position, o.position);
    }

    /** {@code s<position>}. */
    @Override
    public String toString() {
        return "s" + position;
    }
}
