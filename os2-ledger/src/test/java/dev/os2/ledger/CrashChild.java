package dev.os2.ledger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link CrashTest} and {@link LedgerBadInputTest}, and the workload both share.
 *
 * <pre>
 *   CrashChild append DIR SEED DURABILITY   append forever; print "ack POSITION HASH" after each
 *                                           acknowledged append (the parent kills it with SIGKILL)
 *   CrashChild hold DIR                     open DIR for writing, print "locked", wait for stdin to close
 * </pre>
 */
final class CrashChild {

    private CrashChild() {
    }

    /** A draft of the seeded workload: varied kinds, capabilities, event ids and payload sizes. */
    static EventDraft draft(SplittableRandom random, long i) {
        StringBuilder text = new StringBuilder();
        int words = random.nextInt(40);
        for (int w = 0; w < words; w++) {
            text.append(w == 0 ? "" : " ").append(Long.toString(random.nextLong() & 0xffffffL, 36));
        }
        String payload = "{\"i\":" + i + ",\"n\":" + random.nextInt(1_000_000) + ",\"text\":\"" + text
                + "\",\"ok\":" + random.nextBoolean() + ",\"list\":[" + random.nextInt(100) + ",\"\u00e9\u4e2d\"]}";
        String capability = random.nextInt(3) == 0 ? null : "cap." + random.nextInt(10);
        String eventId = random.nextInt(5) == 0 ? "custom-" + i : null;
        return new EventDraft("test.kind_" + random.nextInt(4), capability, i * 7, CanonicalJson.parse(payload), eventId);
    }

    static Durability durability(String name) {
        return switch (name) {
            case "process" -> new Durability.ProcessCrash();
            case "group" -> new Durability.GroupCommit(16, 5);
            case "every" -> new Durability.EveryAppend();
            default -> throw new IllegalArgumentException("unknown durability " + name);
        };
    }

    /**
     * The command starting this class in a new JVM with the flags Chronicle needs (taken from
     * this JVM's own arguments), {@code jvmFlags}, and this JVM's class path.
     */
    static List<String> command(List<String> jvmFlags, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // The JDK-access flags and system properties; not agents (a coverage agent would
            // share its output file with the parent) and not debugger settings.
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")
                    || arg.startsWith("-D") || arg.startsWith("-Xss")) {
                command.add(arg);
            }
        }
        command.addAll(jvmFlags);
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        command.add("-cp");
        command.add(classPath);
        command.add(CrashChild.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        switch (args[0]) {
            case "append" -> {
                Path dir = Path.of(args[1]);
                SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
                try (ChronicleLedger ledger = ChronicleLedger.builder(dir).durability(durability(args[3])).open()) {
                    out.println("opened " + ledger.size());
                    out.flush();
                    for (long i = ledger.size(); ; i++) {
                        EventEnvelope e = ledger.append(draft(random, i));
                        out.println("ack " + e.position() + " " + e.hash().toHex());
                        out.flush();
                    }
                }
            }
            case "hold" -> {
                try (ChronicleLedger ledger = ChronicleLedger.open(Path.of(args[1]))) {
                    out.println("locked " + ledger.size());
                    out.flush();
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    while (in.readLine() != null) {
                        // Hold the lock until the parent closes stdin.
                    }
                }
                out.println("released");
                out.flush();
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
