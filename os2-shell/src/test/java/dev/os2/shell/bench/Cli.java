package dev.os2.shell.bench;

import dev.os2.shell.Os2;
import dev.os2.shell.Session;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import picocli.CommandLine;

/** One in-process run of the os2 command line with a given session: exit status and what it printed. */
record Cli(String[] args, int status, String out, String err) {

    static Cli run(Session session, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Os2.commandLine(session);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Cli(args, status, out.toString(), err.toString());
    }

    /** The last line of stdout. */
    String lastLine() {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** A description for assertion messages. */
    String describe() {
        return "os2 " + String.join(" ", Arrays.asList(args)) + " -> exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
