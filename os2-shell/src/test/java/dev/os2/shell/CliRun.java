package dev.os2.shell;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** One in-process run of the os2 command line: exit status and what it printed. */
record CliRun(String[] args, int status, String out, String err) {

    /** Runs {@code args} with {@code session}, capturing stdout and stderr. */
    static CliRun run(Session session, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Os2.commandLine(session);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new CliRun(args, status, out.toString(), err.toString());
    }

    /** Stdout split into lines. */
    List<String> outLines() {
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    /** A description for assertion messages. */
    String describe() {
        return "os2 " + String.join(" ", Arrays.asList(args)) + " -> exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
