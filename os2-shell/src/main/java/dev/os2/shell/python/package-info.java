/**
 * Deterministic Python sandboxes: GraalPy contexts that run a script with no host access, a fuel
 * meter that stops it at the same statement every time, and seeded, virtual stand-ins for every
 * source of entropy and time.
 *
 * <p>{@link dev.os2.shell.python.PythonSandbox} is the entry point. It owns one GraalPy
 * {@code Engine} (built and warmed on the caller's thread by
 * {@link dev.os2.shell.python.PythonSandbox#warmUp()}) and gives every
 * {@link dev.os2.shell.python.RunRequest} a fresh context under
 * {@code SandboxPolicy.CONSTRAINED} with host access, polyglot access, I/O, threads, processes,
 * native access and the environment all denied. Contexts are prepared ahead of need (two spares,
 * made by the thread of the run before, after its result was handed over), so a run waits neither
 * for the interpreter's start-up nor for the prelude; each serves one run and is closed after it.
 * The prelude (the resource {@code prelude.py}) replaces randomness with a stream seeded from the
 * request, time with a virtual clock, and the process's identity with fixed values; it installs
 * the {@code os2} module,
 * through which the script reaches the kernel's capabilities via a
 * {@link dev.os2.shell.python.CapabilityGateway}, and nothing else.
 *
 * <p>Fuel: every line event of the script's own code (and of code it compiles with
 * {@code exec}/{@code eval}) costs one statement; the standard library is not metered. The events
 * come from Python's tracing hook, which also fires on every loop back-edge, so
 * {@code while True: pass} is metered too. The count lives in the host, where the script cannot
 * reach it. When the budget is spent the run's output and gateway are shut at once (so what was
 * produced is exactly what was produced before that statement) and the context is cancelled.
 *
 * <p>Fuses: a watchdog thread, owned by the sandbox and outside the deterministic path, cancels a
 * run that exceeds its wall-clock time or grows the live heap past its memory cap. Such a stop is
 * its own, explicitly non-deterministic {@link dev.os2.shell.python.RunResult.WatchdogStopped}.
 * Each script runs on a thread of the sandbox's own, so that a run stuck in a built-in that ignores
 * cancellation can be left behind (reported as abandoned) while the caller and the sandbox go on.
 * Output is bounded, hashed (SHA-256) and streamed to the caller's sinks as it is written;
 * {@link dev.os2.shell.python.TerminalSafeOutputStream} renders control sequences visibly for
 * terminals.
 *
 * <p>Known limits, each contained by the watchdog rather than the meter: a script that
 * deliberately switches tracing off for one of its frames ({@code frame.f_trace = None} on a
 * frame reached through a traceback) or compiles code under a standard-library file name runs
 * unmetered; so does the inner loop of a nested list comprehension, and the standard library
 * (a backtracking regular expression runs in it); a single long-running built-in (a huge
 * {@code pow}, {@code sum(range(10**12))}) cannot even be cancelled before it returns, so its
 * thread is abandoned, still using a CPU until then. Identity hashes of built-in objects
 * (functions, classes, modules, bare {@code object()}) and the timing of finalizers and weak
 * reference callbacks follow the JVM's garbage collector and are not reproducible; user-defined
 * classes hash and print by {@code id()}, which is.
 */
package dev.os2.shell.python;
