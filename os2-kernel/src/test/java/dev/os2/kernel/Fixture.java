package dev.os2.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventEnvelope;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Small helpers shared by the kernel's unit tests. */
final class Fixture {

    private Fixture() {
    }

    static CanonicalJson json(String text) {
        return CanonicalJson.parse(text);
    }

    static CapabilityDescriptor cap(String id) {
        return CapabilityDescriptor.builder(id).description("test capability " + id).build();
    }

    /** A handler that charges the {@code cost} argument (if any) and returns {"ok":true}. */
    static final CapabilityHandler CHARGING = (ctx, args) -> {
        JsonNode cost = args.toJsonNode().get("cost");
        if (cost != null) {
            ctx.chargeTokens(cost.asLong());
        }
        return json("{\"ok\":true}");
    };

    static List<EventEnvelope> entries(Kernel k) {
        try (Stream<EventEnvelope> s = k.ledger().entries(0)) {
            return s.collect(Collectors.toList());
        }
    }

    static List<EventEnvelope> entriesFrom(Kernel k, long position) {
        try (Stream<EventEnvelope> s = k.ledger().entries(position)) {
            return s.collect(Collectors.toList());
        }
    }

    static List<String> kindsFrom(Kernel k, long position) {
        return entriesFrom(k, position).stream().map(EventEnvelope::kind).collect(Collectors.toList());
    }

    static EventEnvelope last(Kernel k, String kind) {
        List<EventEnvelope> all = entries(k);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).kind().equals(kind)) {
                return all.get(i);
            }
        }
        throw new AssertionError("no " + kind + " in the ledger: " + all.stream().map(EventEnvelope::kind).toList());
    }

    static JsonNode payload(EventEnvelope e) {
        return e.payload().toJsonNode();
    }

    static KernelResponse grant(Kernel k, String subject, String capability) {
        return k.execute(new KernelInput.GrantCapability(subject, capability, GrantTerms.UNRESTRICTED));
    }

    static KernelResponse submit(Kernel k, String subject, String capability, String args) {
        return k.execute(KernelInput.SubmitToken.of(subject, capability, json(args)));
    }
}
