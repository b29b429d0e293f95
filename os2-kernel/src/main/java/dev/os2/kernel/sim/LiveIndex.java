package dev.os2.kernel.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.Grant;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.KernelToken;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Subscription;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What {@link Workload} asks of a kernel's state at every step, kept up to date from the
 * kernel's events so that each question costs O(log n) instead of a walk over the whole state:
 * the i-th live token in id order (what {@code state.liveTokens().get(i)} gives), and the newest
 * grant in force of a capability to a subject (the last of {@code state.grants()} filtered by
 * subject, capability and status). The answers are exactly those of the state, so the workload
 * draws the same inputs for a seed as when it asked the state.
 *
 * <p><b>Why the events suffice.</b> The kernel records every change before it applies it, and the
 * ledger hands each entry to its subscribers as it is appended, on the kernel thread. A token is
 * live from its {@code token_scheduled} to the entry that ends it ({@code token_completed},
 * {@code token_failed}, {@code token_cancelled}, {@code resource_budget_exceeded},
 * {@code capability_violation}); a grant is in force from {@code capability_granted} or
 * {@code capability_derived} until {@code capability_revoked} or {@code grant_expired}. A rollback
 * ({@code restore_snapshot}) replaces the whole state, so the index is then rebuilt from the state,
 * once; so it is when the workload attaches to a kernel. The workload asks only between the
 * kernel's operations or from a handler, when every recorded entry has been applied.
 *
 * <p>Not thread-safe: one workload, one kernel thread.
 */
final class LiveIndex {

    private final Kernel kernel;
    private final Subscription subscription;
    /** Live token ids as a Fenwick tree of 0/1 counts over ids 1..capacity (index 0 unused). */
    private int[] tree = new int[1024];
    private int live;
    /** Active grant ids by {@code subject ' ' capability}, in id order. */
    private final Map<String, TreeSet<Long>> activeGrants = new HashMap<>();
    /** True when the index must be rebuilt from the state before it answers (after a rollback). */
    private boolean stale = true;

    /** An index of {@code kernel}'s state, kept up to date from its events from now on. */
    LiveIndex(Kernel kernel) {
        this.kernel = kernel;
        this.subscription = kernel.subscribe(kernel.ledger().size(), this::onEvent);
    }

    /** Stops following the kernel. */
    void close() {
        subscription.close();
    }

    /** The id of the {@code index}-th live token in id order (0-based). */
    long liveToken(int index) {
        ensureCurrent();
        // Fenwick descent: the smallest id whose prefix count exceeds index.
        int pos = 0;
        int remaining = index + 1;
        for (int step = Integer.highestOneBit(tree.length - 1); step > 0; step >>= 1) {
            int next = pos + step;
            if (next < tree.length && tree[next] < remaining) {
                pos = next;
                remaining -= tree[next];
            }
        }
        return pos + 1;
    }

    /** The number of live tokens. */
    int liveTokens() {
        ensureCurrent();
        return live;
    }

    /** The id of the subject's newest grant in force for the capability, or -1. */
    long newestActiveGrant(String subject, String capability) {
        ensureCurrent();
        TreeSet<Long> ids = activeGrants.get(key(subject, capability));
        return ids == null || ids.isEmpty() ? -1 : ids.last();
    }

    private void ensureCurrent() {
        if (!subscription.active()) {
            throw new IllegalStateException("the workload's index lost its subscription", subscription.failure().orElse(null));
        }
        if (stale) {
            rebuild(kernel.state());
            stale = false;
        }
    }

    private void rebuild(KernelState s) {
        tree = new int[Math.max(1024, Integer.highestOneBit((int) Math.max(1, s.nextTokenId().value())) * 2)];
        live = 0;
        for (KernelToken t : s.liveTokens()) {
            add(t.id().value(), 1);
        }
        activeGrants.clear();
        for (Grant g : s.grants()) {
            if (g.status() == Grant.Status.ACTIVE) {
                activeGrants.computeIfAbsent(key(g.subject(), g.capabilityId()), k -> new TreeSet<>()).add(g.id().value());
            }
        }
    }

    private void onEvent(EventEnvelope e) {
        if (stale) {
            return; // rebuilt from the state before the next answer
        }
        switch (e.kind()) {
            case KernelEvents.TOKEN_SCHEDULED -> add(memberAfter(e.payload().text(), "\"token\":"), 1);
            case KernelEvents.TOKEN_COMPLETED, KernelEvents.TOKEN_FAILED, KernelEvents.TOKEN_CANCELLED,
                    KernelEvents.RESOURCE_BUDGET_EXCEEDED, KernelEvents.CAPABILITY_VIOLATION -> add(lastTokenMember(e.payload().text()), -1);
            case KernelEvents.CAPABILITY_GRANTED, KernelEvents.CAPABILITY_DERIVED -> {
                JsonNode p = e.payload().toJsonNode();
                activeGrants.computeIfAbsent(key(p.get("subject").asText(), e.capabilityId()), k -> new TreeSet<>())
                        .add(p.get("grant").asLong());
            }
            case KernelEvents.CAPABILITY_REVOKED, KernelEvents.GRANT_EXPIRED -> {
                JsonNode p = e.payload().toJsonNode();
                TreeSet<Long> ids = activeGrants.get(key(p.get("subject").asText(), e.capabilityId()));
                if (ids != null) {
                    ids.remove(p.get("grant").asLong());
                }
            }
            case "restore_snapshot" -> stale = true;
            default -> {
            }
        }
    }

    /**
     * The token id of an event that ends a token: its payload's last member is {@code "token":N}
     * (every such payload's other members sort before "token"), so it is read from the end,
     * whatever a result or detail before it holds.
     */
    private static long lastTokenMember(String payload) {
        int end = payload.length() - 1; // the closing brace
        int start = end;
        while (Character.isDigit(payload.charAt(start - 1))) {
            start--;
        }
        if (!payload.startsWith("\"token\":", start - 8)) {
            throw new IllegalStateException("a token's last event does not end with its token id: " + payload);
        }
        return Long.parseLong(payload, start, end, 10);
    }

    /** The number after {@code name} in a payload that holds only numbers (token_scheduled). */
    private static long memberAfter(String payload, String name) {
        int start = payload.indexOf(name) + name.length();
        int end = start;
        while (Character.isDigit(payload.charAt(end))) {
            end++;
        }
        return Long.parseLong(payload, start, end, 10);
    }

    private void add(long id, int delta) {
        if (id >= tree.length) {
            grow(id);
        }
        live += delta;
        for (int i = (int) id; i < tree.length; i += i & -i) {
            tree[i] += delta;
        }
    }

    /** Doubles the tree until it holds {@code id}, keeping its counts (a rebuild from the old counts, O(n)). */
    private void grow(long id) {
        int capacity = tree.length;
        while (capacity <= id) {
            capacity *= 2;
        }
        int[] counts = new int[tree.length];
        for (int i = 1; i < tree.length; i++) {
            counts[i] = prefix(i) - prefix(i - 1);
        }
        tree = new int[capacity];
        for (int i = 1; i < counts.length; i++) {
            if (counts[i] != 0) {
                for (int j = i; j < capacity; j += j & -j) {
                    tree[j] += counts[i];
                }
            }
        }
    }

    private int prefix(int i) {
        int sum = 0;
        for (; i > 0; i -= i & -i) {
            sum += tree[i];
        }
        return sum;
    }

    private static String key(String subject, String capability) {
        return subject + ' ' + capability;
    }
}
