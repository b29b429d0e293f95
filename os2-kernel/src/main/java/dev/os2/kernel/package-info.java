/**
 * The OS2 kernel's embedding API: a deterministic capability microkernel for agent frameworks.
 *
 * <p>{@link dev.os2.kernel.Kernel} is the entry point, built from an immutable
 * {@link dev.os2.kernel.KernelConfig}. Everything that changes a kernel is a
 * {@link dev.os2.kernel.KernelInput} (the protocol verbs), answered by a
 * {@link dev.os2.kernel.KernelResponse}. Work is a {@link dev.os2.kernel.KernelToken}: a capability
 * invocation on behalf of a subject, within a {@link dev.os2.kernel.Budget}, run by the
 * {@link dev.os2.kernel.CapabilityHandler} the embedder registered, which sees the kernel through a
 * {@link dev.os2.kernel.HandlerContext}. Grants ({@link dev.os2.kernel.Grant},
 * {@link dev.os2.kernel.GrantTerms}) say which subject may invoke what; they narrow when derived and
 * cascade when revoked. {@link dev.os2.kernel.CapabilityLimits} reads the resource policy file.
 *
 * <p>Architecture: inputs are sequenced, recorded in the ledger, then applied by one thread to a
 * state held in persistent maps ({@link dev.os2.kernel.KernelState}, O(1) to take). Handlers are
 * the only non-deterministic part; every action they take and every result they return is
 * recorded, so {@link dev.os2.kernel.Kernel#replay} can re-run a ledger without them and check it
 * entry by entry. {@link dev.os2.kernel.KernelEvents} defines the recorded event kinds.
 *
 * <p>The package-private {@code Machine} holds the state transitions; {@code Codec} the JSON forms
 * of inputs, events and state; {@code Replay} the re-run.
 */
package dev.os2.kernel;
