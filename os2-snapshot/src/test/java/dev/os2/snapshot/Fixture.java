package dev.os2.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityDescriptor.JsonType;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Ledger;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Small kernels for the snapshot tests: a deterministic capability {@code t.work} (charges its
 * {@code cost}, emits, may request a checkpoint, returns a seeded random number), a nested one
 * {@code t.outer}, and {@code t.flaky}, which claims to be deterministic but is not (it counts its
 * calls in a field that outlives the run).
 */
final class Fixture {

    static final String WORK = "t.work";
    static final String OUTER = "t.outer";
    static final String FLAKY = "t.flaky";

    private Fixture() {
    }

    static CanonicalJson json(String text) {
        return CanonicalJson.parse(text);
    }

    /** A configuration with seed {@code seed}; {@code flakyCalls} is the flaky handler's outside state. */
    static KernelConfig config(long seed, AtomicLong flakyCalls) {
        return KernelConfig.builder()
                .seed(seed)
                .capability(CapabilityDescriptor.builder(WORK).description("charges its cost")
                        .field("cost", JsonType.INTEGER).optionalField("checkpoint", JsonType.STRING).build(),
                        DeterministicHandler.of(Fixture::work))
                .capability(CapabilityDescriptor.builder(OUTER).description("invokes t.work").field("cost", JsonType.INTEGER).build(),
                        DeterministicHandler.of((ctx, args) -> {
                            ctx.chargeTokens(1);
                            CanonicalJson inner = ctx.invoke(WORK, args);
                            return json("{\"inner\":" + inner.text() + "}");
                        }))
                .capability(CapabilityDescriptor.builder(FLAKY).description("not as deterministic as it claims").build(),
                        DeterministicHandler.of((ctx, args) -> {
                            long n = flakyCalls.incrementAndGet();
                            ctx.chargeTokens(1);
                            ctx.emit("call", json("{\"n\":" + n + "}"));
                            return json("{\"n\":" + n + "}");
                        }))
                .build();
    }

    static KernelConfig config(long seed) {
        return config(seed, new AtomicLong());
    }

    private static CanonicalJson work(dev.os2.kernel.HandlerContext ctx, CanonicalJson args) {
        JsonNode a = args.toJsonNode();
        long cost = a.get("cost").asLong();
        ctx.chargeTokens(cost / 2);
        ctx.emit("half", json("{\"cost\":" + cost + "}"));
        if (a.has("checkpoint")) {
            ctx.requestCheckpoint(a.get("checkpoint").asText());
        }
        ctx.chargeTokens(cost - cost / 2);
        return json("{\"r\":" + ctx.random().nextInt(1000) + "}");
    }

    /** A kernel on {@code ledger} with grants of every capability to {@code a}. */
    static Kernel kernel(KernelConfig config, Ledger ledger) {
        Kernel k = Kernel.create(config, ledger);
        for (String cap : List.of(WORK, OUTER, FLAKY)) {
            k.execute(new KernelInput.GrantCapability("a", cap, GrantTerms.UNRESTRICTED));
        }
        return k;
    }

    static KernelResponse submit(Kernel k, String capability, String args) {
        return k.execute(KernelInput.SubmitToken.of("a", capability, json(args)));
    }

    static List<EventEnvelope> entries(Ledger ledger, long from) {
        try (Stream<EventEnvelope> s = ledger.entries(from)) {
            return s.collect(Collectors.toList());
        }
    }

    static List<String> kinds(Ledger ledger, long from) {
        return entries(ledger, from).stream().map(EventEnvelope::kind).collect(Collectors.toList());
    }
}
