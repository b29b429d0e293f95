package dev.os2.shell;

/**
 * Marks a command that runs a shell session of its own ({@code shell}, {@code run-script}) and
 * so writes its own transcript: a one-shot run of it does not add another.
 */
interface SessionCommand {
}
