package dev.os2.kernel;

import static dev.os2.kernel.Fixture.cap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Inputs from many threads are sequenced; one thread applies them; the loop is opt-in. */
class ThreadingTest {

    private static KernelConfig config() {
        return KernelConfig.builder().queueCapacity(8).capability(cap("x.y"), Fixture.CHARGING).build();
    }

    @Test
    void inputsFromManyThreadsAreEachRecordedOnceAndInOrderOfApplication() throws Exception {
        Kernel k = Kernel.create(KernelConfig.builder().capability(cap("x.y"), Fixture.CHARGING).build());
        Fixture.grant(k, "alice", "x.y");
        Thread loop = new Thread(k::runLoop, "kernel-loop");
        loop.start();
        int threads = 4;
        int each = 200;
        List<CompletableFuture<KernelResponse>> all = new ArrayList<>();
        List<Thread> producers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            List<CompletableFuture<KernelResponse>> mine = new ArrayList<>();
            Thread p = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    // execute() from a non-loop thread hands the input over and waits for its answer.
                    if (i % 2 == 0) {
                        mine.add(CompletableFuture.completedFuture(
                                k.execute(KernelInput.SubmitToken.of("alice", "x.y", CanonicalJson.parse("{\"cost\":1}")))));
                    } else {
                        // offer() returns at once; the loop answers later.
                        mine.add(k.offer(KernelInput.SubmitToken.of("alice", "x.y", CanonicalJson.parse("{\"cost\":1}"))));
                    }
                }
                synchronized (all) {
                    all.addAll(mine);
                }
            });
            producers.add(p);
            p.start();
        }
        go.countDown();
        for (Thread p : producers) {
            p.join();
        }
        // Wait for the loop to run what was queued: an input applied after all of them.
        KernelResponse marker = k.execute(new KernelInput.Tick(1));
        assertTrue(marker.ok());
        java.util.Set<Long> positions = new java.util.HashSet<>();
        for (CompletableFuture<KernelResponse> f : all) {
            KernelResponse r = f.get();
            assertEquals(KernelResponse.Disposition.QUEUED, r.disposition());
            assertTrue(positions.add(r.position()), "two inputs share a ledger position");
            assertEquals("submit_token", k.ledger().read(r.position()).kind());
        }
        assertEquals(threads * each, positions.size());
        assertTrue(k.ledger().verify().intact());
        k.close();
        loop.join();
    }

    @Test
    void offerIsAsynchronousAndBounded() throws Exception {
        try (Kernel k = Kernel.create(config())) {
            List<CompletableFuture<KernelResponse>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(k.offer(new KernelInput.Tick(1)));
            }
            KernelResponse full = k.offer(new KernelInput.Tick(1)).get();
            assertEquals("queue_full", full.reason());
            assertEquals(-1, full.position());
            for (CompletableFuture<KernelResponse> f : futures) {
                assertTrue(!f.isDone());
            }
            long size = k.ledger().size();
            assertTrue(k.step());
            for (CompletableFuture<KernelResponse> f : futures) {
                assertEquals(KernelResponse.Disposition.ACCEPTED, f.get().disposition());
            }
            assertEquals(size + 8, k.ledger().size());
            assertEquals(8, k.state().clock());
        }
    }

    @Test
    void closingFailsWhatIsStillQueuedAndEndsTheLoop() throws Exception {
        Kernel k = Kernel.create(config());
        CompletableFuture<KernelResponse> pending = k.offer(new KernelInput.Tick(1));
        k.close();
        ExecutionException e = assertThrows(ExecutionException.class, pending::get);
        assertEquals(KernelClosedException.class, e.getCause().getClass());

        Kernel k2 = Kernel.create(config());
        Thread loop = new Thread(k2::runLoop);
        loop.start();
        assertThrows(IllegalStateException.class, () -> {
            // While a loop owns the kernel, nobody else steps it; wait until the loop has started.
            while (true) {
                k2.step();
            }
        });
        k2.close();
        loop.join();
    }

    @Test
    void stateIsAnImmutableValueTakenInConstantTime() {
        try (Kernel k = Kernel.create(config())) {
            Fixture.grant(k, "alice", "x.y");
            KernelState before = k.state();
            var hash = before.stateHash();
            Fixture.submit(k, "alice", "x.y", "{\"cost\":3}");
            k.runUntilIdle();
            assertEquals(hash, before.stateHash());
            assertEquals(0, before.clock());
            assertEquals(3, k.state().clock());
            KernelState roundTrip = KernelState.fromJson(k.state().toJson());
            assertEquals(k.state().stateHash(), roundTrip.stateHash());
            assertEquals(k.state().toJson(), roundTrip.toJson());
        }
    }
}
