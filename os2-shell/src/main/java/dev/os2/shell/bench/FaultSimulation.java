package dev.os2.shell.bench;

import dev.os2.kernel.Budget;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantId;
import dev.os2.kernel.GrantTerms;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelConfig;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelInput;
import dev.os2.kernel.KernelResponse;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.KernelToken;
import dev.os2.kernel.ReplayDivergenceException;
import dev.os2.kernel.sim.InvariantChecker;
import dev.os2.kernel.sim.Workload;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Hash;
import dev.os2.ledger.LedgerException;
import dev.os2.ledger.VerifyResult;
import dev.os2.snapshot.ReplayOutcome;
import dev.os2.snapshot.SnapshotBundle;
import dev.os2.snapshot.SnapshotFileException;
import dev.os2.snapshot.SnapshotPolicy;
import dev.os2.snapshot.SnapshotReplay;
import dev.os2.snapshot.SnapshotService;
import dev.os2.snapshot.SnapshotState;
import dev.os2.snapshot.SnapshotStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * A seeded simulation with fault injection, in the manner of TigerBeetle's VOPR: the kernel's
 * random workload ({@link Workload}) on a Chronicle ledger, with faults injected on a schedule that
 * is a function of the seed alone, and the invariants asserted throughout.
 *
 * <p>Faults ({@link #schedule}):
 * <ul>
 *   <li><b>kill</b>: the ledger is killed before an entry a few positions ahead
 *       ({@link CrashingLedger}), wherever the kernel is then (often in the middle of a token's
 *       run); the kernel stops, the Chronicle files are reopened, must hold exactly the
 *       acknowledged entries and verify, and the kernel is recovered from them
 *       ({@link Kernel#recover}); a replay from genesis must equal the recovered state;
 *   <li><b>revoke under load</b>: a burst of tokens is queued for a subject, one runs, and every
 *       grant of the subject is revoked; each must be out of force with all its derived grants, and
 *       a submission under one must be refused;
 *   <li><b>exhaust budgets</b>: a looping handler under a small token budget, and under a grant with
 *       a small total budget; each must be halted, within its budget;
 *   <li><b>corrupt a snapshot bundle</b>: a flipped bit, a truncation, a state altered and
 *       re-framed with a fresh checksum: each must be refused when read; and a valid snapshot of
 *       another kernel must be refused as a rollback and as a replay start;
 *   <li><b>rollback</b> to an earlier snapshot, which must be accepted.
 * </ul>
 * Invariants ({@link InvariantChecker}) are checked on every entry and after every step; at the
 * end, the ledger must verify, a replay from genesis and one from the latest snapshot must reach
 * the live state, and the ledger reopened read-only from its files must end at the same head and
 * replay to the same state. A run is deterministic: the same seed, steps and switches give the
 * same faults, the same ledger and the same head.
 *
 * <p>Not thread-safe; one run on one thread.
 */
public final class FaultSimulation {

    /** Most steps of one run. */
    public static final int MAX_STEPS = 1_000_000;

    private static final long SALT = 0xfa017_5eedL;
    private static final String RETIRED = "the checker's subscription ended";

    /** What the schedule does at a step. */
    sealed interface Planned permits Kill, RevokeUnderLoad, ExhaustBudget, CorruptBundle, Rollback, TakeSnapshot {
        /** The step before whose workload step it happens. */
        int step();
    }

    /** Kill the ledger before the entry {@code entriesAhead} positions past the current size. */
    record Kill(int step, int entriesAhead) implements Planned {
    }

    /** Queue {@code burst} tokens for subject {@code a<subject>}, run one, revoke all its grants. */
    record RevokeUnderLoad(int step, int subject, int burst) implements Planned {
    }

    /** Run looping tokens under a token budget and under a grant's total budget. */
    record ExhaustBudget(int step, long tokenBudget, long grantBudget) implements Planned {
    }

    /** Damage a bundle of the latest snapshot in the way {@code mode} says, at a place chosen by {@code where}. */
    record CorruptBundle(int step, Corruption mode, long where) implements Planned {
    }

    /** Roll back to the snapshot chosen by {@code pick} among those taken so far. */
    record Rollback(int step, long pick) implements Planned {
    }

    /** Take a snapshot (material for rollbacks, corruption and the final replay). */
    record TakeSnapshot(int step) implements Planned {
    }

    /** How a bundle is damaged. */
    enum Corruption {
        /** One bit flipped anywhere in the file. */
        FLIP_BIT,
        /** The file cut short anywhere. */
        TRUNCATE,
        /** One digit of the state changed, and the end frame's length and checksum recomputed to match. */
        REFRAME,
        /** A valid snapshot, but of another kernel's ledger. */
        FOREIGN
    }

    /**
     * The fault schedule of a run: a function of the seed and the step count alone. Without faults
     * it is empty.
     */
    static List<Planned> schedule(long seed, int steps, boolean faults) {
        List<Planned> plan = new ArrayList<>();
        if (!faults) {
            return plan;
        }
        SplittableRandom r = new SplittableRandom(seed ^ SALT);
        int every = Math.max(1, steps / 8);
        for (int s = every; s <= steps; s += every) {
            plan.add(new TakeSnapshot(s));
        }
        int lo = Math.max(1, steps / 10);
        int hi = Math.max(lo, steps * 9 / 10);
        int kills = 1 + r.nextInt(3);
        for (int i = 0; i < kills; i++) {
            plan.add(new Kill(lo + r.nextInt(hi - lo + 1), 1 + r.nextInt(40)));
        }
        int revokes = 2 + r.nextInt(3);
        for (int i = 0; i < revokes; i++) {
            plan.add(new RevokeUnderLoad(lo + r.nextInt(hi - lo + 1), r.nextInt(2), 3 + r.nextInt(6)));
        }
        int budgets = 2 + r.nextInt(3);
        for (int i = 0; i < budgets; i++) {
            plan.add(new ExhaustBudget(lo + r.nextInt(hi - lo + 1), 5 + r.nextInt(60), 5 + r.nextInt(60)));
        }
        List<Corruption> modes = new ArrayList<>(List.of(Corruption.values()));
        modes.add(Corruption.values()[r.nextInt(Corruption.values().length)]);
        for (Corruption mode : modes) {
            plan.add(new CorruptBundle(lo + r.nextInt(hi - lo + 1), mode, r.nextLong()));
        }
        int rollbacks = 1 + r.nextInt(2);
        for (int i = 0; i < rollbacks; i++) {
            plan.add(new Rollback(lo + r.nextInt(hi - lo + 1), r.nextLong()));
        }
        // Stable: faults at the same step keep the order they were drawn in.
        plan.sort(Comparator.comparingInt(Planned::step));
        return plan;
    }

    /**
     * What a run came to.
     *
     * @param seed the seed
     * @param steps the workload steps
     * @param faults whether faults were injected
     * @param log what was injected and what came of it, one line per fault, in order
     * @param problems every broken invariant or failed check; empty when the run passed
     * @param head the ledger's final head hash, or null if the run did not get that far
     * @param stateHash the final state hash, or null
     * @param entries ledger entries
     * @param checks invariant checks after steps
     * @param snapshots snapshots taken (the last one is where the final snapshot replay starts)
     * @param counts tokens by outcome, or null
     */
    public record Outcome(long seed, int steps, boolean faults, List<String> log, List<String> problems, Hash head,
            Hash stateHash, long entries, long checks, long snapshots, KernelState.TokenCounts counts) {

        /** Copies the lists. */
        public Outcome {
            log = List.copyOf(log);
            problems = List.copyOf(problems);
        }

        /** True when no invariant was broken and every check held. */
        public boolean passed() {
            return problems.isEmpty();
        }
    }

    private final long seed;
    private final int steps;
    private final boolean faults;
    private final int damageAtStep;
    private final boolean killProcess;
    private final Path scratch;
    private final Workload workload;
    private final KernelConfig config;
    private final Path ledgerDir;
    private final SnapshotStore store;
    private final SnapshotStore corruptStore;
    private final List<SnapshotState> snapshots = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private CrashingLedger ledger;
    private Kernel kernel;
    private InvariantChecker checker;
    private SnapshotService service;
    private int step;
    private long checks;
    /** The position of the last rollback's entry while it is the ledger's last entry, else -1. */
    private long rollbackPosition = -1;

    private FaultSimulation(long seed, int steps, boolean faults, int damageAtStep, boolean killProcess, Path scratch) {
        this.seed = seed;
        this.steps = steps;
        this.faults = faults;
        this.damageAtStep = damageAtStep;
        this.killProcess = killProcess;
        this.scratch = scratch;
        this.workload = new Workload(seed);
        this.config = workload.config();
        this.ledgerDir = scratch.resolve("ledger");
        this.store = SnapshotStore.at(scratch.resolve("snapshots"));
        this.corruptStore = SnapshotStore.at(scratch.resolve("corrupted"));
    }

    /**
     * Runs a simulation.
     *
     * @param seed the seed of the workload and the fault schedule
     * @param steps workload steps, 1 to {@link #MAX_STEPS}
     * @param faults whether to inject faults
     * @param damageAtStep after this step, damage an entry of the ledger file on disk (a check that a
     *     real violation is caught and reported); 0 for never
     * @param killProcess run the first twentieth of the steps in a child JVM and kill it with
     *     SIGKILL ({@link ProcessKill}); the run comes to the same ledger as without
     * @param scratch an empty folder for the ledger and snapshots
     * @param progress told after each step
     * @return the outcome; problems are collected, not thrown
     * @throws IllegalArgumentException if steps is out of range
     */
    public static Outcome run(long seed, int steps, boolean faults, int damageAtStep, boolean killProcess, Path scratch,
            IntConsumer progress) {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException("steps must be between 1 and " + MAX_STEPS + ", got " + steps);
        }
        Objects.requireNonNull(scratch, "scratch");
        Objects.requireNonNull(progress, "progress");
        return new FaultSimulation(seed, steps, faults, damageAtStep, killProcess, scratch).execute(progress);
    }

    private Outcome execute(IntConsumer progress) {
        Hash head = null;
        Hash stateHash = null;
        long entries = 0;
        KernelState.TokenCounts counts = null;
        try {
            int first = 1;
            if (killProcess) {
                first = startInKilledProcess() + 1;
            } else {
                ledger = new CrashingLedger(ChronicleLedger.open(ledgerDir));
                kernel = Kernel.create(config, ledger);
                workload.attach(kernel);
            }
            observe();
            Deque<Planned> plan = new ArrayDeque<>(schedule(seed, steps, faults));
            for (step = first; step <= steps; step++) {
                // At or before: what was planned for steps a killed child process ran comes at its first step here.
                while (!plan.isEmpty() && plan.peek().step() <= step) {
                    inject(plan.poll());
                }
                guarded("a workload step", workload::step);
                if (ledger.size() - 1 != rollbackPosition) {
                    checker.afterStep();
                    checks++;
                }
                if (step == damageAtStep) {
                    damageLedger();
                }
                progress.accept(step);
            }
            step = steps;
            if (ledger.killPosition() >= 0) {
                log("kill", "the armed kill (before entry " + ledger.killPosition() + ") did not come before the workload ended");
                ledger.killAt(-1);
            }
            while (!guarded("the final run until idle", () -> kernel.runUntilIdle())) {
                // A kill during the final run recovers; then run again.
            }
            if (ledger.size() - 1 != rollbackPosition) {
                checker.afterStep();
                checks++;
            }
            checker.finish();
            retire();
            workload.problems().forEach(p -> problems.add("workload: " + p));
            replayEqualsLive("at the end");
            finalSnapshotReplay();
            head = ledger.headHash();
            stateHash = kernel.state().stateHash();
            entries = ledger.size();
            counts = kernel.state().counts();
            close();
            reopenCheck(head, stateHash, entries);
        } catch (RuntimeException e) {
            problems.add("step " + step + ": the run stopped: " + describe(e));
        } finally {
            close();
        }
        return new Outcome(seed, steps, faults, log, problems, head, stateHash, entries, checks, snapshots.size(), counts);
    }

    // --- observers, kills and recovery --------------------------------------------------------------

    private void observe() {
        checker = InvariantChecker.attach(kernel);
        service = SnapshotService.attach(kernel, null, SnapshotPolicy.MANUAL);
    }

    /** Collects the checker's problems and stops the observers and the kernel (not the ledger). */
    private void retire() {
        retireChecker();
        if (service != null) {
            service.close();
            service = null;
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    private void retireChecker() {
        if (checker != null) {
            for (String p : checker.problems()) {
                // A retired checker's subscription ends with its ledger: that is the kill, not a finding.
                if (!p.startsWith(RETIRED)) {
                    problems.add(p);
                }
            }
            checker.detach();
            checker = null;
        }
    }

    private void close() {
        try {
            retire();
        } catch (RuntimeException e) {
            problems.add("closing the kernel failed: " + describe(e));
        }
        if (ledger != null) {
            try {
                ledger.close();
            } catch (RuntimeException e) {
                problems.add("closing the ledger failed: " + describe(e));
            }
            ledger = null;
        }
        kernel = null;
    }

    /**
     * Runs {@code work}; if the ledger was killed meanwhile, recovers and returns false. Other
     * failures propagate: they end the run as a problem.
     */
    private boolean guarded(String what, Runnable work) {
        try {
            work.run();
            return true;
        } catch (RuntimeException e) {
            if (ledger.killed()) {
                recover(what);
                return false;
            }
            throw e;
        }
    }

    private void recover(String during) {
        long at = ledger.killedAt();
        Hash headAtKill = ledger.headAtKill();
        retire();
        ChronicleLedger reopened = ChronicleLedger.open(ledgerDir);
        if (reopened.size() != at || !reopened.headHash().equals(headAtKill)) {
            problems.add("step " + step + ": killed before entry " + at + " (head " + headAtKill.toShortHex() + "), the ledger reopens with "
                    + reopened.size() + " entries and head " + reopened.headHash().toShortHex() + ": acknowledged entries were lost");
        }
        VerifyResult v = reopened.verify();
        if (!v.intact()) {
            problems.add("step " + step + ": the ledger reopened after a kill does not verify: " + v);
        }
        ledger = new CrashingLedger(reopened);
        kernel = Kernel.recover(config, ledger);
        String effect = "between runs: nothing to repair";
        if (ledger.size() > at) {
            EventEnvelope first = ledger.read(at);
            if (first.kind().equals(KernelEvents.TOKEN_FAILED)) {
                effect = "in the middle of token t" + first.payload().toJsonNode().path("token").asLong()
                        + "'s run, which recovery recorded as failed";
            }
        }
        workload.attach(kernel);
        observe();
        log("kill", "the ledger was killed before entry " + at + " during " + during + "; reopened from the Chronicle files ("
                + at + " entries, verified) and recovered, " + effect);
        replayEqualsLive("after the kill at step " + step);
    }

    /**
     * Runs the first steps in a child JVM, kills it with SIGKILL, and recovers from its files. The
     * workload here is brought to the same point on an in-memory kernel, which must have written
     * the same entries: the child's ledger and the in-memory one end at the same head.
     *
     * @return the last step the child ran
     */
    private int startInKilledProcess() {
        int childSteps = Math.max(1, steps / 20);
        ProcessKill.Report report;
        try {
            report = ProcessKill.run(seed, childSteps, ledgerDir, scratch.resolve("child-stderr.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException("the child JVM failed: " + e.getMessage(), e);
        }
        Hash expectedHead;
        Hash expectedState;
        try (Kernel memory = Kernel.create(config)) {
            workload.attach(memory);
            for (int i = 0; i < childSteps; i++) {
                workload.step();
            }
            expectedHead = memory.ledger().headHash();
            expectedState = memory.state().stateHash();
        }
        step = childSteps;
        ChronicleLedger reopened = ChronicleLedger.open(ledgerDir);
        if (reopened.size() != report.entries() || !reopened.headHash().equals(report.head())) {
            problems.add("step " + step + ": the killed child acknowledged " + report.entries() + " entries ending at "
                    + report.head().toShortHex() + ", but its ledger reopens with " + reopened.size() + " ending at "
                    + reopened.headHash().toShortHex());
        }
        if (!report.head().equals(expectedHead)) {
            problems.add("step " + step + ": the child JVM's ledger ends at " + report.head().toHex() + ", but the same steps "
                    + "here end at " + expectedHead.toHex() + ": the workload is not deterministic across processes");
        }
        VerifyResult v = reopened.verify();
        if (!v.intact()) {
            problems.add("step " + step + ": the ledger of the killed child does not verify: " + v);
        }
        ledger = new CrashingLedger(reopened);
        kernel = Kernel.recover(config, ledger);
        if (ledger.size() != report.entries() || !kernel.state().stateHash().equals(expectedState)) {
            problems.add("step " + step + ": recovery from the killed child's ledger came to " + ledger.size() + " entries and state "
                    + kernel.state().stateHash().toShortHex() + ", not " + report.entries() + " and " + expectedState.toShortHex());
        }
        workload.attach(kernel);
        log("process-kill", "a child JVM ran steps 1-" + childSteps + " (" + report.entries() + " entries) and was killed with "
                + "SIGKILL holding the ledger open; the files reopened with every entry it acknowledged, verified, and the "
                + "kernel recovered to the state the same steps reach in this process");
        return childSteps;
    }

    private void replayEqualsLive(String when) {
        try {
            KernelState replayed = Kernel.replay(config, ledger, null, 0);
            Hash live = kernel.state().stateHash();
            if (!replayed.stateHash().equals(live)) {
                problems.add(when + ": a replay from genesis reaches state " + replayed.stateHash().toHex()
                        + ", but the live state is " + live.toHex());
            }
        } catch (ReplayDivergenceException | LedgerException e) {
            problems.add(when + ": the replay from genesis failed: " + describe(e));
        }
    }

    private void finalSnapshotReplay() {
        if (snapshots.isEmpty()) {
            return;
        }
        SnapshotState latest = snapshots.get(snapshots.size() - 1);
        try {
            ReplayOutcome o = SnapshotReplay.replay(config, ledger, latest, SnapshotReplay.Request.DEFAULT.withStore(store));
            if (!(o instanceof ReplayOutcome.Identical i) || !i.stateHash().equals(kernel.state().stateHash())) {
                problems.add("the replay from snapshot " + latest.id() + " does not reach the live state: " + o.summary());
            }
        } catch (RuntimeException e) {
            problems.add("the replay from snapshot " + latest.id() + " failed: " + describe(e));
        }
    }

    /** The ledger reopened read-only from its files must end at the same head and replay to the same state. */
    private void reopenCheck(Hash head, Hash stateHash, long entries) {
        try (ChronicleLedger ro = ChronicleLedger.builder(ledgerDir).readOnly(true).open()) {
            VerifyResult v = ro.verify();
            if (!v.intact()) {
                problems.add("the ledger reopened from its files does not verify: " + v);
                return;
            }
            if (ro.size() != entries || !ro.headHash().equals(head)) {
                problems.add("the ledger reopened from its files holds " + ro.size() + " entries ending at " + ro.headHash().toHex()
                        + ", not " + entries + " ending at " + head.toHex());
            }
            KernelState replayed = Kernel.replay(config, ro, null, 0);
            if (!replayed.stateHash().equals(stateHash)) {
                problems.add("the ledger reopened from its files replays to state " + replayed.stateHash().toHex() + ", not "
                        + stateHash.toHex());
            }
        } catch (ReplayDivergenceException | LedgerException e) {
            problems.add("the ledger reopened from its files does not replay: " + describe(e));
        }
    }

    // --- the faults ----------------------------------------------------------------------------------

    private void inject(Planned p) {
        switch (p) {
            case Kill k -> {
                long position = ledger.size() + k.entriesAhead();
                ledger.killAt(position);
                log("kill", "armed: the ledger dies before entry " + position);
            }
            case TakeSnapshot t -> guarded("a snapshot", () -> snapshot("step " + step));
            case RevokeUnderLoad r -> guarded("a revocation under load", () -> revokeUnderLoad(r));
            case ExhaustBudget e -> guarded("budget exhaustion", () -> exhaustBudget(e));
            case CorruptBundle c -> corruptBundle(c);
            case Rollback r -> guarded("a rollback", () -> rollback(r));
        }
    }

    private SnapshotState snapshot(String label) {
        SnapshotState s = service.create(label);
        store.put(s);
        snapshots.add(s);
        return s;
    }

    private static CanonicalJson argsFor(String capabilityId) {
        return CanonicalJson.parse(switch (capabilityId) {
            case Workload.ECHO -> "{\"text\":\"load\"}";
            case Workload.WORK -> "{\"cost\":3,\"mode\":\"ok\"}";
            case Workload.IO -> "{\"bytes\":10}";
            default -> "{}";
        });
    }

    private void revokeUnderLoad(RevokeUnderLoad r) {
        String subject = "a" + r.subject();
        int queued = 0;
        for (int i = 0; i < r.burst(); i++) {
            String cap = i % 2 == 0 ? Workload.ECHO : Workload.WORK;
            KernelResponse resp = kernel.execute(KernelInput.SubmitToken.of(subject, cap, argsFor(cap))
                    .withBudget(new Budget(50, 1000, 100, 200)));
            queued += resp.ok() ? 1 : 0;
        }
        kernel.step();
        List<Grant> active = kernel.state().grants().stream()
                .filter(g -> g.subject().equals(subject) && g.status() == Grant.Status.ACTIVE).toList();
        for (Grant g : active) {
            kernel.execute(new KernelInput.RevokeCapability(g.id()));
        }
        KernelState s = kernel.state();
        for (Grant g : active) {
            requireOutOfForce(s, g.id(), "revoked grant " + g.id());
        }
        String probe = "";
        if (!active.isEmpty()) {
            Grant g = active.get(0);
            KernelResponse resp = kernel.execute(KernelInput.SubmitToken.of(subject, g.capabilityId(), argsFor(g.capabilityId()))
                    .withGrant(g.id()));
            if (resp.ok()) {
                problems.add("step " + step + ": a submission under revoked grant " + g.id() + " was accepted: " + resp);
            }
            probe = "; a submission under " + g.id() + " was refused (" + resp.reason() + ")";
        }
        log("revoke", "revoked all " + active.size() + " grants of " + subject + " with " + queued + " of its tokens queued"
                + " and the derived grants with them" + probe);
    }

    /** The grant and every grant derived from it must be out of force. */
    private void requireOutOfForce(KernelState s, GrantId id, String what) {
        Deque<GrantId> todo = new ArrayDeque<>(List.of(id));
        while (!todo.isEmpty()) {
            Grant g = s.grant(todo.poll()).orElseThrow();
            if (g.status() == Grant.Status.ACTIVE) {
                problems.add("step " + step + ": " + g.id() + " (from " + what + ") is still in force after the revocation");
            }
            todo.addAll(g.children());
        }
    }

    private void exhaustBudget(ExhaustBudget e) {
        String subject = "f" + step;
        GrantId g1 = kernel.execute(new KernelInput.GrantCapability(subject, Workload.LOOP, GrantTerms.UNRESTRICTED)).grantId();
        KernelResponse t1 = kernel.execute(KernelInput.SubmitToken.of(subject, Workload.LOOP, CanonicalJson.EMPTY_OBJECT)
                .withGrant(g1).withBudget(new Budget(e.tokenBudget(), 1_000_000, 1000, 100_000)));
        GrantId g2 = kernel.execute(new KernelInput.GrantCapability(subject + "b", Workload.LOOP,
                GrantTerms.UNRESTRICTED.withBudgetTokens(e.grantBudget()))).grantId();
        KernelResponse t2 = kernel.execute(KernelInput.SubmitToken.of(subject + "b", Workload.LOOP, CanonicalJson.EMPTY_OBJECT)
                .withGrant(g2).withBudget(new Budget(50_000, 1_000_000, 1000, 100_000)));
        kernel.runUntilIdle();
        KernelState s = kernel.state();
        StringBuilder what = new StringBuilder();
        if (t1.ok()) {
            KernelToken.Status st = s.status(t1.tokenId()).orElseThrow();
            if (st != KernelToken.Status.BUDGET_EXCEEDED) {
                problems.add("step " + step + ": a looping token with a budget of " + e.tokenBudget() + " tokens ended " + st
                        + ", not budget_exceeded");
            }
            what.append(t1.tokenId()).append(" (token budget ").append(e.tokenBudget()).append(") ended ").append(st);
        } else {
            what.append("the token-budget probe was rejected (").append(t1.reason()).append(")");
        }
        if (t2.ok()) {
            KernelToken.Status st = s.status(t2.tokenId()).orElseThrow();
            Grant g = s.grant(g2).orElseThrow();
            if (st != KernelToken.Status.BUDGET_EXCEEDED && st != KernelToken.Status.VIOLATION) {
                problems.add("step " + step + ": a looping token under a grant with a total budget of " + e.grantBudget()
                        + " tokens ended " + st);
            }
            if (g.tokensCharged() > e.grantBudget()) {
                problems.add("step " + step + ": grant " + g2 + " charged " + g.tokensCharged() + " tokens beyond its budget of "
                        + e.grantBudget());
            }
            what.append("; ").append(t2.tokenId()).append(" (grant budget ").append(e.grantBudget()).append(", charged ")
                    .append(g.tokensCharged()).append(") ended ").append(st);
        } else {
            what.append("; the grant-budget probe was rejected (").append(t2.reason()).append(")");
        }
        log("budget", what.toString());
    }

    private void corruptBundle(CorruptBundle c) {
        if (c.mode() == Corruption.FOREIGN) {
            foreignSnapshot();
            return;
        }
        SnapshotState[] base = new SnapshotState[1];
        if (!guarded("a snapshot", () -> base[0] = snapshot("before corruption at step " + step))) {
            return;
        }
        SnapshotState s = base[0];
        byte[] good = SnapshotBundle.encode(s);
        record Damage(byte[] bytes, String how) {
        }
        Damage damage = switch (c.mode()) {
            case FLIP_BIT -> {
                int at = (int) Math.floorMod(c.where(), (long) good.length);
                int bit = (int) Math.floorMod(c.where() >>> 32, 8L);
                byte[] bad = good.clone();
                bad[at] ^= (byte) (1 << bit);
                yield new Damage(bad, "bit " + bit + " of byte " + at + " of " + good.length + " flipped");
            }
            case TRUNCATE -> {
                int length = (int) Math.floorMod(c.where(), (long) good.length);
                yield new Damage(Arrays.copyOf(good, length), "cut to " + length + " of " + good.length + " bytes");
            }
            case REFRAME -> new Damage(reframed(good, c.where()), "one digit of the state changed and the end frame recomputed");
            case FOREIGN -> throw new IllegalStateException("a foreign snapshot is not a damaged bundle");
        };
        byte[] bad = damage.bytes();
        String how = damage.how();
        try {
            Files.createDirectories(corruptStore.directory());
            Files.write(corruptStore.bundleFile(s.id()), bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the corrupted bundle", e);
        }
        try {
            corruptStore.read(s.id());
            problems.add("step " + step + ": a snapshot bundle with " + how + " was accepted");
            log("corrupt", "bundle of " + s.id() + ", " + how + ": ACCEPTED");
        } catch (SnapshotFileException e) {
            log("corrupt", "bundle of " + s.id() + ", " + how + ": refused (" + e.problem() + ")");
        }
    }

    /** The bundle with one digit of its state line changed and its end frame recomputed, so that only the state hash can tell. */
    static byte[] reframed(byte[] good, long where) {
        String text = new String(good, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        char[] state = lines[2].toCharArray();
        List<Integer> digits = new ArrayList<>();
        for (int i = 0; i < state.length; i++) {
            if (state[i] >= '0' && state[i] <= '9') {
                digits.add(i);
            }
        }
        int at = digits.get((int) Math.floorMod(where, (long) digits.size()));
        state[at] = (char) ('0' + (state[at] - '0' + 1) % 10);
        String body = lines[0] + "\n" + lines[1] + "\n" + new String(state) + "\n";
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        String end = "{\"bytes\":" + bodyBytes.length + ",\"frame\":\"end\",\"sha256\":\"" + Hash.sha256(bodyBytes).toHex() + "\"}\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bodyBytes);
        out.writeBytes(end.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A valid snapshot of another kernel must be refused as a rollback and as the start of a replay. */
    private void foreignSnapshot() {
        Workload other = new Workload(seed + 1);
        SnapshotState foreign;
        try (Kernel k = Kernel.create(other.config())) {
            other.attach(k);
            for (int i = 0; i < 20; i++) {
                other.step();
            }
            k.runUntilIdle();
            try (SnapshotService s = SnapshotService.attach(k, null, SnapshotPolicy.MANUAL)) {
                foreign = s.create("foreign");
            }
        }
        String[] outcome = new String[1];
        if (!guarded("a foreign rollback", () -> {
            SnapshotService.RestoreResult r = service.restore(foreign);
            if (r instanceof SnapshotService.RestoreResult.Restored) {
                problems.add("step " + step + ": a snapshot of another kernel was restored");
            }
            outcome[0] = r instanceof SnapshotService.RestoreResult.Refused refused ? refused.verdict().reason().toString() : "RESTORED";
        })) {
            return;
        }
        ReplayOutcome o = SnapshotReplay.replay(config, ledger, foreign, SnapshotReplay.Request.DEFAULT);
        if (!(o instanceof ReplayOutcome.Refused)) {
            problems.add("step " + step + ": a replay from a snapshot of another kernel was not refused: " + o.summary());
        }
        log("corrupt", "a valid snapshot of another kernel (" + foreign.id() + "): rollback refused (" + outcome[0]
                + "), replay " + (o instanceof ReplayOutcome.Refused ? "refused" : "NOT refused"));
    }

    private void rollback(Rollback r) {
        if (snapshots.isEmpty()) {
            log("rollback", "no snapshot yet; skipped");
            return;
        }
        SnapshotState target = snapshots.get((int) Math.floorMod(r.pick(), (long) snapshots.size()));
        SnapshotService.RestoreResult result = service.restore(target);
        if (result instanceof SnapshotService.RestoreResult.Restored) {
            // A rollback rewinds the virtual clock to the snapshot's, while the restore_snapshot entry
            // carries the clock it was recorded at. The checker's clock checks span one history, so a
            // new checker starts at the rollback, and the check after this step is skipped while the
            // rollback's entry is still the last one (its time is after the rewound clock).
            retireChecker();
            checker = InvariantChecker.attach(kernel);
            rollbackPosition = ledger.size() - 1;
        } else {
            problems.add("step " + step + ": the rollback to " + target.id() + " of this ledger was refused: " + result);
        }
        log("rollback", "to " + target.id() + ": " + (result instanceof SnapshotService.RestoreResult.Restored ? "restored" : "REFUSED"));
    }

    /**
     * Damages the entry halfway through the ledger on disk, as bit rot would: one digit of its
     * event id changes in the Chronicle queue file. A check of the checks: the run must fail.
     */
    private void damageLedger() {
        long position = ledger.size() / 2;
        byte[] needle = ("\"event_id\":\"ev-" + position + "\"").getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(ledgerDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList()) {
                byte[] content = Files.readAllBytes(f);
                int at = indexOf(content, needle);
                if (at >= 0) {
                    int digit = at + needle.length - 2;
                    byte changed = (byte) ('0' + (content[digit] - '0' + 1) % 10);
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.write(ByteBuffer.wrap(new byte[] {changed}), digit);
                    }
                    log("damage", "entry " + position + " of the ledger changed on disk (its event id), as a test of the checks");
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot damage the ledger file", e);
        }
        throw new IllegalStateException("entry " + position + " was not found in the ledger's queue files");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void log(String kind, String what) {
        log.add("step " + step + " " + kind + ": " + what);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
