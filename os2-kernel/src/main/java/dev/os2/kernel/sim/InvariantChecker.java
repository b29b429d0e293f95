package dev.os2.kernel.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.os2.kernel.Budget;
import dev.os2.kernel.Grant;
import dev.os2.kernel.GrantId;
import dev.os2.kernel.Kernel;
import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.KernelToken;
import dev.os2.kernel.TokenId;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.EventListener;
import dev.os2.ledger.Subscription;
import dev.os2.ledger.VerifyResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Checks a kernel's invariants as it runs: on every ledger entry as it is recorded, and on the
 * whole state after every step.
 *
 * <ul>
 *   <li>Entries: positions without gaps; virtual time never goes back (the clock is monotonic);
 *       every effect names a token or grant whose input was recorded earlier (inputs are recorded
 *       before their effects); a token starts only under a grant in force that belongs to its
 *       subject and capability; a token never ends having charged more than its budget.
 *   <li>State: no token is left running between steps; no live token is over budget; waiting and
 *       ready tokens agree with their pending dependencies; every grant in force has an ancestor
 *       chain in force with limits no narrower than its own, and has not expired; the counts add up.
 *   <li>{@link #finish()}: the ledger verifies.
 * </ul>
 *
 * Problems are collected, not thrown, so a run reports all it found; a test asserts there are none.
 * Not thread-safe: use from the kernel's thread.
 */
public final class InvariantChecker implements EventListener {

    private final Kernel kernel;
    private final List<String> problems = new ArrayList<>();
    private final Subscription subscription;
    private long lastPosition;
    private long lastTime;
    private long maxTokenRecorded;
    private long maxGrantRecorded;

    private InvariantChecker(Kernel kernel) {
        this.kernel = kernel;
        KernelState s = kernel.state();
        this.lastPosition = kernel.ledger().size() - 1;
        this.lastTime = s.clock();
        this.maxTokenRecorded = s.nextTokenId().value() - 1;
        this.maxGrantRecorded = s.nextGrantId().value() - 1;
        this.subscription = kernel.subscribe(kernel.ledger().size(), this);
    }

    /** Starts checking {@code kernel} from its next entry on. */
    public static InvariantChecker attach(Kernel kernel) {
        return new InvariantChecker(kernel);
    }

    /** What was found so far; empty when every invariant held. */
    public List<String> problems() {
        if (!subscription.active()) {
            List<String> all = new ArrayList<>(problems);
            all.add("the checker's subscription ended: " + subscription.failure().map(Throwable::toString).orElse("closed"));
            return all;
        }
        return Collections.unmodifiableList(problems);
    }

    /** Stops listening. */
    public void detach() {
        subscription.close();
    }

    @Override
    public void onEvent(EventEnvelope e) {
        try {
            check(e);
        } catch (RuntimeException bug) {
            problems.add("position " + e.position() + ": the checker failed on " + e.kind() + ": " + bug);
        }
    }

    private void check(EventEnvelope e) {
        if (e.position() != lastPosition + 1) {
            problems.add("position " + e.position() + " follows " + lastPosition);
        }
        lastPosition = e.position();
        if (e.virtualTime() < lastTime) {
            problems.add("position " + e.position() + ": the clock went back from " + lastTime + " to " + e.virtualTime());
        }
        lastTime = e.virtualTime();
        JsonNode p = e.payload().toJsonNode();
        String kind = e.kind();
        switch (kind) {
            case "submit_token" -> maxTokenRecorded = Math.max(maxTokenRecorded, p.get("token").asLong());
            case "submit_tokens" -> maxTokenRecorded = Math.max(maxTokenRecorded, p.get("first").asLong() + p.get("tokens").size() - 1);
            // Grant ids go to accepted grants and derivations in order, so there are never more than inputs for them.
            case "grant_capability", "derive_capability" -> maxGrantRecorded++;
            case KernelEvents.CAPABILITY_GRANTED, KernelEvents.CAPABILITY_DERIVED, KernelEvents.CAPABILITY_REVOKED,
                    KernelEvents.GRANT_EXPIRED -> {
                if (p.get("grant").asLong() > maxGrantRecorded) {
                    problems.add("position " + e.position() + ": " + kind + " of grant g" + p.get("grant") + " before its input");
                }
            }
            default -> {
            }
        }
        JsonNode token = p.get("token");
        if (token == null || Codec.isInputKind(kind)) {
            return;
        }
        long id = token.asLong();
        if (id > maxTokenRecorded) {
            problems.add("position " + e.position() + ": " + kind + " of token t" + id + " before its input");
            return;
        }
        KernelState s = kernel.state();
        Optional<KernelToken> live = s.token(new TokenId(id));
        switch (kind) {
            case KernelEvents.TOKEN_STARTED -> {
                KernelToken t = live.orElse(null);
                if (t == null || t.status() != KernelToken.Status.READY) {
                    problems.add("position " + e.position() + ": token t" + id + " starts but is " + (t == null ? "not live" : t.status()));
                    return;
                }
                Optional<Grant> g = s.grant(new GrantId(p.get("grant").asLong()));
                if (g.isEmpty() || g.get().status() != Grant.Status.ACTIVE || !g.get().subject().equals(t.subject())
                        || !g.get().capabilityId().equals(t.capabilityId()) || s.clock() >= g.get().expiresAtTick()) {
                    problems.add("position " + e.position() + ": token t" + id + " starts without a grant in force: " + g);
                }
            }
            case KernelEvents.TOKEN_COMPLETED, KernelEvents.TOKEN_FAILED, KernelEvents.TOKEN_CANCELLED,
                    KernelEvents.RESOURCE_BUDGET_EXCEEDED, KernelEvents.CAPABILITY_VIOLATION -> {
                if (live.isEmpty()) {
                    problems.add("position " + e.position() + ": " + kind + " of token t" + id + ", which is not live");
                } else {
                    checkBudget(e.position(), live.get());
                }
            }
            default -> {
            }
        }
    }

    private void checkBudget(long position, KernelToken t) {
        Budget b = t.budget();
        KernelToken.Usage u = t.usage();
        if (u.tokens() > b.tokens() || u.memoryBytes() > b.memoryBytes() || u.networkBytes() > b.networkBytes()) {
            problems.add("position " + position + ": token " + t.id() + " charged " + u + " beyond its budget " + b);
        }
    }

    /** Checks the whole state; call between steps. */
    public void afterStep() {
        KernelState s = kernel.state();
        long live = 0;
        for (KernelToken t : s.liveTokens()) {
            live++;
            checkBudget(-1, t);
            switch (t.status()) {
                case RUNNING -> problems.add("token " + t.id() + " is still running between steps");
                case WAITING, READY -> {
                    long pending = t.dependencies().stream().filter(d -> s.token(d).isPresent()).count();
                    boolean waiting = t.status() == KernelToken.Status.WAITING;
                    if (waiting != (pending > 0)) {
                        problems.add("token " + t.id() + " is " + t.status() + " with " + pending + " live dependencies");
                    }
                }
                default -> problems.add("token " + t.id() + " is live with final status " + t.status());
            }
            if (t.budget().deadlineTicks() != Budget.UNLIMITED && t.status() == KernelToken.Status.RUNNING
                    && s.clock() > t.submittedAtTick() + t.budget().deadlineTicks()) {
                problems.add("token " + t.id() + " runs past its deadline");
            }
        }
        KernelState.TokenCounts c = s.counts();
        if (c.submitted() != c.ended() + live || c.submitted() != s.nextTokenId().value() - 1) {
            problems.add("token counts do not add up: " + c + " with " + live + " live, next id " + s.nextTokenId());
        }
        for (Grant g : s.grants()) {
            if (g.status() != Grant.Status.ACTIVE) {
                continue;
            }
            if (s.clock() >= g.expiresAtTick()) {
                problems.add("grant " + g.id() + " is in force past its expiry " + g.expiresAtTick() + " at " + s.clock());
            }
            if (g.parent() != null) {
                Grant p = s.grant(g.parent()).orElseThrow();
                if (p.status() != Grant.Status.ACTIVE) {
                    problems.add("grant " + g.id() + " is in force but its parent " + p.id() + " is " + p.status());
                }
                if (g.tokenCeiling() > p.tokenCeiling() || g.maxInvocations() > p.maxInvocations()
                        || g.expiresAtTick() > p.expiresAtTick() || !p.capabilityId().equals(g.capabilityId())) {
                    problems.add("grant " + g.id() + " is wider than its parent " + p.id() + ": " + g + " vs " + p);
                }
            }
        }
        if (kernel.ledger().size() > 0 && kernel.ledger().head().orElseThrow().virtualTime() > s.clock()) {
            problems.add("the last entry's time is after the clock " + s.clock());
        }
    }

    /** Verifies the whole ledger; call at the end of a run. */
    public void finish() {
        VerifyResult v = kernel.ledger().verify();
        if (!v.intact()) {
            problems.add("the ledger does not verify: " + v);
        }
    }

    /** Knows which entry kinds record inputs. */
    private static final class Codec {
        static boolean isInputKind(String kind) {
            return switch (kind) {
                case "submit_token", "submit_tokens", "cancel_token", "register_capability", "grant_capability",
                        "derive_capability", "revoke_capability", "tick", "policy_loaded" -> true;
                default -> false;
            };
        }
    }
}
