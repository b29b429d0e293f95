package dev.os2.shell;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.ledger.Hash;
import dev.os2.ledger.Ledger;
import dev.os2.ledger.VerifyResult;
import dev.os2.shell.docs.Checkout;
import dev.os2.shell.docs.GeneratedFile;
import dev.os2.shell.docs.JsonText;
import dev.os2.shell.docs.PomException;
import dev.os2.shell.docs.ReleaseManifest;
import dev.os2.snapshot.ReadyFlag;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code release-manifest}: writes {@code releases/<version>/manifest.json} (see
 * {@link ReleaseManifest} for its format) from the checkout's poms and built jars, the release
 * workspace's verified ledger and the benchmark reports of the release.
 */
@Command(name = "release-manifest",
        usageHelpAutoWidth = true,
        header = "Write releases/VERSION/manifest.json: versions, jar checksums, ledger head, benchmark summary.",
        description = {
            "Collect what a release is made of and write it to RELEASES/VERSION/manifest.json with a fixed member order: "
                    + "the project and Java versions and every managed dependency's version (from the poms), the SHA-256 "
                    + "of every jar in each module's build folder (run a package build first), the workspace's ledger "
                    + "verified in deep mode (entries, chain id, head), the version's kernel-ready flag, the snapshots "
                    + "archived under RELEASES/VERSION/snapshots/, and a summary of the benchmark reports in "
                    + "RELEASES/TAG/benchmarks/*.json (deterministic-benchmark) and RELEASES/TAG/jmh/*.json (JMH's JSON "
                    + "results). The ledger is opened read-only.",
            "Exit 1 when the ledger is broken (nothing is written); 2 when a jar is missing or older than its sources, "
                    + "there is no ledger, or the manifest exists and --force is not given."
        })
public final class ReleaseManifestCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Mixin
    private CheckoutOption root;

    @Option(names = "--version", paramLabel = "VERSION", required = true,
            description = "The release version: 1 to 64 characters from A-Z, a-z, 0-9 and . _ + -, for example 0.1.0.")
    private String version;

    @Option(names = "--tag", paramLabel = "TAG",
            description = "The tag the benchmark reports were written under (deterministic-benchmark run --tag). Default: VERSION.")
    private String tag;

    @Option(names = "--releases", paramLabel = "DIR",
            description = "The releases folder. Default: releases/ of the checkout.")
    private Path releases;

    @Option(names = "--build-dir", paramLabel = "NAME", defaultValue = "target",
            description = "The modules' build folder name. Default: ${DEFAULT-VALUE}.")
    private String buildDirectory;

    @Option(names = "--force", description = "Replace an existing manifest.")
    private boolean force;

    @Option(names = "--json", description = "Also print the manifest on standard output.")
    private boolean json;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public ReleaseManifestCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        checkName("--version", version);
        String releaseTag = tag == null ? version : tag;
        checkName("--tag", releaseTag);
        if (buildDirectory.isEmpty() || buildDirectory.contains("/") || buildDirectory.contains("\\") || buildDirectory.startsWith(".")) {
            throw new InputException("--build-dir must be a folder name inside each module, got '" + Table.clean(buildDirectory) + "'",
                    "Use the name of the build folder, for example target.");
        }
        Checkout checkout = root.checkout();
        Path releasesDir = (releases == null ? checkout.releases() : releases).toAbsolutePath().normalize();
        Path file = releasesDir.resolve(version).resolve(ReleaseManifest.FILE);
        if (Files.exists(file) && !force) {
            throw new InputException(file + " already exists", "Pass --force to replace it, or choose another --version.");
        }
        PrintWriter out = spec.commandLine().getOut();
        ReleaseManifest.LedgerHead head;
        ObjectNode readyFlag;
        try (Ledger ledger = common.openLedgerReadOnly(session)) {
            VerifyResult result = ledger.verify(Ledger.VerifyMode.DEEP);
            if (result instanceof VerifyResult.Broken broken) {
                out.println("Not written: the ledger of " + common.workspace() + " is broken at position " + broken.position() + ": "
                        + LedgerVerifyCommand.problemName(broken.problem()).replace('_', ' ') + ": " + broken.detail());
                out.flush();
                return Os2.EXIT_CHECK_FAILED;
            }
            Hash chainId = ledger.chainId().orElseThrow(() -> new InputException("the ledger of " + common.workspace() + " is empty",
                    "Release from the workspace whose ledger holds the release snapshot."));
            VerifyResult.Intact intact = (VerifyResult.Intact) result;
            head = new ReleaseManifest.LedgerHead(intact.verifiedEntries(), chainId.toHex(), intact.head().toHex(), "deep");
            readyFlag = readyFlag(ReadyFlag.status(ledger, version));
        }
        ObjectNode manifest;
        try {
            manifest = ReleaseManifest.build(checkout, buildDirectory, version, releaseTag, releasesDir, head, readyFlag);
        } catch (ReleaseManifest.BuildMissingException e) {
            throw new InputException("the build is not complete: " + e.getMessage(),
                    "Build every module first, from " + checkout.root() + ": ./mvnw -B package (after ./os2 test, add -DskipTests).");
        } catch (PomException e) {
            throw new InputException(e.getMessage(), "Fix the pom.xml; the build would fail on it too.");
        }
        String text = JsonText.pretty(manifest);
        try {
            GeneratedFile.write(file, text);
        } catch (UncheckedIOException e) {
            throw new InputException("cannot write " + file + ": " + Workspace.describe(e.getCause()),
                    "Check the permissions of the releases folder, or pass --releases DIR.");
        }
        if (json) {
            out.print(text);
        } else {
            out.println("Wrote " + file + ":");
            out.println("  " + manifest.path("modules").size() + " modules, " + manifest.path("modules").findValues("sha256").size()
                    + " jars hashed; ledger intact, " + head.entries() + " entries, head " + head.head());
            out.println("  ready flag: " + readyFlag.path("flag").asText()
                    + (readyFlag.has("snapshot") ? " (" + readyFlag.path("snapshot").asText() + ")" : "")
                    + "; " + manifest.path("snapshots").size() + " archived snapshot files; "
                    + manifest.path("benchmarks").path("deterministic").size() + " deterministic-benchmark and "
                    + manifest.path("benchmarks").path("jmh").size() + " JMH report files");
        }
        out.flush();
        return Os2.EXIT_OK;
    }

    private static ObjectNode readyFlag(ReadyFlag.Status status) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        switch (status) {
            case ReadyFlag.Status.Set s -> {
                o.put("flag", "set");
                o.put("snapshot", s.snapshot().toString());
                o.put("entry", s.entry());
            }
            case ReadyFlag.Status.Cleared c -> {
                o.put("flag", "cleared");
                o.put("entry", c.entry());
            }
            case ReadyFlag.Status.Unset u -> o.put("flag", "unset");
        }
        return o;
    }

    /** A version or tag names a folder: a short, plain name. */
    private static void checkName(String option, String value) {
        boolean ok = !value.isEmpty() && value.length() <= 64 && !value.startsWith(".");
        for (int i = 0; ok && i < value.length(); i++) {
            char c = value.charAt(i);
            ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-';
        }
        if (!ok) {
            throw new InputException(option + " '" + Table.clean(Table.fit(value, 80)) + "' is not a valid release name",
                    "Use 1 to 64 characters from A-Z, a-z, 0-9 and . _ + -, not starting with a dot.");
        }
    }
}
