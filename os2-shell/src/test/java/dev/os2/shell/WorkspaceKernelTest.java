package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.kernel.KernelEvents;
import dev.os2.kernel.KernelState;
import dev.os2.kernel.KernelToken;
import dev.os2.kernel.TokenId;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.ChronicleLedger;
import dev.os2.ledger.EventDraft;
import dev.os2.ledger.EventEnvelope;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WorkspaceKernel} on real Chronicle workspaces: a new workspace gets a kernel, a reopened
 * one the same state (read-write and read-only alike), a ledger cut while a handler ran is read as
 * a recovery would see it without writing anything, and ledgers that are not a workspace kernel's
 * or do not replay are refused with the right exception and nothing written.
 */
class WorkspaceKernelTest {

    @TempDir
    Path dir;

    @Test
    void aNewWorkspaceGetsAKernelAndReopeningGivesTheSameState() {
        Workspace ws = Workspace.at(dir.resolve("ws"));
        KernelState created;
        try (WorkspaceKernel wk = WorkspaceKernel.open(ws)) {
            assertEquals(0, wk.sizeAtOpen());
            assertEquals(1, wk.ledger().size());
            assertEquals(KernelEvents.KERNEL_STARTED, wk.ledger().read(0).kind());
            assertEquals(WorkspaceKernel.DEFAULT_SEED, wk.state().seed());
            created = wk.state();
        }
        assertEquals(0, CliRun.run(Session.of(Map.of()), "ledger-demo", "--workspace", ws.directory().toString()).status());
        KernelState afterDemo;
        try (WorkspaceKernel wk = WorkspaceKernel.open(ws)) {
            // kernel_started, then the first demo: the shell's five capabilities and the operator's two
            // grants (14 entries), the demo's two capabilities (4), and what every demo round records.
            assertEquals(LedgerCommandsTest.LATER_DEMO_ENTRIES + 19, wk.sizeAtOpen());
            assertEquals(wk.sizeAtOpen(), wk.ledger().size(), "reopening records nothing");
            assertTrue(wk.state().clock() > created.clock());
            afterDemo = wk.state();
        }
        try (WorkspaceKernel ro = WorkspaceKernel.openReadOnly(ws)) {
            assertTrue(ro.readOnly());
            assertEquals(afterDemo.stateHash(), ro.state().stateHash(), "replay and recovery agree");
            assertThrows(IllegalStateException.class, ro::kernel);
        }
    }

    @Test
    void aLedgerCutWhileAHandlerRanIsReadAsRecoveryWouldSeeIt() throws IOException {
        Workspace demo = demoWorkspace();
        // Position 24 is the charge of token 1; its token_completed (25) never made it to disk.
        Workspace cut = copy(demo, "cut", 25, UnaryOperator.identity());
        List<byte[]> before = KernelCommandsTest.queueFiles(cut.directory());
        KernelState seen;
        try (WorkspaceKernel ro = WorkspaceKernel.openReadOnly(cut)) {
            seen = ro.state();
            assertEquals(KernelToken.Status.FAILED, seen.status(new TokenId(1)).orElseThrow());
            assertEquals(25, ro.ledger().size());
        }
        List<byte[]> after = KernelCommandsTest.queueFiles(cut.directory());
        for (int i = 0; i < before.size(); i++) {
            assertTrue(java.util.Arrays.equals(before.get(i), after.get(i)), "the read-only open wrote nothing");
        }
        try (WorkspaceKernel wk = WorkspaceKernel.open(cut)) {
            assertEquals(26, wk.ledger().size(), "recovery records the failure");
            assertEquals(KernelEvents.TOKEN_FAILED, wk.ledger().read(25).kind());
            assertEquals(seen.stateHash(), wk.state().stateHash());
        }
    }

    @Test
    void ledgersThatAreNotAWorkspaceKernelsAreRefusedAndKeptAsTheyAre() throws IOException {
        // Not a kernel's ledger at all.
        Workspace foreign = Workspace.at(dir.resolve("foreign")).create();
        try (Ledger ledger = ChronicleLedger.open(foreign.ledgerDirectory())) {
            ledger.append(EventDraft.of("capability_registered", "fs.read", 1, CanonicalJson.parse("{\"v\":1}")));
        }
        for (boolean readOnly : new boolean[] {true, false}) {
            InputException e = assertThrows(InputException.class,
                    () -> (readOnly ? WorkspaceKernel.openReadOnly(foreign) : WorkspaceKernel.open(foreign)).close());
            assertTrue(e.problem().contains("was not written by an OS2 kernel: its first entry is capability_registered"),
                    e.problem());
        }
        try (Ledger ledger = ChronicleLedger.builder(foreign.ledgerDirectory()).readOnly(true).open()) {
            assertEquals(1, ledger.size(), "nothing was appended");
        }

        // A kernel's ledger, but with other settings than a workspace kernel's.
        Workspace demo = demoWorkspace();
        Workspace settings = copy(demo, "settings", Long.MAX_VALUE, d -> d.kind().equals(KernelEvents.KERNEL_STARTED)
                ? withPayload(d, d.payload().text().replace("\"max_live_tokens\":1000000", "\"max_live_tokens\":5")) : d);
        InputException other = assertThrows(InputException.class, () -> WorkspaceKernel.openReadOnly(settings).close());
        assertTrue(other.problem().contains("was written by a kernel with other settings"), other.problem());

        // An intact chain whose content was rewritten (hashes recomputed): it does not replay. The
        // changed charge (position 24) is a handler's recorded action, which replay repeats; the
        // clock it moved differs from the recorded one at the next entry.
        Workspace rewritten = copy(demo, "rewritten", Long.MAX_VALUE, d -> d.kind().equals(KernelEvents.CHARGE)
                ? withPayload(d, d.payload().text().replace("\"amount\":120", "\"amount\":119")) : d);
        LedgerException corrupt = assertThrows(LedgerException.class, () -> WorkspaceKernel.open(rewritten).close());
        assertEquals(LedgerException.Category.CORRUPT, corrupt.category());
        assertTrue(corrupt.getMessage().contains("does not replay: its hash chain is intact (ledger-verify passes), but "
                + "replay diverges at position 25"), corrupt.getMessage());
        CliRun verify = CliRun.run(Session.of(Map.of()), "ledger-verify", "--workspace", rewritten.directory().toString());
        assertEquals(0, verify.status(), verify.describe());
        CliRun list = CliRun.run(Session.of(Map.of()), "cap-list", "--workspace", rewritten.directory().toString());
        assertEquals(1, list.status(), list.describe());
        assertEquals(1, list.err().strip().lines().count(), list.describe());
    }

    private Workspace demoWorkspace() {
        Workspace ws = Workspace.at(dir.resolve("demo"));
        if (!ws.hasLedger()) {
            CliRun demo = CliRun.run(Session.of(Map.of()), "ledger-demo", "--workspace", ws.directory().toString());
            assertEquals(0, demo.status(), demo.describe());
        }
        return ws;
    }

    private static EventDraft withPayload(EventDraft d, String payload) {
        return new EventDraft(d.kind(), d.capabilityId(), d.virtualTime(), CanonicalJson.parse(payload), d.eventId());
    }

    /** A new workspace {@code name} whose ledger holds the first {@code limit} entries of {@code from}'s, each edited. */
    private Workspace copy(Workspace from, String name, long limit, UnaryOperator<EventDraft> edit) {
        Workspace to = Workspace.at(dir.resolve(name)).create();
        try (Ledger source = ChronicleLedger.builder(from.ledgerDirectory()).readOnly(true).open();
                Ledger target = ChronicleLedger.open(to.ledgerDirectory());
                Stream<EventEnvelope> entries = source.entries(0)) {
            Iterator<EventEnvelope> it = entries.limit(limit).iterator();
            while (it.hasNext()) {
                EventEnvelope e = it.next();
                target.append(edit.apply(new EventDraft(e.kind(), e.capabilityId(), e.virtualTime(), e.payload(), e.eventId())));
            }
        }
        return to;
    }
}
