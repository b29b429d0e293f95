package dev.os2.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive shell in a real pseudo-terminal: tmux on a private server socket runs the shell
 * in a child JVM, keys are sent with {@code send-keys} and the screen is read with
 * {@code capture-pane}, polled until what is expected appears or a deadline passes. Checks the
 * boot and the prompt, Tab completion of a command name and of an option, Ctrl-C clearing the
 * line and interrupting a running command (exit 130), Up recalling the previous line, history
 * kept in the workspace across sessions, and NO_COLOR removing every escape sequence.
 */
class ShellTerminalTest {

    private static final long DEADLINE_MILLIS = 60_000;
    private static final String SOCKET = "os2-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @TempDir
    static Path dir;

    private static boolean tmux;

    @BeforeAll
    static void findTmux() {
        tmux = Stream.of("/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux").map(Path::of).anyMatch(Files::isExecutable);
    }

    @AfterAll
    static void stopTmux() throws Exception {
        if (tmux) {
            tmux("kill-server");
        }
    }

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", SOCKET));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("TMUX");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tmux " + String.join(" ", args) + " did not finish");
        }
        return out;
    }

    /** Starts the shell in a new tmux session {@code name}, with NO_COLOR set or not. */
    private static void start(String name, Path workspace, boolean noColour) throws Exception {
        List<String> java = ChildJvm.os2("shell", "--workspace", workspace.toString());
        java.add(1, "-Dos2.stdin.terminal=true");
        java.add(1, "-Dos2.stdout.terminal=true");
        // The Python engine's warm-up takes seconds of CPU that nothing here needs.
        java.add(1, "-D" + Repl.WARM_UP_PROPERTY + "=false");
        StringBuilder script = new StringBuilder("#!/bin/sh\n");
        script.append(noColour ? "export NO_COLOR=1\n" : "unset NO_COLOR\n");
        script.append("export LANG=C.UTF-8\nunset OS2_WORKSPACE\nexec");
        for (String word : java) {
            script.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        script.append('\n');
        Path file = Files.writeString(dir.resolve(name + ".sh"), script.toString());
        tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "50", "sh " + file);
        tmux("set-option", "-t", name, "remain-on-exit", "on");
    }

    private static String screen(String name, boolean escapes) throws Exception {
        return escapes ? tmux("capture-pane", "-p", "-e", "-t", name) : tmux("capture-pane", "-p", "-t", name);
    }

    /** The screen once {@code until} holds for it; fails with the screen after the deadline. */
    private static String await(String name, String what, Predicate<String> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
        String text = "";
        while (System.nanoTime() < deadline) {
            text = screen(name, false);
            if (until.test(text)) {
                return text;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError("waited " + DEADLINE_MILLIS + " ms for " + what + "; the screen:\n" + text);
    }

    /** The last non-blank line of the screen. */
    private static String lastLine(String screen) {
        List<String> lines = screen.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static void keys(String name, String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", name));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    private static void type(String name, String text) throws Exception {
        tmux("send-keys", "-t", name, "-l", "--", text);
    }

    @Test
    void promptCompletionHistoryAndControlKeysAtARealTerminal() throws Exception {
        assumeTrue(tmux, "tmux is not installed");
        Path ws = dir.resolve("ws");

        start("one", ws, false);
        String boot = await("one", "the prompt", s -> lastLine(s).equals("os2:ws>"));
        for (String step : List.of("workspace", "ledger", "policy", "python", "Ready in")) {
            assertTrue(boot.contains(step), step + " in the boot:\n" + boot);
        }
        assertTrue(screen("one", true).contains("\u001b["), "colour on a terminal without NO_COLOR");

        // Tab completes a command name, then an option of that command.
        type("one", "ledger-ins");
        keys("one", "Tab");
        await("one", "the command name completed", s -> lastLine(s).equals("os2:ws> ledger-inspect"));
        type("one", "--js");
        keys("one", "Tab");
        await("one", "the option completed", s -> lastLine(s).equals("os2:ws> ledger-inspect --json"));

        // Ctrl-C clears the line: nothing runs, and a fresh prompt follows.
        keys("one", "C-c");
        await("one", "a cleared line", s -> lastLine(s).equals("os2:ws>") && s.contains("os2:ws> ledger-inspect --json\n"));
        assertFalse(screen("one", false).contains("no ledger"), "the cleared line did not run");

        type("one", "whoami");
        keys("one", "Enter");
        await("one", "whoami's output", s -> s.contains("\noperator\n") && lastLine(s).equals("os2:ws>"));

        // A real system terminal (JNI, or stty through exec), not JLine's dumb fallback.
        type("one", "env | grep os2.terminal.provider");
        keys("one", "Enter");
        String provider = await("one", "the terminal provider",
                s -> s.contains("os2.terminal.provider=") && lastLine(s).equals("os2:ws>"));
        assertTrue(provider.matches("(?s).*os2\\.terminal\\.provider=\\w*SysTerminal\n.*"), provider);

        // Ctrl-C during a command interrupts it: exit 130, shown in the prompt.
        type("one", "sleep 30");
        keys("one", "Enter");
        await("one", "sleep running", s -> lastLine(s).equals("os2:ws> sleep 30"));
        keys("one", "C-c");
        String interrupted = await("one", "the interrupted prompt", s -> lastLine(s).equals("os2:ws [130]>"));
        assertTrue(interrupted.contains("os2: interrupted."), interrupted);

        // Up recalls the previous line.
        keys("one", "Up");
        await("one", "the previous line", s -> lastLine(s).equals("os2:ws [130]> sleep 30"));
        keys("one", "C-c");
        await("one", "a cleared line", s -> lastLine(s).equals("os2:ws [130]>"));

        // Ctrl-D leaves; the history is in the workspace.
        keys("one", "C-d");
        awaitEnd("one");
        List<String> history = Files.readAllLines(ws.resolve(Workspace.HISTORY_FILE), StandardCharsets.UTF_8);
        assertEquals(List.of("whoami", "env | grep os2.terminal.provider", "sleep 30"),
                history.stream().map(l -> l.substring(l.indexOf(':') + 1)).collect(Collectors.toList()), history.toString());

        // A second session on the workspace recalls the first one's lines; NO_COLOR removes every escape.
        start("two", ws, true);
        await("two", "the prompt", s -> lastLine(s).equals("os2:ws>"));
        keys("two", "Up");
        await("two", "the previous session's line", s -> lastLine(s).equals("os2:ws> sleep 30"));
        keys("two", "C-c");
        type("two", "help");
        keys("two", "Enter");
        await("two", "help", s -> s.contains("Line language") && lastLine(s).equals("os2:ws>"));
        String plain = screen("two", true);
        assertFalse(plain.contains("\u001b"), "no escape sequence with NO_COLOR:\n" + plain);
        keys("two", "C-d");
        awaitEnd("two");
    }

    /** Waits until the shell in session {@code name} has ended (its pane is dead). */
    private static void awaitEnd(String name) throws Exception {
        await(name, "the shell to end", s -> {
            try {
                return tmux("display-message", "-p", "-t", name, "#{pane_dead}").strip().equals("1");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
