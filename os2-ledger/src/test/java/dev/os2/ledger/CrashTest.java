package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost to kill -9. A child JVM appends without pause and prints each
 * acknowledged position and hash; the test kills it with SIGKILL after a seeded number of
 * acknowledgements (the child keeps appending until the signal lands, so the kill hits a random
 * point of an append), reopens the ledger and checks that every acknowledged entry is there with
 * its hash, that the chain verifies and that appending continues. 20 kills normally, 200 with
 * {@code -Dos2.stress=true}; {@code -Dos2.crash.seed=N} replays a run.
 */
class CrashTest {

    /** Longest the test waits for a line from a child before calling it hung. */
    private static final long CHILD_SILENCE_SECONDS = 120;

    @TempDir
    Path temp;

    @Test
    void acknowledgedEntriesSurviveSigkill() throws Exception {
        boolean stress = Boolean.getBoolean("os2.stress");
        int kills = stress ? 200 : 20;
        long seed = Long.getLong("os2.crash.seed", new SecureRandom().nextLong());
        System.out.println("CrashTest seed " + seed + " (replay with -Dos2.crash.seed=" + seed + "), kills " + kills);
        try {
            run(kills, seed);
        } catch (Throwable e) {
            throw new AssertionError("CrashTest failed with seed " + seed + " (replay with -Dos2.crash.seed=" + seed + "): " + e, e);
        }
    }

    private void run(int kills, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Path ledgerDir = temp.resolve("ledger");
        Path home = Files.createDirectories(temp.resolve("home"));
        List<Hash> acknowledged = new ArrayList<>(); // index = position
        String[] modes = {"process", "group", "every"};
        long parentAppends = 0;
        for (int kill = 0; kill < kills; kill++) {
            String mode = modes[random.nextInt(modes.length)];
            int ackTarget = 1 + random.nextInt(mode.equals("every") ? 60 : 250);
            ProcessBuilder builder = new ProcessBuilder(CrashChild.command(List.of("-Duser.home=" + home),
                    "append", ledgerDir.toString(), Long.toString(random.nextLong()), mode));
            builder.environment().put("HOME", home.toString());
            builder.environment().remove("XDG_CACHE_HOME");
            Path stderr = temp.resolve("child-" + kill + ".err");
            builder.redirectError(stderr.toFile());
            Process child = builder.start();
            child.getOutputStream().close();
            CompleteLines lines = new CompleteLines(child.getInputStream());
            String opened = lines.take(child, stderr);
            assertTrue(opened.startsWith("opened "), "child " + kill + " said " + opened);
            long openedSize = Long.parseLong(opened.substring("opened ".length()));
            assertEquals(acknowledged.size(), openedSize, "child " + kill + " opened " + openedSize
                    + " entries; the parent knew " + acknowledged.size());
            int acks = 0;
            while (acks < ackTarget) {
                record(lines.take(child, stderr), acknowledged, openedSize);
                acks++;
            }
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor();
            // Lines the child completed before the signal landed were acknowledgements too.
            for (String line : lines.drain()) {
                record(line, acknowledged, openedSize);
            }
            try (ChronicleLedger ledger = ChronicleLedger.open(ledgerDir)) {
                assertTrue(ledger.size() >= acknowledged.size(), "after kill " + kill + " the ledger has " + ledger.size()
                        + " entries but " + acknowledged.size() + " were acknowledged");
                for (int p = 0; p < acknowledged.size(); p++) {
                    assertEquals(acknowledged.get(p), ledger.read(p).hash(), "after kill " + kill + ", position " + p);
                }
                VerifyResult result = ledger.verify();
                assertTrue(result.intact(), "after kill " + kill + " (" + mode + "): " + result);
                EventEnvelope next = ledger.append(EventDraft.of("parent.append", 0, CanonicalJson.parse("{\"kill\":" + kill + "}")));
                assertEquals(ledger.size() - 1, next.position());
                parentAppends++;
                for (long p = acknowledged.size(); p < ledger.size(); p++) {
                    acknowledged.add(ledger.read(p).hash());
                }
            }
        }
        try (ChronicleLedger ledger = ChronicleLedger.builder(ledgerDir).readOnly(true).open()) {
            assertTrue(ledger.verify().intact());
            assertEquals(acknowledged.size(), ledger.size());
        }
        assertTrue(parentAppends == kills);
        try (Stream<Path> left = Files.walk(home)) {
            assertEquals(List.of(home), left.toList(), "the child JVMs wrote into their home directory");
        }
    }

    private static void record(String line, List<Hash> acknowledged, long openedSize) {
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[0].equals("ack")) {
            fail("unexpected line from the child: " + line);
        }
        long position = Long.parseLong(parts[1]);
        // The test knows every entry before the child started, so acknowledgements continue
        // exactly where the list ends.
        assertEquals(acknowledged.size(), position, "acknowledgement out of order (the child opened "
                + openedSize + " entries)");
        acknowledged.add(Hash.parse(parts[2]));
    }

    /** The newline-terminated lines of a stream, read on a thread of their own; a cut last line is dropped. */
    private static final class CompleteLines {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Thread reader;
        private volatile boolean ended;

        CompleteLines(InputStream in) {
            reader = new Thread(() -> {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                try (in) {
                    int b;
                    while ((b = in.read()) >= 0) {
                        if (b == '\n') {
                            lines.add(line.toString(StandardCharsets.UTF_8));
                            line.reset();
                        } else {
                            line.write(b);
                        }
                    }
                } catch (IOException e) {
                    // The child is gone; what was read is all there is.
                } finally {
                    ended = true;
                }
            }, "crash-child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        String take(Process child, Path stderr) throws InterruptedException, IOException {
            for (long waited = 0; waited < CHILD_SILENCE_SECONDS; waited++) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line != null) {
                    return line;
                }
                if (ended) {
                    line = lines.poll();
                    if (line != null) {
                        return line;
                    }
                    fail("the child ended (exit " + child.waitFor() + "): " + Files.readString(stderr));
                }
            }
            child.destroyForcibly();
            fail("the child printed nothing for " + CHILD_SILENCE_SECONDS + " s: it hangs. " + Files.readString(stderr));
            return null;
        }

        List<String> drain() throws InterruptedException {
            reader.join();
            List<String> rest = new ArrayList<>();
            lines.drainTo(rest);
            return rest;
        }
    }
}
