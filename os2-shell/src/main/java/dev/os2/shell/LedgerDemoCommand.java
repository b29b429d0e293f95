package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityDescriptor.JsonType;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelToken;
import dev.os2.kernel.TokenId;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.VerifyResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ledger-demo}: a short end-to-end tour for newcomers, run through the real kernel on the
 * workspace's Chronicle ledger (creating both if needed). The kernel registers two capabilities,
 * {@code fs.read} (with an invocation shape, a per-invocation ceiling and a rate limit) and
 * {@code net.fetch}; grants {@code fs.read} to an agent with a total budget; and runs three of the
 * agent's tokens: one completes within its budget, one overspends and is halted with
 * {@code resource_budget_exceeded}, and one tries to follow a link with {@code net.fetch}, which the
 * agent was never granted, and is halted with {@code capability_violation}. Then the command
 * verifies the chain and shows the new entries and the head hash.
 *
 * <p>Running it again recovers the kernel from the ledger and continues the chain with a new
 * agent ({@code agent:researcher-2}, …). The handlers are small deterministic Java functions over
 * a made-up file list (nothing touches the real file system or network), so a fresh workspace
 * always gets the same entries and the same head hash.
 */
@Command(name = "ledger-demo",
        usageHelpAutoWidth = true,
        header = "Run a short story through the kernel, verify the ledger and show the new entries.",
        description = {
            "Through the workspace's kernel: register fs.read and net.fetch, grant fs.read to an agent with a budget, "
                    + "and run three of its tokens: one completes, one overspends (resource_budget_exceeded), one asks "
                    + "for net.fetch, which it was never granted (capability_violation). Then verify the chain and show "
                    + "the new entries and the head hash. Creates the workspace if needed; running it again recovers "
                    + "the kernel from the ledger and continues the chain with a new agent."
        })
public final class LedgerDemoCommand implements Callable<Integer> {

    /** The capability the agent is granted. */
    static final String READ = "fs.read";
    /** The capability the agent is never granted. */
    static final String FETCH = "net.fetch";
    /** Cost units {@code fs.read} charges per chunk of a file it reads. */
    static final long COST_PER_CHUNK = 120;
    /** The grant's total budget, in cost units. */
    static final long GRANT_BUDGET_TOKENS = 1_000;
    /** Most new entries shown in the table; ledger-inspect shows the rest. */
    static final int SHOWN_MAX = 40;

    /**
     * The files {@code fs.read} pretends to read.
     *
     * @param rows rows in the file, for the result
     * @param chunks chunks it is read in, {@link #COST_PER_CHUNK} each
     * @param links links in the file, followed with {@code net.fetch} when asked to
     */
    private record DemoFile(long rows, int chunks, List<String> links) {
    }

    private static final Map<String, DemoFile> FILES = new TreeMap<>(Map.of(
            "reports/q1.csv", new DemoFile(1_200, 1, List.of()),
            "reports/all.csv", new DemoFile(14_400, 3, List.of()),
            "reports/links.txt", new DemoFile(3, 1, List.of("https://example.org/q1-sources"))));

    /**
     * One token of the story.
     *
     * @param path the file it reads
     * @param followLinks whether it follows the file's links
     * @param budgetTokens its budget in cost units
     * @param plan what the story expects, for the output
     */
    private record Step(String path, boolean followLinks, long budgetTokens, String plan) {
    }

    private static final List<Step> STORY = List.of(
            new Step("reports/q1.csv", false, 500, "read reports/q1.csv (1 chunk of " + COST_PER_CHUNK + ") on a budget of 500"),
            new Step("reports/all.csv", false, 200, "read reports/all.csv (3 chunks of " + COST_PER_CHUNK + ") on a budget of 200"),
            new Step("reports/links.txt", true, 500, "read reports/links.txt (1 chunk) and follow its link with " + FETCH));

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public LedgerDemoCommand(Session session) {
        this.session = session;
    }

    /** The demo's capabilities with their handlers; equal every run, so a recovered kernel binds them. */
    static List<KernelInput.RegisterCapability> capabilities() {
        CapabilityDescriptor read = CapabilityDescriptor.builder(READ)
                .description("reads a file under the granted paths (a demo over a made-up file list)")
                .field("path", JsonType.STRING)
                .optionalField("follow_links", JsonType.BOOLEAN)
                .tokenCeiling(2_000)
                .rateLimit(10, 1_000)
                .configuration(CanonicalJson.parse("{\"chunk_cost\":" + COST_PER_CHUNK + "}"))
                .build();
        CapabilityDescriptor fetch = CapabilityDescriptor.builder(FETCH)
                .description("fetches a URL (a demo: no request leaves the process)")
                .field("url", JsonType.STRING)
                .tokenCeiling(500)
                .maxInvocations(100)
                .build();
        return List.of(new KernelInput.RegisterCapability(read, LedgerDemoCommand::read),
                new KernelInput.RegisterCapability(fetch, LedgerDemoCommand::fetch));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Style style = Style.of(session);
        Workspace workspace = common.workspace();
        String where = common.workspaceHint(session);

        List<EventEnvelope> added = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        // Through the session's services: one-shot they open the kernel for this run; in the shell
        // they hand over the kernel the shell keeps open, with the demo's handlers bound.
        record Ending(VerifyResult verified, Hash head) {
        }
        Ending ending = session.services().withKernel(workspace, capabilities(), wk -> {
            Kernel kernel = wk.kernel();
            Ledger ledger = wk.ledger();
            long before = wk.sizeAtOpen();
            out.println(style.bold("OS2 ledger demo"));
            out.println("Workspace " + workspace.directory() + ": the ledger in " + Workspace.LEDGER_DIRECTORY
                    + "/ (Chronicle Queue files) held " + before + (before == 1 ? " entry" : " entries") + ".");
            if (before == 0) {
                out.println("A new kernel started on it (seed " + kernel.state().seed() + ") with the shell's own capabilities"
                        + " (the operator holds\n" + String.join(" and ", ShellCapabilities.OPERATOR_DEFAULTS) + ";"
                        + " the others are granted to no one) and registered " + READ + " and " + FETCH + ".");
            } else if (session.services().isShared()) {
                out.println("The shell's kernel, open since it first needed it, continues the chain.");
            } else {
                out.println("The kernel recovered its state by replaying them and continues the chain.");
            }
            long round = 1 + kernel.state().grants().stream().filter(LedgerDemoCommand::isRootReadGrant).count();
            String subject = "agent:researcher-" + round;
            out.println("It grants " + READ + " to " + subject + " (paths under reports/, a budget of " + GRANT_BUDGET_TOKENS
                    + " cost units;");
            out.println(FETCH + " is granted to no one) and runs three of the agent's tokens:");
            KernelResponse granted = kernel.execute(new KernelInput.GrantCapability(subject, READ, GrantTerms.UNRESTRICTED
                    .withScope(CanonicalJson.parse("{\"paths\":[\"reports/\"]}"))
                    .withBudgetTokens(GRANT_BUDGET_TOKENS)));
            if (!granted.ok()) {
                throw new IllegalStateException("the demo's grant was rejected: " + granted);
            }
            for (Step step : STORY) {
                ObjectNode args = LedgerVerifyCommand.JSON.createObjectNode().put("path", step.path());
                if (step.followLinks()) {
                    args.put("follow_links", true);
                }
                KernelResponse r = kernel.execute(KernelInput.SubmitToken.of(subject, READ, CanonicalJson.of(args))
                        .withBudget(new Budget(step.budgetTokens(), 64L << 20, 0, 1_000)));
                kernel.runUntilIdle();
                outcomes.add(describe(r.tokenId(), step, kernel, ledger, before, style));
            }
            try (Stream<EventEnvelope> entries = ledger.entries(before)) {
                entries.forEach(added::add);
            }
            return new Ending(ledger.verify(), ledger.headHash());
        });
        VerifyResult verified = ending.verified();
        Hash head = ending.head();
        outcomes.forEach(out::println);
        out.println();
        List<EventEnvelope> shown = added.subList(Math.max(0, added.size() - SHOWN_MAX), added.size());
        if (shown.size() < added.size()) {
            out.println("(" + (added.size() - shown.size()) + " earlier new entries not shown; `"
                    + session.hint("ledger-inspect" + where) + "` lists them all.)");
        }
        EntryTable table = new EntryTable(out, session);
        shown.forEach(table::add);
        table.flush();
        out.println();
        switch (verified) {
            case VerifyResult.Intact intact -> out.println("Verified the whole chain from genesis: " + style.good("intact")
                    + ", " + intact.verifiedEntries() + " entries.");
            case VerifyResult.Broken broken -> out.println("Verified the whole chain from genesis: " + style.bad("broken")
                    + " at position " + broken.position() + " (" + LedgerVerifyCommand.problemName(broken.problem())
                    + "): " + broken.detail());
        }
        out.println("Head hash: " + style.bold(head.toHex()));
        out.println();
        out.println("Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON,");
        out.println("so changing, dropping or reordering any entry breaks verification from that position on.");
        out.println("Next:");
        String[][] next = {
            {"cap-list" + where, "the registry: capabilities, grants and usage"},
            {"cap-show " + READ + where, "one capability and its grants"},
            {"ledger-inspect --kind capability_violation" + where, "only the violations"},
            {"ledger-verify" + where, "check the chain again (exit 1 names the first bad position)"},
            {"ledger-demo" + where, "another round with a new agent; the chain continues"},
        };
        int width = 0;
        for (String[] line : next) {
            width = Math.max(width, session.hint(line[0]).length());
        }
        for (String[] line : next) {
            String command = session.hint(line[0]);
            out.println("  " + style.name(command) + " ".repeat(width - command.length()) + "  " + line[1]);
        }
        out.flush();
        return verified.intact() ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }

    /** One line about how a token of the story ended, with the reason the kernel recorded. */
    private static String describe(TokenId token, Step step, Kernel kernel, Ledger ledger, long from, Style style) {
        KernelToken.Status status = kernel.state().status(token).orElseThrow();
        String detail = "";
        try (Stream<EventEnvelope> entries = ledger.entries(from)) {
            Iterator<EventEnvelope> it = entries.iterator();
            while (it.hasNext()) {
                EventEnvelope e = it.next();
                JsonNode p = e.payload().toJsonNode();
                if (p.path("token").asLong() != token.value()) {
                    continue;
                }
                switch (e.kind()) {
                    case KernelEvents.RESOURCE_BUDGET_EXCEEDED -> detail = ": " + p.path("resource").asText() + ", tried to charge "
                            + p.path("attempted").asText() + " with " + p.path("remaining").asText() + " left";
                    case KernelEvents.CAPABILITY_VIOLATION -> detail = ": " + p.path("reason").asText() + ", "
                            + p.path("detail").asText();
                    case KernelEvents.TOKEN_FAILED -> detail = ": " + p.path("error").asText();
                    case KernelEvents.TOKEN_REJECTED -> detail = ": " + p.path("reason").asText();
                    default -> {
                    }
                }
            }
        }
        String outcome = outcome(status);
        String coloured = status == KernelToken.Status.COMPLETED ? style.good(outcome) : style.bad(outcome);
        String label = "  token " + token.value() + ": ";
        return label + step.plan() + "\n" + " ".repeat(label.length()) + "-> " + coloured + detail;
    }

    /** The event kind that ended a token with {@code status}. */
    static String outcome(KernelToken.Status status) {
        return switch (status) {
            case COMPLETED -> KernelEvents.TOKEN_COMPLETED;
            case FAILED -> KernelEvents.TOKEN_FAILED;
            case CANCELLED -> KernelEvents.TOKEN_CANCELLED;
            case REJECTED -> KernelEvents.TOKEN_REJECTED;
            case BUDGET_EXCEEDED -> KernelEvents.RESOURCE_BUDGET_EXCEEDED;
            case VIOLATION -> KernelEvents.CAPABILITY_VIOLATION;
            case WAITING, READY, RUNNING -> "still " + status.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    // --- handlers: deterministic functions of their arguments, scope and configuration ---------------

    /** {@code fs.read}: reads a made-up file chunk by chunk, and follows its links with {@code net.fetch} if asked. */
    private static CanonicalJson read(HandlerContext ctx, CanonicalJson args) {
        JsonNode a = args.toJsonNode();
        String path = a.get("path").asText();
        JsonNode paths = ctx.scope().toJsonNode().get("paths");
        if (paths != null && !under(path, paths)) {
            throw new IllegalArgumentException(path + " is outside the granted paths " + paths);
        }
        DemoFile file = FILES.get(path);
        if (file == null) {
            throw new IllegalArgumentException("no such file: " + path);
        }
        long chunkCost = ctx.configuration().toJsonNode().path("chunk_cost").asLong(COST_PER_CHUNK);
        for (int i = 0; i < file.chunks(); i++) {
            ctx.chargeTokens(chunkCost);
        }
        ObjectNode result = LedgerVerifyCommand.JSON.createObjectNode();
        result.put("path", path);
        result.put("rows", file.rows());
        if (a.path("follow_links").asBoolean(false)) {
            ArrayNode fetched = result.putArray("fetched");
            for (String link : file.links()) {
                // Halts the token with capability_violation unless the subject holds a grant of net.fetch.
                fetched.add(ctx.invoke(FETCH, CanonicalJson.parse("{\"url\":\"" + link + "\"}")).toJsonNode());
            }
        }
        return CanonicalJson.of(result);
    }

    /** {@code net.fetch}: pretends to fetch a URL; no request leaves the process. */
    private static CanonicalJson fetch(HandlerContext ctx, CanonicalJson args) {
        String url = args.toJsonNode().get("url").asText();
        long bytes = 512 + url.length();
        ctx.chargeNetwork(bytes);
        ctx.chargeTokens(10);
        return CanonicalJson.of(LedgerVerifyCommand.JSON.createObjectNode().put("url", url).put("status", 200).put("bytes", bytes));
    }

    private static boolean under(String path, JsonNode prefixes) {
        for (JsonNode prefix : prefixes) {
            if (path.startsWith(prefix.asText())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code grant} is a root grant of {@link #READ}; used to number the demo's agents. */
    static boolean isRootReadGrant(Grant grant) {
        return grant.capabilityId().equals(READ) && grant.parent() == null;
    }
}
