package dev.os2.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.os2.kernel.sim.Workload;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.CanonicalWriter;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.InvalidPayloadException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The kernel writes its records straight in canonical form ({@link Codec}, {@link KernelState});
 * these properties hold it to the Jackson tree encoding it replaced ({@link TreeEncoding}), byte
 * for byte, over random inputs and over the states of random simulated runs. Each prints its seed
 * on failure.
 */
class EncodingEquivalenceTest {

    private static final int INPUTS = 20_000;
    private static final String[] TEXT = {"a", "Z", "0", " ", "\"", "\\", "\n", "\u0001", "\u00e9", "\u2028", "\uD83D\uDE02", "tool"};

    @Test
    void inputRecordsAreTheTreeEncodingsBytes() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        CanonicalWriter w = new CanonicalWriter();
        for (int i = 0; i < INPUTS; i++) {
            KernelInput input = input(rnd);
            long firstToken = rnd.nextLong(1, 1L << 40);
            String expected = outcome(() -> TreeEncoding.input(input, firstToken));
            String actual = outcome(() -> Codec.input(w, input, firstToken));
            if (!expected.equals(actual)) {
                fail("seed " + seed + ", input " + i + ": " + input + "\n tree:   " + expected + "\n writer: " + actual);
            }
        }
    }

    @Test
    void inputRecordsReadBackAsTheInputs() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        CanonicalWriter w = new CanonicalWriter();
        for (int i = 0; i < INPUTS; i++) {
            KernelInput input = input(rnd);
            if (input instanceof KernelInput.RegisterCapability || input instanceof KernelInput.RestoreSnapshot) {
                continue; // a handler is code, and a restored state is resolved by the replay: neither is read back
            }
            CanonicalJson payload;
            try {
                payload = Codec.input(w, input, 1);
            } catch (InvalidPayloadException unwritable) {
                continue;
            }
            KernelInput read = Codec.input(input.verb(), Codec.inputCapability(input), payload, null);
            assertEquals(input, read, "seed " + seed + ", input " + i + ": " + payload);
        }
    }

    @Test
    void statesAreTheTreeEncodingsBytes() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int run = 0; run < 20; run++) {
            Workload workload = new Workload(rnd.nextLong());
            try (Kernel k = Kernel.create(workload.config(), InMemoryLedger.create())) {
                workload.attach(k);
                assertEquals(TreeEncoding.config(workload.config()), k.ledger().read(0).payload(), "seed " + seed + ", run " + run);
                for (int step = 0; step < 300; step++) {
                    workload.step();
                    if (rnd.nextInt(25) == 0) {
                        KernelState s = k.state();
                        assertEquals(TreeEncoding.toJson(s).text(), s.toJson().text(), "seed " + seed + ", run " + run + ", step " + step);
                    }
                }
                KernelState s = k.state();
                assertEquals(TreeEncoding.toJson(s).text(), s.toJson().text(), "seed " + seed + ", run " + run);
            }
        }
    }

    private interface Encoding {
        CanonicalJson encode();
    }

    private static String outcome(Encoding e) {
        try {
            return e.encode().text();
        } catch (InvalidPayloadException refused) {
            return "refused " + refused.reason();
        }
    }

    // --- random inputs --------------------------------------------------------------------------------

    private static KernelInput input(SplittableRandom rnd) {
        return switch (rnd.nextInt(11)) {
            case 0, 1, 2 -> submit(rnd, 0);
            case 3 -> {
                List<KernelInput.SubmitToken> members = new ArrayList<>();
                int n = 1 + rnd.nextInt(5);
                for (int i = 0; i < n; i++) {
                    members.add(submit(rnd, n));
                }
                yield new KernelInput.SubmitTokens(members);
            }
            case 4 -> new KernelInput.CancelToken(new TokenId(rnd.nextLong(1, 1L << 47)));
            case 5 -> new KernelInput.RegisterCapability(descriptor(rnd), (ctx, args) -> CanonicalJson.NULL);
            case 6 -> new KernelInput.GrantCapability(subject(rnd), "sim.echo", terms(rnd));
            case 7 -> new KernelInput.DeriveCapability(new GrantId(rnd.nextLong(1, 1L << 47)), subject(rnd), terms(rnd));
            case 8 -> new KernelInput.RevokeCapability(new GrantId(rnd.nextLong(1, 1L << 47)));
            case 9 -> rnd.nextBoolean() ? new KernelInput.Tick(rnd.nextLong(1, 1L << 32))
                    : new KernelInput.CreateSnapshot(text(rnd, true));
            default -> rnd.nextBoolean()
                    ? new KernelInput.ReadyFlag("1." + rnd.nextInt(10), rnd.nextBoolean() ? null : "s" + rnd.nextInt(1000))
                    : restore(rnd.nextInt(1000), rnd.nextLong());
        };
    }

    private static KernelInput restore(long position, long seed) {
        return new KernelInput.RestoreSnapshot(KernelInput.RestoreSnapshot.snapshotId(position), position, KernelState.initial(seed));
    }

    /** A submission; a member of a batch of {@code batchSize} (0: none) may reference other members. */
    static KernelInput.SubmitToken submit(SplittableRandom rnd, int batchSize) {
        KernelInput.SubmitToken s = KernelInput.SubmitToken.of(subject(rnd), rnd.nextBoolean() ? "sim.echo" : "a.b_c.d", json(rnd))
                .withPriority(rnd.nextInt(KernelInput.SubmitToken.MIN_PRIORITY, KernelInput.SubmitToken.MAX_PRIORITY + 1));
        if (rnd.nextBoolean()) {
            s = s.withBudget(new Budget(limit(rnd), limit(rnd), limit(rnd), limit(rnd)));
        }
        if (rnd.nextInt(3) == 0) {
            s = s.withKind(List.of("Plan", "Act", "x-1", "Reflect_2").get(rnd.nextInt(4)));
        }
        List<TokenRef> deps = new ArrayList<>();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            deps.add(batchSize > 0 && rnd.nextBoolean() ? TokenRef.batch(rnd.nextInt(batchSize)) : new TokenId(rnd.nextLong(1, 1L << 47)));
        }
        s = s.withDependencies(deps);
        if (rnd.nextInt(4) == 0) {
            s = s.withGrant(new GrantId(rnd.nextLong(1, 1L << 47)));
        }
        return s;
    }

    private static CapabilityDescriptor descriptor(SplittableRandom rnd) {
        CapabilityDescriptor.Builder b = CapabilityDescriptor.builder(rnd.nextBoolean() ? "fs.read" : "x.y_z").description(text(rnd, false));
        int fields = rnd.nextInt(4);
        for (int i = 0; i < fields; i++) {
            CapabilityDescriptor.JsonType type = CapabilityDescriptor.JsonType.values()[rnd.nextInt(CapabilityDescriptor.JsonType.values().length)];
            b = rnd.nextBoolean() ? b.field("f" + i, type) : b.optionalField("_F" + i, type);
        }
        if (rnd.nextBoolean()) {
            b = b.tokenCeiling(rnd.nextLong(1L << 53));
        }
        if (rnd.nextBoolean()) {
            b = b.maxInvocations(rnd.nextLong(1L << 53));
        }
        if (rnd.nextBoolean()) {
            b = b.rateLimit(1 + rnd.nextInt(100), 1 + rnd.nextInt(1000));
        }
        if (rnd.nextBoolean()) {
            b = b.configuration(json(rnd));
        }
        return b.build();
    }

    private static GrantTerms terms(SplittableRandom rnd) {
        GrantTerms t = GrantTerms.UNRESTRICTED;
        if (rnd.nextBoolean()) {
            t = t.withScope(json(rnd));
        }
        if (rnd.nextBoolean()) {
            t = t.withTokenCeiling(rnd.nextLong(1L << 53));
        }
        if (rnd.nextBoolean()) {
            t = t.withMaxInvocations(rnd.nextLong(1L << 53));
        }
        if (rnd.nextBoolean()) {
            t = t.withRateLimit(1 + rnd.nextInt(100), 1 + rnd.nextInt(1000));
        }
        if (rnd.nextBoolean()) {
            t = t.withExpiresAtTick(rnd.nextLong(1, 1L << 53));
        }
        if (rnd.nextBoolean()) {
            t = t.withBudgetTokens(rnd.nextLong(1L << 53));
        }
        return t;
    }

    private static long limit(SplittableRandom rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> Budget.UNLIMITED;
            case 1 -> Budget.MAX_FINITE;
            case 2 -> 0;
            default -> rnd.nextLong(1L << 40);
        };
    }

    private static String subject(SplittableRandom rnd) {
        return List.of("a0", "agent-1", "x@y:z.w", "Q_").get(rnd.nextInt(4));
    }

    private static String text(SplittableRandom rnd, boolean allowLoneSurrogate) {
        StringBuilder s = new StringBuilder("l");
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            s.append(TEXT[rnd.nextInt(TEXT.length)]);
        }
        if (allowLoneSurrogate && rnd.nextInt(20) == 0) {
            s.append('\uDC00');
        }
        return s.toString();
    }

    /** A small random JSON object, in canonical form. */
    private static CanonicalJson json(SplittableRandom rnd) {
        StringBuilder s = new StringBuilder("{");
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                s.append(',');
            }
            s.append("\"k").append(i).append("\":");
            switch (rnd.nextInt(5)) {
                case 0 -> s.append(rnd.nextLong(-(1L << 53), 1L << 53));
                case 1 -> s.append(rnd.nextDouble() * 1e10);
                case 2 -> s.append("[true,null,\"\\u00e9\\n\"]");
                case 3 -> s.append("{\"z\":{},\"a\":[]}");
                default -> s.append("\"").append(rnd.nextInt()).append("\"");
            }
        }
        return CanonicalJson.parse(s.append('}').toString());
    }
}
