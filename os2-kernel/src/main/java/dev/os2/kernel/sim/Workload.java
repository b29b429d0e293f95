package dev.os2.kernel.sim;

import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityDescriptor.JsonType;
import dev.os2.kernel.CapabilityLimits;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantId;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.InvalidInputException;
import dev.os2.kernel.InvocationFailedException;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.TokenId;
import dev.os2.kernel.TokenRef;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A random but seeded workload for a kernel: submissions (single and batched) with dependencies,
 * budgets and priorities; grants, derivations (mostly narrowing, sometimes widening), revocations,
 * cancels and ticks; misuse that must be refused without a trace; and handlers that succeed, fail,
 * overspend, loop until halted, return nothing or bad JSON, invoke other capabilities, emit events,
 * request checkpoints, and revoke or cancel from inside a run. The same seed drives the same
 * inputs, so two runs with one seed must produce the same ledger, byte for byte.
 *
 * <p>Used by the kernel's determinism tests and by {@code os2 simulate --seed S --steps N}. Not
 * thread-safe: one workload drives one kernel from one thread.
 */
public final class Workload {

    /** Returns its arguments after a small charge. */
    public static final String ECHO = "sim.echo";
    /** Does what its {@code mode} argument says (see the class comment). */
    public static final String WORK = "sim.work";
    /** Charges until the kernel halts it. */
    public static final String LOOP = "sim.loop";
    /** Charges memory and network. */
    public static final String IO = "sim.io";
    /** Rate-limited, invocation-limited and ceilinged. */
    public static final String RATED = "sim.rated";

    private static final List<String> CAPABILITIES = List.of(ECHO, WORK, LOOP, IO, RATED);
    private static final List<String> SUBJECTS = List.of("a0", "a1", "a2", "a3");
    private static final List<String> MODES = List.of("ok", "ok", "ok", "fail", "overspend", "null", "nested", "nested",
            "revoke", "cancel", "checkpoint", "emit", "bad_json", "misuse");
    private static final List<String> PATHS = List.of("a", "b", "c", "d");

    /** The policy every simulated kernel runs under. */
    public static final String POLICY = """
            [default]
            token_budget = 400
            cpu_time_ms = 300
            memory_bytes = 1000000
            network_bytes = 1000

            [capability."sim.io"]
            network_bytes = 50000

            [capability."sim.loop"]
            token_budget = 100000
            cpu_time_ms = 100000

            [profile."small"]
            token_budget = 20
            """;

    private final long seed;
    private final SplittableRandom rnd;
    private final List<String> problems = new ArrayList<>();
    private Kernel kernel;
    /** What the steps ask of the kernel's state, answered in O(log n) (see {@link LiveIndex}). */
    private LiveIndex index;
    private long steps;

    /** A workload for {@code seed}. */
    public Workload(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** The configuration to build the kernel with: seed, small limits, the policy and the simulated capabilities. */
    public KernelConfig config() {
        return KernelConfig.builder()
                .seed(seed)
                .maxLiveTokens(200)
                .maxDependencies(4)
                .maxBatchTokens(8)
                .maxInvocationDepth(3)
                .maxDeriveDepth(3)
                .maxActionsPerInvocation(300)
                .maxPayloadBytes(4096)
                .queueCapacity(64)
                .limits(CapabilityLimits.parse(POLICY, "sim-policy.toml"))
                .capability(CapabilityDescriptor.builder(ECHO).description("returns its arguments")
                        .optionalField("text", JsonType.STRING).build(), this::echo)
                .capability(CapabilityDescriptor.builder(WORK).description("does what its mode says")
                        .field("mode", JsonType.STRING).field("cost", JsonType.INTEGER).build(), this::work)
                .capability(CapabilityDescriptor.builder(LOOP).description("charges until halted").build(), this::loop)
                .capability(CapabilityDescriptor.builder(IO).description("charges memory and network")
                        .field("bytes", JsonType.INTEGER).configuration(CanonicalJson.parse("{\"mtu\":1500}")).build(), this::io)
                .capability(CapabilityDescriptor.builder(RATED).description("rate-limited").tokenCeiling(50)
                        .maxInvocations(40).rateLimit(3, 20).build(), this::rated)
                .build();
    }

    /** Makes {@code k} the kernel the next steps and the handlers talk to (again after a restore). */
    public void attach(Kernel k) {
        if (index != null) {
            index.close();
        }
        this.kernel = k;
        this.index = new LiveIndex(k);
    }

    /** Problems the workload itself noticed (a handler ran under a grant not in force; misuse left a trace). */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    // ---------------------------------------------------------------------------------------------

    /** Performs one random step on the attached kernel. */
    public void step() {
        steps++;
        int roll = rnd.nextInt(100);
        KernelState s = kernel.state();
        if (steps <= 2 * CAPABILITIES.size()) {
            // Start with every capability granted to two subjects, so that most work is admitted.
            int k = (int) steps - 1;
            kernel.execute(new KernelInput.GrantCapability(SUBJECTS.get(k / CAPABILITIES.size()),
                    CAPABILITIES.get(k % CAPABILITIES.size()), GrantTerms.UNRESTRICTED));
        } else if (roll < 28) {
            kernel.execute(submit(s, false));
        } else if (roll < 33) {
            kernel.execute(batch(s));
        } else if (roll < 41) {
            kernel.execute(new KernelInput.GrantCapability(pick(SUBJECTS), pick(CAPABILITIES), terms(s)));
        } else if (roll < 47) {
            derive(s).ifPresent(kernel::execute);
        } else if (roll < 51) {
            if (s.nextGrantId().value() > 1) {
                kernel.execute(new KernelInput.RevokeCapability(new GrantId(1 + rnd.nextLong(s.nextGrantId().value() - 1))));
            }
        } else if (roll < 56) {
            // The i-th live token in id order, as s.liveTokens().get(i) would give it, in O(log n).
            int live = index.liveTokens();
            long next = s.nextTokenId().value();
            if (live != s.liveTokenCount()) {
                throw new IllegalStateException("the workload's index counts " + live + " live tokens, the state " + s.liveTokenCount());
            }
            if (live > 0 && rnd.nextInt(4) != 0) {
                kernel.execute(new KernelInput.CancelToken(new TokenId(index.liveToken(rnd.nextInt(live)))));
            } else if (next > 1) {
                kernel.execute(new KernelInput.CancelToken(new TokenId(Math.max(1, next - 1 - rnd.nextLong(Math.min(next - 1, 12))))));
            }
        } else if (roll < 64) {
            kernel.execute(new KernelInput.Tick(1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 200 : 20)));
        } else if (roll < 93) {
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                kernel.step();
            }
        } else if (roll < 96) {
            kernel.runUntilIdle();
        } else if (roll < 98) {
            // An input offered asynchronously is applied at the kernel's next step.
            kernel.offer(new KernelInput.Tick(1 + rnd.nextInt(5)));
            kernel.offer(submit(s, false));
            kernel.step();
        } else {
            misuse(s);
        }
    }

    /** Steps {@code n} times, then runs the kernel until idle. */
    public void run(int n) {
        for (int i = 0; i < n; i++) {
            step();
        }
        kernel.runUntilIdle();
    }

    private KernelInput.SubmitToken submit(KernelState s, boolean inBatch) {
        String cap = pick(CAPABILITIES);
        CanonicalJson args = switch (cap) {
            case WORK -> json("{\"mode\":\"" + pick(MODES) + "\",\"cost\":" + rnd.nextInt(rnd.nextInt(8) == 0 ? 500 : 40) + "}");
            case IO -> json("{\"bytes\":" + rnd.nextInt(3000) + "}");
            case ECHO -> rnd.nextInt(6) == 0 ? json("{\"text\":7}") : json("{\"text\":\"hello\"}");
            default -> CanonicalJson.EMPTY_OBJECT;
        };
        String subject = rnd.nextInt(10) < 7 ? SUBJECTS.get(rnd.nextInt(2)) : pick(SUBJECTS);
        KernelInput.SubmitToken t = KernelInput.SubmitToken.of(subject, cap, args)
                .withPriority(List.of(-1, 0, 0, 0, 1, 5).get(rnd.nextInt(6)));
        if (rnd.nextInt(10) < 7) {
            t = t.withBudget(budget());
        }
        if (rnd.nextInt(4) == 0) {
            t = t.withKind(List.of("Perception", "Reason", "Plan", "Act", "Reflect").get(rnd.nextInt(5)));
        }
        long next = s.nextTokenId().value();
        if (!inBatch && next > 1 && rnd.nextInt(3) == 0) {
            List<TokenRef> deps = new ArrayList<>();
            int n = 1 + rnd.nextInt(2);
            for (int i = 0; i < n; i++) {
                long d = rnd.nextInt(15) == 0 ? next + 3 : Math.max(1, next - 1 - rnd.nextLong(Math.min(next - 1, 8)));
                deps.add(new TokenId(d));
            }
            t = t.withDependencies(deps);
        }
        if (rnd.nextInt(12) == 0 && s.nextGrantId().value() > 1) {
            t = t.withGrant(new GrantId(1 + rnd.nextLong(s.nextGrantId().value() - 1)));
        }
        return t;
    }

    private KernelInput.SubmitTokens batch(KernelState s) {
        int n = 2 + rnd.nextInt(3);
        List<KernelInput.SubmitToken> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KernelInput.SubmitToken t = submit(s, true);
            if (i > 0 && rnd.nextInt(2) == 0) {
                // Mostly references to earlier members; now and then a forward one, which may close a cycle.
                int target = rnd.nextInt(10) == 0 ? rnd.nextInt(n) : rnd.nextInt(i);
                t = t.withDependencies(TokenRef.batch(target));
            }
            members.add(t);
        }
        return new KernelInput.SubmitTokens(members);
    }

    private Budget budget() {
        if (rnd.nextInt(5) == 0) {
            // Anything, often beyond the policy.
            return new Budget(rnd.nextInt(10) == 0 ? Budget.UNLIMITED : rnd.nextInt(150_000),
                    rnd.nextInt(4) == 0 ? Budget.UNLIMITED : rnd.nextInt(1_100_000),
                    rnd.nextInt(60_000), rnd.nextInt(8) == 0 ? Budget.UNLIMITED : 2 + rnd.nextInt(150_000));
        }
        return new Budget(rnd.nextInt(400), rnd.nextInt(1_000_000), rnd.nextInt(1000), 2 + rnd.nextInt(298));
    }

    private GrantTerms terms(KernelState s) {
        GrantTerms t = GrantTerms.UNRESTRICTED;
        if (rnd.nextInt(3) == 0) {
            t = t.withScope(json("{\"paths\":[\"a\",\"b\",\"c\"],\"mode\":\"r\"}"));
        }
        if (rnd.nextInt(3) == 0) {
            t = t.withTokenCeiling(rnd.nextInt(rnd.nextInt(5) == 0 ? 100 : 500));
        }
        if (rnd.nextInt(4) == 0) {
            t = t.withExpiresAtTick(s.clock() + 1 + rnd.nextInt(300));
        }
        if (rnd.nextInt(4) == 0) {
            t = t.withBudgetTokens(rnd.nextInt(1000));
        }
        if (rnd.nextInt(5) == 0) {
            t = t.withMaxInvocations(1 + rnd.nextInt(10));
        }
        if (rnd.nextInt(5) == 0) {
            t = t.withRateLimit(1 + rnd.nextInt(3), 5 + rnd.nextInt(30));
        }
        return t;
    }

    private Optional<KernelInput> derive(KernelState s) {
        // Grants are never removed and their ids run from 1 without a gap, so the i-th of
        // s.grants() (in id order) is grant i + 1: looked up in O(log n) instead of listed.
        long grants = s.nextGrantId().value() - 1;
        if (grants == 0) {
            return Optional.empty();
        }
        Grant p = s.grant(new GrantId(1 + rnd.nextInt((int) grants))).orElseThrow();
        boolean widen = rnd.nextInt(6) == 0;
        GrantTerms t = GrantTerms.UNRESTRICTED;
        if (rnd.nextBoolean()) {
            long c = p.tokenCeiling() == Budget.UNLIMITED ? 300 : p.tokenCeiling();
            t = t.withTokenCeiling(widen ? Math.min(c + 10, Budget.MAX_FINITE) : c / 2);
        }
        if (rnd.nextInt(3) == 0) {
            List<String> sub = new ArrayList<>();
            for (String path : PATHS) {
                if (rnd.nextBoolean()) {
                    sub.add('"' + path + '"');
                }
            }
            t = t.withScope(json("{\"paths\":[" + String.join(",", sub) + "],\"mode\":\"r\",\"extra\":1}"));
        }
        if (rnd.nextInt(3) == 0) {
            long e = p.expiresAtTick() == Budget.UNLIMITED ? s.clock() + 200 : p.expiresAtTick();
            t = t.withExpiresAtTick(widen ? Math.min(e + 5, Budget.MAX_FINITE) : Math.max(s.clock(), e - rnd.nextInt(50)));
        }
        if (rnd.nextInt(3) == 0) {
            long left = p.budgetTokens() == Budget.UNLIMITED ? 500 : Math.max(0, p.budgetTokens() - p.tokensCharged());
            t = t.withBudgetTokens(widen ? left + 1 : left / 2);
        }
        if (rnd.nextInt(4) == 0) {
            t = t.withMaxInvocations(widen && p.maxInvocations() != Budget.UNLIMITED ? p.maxInvocations() + 1 : 1 + rnd.nextInt(5));
        }
        return Optional.of(new KernelInput.DeriveCapability(p.id(), pick(SUBJECTS), t));
    }

    /** Misuse must throw and leave the ledger as it was. */
    private void misuse(KernelState s) {
        long before = kernel.ledger().size();
        Hash head = kernel.ledger().headHash();
        List<Supplier<KernelInput>> bad = List.of(
                () -> KernelInput.SubmitToken.of("a0", "sim.unknown", CanonicalJson.EMPTY_OBJECT),
                () -> new KernelInput.CancelToken(new TokenId(s.nextTokenId().value() + 10)),
                () -> new KernelInput.RevokeCapability(new GrantId(s.nextGrantId().value() + 10)),
                () -> KernelInput.SubmitToken.of("a0", ECHO, json("{\"text\":\"" + "x".repeat(5000) + "\"}")),
                () -> KernelInput.SubmitToken.of("a0", ECHO, CanonicalJson.EMPTY_OBJECT).withDependencies(TokenRef.batch(0)),
                () -> KernelInput.SubmitToken.of("a0", ECHO, CanonicalJson.EMPTY_OBJECT).withBudget(new Budget(-1, 0, 0, 0)),
                () -> new KernelInput.Tick(0),
                () -> new KernelInput.GrantCapability("bad subject", ECHO, GrantTerms.UNRESTRICTED));
        try {
            KernelInput input = bad.get(rnd.nextInt(bad.size())).get();
            kernel.execute(input);
            problems.add("step " + steps + ": misuse was accepted: " + input);
        } catch (InvalidInputException | NullPointerException expected) {
            // Refused, as it must be.
        }
        if (kernel.ledger().size() != before || !kernel.ledger().headHash().equals(head)) {
            problems.add("step " + steps + ": refused misuse changed the ledger");
        }
    }

    // --- handlers ------------------------------------------------------------------------------------

    /** Every handler starts by checking that it runs under a grant in force for its subject. */
    private void checkGrant(HandlerContext ctx) {
        Optional<Grant> g = kernel.state().grant(ctx.grant());
        if (g.isEmpty() || g.get().status() != Grant.Status.ACTIVE || !g.get().subject().equals(ctx.subject())
                || !g.get().capabilityId().equals(ctx.capabilityId()) || ctx.now() >= g.get().expiresAtTick()) {
            problems.add("token " + ctx.token() + " runs " + ctx.capabilityId() + " under " + ctx.grant() + " which is not in force: " + g);
        }
    }

    private CanonicalJson echo(HandlerContext ctx, CanonicalJson args) {
        checkGrant(ctx);
        ctx.chargeTokens(ctx.random().nextInt(3));
        return args;
    }

    private CanonicalJson rated(HandlerContext ctx, CanonicalJson args) {
        checkGrant(ctx);
        // Sometimes more than the descriptor's ceiling of 50 per invocation: a capability violation.
        ctx.chargeTokens(ctx.random().nextInt(80));
        return args;
    }

    private CanonicalJson loop(HandlerContext ctx, CanonicalJson args) {
        checkGrant(ctx);
        while (true) {
            ctx.chargeTokens(1 + ctx.random().nextInt(3));
        }
    }

    private CanonicalJson io(HandlerContext ctx, CanonicalJson args) {
        checkGrant(ctx);
        long bytes = args.toJsonNode().get("bytes").asLong();
        ctx.chargeMemory(bytes * 100);
        ctx.chargeNetwork(bytes);
        ctx.chargeNetwork(ctx.random().nextInt(1000));
        return CanonicalJson.parse("{\"sent\":" + bytes + "}");
    }

    private CanonicalJson work(HandlerContext ctx, CanonicalJson args) throws Exception {
        checkGrant(ctx);
        var a = args.toJsonNode();
        String mode = a.get("mode").asText();
        long cost = a.get("cost").asLong();
        int parts = 1 + ctx.random().nextInt(3);
        for (int i = 0; i < parts; i++) {
            ctx.chargeTokens(cost / parts);
        }
        switch (mode) {
            case "fail" -> throw new IllegalStateException("simulated failure after " + cost + " tokens");
            case "overspend" -> {
                Budget left = ctx.remaining();
                if (left.memoryBytes() != Budget.UNLIMITED) {
                    ctx.chargeMemory(left.memoryBytes() + 1);
                }
                ctx.chargeTokens(left.tokens() == Budget.UNLIMITED ? 1L << 40 : left.tokens() + 1);
            }
            case "null" -> {
                return null;
            }
            case "nested" -> {
                try {
                    int pick = ctx.random().nextInt(4);
                    String innerMode = List.of("ok", "fail", "nested", "overspend").get(ctx.random().nextInt(4));
                    ctx.invoke(pick == 0 ? ECHO : pick == 1 ? RATED : WORK, pick < 2 ? json("{\"text\":\"inner\"}")
                            : ctx.random().nextInt(8) == 0 ? json("{\"mode\":\"ok\"}")
                            : json("{\"mode\":\"" + innerMode + "\",\"cost\":" + ctx.random().nextInt(60) + "}"));
                } catch (InvocationFailedException inner) {
                    ctx.emit("inner_failed", CanonicalJson.ofString(inner.capabilityId()));
                }
            }
            case "revoke" -> {
                // Revoke the subject's newest echo grant from inside the run; the kernel applies it at
                // the next action, so the invocation after it must be refused unless another grant remains.
                long newest = index.newestActiveGrant(ctx.subject(), ECHO);
                if (newest > 0) {
                    kernel.offer(new KernelInput.RevokeCapability(new GrantId(newest)));
                }
                ctx.invoke(ECHO, json("{\"text\":\"after revoke\"}"));
            }
            case "cancel" -> {
                kernel.offer(new KernelInput.CancelToken(ctx.token()));
                ctx.chargeTokens(1);
                problems.add("token " + ctx.token() + " went on after cancelling itself");
            }
            case "checkpoint" -> ctx.requestCheckpoint("sim-" + ctx.token().value());
            case "emit" -> {
                for (int i = 0; i < 1 + ctx.random().nextInt(3); i++) {
                    ctx.emit("progress", json("{\"step\":" + i + "}"));
                }
            }
            case "bad_json" -> {
                return CanonicalJson.parse("{\"unterminated\":");
            }
            case "misuse" -> {
                try {
                    ctx.chargeTokens(-1);
                    problems.add("a negative charge was accepted");
                } catch (IllegalArgumentException expected) {
                    // Refused without a trace; the handler goes on.
                }
                try {
                    kernel.execute(new KernelInput.Tick(1));
                    problems.add("execute() from a handler was accepted");
                } catch (IllegalStateException expected) {
                    // A handler cannot re-enter the kernel.
                }
            }
            default -> {
            }
        }
        return json("{\"ok\":true,\"r\":" + ctx.random().nextInt(1000) + "}");
    }

    private static boolean rnd(HandlerContext ctx) {
        return ctx.random().nextBoolean();
    }

    private <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    private static CanonicalJson json(String text) {
        return CanonicalJson.parse(text);
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * What a run came to.
     *
     * @param seed the workload seed
     * @param steps steps taken
     * @param ledgerHead the ledger's head hash: what to compare across runs and machines
     * @param stateHash the kernel's final state hash
     * @param entries ledger entries
     * @param counts tokens by outcome
     * @param eventsByKind ledger entries by kind, sorted by kind
     */
    public record Result(long seed, long steps, Hash ledgerHead, Hash stateHash, long entries, KernelState.TokenCounts counts,
            SortedMap<String, Long> eventsByKind) {
    }

    /**
     * Runs {@code steps} steps of the workload for {@code seed} on a fresh kernel over {@code ledger}
     * (empty; the caller owns it), then runs the kernel until idle.
     */
    public static Result run(long seed, int steps, Ledger ledger) {
        Workload w = new Workload(seed);
        try (Kernel k = Kernel.create(w.config(), ledger)) {
            w.attach(k);
            w.run(steps);
            return w.result(k);
        }
    }

    /** The result of the run so far on kernel {@code k}. */
    public Result result(Kernel k) {
        SortedMap<String, Long> kinds = new TreeMap<>();
        try (Stream<EventEnvelope> all = k.ledger().entries(0)) {
            all.forEach(e -> kinds.merge(e.kind(), 1L, Long::sum));
        }
        KernelState s = k.state();
        return new Result(seed, steps, k.ledger().headHash(), s.stateHash(), k.ledger().size(), s.counts(), kinds);
    }
}
