/**
 * Documentation and release tooling that reads an OS2 checkout: the Maven poms (parsed with the
 * JDK's DOM parser), the Java sources (parsed with the JDK's compiler tree API), the command
 * definitions (picocli's command model) and the built jars. Everything it produces is
 * deterministic: the same checkout and build give the same bytes, so that a check of a committed
 * file ({@code document-module-tree --check}, {@code document-commands --check}) means exactly
 * "regenerate and compare".
 *
 * <p>These types read files and may be slow (a few seconds for the whole source tree); they are
 * not part of the kernel and keep no state between calls.
 */
package dev.os2.shell.docs;
