package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.HandlerContext;
import dev.os2.ledger.CanonicalJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The handler of {@code net.http} (what {@code curl} runs): one HTTP GET or HEAD of a URL whose
 * host the grant's scope allows, {@code {"hosts": ["example.org", "127.0.0.1:8080"]}} (an entry
 * without a port allows every port of that host). A scope without {@code hosts} allows none.
 *
 * <p>No proxy, no redirects (a 3xx is the answer, with its {@code Location}), at most
 * {@code max_bytes} of body (default {@link #BODY_BYTES_DEFAULT}). The body's bytes are charged as
 * {@code network_bytes} before any of it is shown; the result (recorded) holds the status, the byte
 * count, the body's SHA-256 and, for a body of at most {@link #TEXT_BYTES_MAX} bytes of UTF-8 text,
 * the text. The command (through its {@link RunAttachment}) writes the body to its output. Not
 * deterministic (the network answers), which is why the result is recorded: replay does not fetch.
 */
final class HttpFetchHandler implements CapabilityHandler {

    /** Most body bytes fetched when the invocation does not say. */
    static final long BODY_BYTES_DEFAULT = 8L << 20;
    /** Largest body whose text the recorded result carries. */
    static final int TEXT_BYTES_MAX = 16 << 10;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public CanonicalJson handle(HandlerContext ctx, CanonicalJson args) throws IOException, InterruptedException {
        JsonNode a = args.toJsonNode();
        String url = a.get("url").asText();
        String method = a.path("method").asText("GET").toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new IllegalArgumentException("net.http does GET and HEAD only, not " + Table.clean(Table.fit(method, 20)));
        }
        long maxBytes = a.hasNonNull("max_bytes") ? a.get("max_bytes").asLong() : BODY_BYTES_DEFAULT;
        if (maxBytes < 0 || maxBytes > (1L << 30)) {
            throw new IllegalArgumentException("max_bytes is 0 to 2^30, got " + maxBytes);
        }
        URI uri = allowed(url, ctx.scope().toJsonNode());
        ctx.chargeTokens(1);
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", "os2-curl").build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            // Recorded as this invocation's failure; the command hands the interrupt back afterwards.
            RunAttachment.of(ctx).ifPresent(RunAttachment::markInterrupted);
            throw e;
        }
        byte[] body;
        boolean cut;
        try (InputStream in = response.body()) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[64 << 10];
            long total = 0;
            int n;
            cut = false;
            while ((n = in.read(chunk)) > 0) {
                long room = maxBytes - total;
                if (n > room) {
                    buffer.write(chunk, 0, (int) room);
                    cut = true;
                    break;
                }
                buffer.write(chunk, 0, n);
                total += n;
            }
            body = buffer.toByteArray();
        }
        ctx.chargeNetwork(body.length);
        Optional<RunAttachment> attachment = RunAttachment.of(ctx);
        if (attachment.isPresent() && attachment.get().toolOutput()) {
            attachment.get().stdout().write(body);
            attachment.get().stdout().flush();
        }
        ObjectNode r = LedgerVerifyCommand.JSON.createObjectNode();
        r.put("url", uri.toString());
        r.put("status", response.statusCode());
        r.put("bytes", body.length);
        r.put("cut", cut);
        r.put("sha256", PythonExecHandler.sha256(body));
        response.headers().firstValue("content-type").ifPresent(v -> r.put("content_type", Table.fit(v, 200)));
        response.headers().firstValue("location").ifPresent(v -> r.put("location", Table.fit(v, 2000)));
        String text = body.length <= TEXT_BYTES_MAX ? utf8(body) : null;
        if (text == null) {
            r.putNull("text");
        } else {
            r.put("text", text);
        }
        return CanonicalJson.of(r);
    }

    /**
     * The URL as a URI if its scheme is http or https and the scope allows its host.
     *
     * @throws IllegalArgumentException what is wrong, naming the allowed hosts
     */
    static URI allowed(String url, JsonNode scope) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + Table.clean(Table.fit(url, 200)));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("net.http fetches http:// and https:// URLs with a host, not "
                    + Table.clean(Table.fit(url, 200)));
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("a URL with user information is refused: " + Table.clean(Table.fit(url, 200)));
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        JsonNode hosts = scope.get("hosts");
        if (hosts != null && hosts.isArray()) {
            for (JsonNode entry : hosts) {
                String e = entry.asText().toLowerCase(Locale.ROOT);
                if (e.equals(host) || e.equals(host + ":" + port)) {
                    return uri;
                }
            }
        }
        throw new IllegalArgumentException("host " + host + ":" + port + " is not in the grant's scope "
                + (hosts == null ? "(it has no \"hosts\" list)" : Table.clean(Table.fit(hosts.toString(), 300))));
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
