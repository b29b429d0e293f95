package dev.os2.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.CanonicalWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Replay reads recorded submissions in one pass over their canonical bytes ({@link Codec#input});
 * these properties hold that reader to the one it replaced ({@link #reference}, which copied every
 * member out and read it again): over random submissions and batches it reads the same inputs,
 * and over random damage to their records (members dropped, values swapped for others of another
 * type) it refuses exactly the records the old reader refused. Each prints its seed on failure.
 */
class SubmitDecodeTest {

    private static final int INPUTS = 5_000;

    @Test
    void recordsReadBackAsTheReferenceReadsThem() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        CanonicalWriter w = new CanonicalWriter();
        for (int i = 0; i < INPUTS; i++) {
            KernelInput input = input(rnd);
            CanonicalJson payload = Codec.input(w, input, rnd.nextLong(1, 1L << 40));
            String capability = Codec.inputCapability(input);
            KernelInput read = Codec.input(input.verb(), capability, payload, null);
            assertEquals(input, read, "seed " + seed + ", input " + i + ": " + payload);
            assertEquals(reference(input.verb(), capability, payload), read, "seed " + seed + ", input " + i + ": " + payload);
            if (read instanceof KernelInput.SubmitTokens batch) {
                for (int k = 1; k < batch.tokens().size(); k++) {
                    String before = batch.tokens().get(k - 1).subject();
                    if (before.equals(batch.tokens().get(k).subject())) {
                        assertSame(before, batch.tokens().get(k).subject(), "seed " + seed + ": a subject equal to the one before is that string");
                    }
                }
            }
        }
    }

    @Test
    void damagedRecordsAreRefusedAsTheReferenceRefusesThem() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        CanonicalWriter w = new CanonicalWriter();
        int refused = 0;
        for (int i = 0; i < INPUTS; i++) {
            KernelInput input = input(rnd);
            JsonNode tree = Codec.input(w, input, rnd.nextLong(1, 1L << 40)).toJsonNode();
            damage(tree, rnd);
            CanonicalJson payload = CanonicalJson.of(tree);
            String capability = Codec.inputCapability(input);
            String expected = outcome(() -> reference(input.verb(), capability, payload));
            String actual = outcome(() -> Codec.input(input.verb(), capability, payload, null));
            assertEquals(expected, actual, "seed " + seed + ", input " + i + ": " + payload);
            refused += expected.startsWith("refused") ? 1 : 0;
        }
        if (refused < INPUTS / 4) {
            fail("seed " + seed + ": only " + refused + " of " + INPUTS + " damaged records were refused; the damage is too mild to test anything");
        }
    }

    private static KernelInput input(SplittableRandom rnd) {
        if (rnd.nextBoolean()) {
            return EncodingEquivalenceTest.submit(rnd, 0);
        }
        List<KernelInput.SubmitToken> members = new ArrayList<>();
        int n = 1 + rnd.nextInt(6);
        // Half the batches give every member the same budget, as a client usually does.
        Budget shared = rnd.nextBoolean() ? null : new Budget(rnd.nextLong(1, 100), Budget.UNLIMITED, rnd.nextLong(1, 1L << 30), Budget.UNLIMITED);
        for (int i = 0; i < n; i++) {
            KernelInput.SubmitToken s = EncodingEquivalenceTest.submit(rnd, n);
            members.add(shared != null && rnd.nextInt(4) != 0 ? s.withBudget(shared) : s);
        }
        return new KernelInput.SubmitTokens(members);
    }

    /** Either the input read, or that it was refused (any exception: replay reports every one as a divergence). */
    private static String outcome(Supplier<KernelInput> read) {
        try {
            return "read " + read.get();
        } catch (RuntimeException e) {
            return "refused";
        }
    }

    /** Drops a member of the record (or of a batch member, budget or dependency), or replaces its value by one of another type. */
    private static void damage(JsonNode tree, SplittableRandom rnd) {
        ObjectNode target = (ObjectNode) tree;
        if (tree.has("tokens") && rnd.nextInt(4) != 0) {
            ArrayNode tokens = (ArrayNode) tree.get("tokens");
            if (rnd.nextInt(8) == 0) {
                tokens.set(rnd.nextInt(tokens.size()), JsonNodeFactory.instance.numberNode(7));
                return;
            }
            target = (ObjectNode) tokens.get(rnd.nextInt(tokens.size()));
        }
        if (target.get("budget") instanceof ObjectNode budget && rnd.nextInt(3) == 0) {
            target = budget;
        }
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        String name = names.get(rnd.nextInt(names.size()));
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (rnd.nextInt(7)) {
            case 0 -> target.remove(name);
            case 1 -> target.set(name, f.nullNode());
            case 2 -> target.set(name, f.textNode(rnd.nextBoolean() ? "agent-2" : "x\u0001\"y"));
            case 3 -> target.set(name, f.numberNode(rnd.nextLong(-3, 1L << 20)));
            case 4 -> target.set(name, f.arrayNode().add(1).add(f.objectNode().put("batch", 0)));
            case 5 -> target.set(name, f.objectNode().put("tokens", 3).put("a", "b"));
            default -> target.set(name, f.booleanNode(true));
        }
    }

    // --- the reader replay used before, kept as the reference --------------------------------------------

    private static KernelInput reference(String kind, String capabilityId, CanonicalJson payload) {
        if (kind.equals("submit_token")) {
            return referenceSubmit(payload, capabilityId);
        }
        List<KernelInput.SubmitToken> members = new ArrayList<>();
        for (CanonicalJson m : payload.members().elements("tokens")) {
            members.add(referenceSubmit(m, null));
        }
        return new KernelInput.SubmitTokens(members);
    }

    private static KernelInput.SubmitToken referenceSubmit(CanonicalJson n, String capability) {
        CanonicalJson.Members m = n.members();
        CanonicalJson args = m.get("args");
        Budget budget = referenceBudget(m.get("budget"));
        CanonicalJson member = m.get("capability");
        String cap = capability != null ? capability : member.stringValue();
        List<TokenRef> deps = new ArrayList<>();
        for (CanonicalJson d : m.elements("deps")) {
            deps.add(d.isObject() ? TokenRef.batch(Math.toIntExact(d.members().get("batch").longValue())) : new TokenId(d.longValue()));
        }
        long grant = m.getLong("grant", 0);
        CanonicalJson kind = m.get("kind");
        int priority = Math.toIntExact(m.getLong("priority", Long.MIN_VALUE));
        String subject = m.get("subject").stringValue();
        return new KernelInput.SubmitToken(subject, cap, args, budget, priority, kind == null ? null : kind.stringValue(), deps,
                grant == 0 ? null : new GrantId(grant));
    }

    private static Budget referenceBudget(CanonicalJson b) {
        if (b.isNull()) {
            return null;
        }
        CanonicalJson.Members m = b.members();
        long deadline = m.getLong("deadline_ticks", Budget.UNLIMITED);
        long memory = m.getLong("memory_bytes", Budget.UNLIMITED);
        long network = m.getLong("network_bytes", Budget.UNLIMITED);
        long tokens = m.getLong("tokens", Budget.UNLIMITED);
        return new Budget(tokens, memory, network, deadline);
    }
}
