package dev.os2.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventEnvelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example in docs/embedding.md compiles, runs, and is the same text as here. */
class EmbeddingExampleTest {

    private static final String BEGIN = "// begin embedding example";
    private static final String END = "// end embedding example";

    static void example() {
        // begin embedding example
        CapabilityDescriptor search = CapabilityDescriptor.builder("web.search")
                .description("searches the web")
                .field("query", CapabilityDescriptor.JsonType.STRING)
                .tokenCeiling(1_000)
                .build();
        CapabilityHandler handler = (ctx, args) -> {
            ctx.chargeTokens(120);                  // what the call cost, in cost units
            ctx.emit("searched", args);             // a custom event, recorded in the ledger
            return CanonicalJson.parse("{\"hits\":3}");
        };
        KernelConfig config = KernelConfig.builder().seed(42).capability(search, handler).build();
        try (Kernel kernel = Kernel.create(config)) {   // an in-memory ledger
            kernel.execute(new KernelInput.GrantCapability("agent-7", "web.search", GrantTerms.UNRESTRICTED));
            KernelResponse r = kernel.execute(KernelInput.SubmitToken.of("agent-7", "web.search",
                    CanonicalJson.parse("{\"query\":\"os2\"}")).withBudget(Budget.ofTokens(500).withDeadlineTicks(1_000)));
            kernel.runUntilIdle();                      // runs the token on this thread
            try (Stream<EventEnvelope> events = kernel.ledger().entries(r.position())) {
                events.forEach(e -> System.out.println(e.kind() + " " + e.payload()));
            }
        }
        // end embedding example
    }

    @Test
    void theExampleRunsAndPrintsTheTokensLife() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            example();
        } finally {
            System.setOut(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of(
                "submit_token {\"args\":{\"query\":\"os2\"},\"budget\":{\"deadline_ticks\":1000,\"memory_bytes\":null,"
                        + "\"network_bytes\":null,\"tokens\":500},\"deps\":[],\"priority\":0,\"subject\":\"agent-7\",\"token\":1}",
                "token_scheduled {\"grant\":1,\"token\":1,\"waiting\":0}",
                "token_started {\"grant\":1,\"token\":1}",
                "charge {\"amount\":120,\"resource\":\"tokens\",\"token\":1}",
                "custom.searched {\"data\":{\"query\":\"os2\"},\"token\":1}",
                "token_completed {\"result\":{\"hits\":3},\"token\":1}"), lines);
    }

    @Test
    void theDocShowsExactlyThisExample() throws IOException {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        String source = Files.readString(module.resolve("src/test/java/dev/os2/kernel/EmbeddingExampleTest.java"));
        // The markers as they stand in example(), indented, not as in the constants above.
        int from = source.indexOf("        " + BEGIN + "\n") + ("        " + BEGIN).length();
        String here = source.substring(from, source.indexOf("        " + END + "\n"));
        String doc = Files.readString(module.getParent().resolve("docs/embedding.md"));
        int marker = doc.indexOf("<!-- embedding-example: kept identical to EmbeddingExampleTest -->");
        assertTrue(marker >= 0, "docs/embedding.md lost its example marker");
        int start = doc.indexOf("```java\n", marker) + "```java\n".length();
        String shown = doc.substring(start, doc.indexOf("```", start));
        assertEquals(dedent(here), dedent(shown), "docs/embedding.md and EmbeddingExampleTest.example() differ");
    }

    private static String dedent(String block) {
        List<String> lines = block.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        int indent = lines.stream().mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.substring(indent).stripTrailing()).collect(Collectors.joining("\n"));
    }

    @Test
    void dedentIgnoresIndentationOnly() {
        assertEquals("a\n  b", dedent("    a\n      b\n"));
        assertTrue(Arrays.asList(dedent("x").split("\n")).contains("x"));
    }
}
