package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.Checkpoint;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.LedgerKeys;
import dev.os2.ledger.SigningKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger-checkpoint}: signs the ledger's head with the workspace's Ed25519 key (created on
 * first use), so that someone who was not there can later check, with only a copy of the ledger,
 * the checkpoint file and the public key file, that history through the head is unchanged.
 */
@Command(name = "ledger-checkpoint",
        usageHelpAutoWidth = true,
        header = "Sign the ledger's head with the workspace's Ed25519 key.",
        description = {
            "Verify the chain from genesis to the head and sign (chain id, head position, head hash) with the workspace's "
                    + "Ed25519 key, which is created in keys/ on first use. Writes the checkpoint file and prints where "
                    + "it and the public key file are: with a copy of the ledger, those two files are all that "
                    + "`ledger-verify --checkpoint FILE --public-key FILE` needs. Opens the ledger read-only.",
            "Exit 1 when the chain is broken (nothing is signed)."
        })
public final class LedgerCheckpointCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--key", paramLabel = "NAME", defaultValue = LedgerKeys.DEFAULT_KEY_NAME,
            description = "The signing key's name in the workspace's keys/ folder. Default: ${DEFAULT-VALUE}.")
    private String keyName;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write the checkpoint. Default: checkpoints/checkpoint-<position>.json in the workspace.")
    private Path out;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public LedgerCheckpointCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Workspace workspace = common.workspace();
        LedgerKeys keys = LedgerKeys.at(workspace.keysDirectory());
        boolean created;
        try {
            created = !keys.contains(keyName);
        } catch (IllegalArgumentException e) {
            throw new InputException("--key " + Table.clean(Table.fit(keyName, 80)) + " is not a valid key name",
                    "Use 1 to 64 characters from a-z, 0-9, _ and -, starting with a letter or digit.");
        }
        Checkpoint checkpoint;
        try (Ledger ledger = common.openLedgerReadOnly(session)) {
            if (ledger.size() == 0) {
                throw new InputException("the ledger in " + workspace.directory() + " is empty: there is no head to sign",
                        "Append entries first, for example with `" + session.hint("ledger-demo") + "`.");
            }
            SigningKey key = keys.loadOrCreate(keyName);
            checkpoint = Checkpoint.sign(ledger, key);
        }
        Path file = (out != null ? out : workspace.create().checkpointsDirectory()
                .resolve("checkpoint-" + checkpoint.position() + ".json")).toAbsolutePath().normalize();
        checkpoint.write(file);
        Path publicKey = keys.publicKeyFile(keyName).toAbsolutePath().normalize();

        PrintWriter printer = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = LedgerVerifyCommand.JSON.createObjectNode();
            node.put("position", checkpoint.position());
            node.put("head_hash", checkpoint.headHash().toHex());
            node.put("chain_id", checkpoint.chainId().toHex());
            node.put("key_id", checkpoint.keyId());
            node.put("key_created", created);
            node.put("checkpoint_file", file.toString());
            node.put("public_key_file", publicKey.toString());
            printer.println(node);
        } else {
            Style style = Style.of(session);
            printer.println("Signed the ledger's head: position " + style.bold(Long.toString(checkpoint.position()))
                    + ", hash " + checkpoint.headHash().toHex() + ",");
            printer.println("with key " + checkpoint.keyId() + (created ? " (created now in " + keys.signingKeyFile(keyName)
                    + "; keep that file private)" : "") + ".");
            printer.println("  checkpoint  " + file);
            printer.println("  public key  " + publicKey);
            printer.println("With a copy of the ledger, these two files let anyone check that its history through position "
                    + checkpoint.position() + " is unchanged:");
            printer.println("  " + style.name(session.hint("ledger-verify --checkpoint " + shellWord(file)
                    + " --public-key " + shellWord(publicKey)
                    + (workspace.equals(Workspace.at(session.defaultWorkspace())) ? "" : " --workspace " + shellWord(workspace.directory())))));
        }
        printer.flush();
        return Os2.EXIT_OK;
    }

    /** {@code path} quoted for a POSIX shell when it needs to be. */
    static String shellWord(Path path) {
        String text = path.toString();
        return text.matches("[A-Za-z0-9._/+@:=-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
