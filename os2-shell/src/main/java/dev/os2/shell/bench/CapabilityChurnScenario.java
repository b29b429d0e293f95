package dev.os2.shell.bench;

import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityDescriptor.JsonType;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantId;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.InvocationFailedException;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * {@code capability-churn}: the capability registry under a stream of grants with limits,
 * derivations (mostly narrowing, sometimes widening, which is refused), revocations that cascade
 * to derived grants, expiry by ticks, and tokens submitted under named grants, some of which are
 * revoked while the token waits, and some of whose handlers revoke a grant in the middle of their
 * run and then invoke under it. The headline operation is one grant, derivation or revocation.
 */
final class CapabilityChurnScenario implements Scenario {

    static final String TOOL = "bench.tool";
    static final String RELAY = "bench.relay";
    private static final int ROUNDS = 40_000;
    private static final int SUBJECTS = 6;
    /** Grants are picked from the most recent ones, so that most picks are still in force. */
    private static final int RECENT = 256;
    private static final long SALT = 0xc4a2_c712L;

    @Override
    public String name() {
        return "capability-churn";
    }

    @Override
    public String description() {
        return "grants, derivations and cascading revocations, some mid-flight, with tokens under named grants";
    }

    @Override
    public String operation() {
        return "grant, derive or revoke";
    }

    @Override
    public List<String> headlineKinds() {
        return List.of("derive", "grant", "revoke");
    }

    /** The kernel a run's relay handler revokes through (set once the kernel exists). */
    private static final class Relay {
        Kernel kernel;

        CanonicalJson handle(HandlerContext ctx, CanonicalJson args) {
            var a = args.toJsonNode();
            ctx.chargeTokens(1 + ctx.random().nextInt(4));
            long target = a.get("target").asLong();
            if (a.get("mode").asText().equals("revoke") && target > 0) {
                // Applied at the next action: the invocation below may then run under another grant
                // in force, or be a capability violation that halts the token.
                kernel.offer(new KernelInput.RevokeCapability(new GrantId(target)));
            }
            try {
                return ctx.invoke(TOOL, CanonicalJson.parse("{\"n\":" + ctx.random().nextInt(20) + "}"));
            } catch (InvocationFailedException e) {
                return CanonicalJson.parse("{\"inner\":\"failed\"}");
            }
        }
    }

    private static CanonicalJson tool(HandlerContext ctx, CanonicalJson args) {
        ctx.chargeTokens(args.toJsonNode().get("n").asLong());
        return CanonicalJson.parse("{\"ok\":" + ctx.random().nextInt(1000) + "}");
    }

    private static KernelConfig config(long seed, Relay relay) {
        return KernelConfig.builder()
                .seed(seed)
                .capability(CapabilityDescriptor.builder(TOOL).description("charges n").field("n", JsonType.INTEGER).build(),
                        CapabilityChurnScenario::tool)
                .capability(CapabilityDescriptor.builder(RELAY).description("invokes the tool, may revoke a grant first")
                        .field("mode", JsonType.STRING).field("target", JsonType.INTEGER).build(), relay::handle)
                .build();
    }

    @Override
    public ScenarioResult run(ScenarioContext context) {
        SplittableRandom rnd = new SplittableRandom(context.seed() ^ SALT);
        int rounds = context.size().scale(ROUNDS);
        Latencies lat = context.latencies();
        Relay relay = new Relay();
        List<GrantId> known = new ArrayList<>();
        long capabilityOps = 0;
        long refused = 0;
        try (ScenarioKernel sk = ScenarioKernel.open(context.scratch(), config(context.seed(), relay))) {
            Kernel k = sk.kernel();
            relay.kernel = k;
            context.startClock();
            for (int s = 0; s < SUBJECTS; s++) {
                for (String cap : List.of(TOOL, RELAY)) {
                    known.add(k.execute(new KernelInput.GrantCapability("u" + s, cap, GrantTerms.UNRESTRICTED)).grantId());
                }
            }
            for (int round = 1; round <= rounds; round++) {
                int roll = rnd.nextInt(100);
                if (roll < 22) {
                    KernelInput.GrantCapability g = new KernelInput.GrantCapability("u" + rnd.nextInt(SUBJECTS),
                            rnd.nextInt(10) < 7 ? TOOL : RELAY, terms(rnd, k.state().clock()));
                    long start = Latencies.now();
                    KernelResponse r = k.execute(g);
                    lat.since("grant", start);
                    capabilityOps++;
                    refused += track(r, known);
                } else if (roll < 44) {
                    Optional<Grant> p = k.state().grant(pick(rnd, known));
                    KernelInput.DeriveCapability d = new KernelInput.DeriveCapability(p.orElseThrow().id(),
                            "u" + rnd.nextInt(SUBJECTS), narrowed(rnd, p.get(), k.state().clock()));
                    long start = Latencies.now();
                    KernelResponse r = k.execute(d);
                    lat.since("derive", start);
                    capabilityOps++;
                    refused += track(r, known);
                } else if (roll < 56) {
                    KernelInput.RevokeCapability v = new KernelInput.RevokeCapability(pick(rnd, known));
                    long start = Latencies.now();
                    KernelResponse r = k.execute(v);
                    lat.since("revoke", start);
                    capabilityOps++;
                    refused += r.ok() ? 0 : 1;
                } else if (roll < 80) {
                    Grant g = k.state().grant(pick(rnd, known)).orElseThrow();
                    CanonicalJson args = g.capabilityId().equals(TOOL)
                            ? CanonicalJson.parse("{\"n\":" + rnd.nextInt(30) + "}")
                            : CanonicalJson.parse("{\"mode\":\"" + (rnd.nextInt(4) == 0 ? "revoke" : "plain")
                                    + "\",\"target\":" + pick(rnd, known).value() + "}");
                    KernelInput.SubmitToken t = KernelInput.SubmitToken.of(g.subject(), g.capabilityId(), args)
                            .withGrant(g.id()).withBudget(Budget.ofTokens(20 + rnd.nextInt(200)));
                    long start = Latencies.now();
                    k.execute(t);
                    lat.since("submit", start);
                } else if (roll < 96) {
                    int steps = 1 + rnd.nextInt(4);
                    for (int i = 0; i < steps; i++) {
                        long start = Latencies.now();
                        if (!k.step()) {
                            break;
                        }
                        lat.since("token", start);
                    }
                } else {
                    long start = Latencies.now();
                    k.execute(new KernelInput.Tick(1 + rnd.nextInt(40)));
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
            }
            context.stopClock();
            context.progress(rounds, rounds);
            TreeMap<String, Long> facts = new TreeMap<>();
            facts.put("rounds", (long) rounds);
            facts.put("capability_operations", capabilityOps);
            facts.put("capability_operations_refused", refused);
            facts.put("grants_issued", k.state().nextGrantId().value() - 1);
            facts.put("grants_in_force", k.state().grants().stream().filter(g -> g.status() == Grant.Status.ACTIVE).count());
            return sk.result(capabilityOps, 0, facts, List.of());
        }
    }

    private static int track(KernelResponse r, List<GrantId> known) {
        if (r.ok()) {
            known.add(r.grantId());
            return 0;
        }
        return 1;
    }

    private static GrantId pick(SplittableRandom rnd, List<GrantId> known) {
        int window = Math.min(RECENT, known.size());
        return known.get(known.size() - 1 - rnd.nextInt(window));
    }

    private static GrantTerms terms(SplittableRandom rnd, long clock) {
        GrantTerms t = GrantTerms.UNRESTRICTED;
        if (rnd.nextInt(3) == 0) {
            t = t.withTokenCeiling(5 + rnd.nextInt(200));
        }
        if (rnd.nextInt(4) == 0) {
            t = t.withMaxInvocations(1 + rnd.nextInt(20));
        }
        if (rnd.nextInt(4) == 0) {
            t = t.withExpiresAtTick(clock + 10 + rnd.nextInt(500));
        }
        if (rnd.nextInt(4) == 0) {
            t = t.withBudgetTokens(10 + rnd.nextInt(2000));
        }
        return t;
    }

    /** Terms narrower than the parent's; one in ten widens a term instead, which the kernel refuses. */
    private static GrantTerms narrowed(SplittableRandom rnd, Grant p, long clock) {
        boolean widen = rnd.nextInt(10) == 0;
        GrantTerms t = GrantTerms.UNRESTRICTED;
        if (rnd.nextBoolean()) {
            long c = p.tokenCeiling() == Budget.UNLIMITED ? 300 : p.tokenCeiling();
            t = t.withTokenCeiling(widen ? Math.min(c + 10, Budget.MAX_FINITE) : c / 2);
        }
        if (rnd.nextInt(3) == 0) {
            long left = p.budgetTokens() == Budget.UNLIMITED ? 1000 : Math.max(0, p.budgetTokens() - p.tokensCharged());
            t = t.withBudgetTokens(widen ? left + 1 : left / 2);
        }
        if (rnd.nextInt(3) == 0) {
            long e = p.expiresAtTick() == Budget.UNLIMITED ? clock + 400 : p.expiresAtTick();
            t = t.withExpiresAtTick(Math.max(clock, e - rnd.nextInt(50)));
        }
        if (rnd.nextInt(4) == 0) {
            t = t.withMaxInvocations(1 + rnd.nextInt(8));
        }
        return t;
    }
}
