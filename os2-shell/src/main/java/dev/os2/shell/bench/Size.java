package dev.os2.shell.bench;

import java.util.Locale;

/**
 * How much work a scenario does: each scenario multiplies its default operation counts by
 * {@link #percent()} / 100. The size is part of the workload, so it is part of what the ledger
 * head depends on.
 */
enum Size {
    /** A tenth of the default: seconds for every scenario, for tests and quick checks. */
    SMALL(10),
    /** The default: a few seconds per scenario run on a laptop. */
    DEFAULT(100),
    /** Five times the default, for steadier figures. */
    LARGE(500);

    private final int percent;

    Size(int percent) {
        this.percent = percent;
    }

    /** The scale, in percent of the default operation counts. */
    public int percent() {
        return percent;
    }

    /** {@code count} scaled to this size, at least 1. */
    public int scale(int count) {
        return Math.max(1, (int) ((long) count * percent / 100));
    }

    /** The name used on the command line and in reports: {@code small}, {@code default} or {@code large}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The size named {@code name}.
     *
     * @throws IllegalArgumentException if no size has that name
     */
    public static Size ofWireName(String name) {
        for (Size s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no size is named " + name + "; use small, default or large");
    }
}
