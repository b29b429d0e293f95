/**
 * The shell's line language, as pure functions of the text typed: words quoted as in a POSIX shell
 * (single quotes, double quotes, backslash), pipelines ({@code a | b}), lists ({@code a && b},
 * {@code a || b}, {@code a ; b}) and background jobs ({@code a &}), with {@code #} comments.
 *
 * <p>{@link dev.os2.shell.line.LineParser#parse} turns a line into a {@link dev.os2.shell.line.Script}
 * or a {@link dev.os2.shell.line.LineSyntaxException} that names the column and says whether more
 * input would complete the line (an open quote, a trailing {@code |}); the interactive shell uses
 * that to ask for a continuation line. {@link dev.os2.shell.line.LineParser#split} is the lenient
 * form that completion uses on a line still being typed. Nothing here runs anything or touches
 * the file system: there is no expansion of variables, globs or redirections, by design.
 */
package dev.os2.shell.line;
