package dev.os2.kernel.sim;

import dev.os2.ledger.InMemoryLedger;

/**
 * Runs the workload for a range of seeds and prints {@code seed ledgerHead stateHash} per line:
 * the child process of the cross-JVM determinism test.
 */
public final class SimulationMain {

    private SimulationMain() {
    }

    /** Arguments: first seed, number of seeds, steps per seed. */
    public static void main(String[] args) {
        long first = Long.parseLong(args[0]);
        int count = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        StringBuilder out = new StringBuilder();
        for (long seed = first; seed < first + count; seed++) {
            Workload.Result r = Workload.run(seed, steps, InMemoryLedger.create());
            out.append(seed).append(' ').append(r.ledgerHead().toHex()).append(' ').append(r.stateHash().toHex()).append('\n');
        }
        System.out.print(out);
        System.out.flush();
    }
}
