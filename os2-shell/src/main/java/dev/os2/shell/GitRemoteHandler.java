package dev.os2.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.CapabilityHandler;
import dev.os2.kernel.HandlerContext;
import dev.os2.ledger.CanonicalJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The handler of {@code git.remote} (what {@code git} runs): the system's {@code git}, only
 * against remotes the grant's scope allows, {@code {"remotes": ["file:///srv/git/", "https://example.org/team/app.git"]}}:
 * a remote is allowed when it equals an entry, or when the entry ends in {@code /} and the remote
 * is under it. A scope without {@code remotes} allows none.
 *
 * <p>Commands: {@code clone REMOTE [NAME]} (into {@code <workspace>/repos/NAME}),
 * {@code ls-remote REMOTE}, and {@code pull NAME} (fast-forward from the clone's {@code origin},
 * which must still be allowed). Git runs with none of the user's configuration or environment
 * (so no {@code insteadOf} rewriting or credential helper can take it elsewhere), without
 * prompts, and with only the remote's own protocol enabled. Its output streams to the command.
 * The result (recorded) holds the exit status and, after a clone or pull, the commit checked out.
 * Not deterministic (the remote answers), so replay uses the recorded result.
 */
final class GitRemoteHandler implements CapabilityHandler {

    /** The folder of clones inside a workspace. */
    static final String REPOS_DIRECTORY = "repos";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final List<String> SCHEMES = List.of("file", "https", "http", "ssh", "git");
    private static final long TIMEOUT_SECONDS = 600;

    @Override
    public CanonicalJson handle(HandlerContext ctx, CanonicalJson args) throws IOException, InterruptedException {
        try {
            return run(ctx, args);
        } catch (InterruptedException e) {
            // Recorded as this invocation's failure; the command hands the interrupt back afterwards.
            RunAttachment.of(ctx).ifPresent(RunAttachment::markInterrupted);
            throw e;
        }
    }

    private CanonicalJson run(HandlerContext ctx, CanonicalJson args) throws IOException, InterruptedException {
        JsonNode a = args.toJsonNode();
        String command = a.get("command").asText();
        Optional<RunAttachment> attachment = RunAttachment.of(ctx);
        if (attachment.isEmpty()) {
            throw new IllegalStateException("git.remote runs only from the shell's git command or a script it runs");
        }
        Path repos = attachment.get().workspace().directory().resolve(REPOS_DIRECTORY);
        Files.createDirectories(repos);
        JsonNode scope = ctx.scope().toJsonNode();
        ctx.chargeTokens(1);
        ObjectNode r = LedgerVerifyCommand.JSON.createObjectNode();
        r.put("command", command);
        switch (command) {
            case "clone" -> {
                URI remote = allowed(text(a, "remote"), scope);
                String name = a.hasNonNull("name") ? a.get("name").asText() : defaultName(remote);
                Path target = clone(repos, name);
                HostProcess.Result done = git(attachment.get(), remote, repos, List.of("clone", "--", remote.toString(), name));
                r.put("remote", remote.toString());
                r.put("name", name);
                finish(r, done, "clone");
                r.put("head", head(attachment.get(), remote, target));
            }
            case "ls-remote" -> {
                URI remote = allowed(text(a, "remote"), scope);
                HostProcess.Result done = git(attachment.get(), remote, repos, List.of("ls-remote", remote.toString()));
                r.put("remote", remote.toString());
                finish(r, done, "ls-remote");
            }
            case "pull" -> {
                String name = text(a, "name");
                Path target = existingClone(repos, name);
                HostProcess.Result origin = HostProcess.run(List.of("git", "config", "--get", "remote.origin.url"), target,
                        environment(repos, "file"), null, null, 60);
                URI remote = allowed(origin.stdout().strip(), scope);
                HostProcess.Result done = git(attachment.get(), remote, target, List.of("pull", "--ff-only", "origin"));
                r.put("remote", remote.toString());
                r.put("name", name);
                finish(r, done, "pull");
                r.put("head", head(attachment.get(), remote, target));
            }
            default -> throw new IllegalArgumentException("git.remote runs clone, ls-remote and pull, not "
                    + Table.clean(Table.fit(command, 40)));
        }
        return CanonicalJson.of(r);
    }

    private static String text(JsonNode a, String field) {
        JsonNode v = a.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("git.remote needs the argument " + field);
        }
        return v.asText();
    }

    private static void finish(ObjectNode r, HostProcess.Result done, String command) {
        r.put("exit_status", done.status());
        if (done.status() != 0) {
            throw new IllegalStateException("git " + command + " exited with status " + done.status()
                    + (done.lastLine().isEmpty() ? "" : ": " + done.lastLine()));
        }
    }

    /**
     * The remote as a URI if its scheme is one git may use and the scope allows it.
     *
     * @throws IllegalArgumentException what is wrong, naming the allowed remotes
     */
    static URI allowed(String remote, JsonNode scope) {
        URI uri;
        try {
            uri = new URI(remote).normalize();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a remote URL: " + Table.clean(Table.fit(remote, 200))
                    + " (use the file://, https://, ssh:// or git:// form)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme) || uri.getRawPath() == null || uri.getRawPath().contains("/../")
                || uri.getRawPath().endsWith("/..")) {
            throw new IllegalArgumentException("not a remote URL git.remote accepts: " + Table.clean(Table.fit(remote, 200))
                    + " (use the file://, https://, ssh:// or git:// form)");
        }
        String text = uri.toString();
        JsonNode remotes = scope.get("remotes");
        if (remotes != null && remotes.isArray()) {
            for (JsonNode entry : remotes) {
                String e = entry.asText();
                if (text.equals(e) || (e.endsWith("/") && text.startsWith(e))) {
                    return uri;
                }
            }
        }
        throw new IllegalArgumentException("remote " + Table.clean(Table.fit(text, 200)) + " is not in the grant's scope "
                + (remotes == null ? "(it has no \"remotes\" list)" : Table.clean(Table.fit(remotes.toString(), 300))));
    }

    private static String defaultName(URI remote) {
        String path = remote.getPath() == null ? "" : remote.getPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (last.endsWith(".git")) {
            last = last.substring(0, last.length() - 4);
        }
        if (!NAME.matcher(last).matches()) {
            throw new IllegalArgumentException("cannot name a clone after " + Table.clean(Table.fit(remote.toString(), 200))
                    + "; give a name");
        }
        return last;
    }

    private static Path clone(Path repos, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a clone's name is letters, digits, . _ and -, got " + Table.clean(Table.fit(name, 60)));
        }
        Path target = repos.resolve(name);
        if (Files.exists(target)) {
            throw new IllegalArgumentException("the workspace already has a clone named " + name + "; pull it, or choose another name");
        }
        return target;
    }

    private static Path existingClone(Path repos, String name) {
        if (!NAME.matcher(name).matches() || !Files.isDirectory(repos.resolve(name).resolve(".git"))) {
            throw new IllegalArgumentException("the workspace has no clone named " + Table.clean(Table.fit(name, 60)));
        }
        return repos.resolve(name);
    }

    private static HostProcess.Result git(RunAttachment attachment, URI remote, Path directory, List<String> command)
            throws IOException, InterruptedException {
        String scheme = remote.getScheme().toLowerCase(Locale.ROOT);
        List<String> full = new ArrayList<>(List.of("git", "-c", "protocol.allow=never", "-c", "protocol." + scheme + ".allow=always",
                "-c", "core.hooksPath=/dev/null"));
        full.addAll(command);
        OutputStream out = attachment.toolOutput() ? attachment.stdout() : null;
        OutputStream err = attachment.toolOutput() ? attachment.stderr() : null;
        return HostProcess.run(full, directory, environment(directory, scheme), out, err,
                TIMEOUT_SECONDS);
    }

    private static String head(RunAttachment attachment, URI remote, Path target) throws IOException, InterruptedException {
        HostProcess.Result rev = HostProcess.run(List.of("git", "rev-parse", "HEAD"), target,
                environment(target, remote.getScheme()), null, null, 60);
        return rev.status() == 0 ? rev.stdout().strip() : "";
    }

    /** Git's environment: none of the user's configuration, no prompts, one protocol. */
    private static Map<String, String> environment(Path home, String scheme) {
        Map<String, String> env = new TreeMap<>();
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ASKPASS", "/bin/false");
        env.put("GIT_ALLOW_PROTOCOL", scheme.toLowerCase(Locale.ROOT));
        env.put("LC_ALL", "C");
        return env;
    }
}
