package dev.os2.shell.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.CapabilityDescriptor;
import dev.os2.kernel.CapabilityDescriptor.JsonType;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.HandlerContext;
import dev.os2.kernel.InvalidInputException;
import dev.os2.kernel.InvocationFailedException;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelInput;
import dev.os2.ledger.CanonicalJson;
import dev.os2.shell.python.CapabilityGateway;
import dev.os2.shell.python.GatewayReply;
import dev.os2.shell.python.PythonSandbox;
import dev.os2.shell.python.RunRequest;
import dev.os2.shell.python.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code python}: tokens whose capability handler runs a seeded Python script in the shell's
 * sandbox ({@link PythonSandbox}). The scripts are generated from the seed: arithmetic loops,
 * seeded {@code random} and {@code json}, string work, calls back into the kernel through
 * {@code os2.invoke} (a key/value capability, recorded as nested invocations), a runaway loop that
 * its statement budget stops at the same statement every time, and a planned exception. The
 * handler charges the statements a run used as tokens. The headline operation is one token whose
 * handler runs a script, from start to recorded outcome.
 *
 * <p>Threads: the sandbox runs a script on a thread of its own while its caller waits, and a
 * handler's context may be used only on the kernel thread. So the handler hands the run to a
 * worker thread and serves the script's {@code os2.invoke} calls itself, one at a time in the
 * script's order, until the run ends: the calls reach the kernel in the same order on every run.
 */
final class PythonScenario implements Scenario {

    static final String PYTHON = "bench.python";
    static final String KV = "bench.kv";
    private static final int TOKENS = 24;
    private static final int SCRIPTS = 12;
    private static final long RUNAWAY_BUDGET_TOKENS = 1_000;
    private static final long BUDGET_TOKENS = 200_000;
    private static final long STATEMENT_BUDGET_MAX = 1_000_000;
    /** The virtual wall clock a script sees at virtual time 0: 2026-01-01T00:00Z. */
    private static final long EPOCH_NANOS = 1_767_225_600_000_000_000L;
    private static final long SALT = 0x9e7_400L;

    @Override
    public String name() {
        return "python";
    }

    @Override
    public String description() {
        return "seeded Python scripts in the GraalPy sandbox as a capability handler, calling back into the kernel";
    }

    @Override
    public String operation() {
        return "python token";
    }

    @Override
    public List<String> headlineKinds() {
        return List.of("python");
    }

    /** The scripts of a seed: the same texts for the same seed. */
    static List<String> scripts(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed ^ SALT);
        List<String> scripts = new ArrayList<>();
        for (int i = 0; i < SCRIPTS; i++) {
            int a = 1 + rnd.nextInt(97);
            int n = 50 + rnd.nextInt(400);
            scripts.add(switch (i % 7) {
                case 0 -> "total = 0\nfor i in range(" + n + "):\n    total += (i * " + a + ") % " + (7 + a) + "\nprint(total)\n";
                case 1 -> "import json, random\nvalues = [random.randint(0, " + (1000 * a) + ") for _ in range(" + (n / 4) + ")]\n"
                        + "values.sort()\nprint(json.dumps({'n': len(values), 'median': values[len(values) // 2], 'sum': sum(values)}))\n";
                case 2 -> "import os2\nacc = 0\nfor i in range(" + (1 + rnd.nextInt(6)) + "):\n"
                        + "    acc += os2.invoke('" + KV + "', key='k" + a + "-' + str(i), value=i * " + a + ")['v']\nprint('kv', acc)\n";
                case 3 -> "words = ('alpha beta gamma delta ' * " + (n / 50) + " + 'omega " + a + "').split()\ncounts = {}\n"
                        + "for w in words:\n    counts[w] = counts.get(w, 0) + 1\nprint(sorted(counts.items()))\n";
                case 4 -> "x = 0\nwhile True:\n    x += " + a + "\n";
                case 5 -> "def f(v):\n    if v > " + (n / 3) + ":\n        raise ValueError('planned failure at ' + str(v))\n"
                        + "    return v\nfor i in range(" + n + "):\n    f(i)\n";
                default -> "import time, uuid\nstart = time.time()\nfor i in range(" + n + "):\n    pass\n"
                        + "print(uuid.uuid4(), round(time.time() - start, 6))\n";
            });
        }
        return List.copyOf(scripts);
    }

    /** A script's call into the kernel, waiting for the kernel thread to answer it. */
    private record Call(String capabilityId, String argsJson, CompletableFuture<GatewayReply> reply) {
    }

    /** Marks the end of a run in a handler's inbox. */
    private static final Object DONE = new Object();

    /** The handler of one scenario run. */
    private static final class Handler {
        final PythonSandbox sandbox;
        final List<String> scripts;
        final ExecutorService worker;
        long statements;

        Handler(PythonSandbox sandbox, List<String> scripts, ExecutorService worker) {
            this.sandbox = sandbox;
            this.scripts = scripts;
            this.worker = worker;
        }

        CanonicalJson handle(HandlerContext ctx, CanonicalJson args) throws Exception {
            int index = args.toJsonNode().get("script").asInt();
            long statementBudget = Math.max(1, Math.min(ctx.remaining().tokens(), STATEMENT_BUDGET_MAX));
            BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
            CapabilityGateway gateway = new CapabilityGateway() {
                @Override
                public GatewayReply invoke(String capabilityId, String argsJson) {
                    Call call = new Call(capabilityId, argsJson, new CompletableFuture<>());
                    inbox.add(call);
                    try {
                        return call.reply().get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while the kernel answered", e);
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                    }
                }

                @Override
                public List<String> capabilities() {
                    return List.of(KV);
                }
            };
            RunRequest request = RunRequest.of("bench-" + index + ".py", scripts.get(index))
                    .withSeed(ctx.random().nextLong())
                    .withStatementBudget(statementBudget)
                    .withClockEpochNanos(EPOCH_NANOS + ctx.now() * 1_000_000L)
                    .withGateway(gateway);
            Future<RunResult> run = worker.submit(() -> {
                try {
                    return sandbox.run(request, null, null);
                } finally {
                    inbox.add(DONE);
                }
            });
            // Serve the script's calls on this (the kernel) thread until the run ends.
            while (true) {
                Object next = inbox.take();
                if (next == DONE) {
                    break;
                }
                Call call = (Call) next;
                try {
                    CanonicalJson result = ctx.invoke(call.capabilityId(), CanonicalJson.parse(call.argsJson()));
                    call.reply().complete(new GatewayReply.Allowed(result.text()));
                } catch (InvocationFailedException | InvalidInputException e) {
                    call.reply().complete(new GatewayReply.Denied(e.getMessage()));
                } catch (RuntimeException e) {
                    // A halted token: the script stops, and the halt comes back out of run() below.
                    call.reply().completeExceptionally(e);
                }
            }
            RunResult result;
            try {
                result = run.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("the sandbox run failed", e.getCause());
            }
            statements += result.statementsUsed();
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            switch (result) {
                case RunResult.Completed c -> {
                    ctx.chargeTokens(Math.max(1, c.statementsUsed()));
                    o.put("result", "completed");
                    o.put("statements", c.statementsUsed());
                    o.put("virtual_nanos", c.virtualNanos());
                    o.put("output_sha256", c.output().sha256());
                    String out = c.output().stdoutText();
                    o.put("stdout", out.length() > 160 ? out.substring(0, 160) : out);
                    return CanonicalJson.of(o);
                }
                case RunResult.BudgetExceeded b -> {
                    // The fuel ran out at the statement budget, which was all the token had left:
                    // charging it, and one more, halts the token with resource_budget_exceeded.
                    ctx.chargeTokens(b.statementsUsed());
                    ctx.chargeTokens(1);
                    throw new IllegalStateException("the token was not halted at its budget");
                }
                case RunResult.Failed f -> {
                    ctx.chargeTokens(Math.max(1, f.statementsUsed()));
                    throw new IllegalStateException("the script raised " + f.exceptionType() + ": " + f.message());
                }
                case RunResult.WatchdogStopped w -> throw new IllegalStateException(
                        "the sandbox's watchdog stopped the script (" + w.cause() + " after " + w.elapsedMillis()
                                + " ms): this run is not reproducible");
                case RunResult.Refused r -> throw new IllegalStateException("the sandbox refused the script: " + r.reason());
            }
        }
    }

    private static CanonicalJson kv(HandlerContext ctx, CanonicalJson args) {
        var a = args.toJsonNode();
        String key = a.get("key").asText();
        long value = a.get("value").asLong();
        ctx.chargeTokens(1);
        return CanonicalJson.parse("{\"v\":" + Math.floorMod(value * 31 + key.length(), 1_000_003) + "}");
    }

    @Override
    public ScenarioResult run(ScenarioContext context) throws Exception {
        SplittableRandom rnd = new SplittableRandom(context.seed() ^ (SALT << 3));
        PythonSandbox sandbox = context.services().python();
        long warmStart = System.nanoTime();
        sandbox.warmUp();
        context.measured("python_warm_up_ms", (System.nanoTime() - warmStart) / 1_000_000);
        List<String> scripts = scripts(context.seed());
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "os2-bench-python");
            t.setDaemon(true);
            return t;
        });
        Handler handler = new Handler(sandbox, scripts, worker);
        KernelConfig config = KernelConfig.builder()
                .seed(context.seed())
                .capability(CapabilityDescriptor.builder(PYTHON).description("runs a seeded script in the sandbox")
                        .field("script", JsonType.INTEGER).build(), handler::handle)
                .capability(CapabilityDescriptor.builder(KV).description("a deterministic key/value answer")
                        .field("key", JsonType.STRING).field("value", JsonType.INTEGER).build(), PythonScenario::kv)
                .build();
        int tokens = context.size().scale(TOKENS);
        Latencies lat = context.latencies();
        long run = 0;
        try (ScenarioKernel sk = ScenarioKernel.open(context.scratch(), config)) {
            Kernel k = sk.kernel();
            context.startClock();
            k.execute(new KernelInput.GrantCapability("py", PYTHON, GrantTerms.UNRESTRICTED));
            k.execute(new KernelInput.GrantCapability("py", KV, GrantTerms.UNRESTRICTED));
            for (int i = 1; i <= tokens; i++) {
                int script = rnd.nextInt(SCRIPTS);
                long budget = script % 7 == 4 ? RUNAWAY_BUDGET_TOKENS : BUDGET_TOKENS;
                k.execute(KernelInput.SubmitToken.of("py", PYTHON, CanonicalJson.parse("{\"script\":" + script + "}"))
                        .withBudget(Budget.ofTokens(budget)));
                long start = Latencies.now();
                if (k.step()) {
                    lat.since("python", start);
                    run++;
                }
                context.progress(i, tokens);
            }
            k.runUntilIdle();
            context.stopClock();
            TreeMap<String, Long> facts = new TreeMap<>();
            facts.put("python_tokens", run);
            facts.put("statements", handler.statements);
            return sk.result(run, 0, facts, List.of());
        } finally {
            worker.shutdownNow();
        }
    }
}
