package dev.os2.bench.kernel;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelInput;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scheduling decisions per second, including budget accounting: the kernel ordering and running
 * {@value #TOKENS} tokens, beside a bare {@link PriorityQueue} ordering the same tokens, in the
 * same run. Goal: the kernel at least 0.5 of the peer. One operation is one token, so both scores
 * are tokens per second.
 *
 * <p><b>The peer</b> ({@link #priorityQueue}) offers {@value #TOKENS} prebuilt entries (priority,
 * sequence number, the same {@code SubmitToken} the kernel gets) to a reused queue ordered as the
 * kernel orders (higher priority first, then submission order), then polls them all. That is all
 * it does: no admission, no accounting, no allocation.
 *
 * <p><b>The kernel</b> ({@link #kernel}) gets the same tokens, with the same priorities, as one
 * {@code SubmitTokens} input through {@link Kernel#execute}, then runs them with
 * {@link Kernel#runUntilIdle}. That is the most direct path the public API offers to the
 * scheduler, and per token it includes: admission (the policy budget, the grant lookup, the
 * token ceiling, the invocation shape, the grant's invocation limits); scheduling (a token
 * record put in the persistent token map, a key pushed on the ready heap); and the run (heap
 * poll, deadline and grant checks, the invocation counted on the grant and the capability, the
 * token's status updated, the handler called through its context, the token removed and
 * counted). With {@code handler=charge} the handler also charges one cost unit, which is checked
 * against the token's budget, the invocation ceiling, the grant's budget and the deadline, and
 * updates the token, grant, capability and clock: that is the budget accounting a working
 * handler causes. The kernel also builds every event it records: {@code submit_tokens} once per
 * batch, then {@code token_scheduled}, {@code token_started}, ({@code charge},)
 * {@code token_completed} per token, each written straight in canonical form and wrapped in a
 * validated {@code EventDraft}; that cost is inseparable from the kernel's path.
 * What is left out is the ledger's own cost (sealing, hashing, storing): the kernel records into
 * a {@link DiscardingLedger}. {@link EndToEndBench} times the same path with real ledgers.
 *
 * <p>Warm-up: C2 needs several seconds on a 2-core machine to compile the kernel's path, hence
 * five two-second warm-up iterations by default; shorter warm-ups time the JIT, not the kernel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class SchedulerBench {

    /** Tokens per invocation: the kernel's largest batch by default. */
    static final int TOKENS = 1024;
    /** The priorities are drawn from this seed, 16 levels, so ties (ordered by submission) are common. */
    private static final long PRIORITY_SEED = 7;

    /** The tokens, in submission order, with priorities from {@link #PRIORITY_SEED}. */
    static List<KernelInput.SubmitToken> tokens() {
        SplittableRandom random = new SplittableRandom(PRIORITY_SEED);
        List<KernelInput.SubmitToken> tokens = new ArrayList<>(TOKENS);
        for (int i = 0; i < TOKENS; i++) {
            tokens.add(KernelFixture.token(random.nextInt(-8, 8)));
        }
        return tokens;
    }

    /** A peer queue entry: what a scheduler built on PriorityQueue would hold. */
    record Queued(int priority, long sequence, KernelInput.SubmitToken token) {
    }

    /** The kernel's order: higher priority first, then lower sequence (earlier submission). */
    private static final Comparator<Queued> ORDER = (a, b) -> a.priority != b.priority
            ? Integer.compare(b.priority, a.priority) : Long.compare(a.sequence, b.sequence);

    /** The peer's state: prebuilt entries and a queue that has grown to size in the first invocation. */
    @State(Scope.Thread)
    public static class Peer {
        Queued[] entries;
        PriorityQueue<Queued> queue;

        @Setup(Level.Trial)
        public void setUp() {
            List<KernelInput.SubmitToken> tokens = tokens();
            entries = new Queued[TOKENS];
            for (int i = 0; i < TOKENS; i++) {
                entries[i] = new Queued(tokens.get(i).priority(), i, tokens.get(i));
            }
            queue = new PriorityQueue<>(ORDER);
        }
    }

    /** The kernel's state: one kernel for the whole trial, on a ledger that keeps nothing. */
    @State(Scope.Thread)
    public static class Os2 {
        /** {@code noop}: the handler returns at once; {@code charge}: it charges one cost unit first. */
        @Param({"noop", "charge"})
        public String handler;

        Kernel kernel;
        DiscardingLedger ledger;
        KernelInput.SubmitTokens batch;

        @Setup(Level.Trial)
        public void setUp() {
            ledger = new DiscardingLedger();
            kernel = KernelFixture.start(switch (handler) {
                case "noop" -> KernelFixture.NO_OP;
                case "charge" -> KernelFixture.CHARGE_ONE;
                default -> throw new IllegalArgumentException("unknown handler " + handler);
            }, ledger);
            batch = new KernelInput.SubmitTokens(tokens());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            kernel.close();
            ledger.close();
        }
    }

    /** Peer: offer the tokens to a PriorityQueue, then poll them all in order. */
    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public long priorityQueue(Peer p) {
        PriorityQueue<Queued> queue = p.queue;
        for (Queued q : p.entries) {
            queue.offer(q);
        }
        long order = 0;
        Queued q;
        while ((q = queue.poll()) != null) {
            order = order * 31 + q.sequence;
        }
        return order;
    }

    /** OS2: submit the tokens as one batch, then run them all (admission, scheduling, accounting, handler). */
    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public long kernel(Os2 s) {
        KernelFixture.requireQueued(s.kernel.execute(s.batch));
        return KernelFixture.requireRan(s.kernel.runUntilIdle(), TOKENS);
    }
}
