package dev.os2.kernel;

import static dev.os2.kernel.Fixture.cap;
import static dev.os2.kernel.Fixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.Hash;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse throws a typed exception and records nothing; policy refusals are recorded answers. */
class BadInputTest {

    private static Kernel kernel() {
        Kernel k = Kernel.create(KernelConfig.builder().maxPayloadBytes(1024)
                .capability(CapabilityDescriptor.builder("fs.read").field("path", CapabilityDescriptor.JsonType.STRING).build(),
                        Fixture.CHARGING).build());
        Fixture.grant(k, "alice", "fs.read");
        return k;
    }

    private static <T extends Throwable> T refusedWithoutTrace(Kernel k, Class<T> type, Executable misuse) {
        long size = k.ledger().size();
        Hash head = k.ledger().headHash();
        Hash state = k.state().stateHash();
        T e = assertThrows(type, misuse);
        assertEquals(size, k.ledger().size(), "misuse was recorded: " + e);
        assertEquals(head, k.ledger().headHash());
        assertEquals(state, k.state().stateHash());
        return e;
    }

    @Test
    void misuseIsRefusedBeforeAnythingIsRecorded() {
        try (Kernel k = kernel()) {
            CanonicalJson args = json("{\"path\":\"/a\"}");
            refusedWithoutTrace(k, NullPointerException.class, () -> k.execute(null));
            refusedWithoutTrace(k, NullPointerException.class, () -> k.execute(KernelInput.SubmitToken.of(null, "fs.read", args)));
            refusedWithoutTrace(k, NullPointerException.class, () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.read", null)));
            assertEquals(InvalidInputException.Reason.INVALID_VALUE, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.read", args).withBudget(Budget.ofTokens(-5)))).reason());
            refusedWithoutTrace(k, InvalidInputException.class, () -> new Budget(0, 0, 0, Budget.MAX_FINITE + 1));
            assertEquals(InvalidInputException.Reason.UNKNOWN_CAPABILITY, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.write", args))).reason());
            assertEquals(InvalidInputException.Reason.UNKNOWN_CAPABILITY, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(new KernelInput.GrantCapability("alice", "fs.write", GrantTerms.UNRESTRICTED))).reason());
            assertEquals(InvalidInputException.Reason.PAYLOAD_TOO_LARGE, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.read", json("{\"path\":\"" + "p".repeat(2000) + "\"}")))).reason());
            assertEquals(InvalidInputException.Reason.UNKNOWN_TOKEN, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(new KernelInput.CancelToken(new TokenId(99)))).reason());
            assertEquals(InvalidInputException.Reason.UNKNOWN_GRANT, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(new KernelInput.RevokeCapability(new GrantId(99)))).reason());
            assertEquals(InvalidInputException.Reason.UNKNOWN_GRANT, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.read", args).withGrant(new GrantId(99)))).reason());
            assertEquals(InvalidInputException.Reason.NOT_ALLOWED, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.read", args).withDependencies(TokenRef.batch(0)))).reason());
            assertEquals(InvalidInputException.Reason.DUPLICATE_CAPABILITY, refusedWithoutTrace(k, InvalidInputException.class,
                    () -> k.execute(new KernelInput.RegisterCapability(cap("fs.read"), Fixture.CHARGING))).reason());
            refusedWithoutTrace(k, InvalidInputException.class, () -> k.execute(KernelInput.SubmitToken.of("al ice", "fs.read", args)));
            refusedWithoutTrace(k, InvalidInputException.class, () -> k.execute(KernelInput.SubmitToken.of("alice", "FS", args)));
            refusedWithoutTrace(k, InvalidInputException.class, () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.read", json("[1]"))));
            refusedWithoutTrace(k, InvalidInputException.class, () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.read", args).withPriority(40_000)));
            refusedWithoutTrace(k, InvalidInputException.class, () -> k.execute(new KernelInput.Tick(0)));
            refusedWithoutTrace(k, InvalidInputException.class, () -> k.execute(new KernelInput.SubmitTokens(List.of())));
            refusedWithoutTrace(k, InvalidInputException.class, () -> KernelConfig.builder().queueCapacity(0).build());
            // Through offer(), misuse that depends on the state arrives as the future's exception.
            var f = k.offer(KernelInput.SubmitToken.of("alice", "fs.write", args));
            long size = k.ledger().size();
            k.step();
            assertEquals(size, k.ledger().size());
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            assertEquals(InvalidInputException.class, e.getCause().getClass());
        }
    }

    @Test
    void aClosedKernelRefusesEverything() {
        Kernel k = kernel();
        k.close();
        k.close();
        CanonicalJson args = json("{\"path\":\"/a\"}");
        assertThrows(KernelClosedException.class, () -> k.execute(KernelInput.SubmitToken.of("alice", "fs.read", args)));
        assertThrows(KernelClosedException.class, () -> k.offer(new KernelInput.Tick(1)));
        assertThrows(KernelClosedException.class, k::step);
        assertThrows(KernelClosedException.class, k::runUntilIdle);
    }

    @Test
    void policyRefusalsAreRecordedAndOtherwiseChangeNothing() {
        try (Kernel k = kernel()) {
            KernelState before = k.state();
            long size = k.ledger().size();
            KernelResponse noGrant = Fixture.submit(k, "bob", "fs.read", "{\"path\":\"/a\"}");
            assertEquals(KernelResponse.Disposition.REJECTED, noGrant.disposition());
            assertEquals("not_granted", noGrant.reason());
            assertEquals(size, noGrant.position());
            assertEquals(k.ledger().read(size).hash(), noGrant.hash());
            assertEquals("submit_token", k.ledger().read(size).kind());
            assertEquals(KernelEvents.TOKEN_REJECTED, k.ledger().read(size + 1).kind());
            KernelResponse shape = Fixture.submit(k, "alice", "fs.read", "{\"path\":7}");
            assertEquals("invalid_shape", shape.reason());
            assertEquals("field path must be string, got number", shape.detail());
            assertEquals("invalid_shape", Fixture.submit(k, "alice", "fs.read", "{}").reason());
            KernelState after = k.state();
            // Only the audit trail and the id counter moved: no token, grant or usage changed.
            assertEquals(before.liveTokenCount(), after.liveTokenCount());
            assertEquals(before.grants(), after.grants());
            assertEquals(before.capabilities(), after.capabilities());
            assertEquals(before.clock(), after.clock());
            assertEquals(3, after.counts().rejected());
        }
    }

    @Test
    void aHandlerCannotReenterTheKernel() {
        Kernel[] self = new Kernel[1];
        Throwable[] seen = new Throwable[2];
        try (Kernel k = Kernel.create(KernelConfig.builder().capability(cap("x.y"), (ctx, args) -> {
            try {
                self[0].execute(new KernelInput.Tick(1));
            } catch (IllegalStateException e) {
                seen[0] = e;
            }
            try {
                self[0].runUntilIdle();
            } catch (IllegalStateException e) {
                seen[1] = e;
            }
            return CanonicalJson.NULL;
        }).build())) {
            self[0] = k;
            Fixture.grant(k, "alice", "x.y");
            Fixture.submit(k, "alice", "x.y", "{}");
            k.runUntilIdle();
            assertEquals(IllegalStateException.class, seen[0].getClass());
            assertEquals(IllegalStateException.class, seen[1].getClass());
            assertEquals(0, k.state().clock());
        }
    }
}
