package dev.os2.shell.bench;

import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityDescriptor.JsonType;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.ledger.CanonicalJson;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * {@code ledger-heavy}: the ledger under large payloads. Tokens (some carrying notes of up to
 * 16 KiB in their arguments) emit custom events whose data is up to 200 KiB of text drawn from a
 * seeded pool. The headline operation is one emit: recording a custom event, which means encoding
 * it canonically, hashing it into the chain and appending it to the Chronicle queue.
 */
final class LedgerHeavyScenario implements Scenario {

    static final String BLOB = "bench.blob";
    private static final int TOKENS = 1_500;
    private static final int POOL_CHARS = 1 << 20;
    private static final int BLOB_CHARS_MAX = 200 << 10;
    private static final int NOTE_CHARS_MAX = 16 << 10;
    private static final int KERNEL_PAYLOAD_BYTES = 256 << 10;
    private static final long SALT = 0x1ed6e7L;

    @Override
    public String name() {
        return "ledger-heavy";
    }

    @Override
    public String description() {
        return "custom events of up to 200 KiB and token arguments of up to 16 KiB, hashed and appended to Chronicle";
    }

    @Override
    public String operation() {
        return "emit";
    }

    @Override
    public List<String> headlineKinds() {
        return List.of("emit");
    }

    /** The handler of one run: draws event data from the pool and times each emit. */
    private static final class Blob {
        final String pool;
        final Latencies latencies;
        long emitted;
        long payloadBytes;

        Blob(String pool, Latencies latencies) {
            this.pool = pool;
            this.latencies = latencies;
        }

        CanonicalJson handle(HandlerContext ctx, CanonicalJson args) {
            var a = args.toJsonNode();
            int events = a.get("events").asInt();
            int bytes = a.get("bytes").asInt();
            ctx.chargeTokens(1);
            for (int i = 0; i < events; i++) {
                int offset = ctx.random().nextInt(pool.length() - bytes);
                CanonicalJson data = CanonicalJson.parse("{\"blob\":\"" + pool.substring(offset, offset + bytes) + "\",\"i\":" + i + "}");
                long start = Latencies.now();
                ctx.emit("blob", data);
                latencies.since("emit", start);
                emitted++;
                payloadBytes += bytes;
            }
            return CanonicalJson.parse("{\"events\":" + events + "}");
        }
    }

    /** {@code chars} letters and digits from a generator seeded with {@code seed}. */
    static String pool(long seed, int chars) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    @Override
    public ScenarioResult run(ScenarioContext context) {
        SplittableRandom rnd = new SplittableRandom(context.seed() ^ SALT);
        String pool = pool(context.seed() ^ (SALT << 1), POOL_CHARS);
        Blob blob = new Blob(pool, context.latencies());
        KernelConfig config = KernelConfig.builder()
                .seed(context.seed())
                .maxPayloadBytes(KERNEL_PAYLOAD_BYTES)
                .capability(CapabilityDescriptor.builder(BLOB).description("emits large custom events")
                        .field("events", JsonType.INTEGER).field("bytes", JsonType.INTEGER)
                        .optionalField("note", JsonType.STRING).build(), blob::handle)
                .build();
        int tokens = context.size().scale(TOKENS);
        long noteBytes = 0;
        try (ScenarioKernel sk = ScenarioKernel.open(context.scratch(), config)) {
            Kernel k = sk.kernel();
            context.startClock();
            k.execute(new KernelInput.GrantCapability("writer", BLOB, GrantTerms.UNRESTRICTED));
            for (int i = 1; i <= tokens; i++) {
                int roll = rnd.nextInt(100);
                int bytes = roll < 70 ? 256 + rnd.nextInt(3840) : roll < 95 ? 4096 + rnd.nextInt(60 << 10)
                        : (64 << 10) + rnd.nextInt(BLOB_CHARS_MAX - (64 << 10));
                String args = "{\"bytes\":" + bytes + ",\"events\":" + (1 + rnd.nextInt(6));
                if (rnd.nextInt(4) == 0) {
                    int note = 1 + rnd.nextInt(NOTE_CHARS_MAX);
                    int offset = rnd.nextInt(pool.length() - note);
                    args += ",\"note\":\"" + pool.substring(offset, offset + note) + "\"";
                    noteBytes += note;
                }
                k.execute(KernelInput.SubmitToken.of("writer", BLOB, CanonicalJson.parse(args + "}")));
                if (i % 8 == 0 || i == tokens) {
                    k.runUntilIdle();
                    context.progress(i, tokens);
                }
            }
            context.stopClock();
            TreeMap<String, Long> facts = new TreeMap<>();
            facts.put("emits", blob.emitted);
            facts.put("event_payload_bytes", blob.payloadBytes);
            facts.put("argument_note_bytes", noteBytes);
            return sk.result(blob.emitted, blob.payloadBytes + noteBytes, facts, List.of());
        }
    }
}
