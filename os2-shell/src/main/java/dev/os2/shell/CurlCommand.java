package dev.os2.shell;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code curl [-I] [--max-bytes N] URL}: fetches a URL through the {@code net.http} capability,
 * which is denied until granted with a scope of allowed hosts (see {@link HttpFetchHandler}).
 */
@Command(name = "curl",
        usageHelpAutoWidth = true,
        header = "Fetch a URL from an allowed host (capability net.http).",
        description = {
            "Fetch URL with HTTP GET (or HEAD with -I) and write the body to standard output, through the capability "
                    + "net.http: only hosts in the grant's scope are reached, with no proxy and no redirects followed. "
                    + "The status, size and SHA-256 of the body are recorded in the ledger. Denied until granted: "
                    + "`cap-grant net.http operator --scope '{\"hosts\":[\"example.org\"]}'`.",
            "Exit 0 when fetched (whatever the HTTP status), 1 when denied or failed (recorded), 2 for a usage error."
        })
public final class CurlCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = {"-I", "--head"}, description = "Send HEAD instead of GET.")
    private boolean head;

    @Option(names = "--max-bytes", paramLabel = "N", description = "Read at most N bytes of the body (default 8 MiB).")
    private Long maxBytes;

    @Option(names = "--subject", paramLabel = "S", defaultValue = ShellCapabilities.OPERATOR,
            description = "Fetch as subject S, which must hold net.http (default ${DEFAULT-VALUE}).")
    private String subject;

    @Option(names = "--json", description = "Print the recorded result (status, bytes, sha256, text of a small body) as JSON.")
    private boolean json;

    @Parameters(index = "0", paramLabel = "URL", description = "An http:// or https:// URL.")
    private String url;

    /** Creates the command for {@code session}; picocli calls this through the session factory. */
    public CurlCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        String host = "example.org";
        try {
            URI uri = new URI(url);
            if (uri.getHost() != null) {
                host = uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
            }
        } catch (java.net.URISyntaxException e) {
            throw new InputException("not a URL: " + Table.clean(Table.fit(url, 200)), "Give an http:// or https:// URL.");
        }
        ObjectNode args = LedgerVerifyCommand.JSON.createObjectNode();
        args.put("url", url);
        if (head) {
            args.put("method", "HEAD");
        }
        if (maxBytes != null) {
            args.put("max_bytes", maxBytes);
        }
        return ToolRunner.run(session, spec.commandLine().getOut(), spec.commandLine().getErr(), common, "curl",
                ShellCapabilities.NET_HTTP, args, subject, "{\"hosts\":[\"" + host + "\"]}", json);
    }
}
