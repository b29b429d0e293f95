package dev.os2.shell.bench;

import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityDescriptor.JsonType;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.TokenId;
import dev.os2.kernel.TokenRef;
import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * {@code scheduler-mix}: the scheduler under a mix of single submissions with priorities and
 * dependencies, batches whose members depend on each other (now and then a cycle, which rejects
 * the batch), small budgets that are overrun, planned failures whose dependents are cancelled, and
 * ticks. The headline operation is one token run: a {@link Kernel#step()} that runs a token,
 * including recording its events in the Chronicle ledger.
 */
final class SchedulerMixScenario implements Scenario {

    static final String WORK = "bench.work";
    private static final int ROUNDS = 36_000;
    private static final int SUBJECTS = 8;
    private static final long SALT = 0x5c4ed_1e5L;

    @Override
    public String name() {
        return "scheduler-mix";
    }

    @Override
    public String description() {
        return "priorities, dependencies, batches (with the odd cycle), overrun budgets and failures through the scheduler";
    }

    @Override
    public String operation() {
        return "token run";
    }

    @Override
    public List<String> headlineKinds() {
        return List.of("token");
    }

    static KernelConfig config(long seed) {
        return KernelConfig.builder()
                .seed(seed)
                .maxBatchTokens(16)
                .maxDependencies(8)
                .capability(CapabilityDescriptor.builder(WORK).description("charges its cost, may fail or emit")
                        .field("cost", JsonType.INTEGER).field("fail", JsonType.BOOLEAN).build(), SchedulerMixScenario::work)
                .build();
    }

    private static CanonicalJson work(HandlerContext ctx, CanonicalJson args) {
        var a = args.toJsonNode();
        long cost = a.get("cost").asLong();
        int parts = 1 + ctx.random().nextInt(3);
        for (int i = 0; i < parts; i++) {
            ctx.chargeTokens(cost / parts);
        }
        if (a.get("fail").asBoolean()) {
            throw new IllegalStateException("planned failure after " + cost + " tokens");
        }
        if (ctx.random().nextInt(8) == 0) {
            ctx.emit("progress", CanonicalJson.parse("{\"cost\":" + cost + "}"));
        }
        return CanonicalJson.parse("{\"r\":" + ctx.random().nextInt(1_000_000) + "}");
    }

    @Override
    public ScenarioResult run(ScenarioContext context) {
        SplittableRandom rnd = new SplittableRandom(context.seed() ^ SALT);
        int rounds = context.size().scale(ROUNDS);
        Latencies lat = context.latencies();
        long tokensRun = 0;
        long batches = 0;
        try (ScenarioKernel sk = ScenarioKernel.open(context.scratch(), config(context.seed()))) {
            Kernel k = sk.kernel();
            context.startClock();
            for (int s = 0; s < SUBJECTS; s++) {
                k.execute(new KernelInput.GrantCapability("s" + s, WORK, GrantTerms.UNRESTRICTED));
            }
            for (int round = 1; round <= rounds; round++) {
                int roll = rnd.nextInt(100);
                if (roll < 50) {
                    KernelInput.SubmitToken t = token(rnd, k.state().nextTokenId().value(), true);
                    long start = Latencies.now();
                    k.execute(t);
                    lat.since("submit", start);
                } else if (roll < 62) {
                    KernelInput.SubmitTokens b = batch(rnd);
                    long start = Latencies.now();
                    k.execute(b);
                    lat.since("batch", start);
                    batches++;
                } else if (roll < 97) {
                    int steps = 1 + rnd.nextInt(6);
                    for (int i = 0; i < steps; i++) {
                        long start = Latencies.now();
                        if (!k.step()) {
                            break;
                        }
                        lat.since("token", start);
                        tokensRun++;
                    }
                } else {
                    long start = Latencies.now();
                    k.execute(new KernelInput.Tick(1 + rnd.nextInt(50)));
                    lat.since("tick", start);
                }
                if (round % 256 == 0) {
                    context.progress(round, rounds);
                }
            }
            while (true) {
                long start = Latencies.now();
                if (!k.step()) {
                    break;
                }
                lat.since("token", start);
                tokensRun++;
            }
            context.stopClock();
            context.progress(rounds, rounds);
            TreeMap<String, Long> facts = new TreeMap<>();
            facts.put("rounds", (long) rounds);
            facts.put("batches", batches);
            facts.put("tokens_run", tokensRun);
            facts.put("virtual_clock_ticks", k.state().clock());
            return sk.result(tokensRun, 0, facts, List.of());
        }
    }

    /** A submission; outside a batch it may depend on recent tokens (some of which fail or are long gone). */
    private static KernelInput.SubmitToken token(SplittableRandom rnd, long nextId, boolean single) {
        int cost = rnd.nextInt(10) == 0 ? 100 + rnd.nextInt(200) : rnd.nextInt(40);
        boolean fail = rnd.nextInt(25) == 0;
        KernelInput.SubmitToken t = KernelInput.SubmitToken.of("s" + rnd.nextInt(SUBJECTS), WORK,
                CanonicalJson.parse("{\"cost\":" + cost + ",\"fail\":" + fail + "}"))
                .withPriority(rnd.nextInt(20) == 0 ? 100 : rnd.nextInt(7) - 3);
        if (rnd.nextInt(12) == 0) {
            // A budget below the cost: the token is halted with resource_budget_exceeded.
            t = t.withBudget(Budget.ofTokens(cost / 2));
        }
        if (single && nextId > 1 && rnd.nextInt(3) == 0) {
            List<TokenRef> deps = new ArrayList<>();
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                deps.add(new TokenId(Math.max(1, nextId - 1 - rnd.nextLong(Math.min(nextId - 1, 32)))));
            }
            t = t.withDependencies(deps);
        }
        return t;
    }

    private static KernelInput.SubmitTokens batch(SplittableRandom rnd) {
        int n = 2 + rnd.nextInt(15);
        boolean cycle = rnd.nextInt(50) == 0;
        List<KernelInput.SubmitToken> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KernelInput.SubmitToken t = token(rnd, 0, false);
            if (cycle && i == 0) {
                // The first member waits for the last, which (below) waits for an earlier one: a cycle.
                t = t.withDependencies(TokenRef.batch(n - 1));
            } else if (i > 0 && rnd.nextInt(3) != 0) {
                t = t.withDependencies(TokenRef.batch(rnd.nextInt(i)));
            }
            members.add(t);
        }
        return new KernelInput.SubmitTokens(members);
    }
}
