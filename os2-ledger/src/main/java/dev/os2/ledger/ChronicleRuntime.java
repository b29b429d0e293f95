package dev.os2.ledger;

/**
 * Chronicle Queue's process-wide settings, applied before Chronicle's classes first load. They are
 * system properties because Chronicle reads them in static initialisers; an embedder that set one
 * already keeps its own value.
 */
final class ChronicleRuntime {

    private static volatile boolean configured;

    private ChronicleRuntime() {
    }

    static void configure() {
        if (configured) {
            return;
        }
        synchronized (ChronicleRuntime.class) {
            if (configured) {
                return;
            }
            // Chronicle's CPU-affinity support loads JNA, which otherwise unpacks its native
            // library under ~/.cache: a library must not write into the user's home directory.
            setIfAbsent("jna.tmpdir", System.getProperty("java.io.tmpdir"));
            // No usage reports leave the machine.
            setIfAbsent("chronicle.analytics.disable", "true");
            // The disk-space monitor is a thread of Chronicle's own; the ledger checks free space
            // itself before it appends.
            setIfAbsent("chronicle.disk.monitor.disable", "true");
            configured = true;
        }
    }

    // Reads and sets JVM properties for Chronicle's own setup: storage plumbing outside the
    // deterministic core, which never sees these values.
    private static void setIfAbsent(String key, String value) {
        if (value != null && System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
