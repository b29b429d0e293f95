package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerKeys;
import dev.os2.ledger.SigningKey;
import dev.os2.snapshot.SnapshotAuth;
import dev.os2.snapshot.SnapshotId;
import dev.os2.snapshot.SnapshotState;
import dev.os2.snapshot.SnapshotStore;
import dev.os2.snapshot.SnapshotToken;
import dev.os2.snapshot.SnapshotVerification;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code snapshot-auth ID}: mints a signed token for a snapshot with the workspace's Ed25519 key,
 * after checking that the snapshot is the one this workspace's ledger recorded at its position.
 */
@Command(name = "snapshot-auth",
        usageHelpAutoWidth = true,
        header = "Sign a snapshot: a token binding it to its ledger position and head.",
        description = {
            "Check snapshot ID (its bundle, and that the ledger's intact chain holds its snapshot_created entry with its "
                    + "head hash), then sign (snapshot id, state hash, chain id, position, head hash) with the workspace's "
                    + "Ed25519 key, which is created in keys/ on first use. The token is written beside the bundle as "
                    + "snapshots/ID.token.json; snapshot-verify checks it. Opens the ledger read-only.",
            "Exit 1 when the snapshot does not belong to this ledger (nothing is signed)."
        })
public final class SnapshotAuthCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID", completionCandidates = SnapshotIds.class,
            description = "The snapshot id.")
    private String id;

    @Option(names = "--key", paramLabel = "NAME", defaultValue = LedgerKeys.DEFAULT_KEY_NAME,
            description = "The signing key's name in the workspace's keys/ folder. Default: ${DEFAULT-VALUE}.")
    private String keyName;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public SnapshotAuthCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Workspace ws = common.workspace();
        SnapshotStore store = SnapshotShowCommand.store(ws);
        SnapshotId sid = SnapshotShowCommand.parseId(id, session);
        SnapshotState s = SnapshotShowCommand.read(store, sid, session);
        LedgerKeys keys = LedgerKeys.at(ws.keysDirectory());
        boolean created;
        try {
            created = !keys.contains(keyName);
        } catch (IllegalArgumentException e) {
            throw new InputException("--key " + Table.clean(Table.fit(keyName, 80)) + " is not a valid key name",
                    "Use 1 to 64 characters from a-z, 0-9, _ and -, starting with a letter or digit.");
        }
        SnapshotVerification v;
        try (Ledger ledger = common.openLedgerReadOnly(session)) {
            v = SnapshotAuth.verifyInLedger(ledger, s);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (v instanceof SnapshotVerification.Invalid invalid) {
            SnapshotVerifyCommand.printVerdict(out, json, invalid, Style.of(session));
            out.flush();
            return Os2.EXIT_CHECK_FAILED;
        }
        SigningKey key = keys.loadOrCreate(keyName);
        SnapshotToken token = SnapshotAuth.sign(s, key);
        Path file;
        try {
            file = store.putToken(token).toAbsolutePath().normalize();
        } catch (dev.os2.snapshot.SnapshotFileException e) {
            throw SnapshotShowCommand.inputError(e, session);
        }
        Path publicKey = keys.publicKeyFile(keyName).toAbsolutePath().normalize();
        if (json) {
            ObjectNode o = LedgerVerifyCommand.JSON.createObjectNode();
            o.put("snapshot", sid.toString());
            o.put("key_id", token.keyId());
            o.put("key_created", created);
            o.put("token_file", file.toString());
            o.put("public_key_file", publicKey.toString());
            out.println(o);
        } else {
            out.println("Signed snapshot " + Style.of(session).bold(sid.toString()) + " (position " + s.position() + ", state hash "
                    + s.header().stateHash().toShortHex() + ") with key " + token.keyId()
                    + (created ? " (created now in " + keys.signingKeyFile(keyName) + "; keep that file private)" : "") + ".");
            out.println("  token       " + file);
            out.println("  public key  " + publicKey);
            out.println("Check it with `" + session.hint("snapshot-verify " + sid + common.workspaceHint(session)) + "`.");
        }
        out.flush();
        return Os2.EXIT_OK;
    }
}
