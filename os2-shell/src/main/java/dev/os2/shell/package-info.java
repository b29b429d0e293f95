/**
 * The {@code os2} command line: the one entry point for users, reached through the {@code ./os2}
 * launcher at the root of the repository.
 *
 * <p>{@link dev.os2.shell.Os2} builds one picocli command tree; every command is a class that
 * prints to the command line's own writers, so the same tree serves a one-shot run
 * ({@code ./os2 ledger-verify}), tests that drive it in-process, and the shell
 * ({@link dev.os2.shell.ShellCommand}), which runs the same commands line by line. A
 * {@link dev.os2.shell.Workspace} owns the folder
 * where OS2 keeps its data; {@link dev.os2.shell.WorkspaceKernel} is the one way a command gets
 * the kernel whose ledger is in it (recovered for commands that change things, rebuilt by replay
 * for those that only look, such as {@code cap-list}). Errors reach the user as one line with
 * what was wrong and what to do; exit status 0 means ok, 1 that the command's check failed, 2 a
 * usage, input or environment error, and 3 a failure of OS2 itself.
 *
 * <p>The shell's own work runs as kernel tokens of the capabilities in
 * {@link dev.os2.shell.ShellCapabilities}: {@code python}, {@code pyvm run} and {@code pyx} are
 * {@code python.exec} tokens whose handler runs the script in the
 * {@link dev.os2.shell.python.PythonSandbox} and charges its statements; {@code pip}, {@code git}
 * and {@code curl} are {@code shell.tool} tokens that invoke the tool's own capability, denied until
 * granted. {@code cap-grant}, {@code cap-derive}, {@code cap-revoke} and {@code policy-load} change
 * the registry and the policy through recorded kernel inputs.
 *
 * <p><b>The shell.</b> {@code Shell} interprets the line language ({@link dev.os2.shell.line}):
 * each line's lists run as jobs on threads of their own, the commands of a pipeline concurrently,
 * joined by bounded pipes; {@code Repl} adds the terminal (JLine: editing, history, completion from
 * the picocli model, Ctrl-C and Ctrl-Z). Commands reach the workspace kernel through
 * {@link dev.os2.shell.ShellServices}: one-shot they open it per command; in the shell one kernel per
 * workspace stays open for the session and is shared by every job, with interrupts kept away from
 * its ledger I/O. Every command of a session is recorded in its transcript,
 * {@code logs/<time>.jsonl}.
 *
 * <p>This package is a consumer of the deterministic core, not part of it: it may read the
 * environment and the terminal, which the kernel and ledger never do.
 */
package dev.os2.shell;
