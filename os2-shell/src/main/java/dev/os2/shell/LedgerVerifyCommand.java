package dev.os2.shell;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.Checkpoint;
import dev.os2.ledger.CheckpointVerification;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.PublicKey;
import dev.os2.ledger.VerifyResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger-verify}: checks the whole chain from genesis, read-only, and optionally a signed
 * checkpoint against it. Exit 0 when intact (and the checkpoint holds); exit 1 naming the first
 * bad position, the problem and the detail, or why the checkpoint does not hold.
 */
@Command(name = "ledger-verify",
        usageHelpAutoWidth = true,
        header = "Check the ledger's hash chain from genesis; exit 1 names the first bad position.",
        description = {
            "Check the workspace's ledger from genesis: every entry decodes, sits at its position, links to the "
                    + "previous entry's hash and matches its own hash. Opens the ledger read-only.",
            "With --checkpoint and --public-key, also check a signed checkpoint (from ledger-checkpoint): the "
                    + "signature, that this is the signed chain, and that its entry at the signed position still has "
                    + "the signed hash.",
            "Exit 0 when intact; 1 naming the first bad position and why (or why the checkpoint does not hold); "
                    + "2 when there is no ledger or a file cannot be read."
        })
public final class LedgerVerifyCommand implements Callable<Integer> {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    private boolean json;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "A checkpoint file written by ledger-checkpoint.")
    private Path checkpointFile;

    @Option(names = "--public-key", paramLabel = "FILE",
            description = "The public key file of the key that signed the checkpoint (keys/<name>.pub.json).")
    private Path publicKeyFile;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public LedgerVerifyCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if ((checkpointFile == null) != (publicKeyFile == null)) {
            throw new InputException(checkpointFile == null ? "--public-key was given without --checkpoint"
                    : "--checkpoint was given without --public-key",
                    "Give both: the checkpoint file and the public key file of the key that signed it.");
        }
        PublicKey key = publicKeyFile == null ? null : PublicKey.read(publicKeyFile);
        PrintWriter out = spec.commandLine().getOut();
        Style style = Style.of(session);
        VerifyResult result;
        CheckpointVerification checked = null;
        try (Ledger ledger = common.openLedgerReadOnly(session)) {
            if (key != null) {
                checked = Checkpoint.verify(ledger, checkpointFile, key);
            }
            result = ledger.verify();
        }
        if (json) {
            ObjectNode node = toJsonNode(result);
            if (checked != null) {
                node.set("checkpoint", toJsonNode(checked));
            }
            out.println(node);
        } else {
            if (checked != null) {
                switch (checked) {
                    case CheckpointVerification.Valid valid -> out.println(style.good("checkpoint holds") + ": signed by "
                            + valid.keyId() + ", chain intact through position " + valid.position() + ", head "
                            + valid.headHash().toHex());
                    case CheckpointVerification.Invalid invalid -> out.println(style.bad("checkpoint does not hold") + ": "
                            + lower(invalid.reason()).replace('_', ' ') + ": " + invalid.detail());
                }
            }
            switch (result) {
                case VerifyResult.Intact intact -> out.println(style.good("intact") + ": " + intact.verifiedEntries()
                        + (intact.verifiedEntries() == 1 ? " entry" : " entries") + ", head " + intact.head().toHex());
                case VerifyResult.Broken broken -> {
                    out.println(style.bad("broken") + " at position " + style.bold(Long.toString(broken.position())) + ": "
                            + problemName(broken.problem()).replace('_', ' ') + ": " + broken.detail());
                    out.println(broken.verifiedEntries() + (broken.verifiedEntries() == 1 ? " entry" : " entries")
                            + " before it verified; the first bad position is " + broken.position() + ".");
                }
            }
        }
        out.flush();
        boolean good = result.intact() && (checked == null || checked.valid());
        return good ? Os2.EXIT_OK : Os2.EXIT_CHECK_FAILED;
    }

    /** The result as one JSON object: {@code status}, then the counts, head or failure. */
    static String toJson(VerifyResult result) {
        return toJsonNode(result).toString();
    }

    private static ObjectNode toJsonNode(VerifyResult result) {
        ObjectNode node = JSON.createObjectNode();
        switch (result) {
            case VerifyResult.Intact intact -> {
                node.put("status", "intact");
                node.put("entries", intact.verifiedEntries());
                node.put("head", intact.head().toHex());
            }
            case VerifyResult.Broken broken -> {
                node.put("status", "broken");
                node.put("position", broken.position());
                node.put("problem", problemName(broken.problem()));
                node.put("detail", broken.detail());
                node.put("verified_entries", broken.verifiedEntries());
            }
        }
        return node;
    }

    private static ObjectNode toJsonNode(CheckpointVerification checked) {
        ObjectNode node = JSON.createObjectNode();
        switch (checked) {
            case CheckpointVerification.Valid valid -> {
                node.put("status", "valid");
                node.put("position", valid.position());
                node.put("head_hash", valid.headHash().toHex());
                node.put("key_id", valid.keyId());
            }
            case CheckpointVerification.Invalid invalid -> {
                node.put("status", "invalid");
                node.put("reason", lower(invalid.reason()));
                node.put("detail", invalid.detail());
                invalid.chainBreak().ifPresent(broken -> node.put("position", broken.position()));
            }
        }
        return node;
    }

    /** {@code HASH_MISMATCH} as {@code hash_mismatch}. */
    static String problemName(VerifyResult.Problem problem) {
        return lower(problem);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
