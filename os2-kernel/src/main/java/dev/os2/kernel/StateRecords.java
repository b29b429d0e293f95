package dev.os2.kernel;

import dev.os2.ledger.CanonicalJson;
import java.util.ArrayList;
import java.util.List;

/**
 * The immutable values kept in {@link KernelState}'s persistent maps. Each update returns a new
 * value; none holds a mutable array, so equality is by value and a snapshot diff reports only real
 * changes.
 */
final class StateRecords {

    private StateRecords() {
    }

    /** A live token (WAITING, READY or RUNNING). Deadline is absolute: submittedAt + deadlineTicks, capped. */
    record TokenRecord(long id, String subject, String capability, long grant, int priority, String kind,
            CanonicalJson args, List<Long> deps, Budget budget, long submittedAt, long deadlineAt,
            KernelToken.Status status, int pendingDeps, long tokensUsed, long memoryUsed, long networkUsed) {

        TokenRecord withStatus(KernelToken.Status value) {
            return new TokenRecord(id, subject, capability, grant, priority, kind, args, deps, budget, submittedAt,
                    deadlineAt, value, pendingDeps, tokensUsed, memoryUsed, networkUsed);
        }

        TokenRecord withPending(int value, KernelToken.Status newStatus) {
            return new TokenRecord(id, subject, capability, grant, priority, kind, args, deps, budget, submittedAt,
                    deadlineAt, newStatus, value, tokensUsed, memoryUsed, networkUsed);
        }

        TokenRecord charged(Budget.Resource resource, long amount) {
            return new TokenRecord(id, subject, capability, grant, priority, kind, args, deps, budget, submittedAt,
                    deadlineAt, status, pendingDeps,
                    tokensUsed + (resource == Budget.Resource.TOKENS ? amount : 0),
                    memoryUsed + (resource == Budget.Resource.MEMORY_BYTES ? amount : 0),
                    networkUsed + (resource == Budget.Resource.NETWORK_BYTES ? amount : 0));
        }

        long used(Budget.Resource resource) {
            return switch (resource) {
                case TOKENS -> tokensUsed;
                case MEMORY_BYTES -> memoryUsed;
                case NETWORK_BYTES -> networkUsed;
                case DEADLINE_TICKS -> 0;
            };
        }

        KernelToken view() {
            List<TokenId> depIds = new ArrayList<>(deps.size());
            for (Long d : deps) {
                depIds.add(new TokenId(d));
            }
            return new KernelToken(new TokenId(id), subject, capability, new GrantId(grant), priority, kind, args, depIds,
                    budget, submittedAt, status, new KernelToken.Usage(tokensUsed, memoryUsed, networkUsed));
        }
    }

    /** A grant with its effective limits, usage and rate window. parent is 0 for a root grant. */
    record GrantRecord(long id, long version, String subject, String capability, long parent, int depth,
            List<Long> children, CanonicalJson scope, long tokenCeiling, long maxInvocations,
            CapabilityDescriptor.RateLimit rateLimit, long expiresAt, long budgetTokens, Grant.Status status,
            long invocations, long tokensUsed, long windowIndex, long windowCount) {

        boolean active() {
            return status == Grant.Status.ACTIVE;
        }

        GrantRecord withStatus(Grant.Status value) {
            return new GrantRecord(id, version + 1, subject, capability, parent, depth, children, scope, tokenCeiling,
                    maxInvocations, rateLimit, expiresAt, budgetTokens, value, invocations, tokensUsed, windowIndex, windowCount);
        }

        GrantRecord withChild(long child) {
            List<Long> more = new ArrayList<>(children.size() + 1);
            more.addAll(children);
            more.add(child);
            return new GrantRecord(id, version, subject, capability, parent, depth, List.copyOf(more), scope, tokenCeiling,
                    maxInvocations, rateLimit, expiresAt, budgetTokens, status, invocations, tokensUsed, windowIndex, windowCount);
        }

        /** Invocations counted in the window that holds {@code clock}. */
        long countInWindow(long clock) {
            return rateLimit != null && clock / rateLimit.windowTicks() == windowIndex ? windowCount : 0;
        }

        GrantRecord invoked(long clock) {
            long wIndex = windowIndex;
            long wCount = windowCount;
            if (rateLimit != null) {
                long w = clock / rateLimit.windowTicks();
                wCount = w == windowIndex ? windowCount + 1 : 1;
                wIndex = w;
            }
            return new GrantRecord(id, version, subject, capability, parent, depth, children, scope, tokenCeiling,
                    maxInvocations, rateLimit, expiresAt, budgetTokens, status, invocations + 1, tokensUsed, wIndex, wCount);
        }

        GrantRecord charged(long tokens) {
            return new GrantRecord(id, version, subject, capability, parent, depth, children, scope, tokenCeiling,
                    maxInvocations, rateLimit, expiresAt, budgetTokens, status, invocations, tokensUsed + tokens, windowIndex, windowCount);
        }

        Grant view() {
            List<GrantId> kids = new ArrayList<>(children.size());
            for (Long c : children) {
                kids.add(new GrantId(c));
            }
            return new Grant(new GrantId(id), version, subject, capability, parent == 0 ? null : new GrantId(parent), kids,
                    scope, tokenCeiling, maxInvocations, rateLimit, expiresAt, budgetTokens, status, invocations, tokensUsed);
        }
    }

    /** A registered capability and its usage counters. */
    record CapabilityRecord(CapabilityDescriptor descriptor, long invocations, long tokensUsed, long violations) {

        CapabilityRecord invoked() {
            return new CapabilityRecord(descriptor, invocations + 1, tokensUsed, violations);
        }

        CapabilityRecord charged(long tokens) {
            return new CapabilityRecord(descriptor, invocations, tokensUsed + tokens, violations);
        }

        CapabilityRecord violated() {
            return new CapabilityRecord(descriptor, invocations, tokensUsed, violations + 1);
        }
    }
}
