package dev.os2.kernel.sim;

import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.InMemoryLedger;
import dev.os2.ledger.Ledger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The determinism harness: drives a kernel with {@link Workload}{@code (seed)}, checks the
 * invariants after every step ({@link InvariantChecker}), and can hand the run over to a second
 * kernel midway, built from the first one's state or recovered from its ledger, which must not
 * change a single entry. Reusable by the snapshot tests, which add their own hand-overs.
 */
final class Simulation {

    /** How the run is interrupted, if at all. */
    enum Handover {
        /** One kernel from start to end. */
        NONE,
        /** At a random step, a new kernel from the old one's {@link KernelState}, on the same ledger. */
        FROM_STATE,
        /** At a random step, a new kernel recovered from the ledger alone, as after a crash. */
        RECOVER
    }

    final long seed;
    final int steps;
    private final List<String> problems = new ArrayList<>();

    Simulation(long seed, int steps) {
        this.seed = seed;
        this.steps = steps;
    }

    /** Problems found by the last run, each prefixed with the seed. */
    List<String> problems() {
        return problems;
    }

    Workload.Result run(Handover handover, boolean check) {
        problems.clear();
        Workload w = new Workload(seed);
        Ledger ledger = InMemoryLedger.create();
        Kernel k = Kernel.create(w.config(), ledger);
        w.attach(k);
        InvariantChecker checker = check ? InvariantChecker.attach(k) : null;
        int switchAt = handover == Handover.NONE ? -1 : new SplittableRandom(seed ^ 0x5eedL).nextInt(steps);
        for (int i = 0; i < steps; i++) {
            if (i == switchAt) {
                if (checker != null) {
                    collect(checker);
                    checker.detach();
                }
                KernelState state = k.state();
                k.close();
                k = handover == Handover.FROM_STATE ? Kernel.fromState(w.config(), state, ledger) : Kernel.recover(w.config(), ledger);
                if (!k.state().stateHash().equals(state.stateHash())) {
                    problems.add("seed " + seed + ": the " + handover + " kernel at step " + i + " has another state");
                }
                w.attach(k);
                checker = check ? InvariantChecker.attach(k) : null;
            }
            w.step();
            if (checker != null) {
                checker.afterStep();
            }
        }
        k.runUntilIdle();
        if (checker != null) {
            checker.afterStep();
            checker.finish();
            collect(checker);
        }
        for (String p : w.problems()) {
            problems.add("seed " + seed + ": " + p);
        }
        Workload.Result result = w.result(k);
        k.close();
        return result;
    }

    private void collect(InvariantChecker checker) {
        for (String p : checker.problems()) {
            problems.add("seed " + seed + ": " + p);
        }
    }

    /** Runs a plain simulation and returns its ledger, for replay checks. */
    static Ledger ledgerOf(long seed, int steps) {
        Ledger ledger = InMemoryLedger.create();
        Workload w = new Workload(seed);
        try (Kernel k = Kernel.create(w.config(), ledger)) {
            w.attach(k);
            w.run(steps);
        }
        return ledger;
    }
}
