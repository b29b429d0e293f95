package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerKeys;
import dev.os2.ledger.PublicKey;
import dev.os2.snapshot.SnapshotAuth;
import dev.os2.snapshot.SnapshotFileException;
import dev.os2.snapshot.SnapshotId;
import dev.os2.snapshot.SnapshotVerification;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code snapshot-verify ID|BUNDLE}: checks a snapshot bundle, its signed token and the workspace's
 * ledger: exit 0 when it holds, 1 with the reason when it does not.
 */
@Command(name = "snapshot-verify",
        usageHelpAutoWidth = true,
        header = "Check a snapshot: bundle, state hash, signed token, ledger chain.",
        description = {
            "Check snapshot ID from the workspace's snapshots/ folder, or a bundle FILE from anywhere: its frames and "
                    + "checksum, that its state hashes to its header's state hash, the token's signature (the workspace key "
                    + "unless --public-key is given) and that the token names exactly this snapshot, and that the "
                    + "workspace's ledger holds the snapshot's entry at its position with its head hash, in an intact chain "
                    + "from genesis. The token is ID.token.json beside the bundle unless --token is given. Read-only.",
            "Exit 1 with the reason when any check fails."
        })
public final class SnapshotVerifyCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID|BUNDLE", completionCandidates = SnapshotIds.class,
            description = "A snapshot id (s<position>) or a bundle file.")
    private String target;

    @Option(names = "--token", paramLabel = "FILE", description = "The token file. Default: ID.token.json beside the bundle.")
    private Path token;

    @Option(names = "--public-key", paramLabel = "FILE", description = "The signer's public key file. Default: the workspace key's.")
    private Path publicKey;

    @Option(names = "--key", paramLabel = "NAME", defaultValue = LedgerKeys.DEFAULT_KEY_NAME,
            description = "The workspace key to check with when --public-key is not given. Default: ${DEFAULT-VALUE}.")
    private String keyName;

    @Option(names = "--json", description = "Print the verdict as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotVerifyCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Workspace ws = common.workspace();
        Path bundle = SnapshotId.isId(target) ? SnapshotShowCommand.store(ws).bundleFile(SnapshotId.parse(target)) : Path.of(target);
        if (!Files.exists(bundle)) {
            throw new InputException("there is no " + (SnapshotId.isId(target) ? "snapshot " + target + " (" + bundle + ")" : "file " + bundle),
                    "`" + session.hint("snapshot-list" + common.workspaceHint(session)) + "` lists the snapshots there are.");
        }
        PublicKey key;
        if (publicKey != null) {
            key = PublicKey.read(publicKey);
        } else {
            LedgerKeys keys = LedgerKeys.at(ws.keysDirectory());
            boolean present;
            try {
                present = keys.contains(keyName);
            } catch (IllegalArgumentException e) {
                throw new InputException("--key " + Table.clean(Table.fit(keyName, 80)) + " is not a valid key name",
                        "Use 1 to 64 characters from a-z, 0-9, _ and -, starting with a letter or digit.");
            }
            if (!present) {
                throw new InputException("the workspace has no key named " + keyName + " to check the token with",
                        "Pass --public-key with the signer's public key file, or mint a token with snapshot-auth first.");
            }
            key = keys.load(keyName).publicKey();
        }
        SnapshotVerification v;
        try (Ledger ledger = common.openLedgerReadOnly(session)) {
            v = SnapshotAuth.verify(ledger, bundle, token, key);
        } catch (SnapshotFileException e) {
            throw SnapshotShowCommand.inputError(e, session);
        }
        PrintWriter out = spec.commandLine().getOut();
        printVerdict(out, json, v, Style.of(session));
        out.flush();
        return v.valid() ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }

    /** Prints a verdict as a line (or JSON): valid with what holds, or the reason and detail. */
    static void printVerdict(PrintWriter out, boolean json, SnapshotVerification v, Style style) {
        if (json) {
            ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
            o.put("valid", v.valid());
            switch (v) {
                case SnapshotVerification.Valid ok -> {
                    o.put("snapshot", ok.snapshot().toString());
                    o.put("position", ok.position());
                    o.put("head_hash", ok.headHash().toHex());
                    o.put("state_hash", ok.stateHash().toHex());
                    if (ok.keyId() == null) {
                        o.putNull("key_id");
                    } else {
                        o.put("key_id", ok.keyId());
                    }
                }
                case SnapshotVerification.Invalid bad -> o.put("reason", bad.reason().name().toLowerCase(Locale.ROOT));
            }
            o.put("detail", v.detail());
            out.println(o);
            return;
        }
        switch (v) {
            case SnapshotVerification.Valid ok -> out.println(style.good("valid") + ": " + ok.detail() + ".");
            case SnapshotVerification.Invalid bad -> out.println(style.bad("invalid") + " ("
                    + bad.reason().name().toLowerCase(Locale.ROOT) + "): " + bad.detail() + ".");
        }
    }
}
