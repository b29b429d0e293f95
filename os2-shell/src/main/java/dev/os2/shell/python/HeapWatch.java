package dev.os2.shell.python;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Map;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * The JVM's live heap, as the garbage collector last measured it: the heap in use just after the
 * latest collection. Garbage does not count, so a script that churns through short-lived objects
 * does not look like one that keeps them. Fed by the JVM's collection notifications (on its own
 * notification thread); one listener per JVM, installed on first use.
 */
final class HeapWatch {

    private static volatile long liveBytes = -1;
    private static final boolean INSTALLED = install();

    private HeapWatch() {
    }

    /**
     * Whether collection notifications are available on this JVM.
     *
     * @return whether collection notifications are available on this JVM
     */
    static boolean available() {
        return INSTALLED;
    }

    /**
     * Heap bytes in use after the latest collection, or -1 before the first one.
     *
     * @return heap bytes in use after the latest collection, or -1 before the first one
     */
    static long liveBytes() {
        return liveBytes;
    }

    private static boolean install() {
        boolean any = false;
        try {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener((notification, handback) -> {
                        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                            record(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()));
                        }
                    }, null, null);
                    any = true;
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // No notifications on this JVM: the memory fuse is off.
            return false;
        }
        return any;
    }

    private static void record(GarbageCollectionNotificationInfo info) {
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (isHeapPool(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        liveBytes = used;
    }

    private static boolean isHeapPool(String name) {
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals(name)) {
                return pool.getType() == java.lang.management.MemoryType.HEAP;
            }
        }
        return false;
    }
}
