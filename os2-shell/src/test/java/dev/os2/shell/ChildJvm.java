package dev.os2.shell;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a child JVM running {@link Os2} with this JVM's JDK-access flags and class path. */
final class ChildJvm {

    private ChildJvm() {
    }

    /** {@code java <flags> -cp <test class path> dev.os2.shell.Os2 <args>}. */
    static List<String> os2(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")
                    || arg.startsWith("-Dchronicle")) {
                command.add(arg);
            }
        }
        // Start-up speed matters more than peak speed for these short runs.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(Os2.class.getName());
        command.addAll(List.of(args));
        return command;
    }
}
