package dev.os2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.os2.bench.report.BenchmarkRef;
import dev.os2.bench.report.Pair;
import dev.os2.bench.report.PairTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * The benchmark list JMH's annotation processor generates ({@code META-INF/BenchmarkList}, which
 * the shade plugin packs unchanged into {@code os2-benchmarks.jar}) holds every benchmark the pair
 * table names, with the parameter values the table picks. A pair marked pending (its benchmark is
 * written elsewhere) may be absent as a whole, but once its class is in the list its methods must
 * be too. When the shaded jar has been built since the classes were compiled, its list is
 * checked to be the same.
 */
class BenchmarkListTest {

    private static final String LIST = "META-INF/BenchmarkList";

    private static List<BenchmarkListEntry> entries(InputStream in) throws IOException {
        return BenchmarkList.readBenchmarkList(in);
    }

    private static List<BenchmarkListEntry> classpathEntries() throws IOException {
        try (InputStream in = BenchmarkListTest.class.getResourceAsStream("/" + LIST)) {
            assertNotNull(in, LIST + " is not on the class path: annotation processing did not run");
            return entries(in);
        }
    }

    /** Benchmark name to parameter name to declared values. */
    private static Map<String, Map<String, List<String>>> index(List<BenchmarkListEntry> entries) {
        Map<String, Map<String, List<String>>> index = new TreeMap<>();
        for (BenchmarkListEntry e : entries) {
            Map<String, List<String>> params = index.computeIfAbsent(e.getUsername(), k -> new TreeMap<>());
            e.getParams().orElse(Map.of()).forEach((name, values) -> params.put(name, Arrays.asList(values)));
        }
        return index;
    }

    @Test
    void everyBenchmarkOfThePairTableIsInTheList() throws IOException {
        Map<String, Map<String, List<String>>> index = index(classpathEntries());
        List<String> problems = new ArrayList<>();
        for (Pair pair : PairTable.PAIRS) {
            for (BenchmarkRef ref : List.of(pair.os2(), pair.peer())) {
                Map<String, List<String>> declared = index.get(ref.benchmark());
                if (declared == null) {
                    boolean classPresent = index.keySet().stream().anyMatch(n -> n.startsWith(ref.className() + "."));
                    if (!pair.pending() || classPresent) {
                        problems.add(pair.name() + ": no benchmark " + ref.benchmark());
                    }
                    continue;
                }
                ref.params().forEach((name, value) -> {
                    List<String> values = declared.get(name);
                    if (values == null) {
                        problems.add(pair.name() + ": " + ref.benchmark() + " has no parameter " + name + " (it has " + declared.keySet() + ")");
                    } else if (!values.contains(value)) {
                        problems.add(pair.name() + ": " + ref.benchmark() + " does not run " + name + "=" + value + " by default (it runs " + values + ")");
                    }
                });
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(PairTable.PAIRS.stream().filter(p -> !p.pending()).count() >= 20, "the table lost its pairs");
    }

    @Test
    void anUpToDateShadedJarHasTheSameList() throws IOException {
        Path classes = Path.of("target/classes", LIST);
        Path jar = Path.of("target/os2-benchmarks.jar");
        if (!Files.exists(classes) || !Files.exists(jar)
                || Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(classes)) < 0) {
            return; // not packaged since the last compile: the class-path list above is the one the next jar gets
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry(LIST);
            assertNotNull(entry, jar + " has no " + LIST);
            try (InputStream in = zip.getInputStream(entry)) {
                assertEquals(names(classpathEntries()), names(entries(in)));
            }
        }
    }

    private static TreeSet<String> names(List<BenchmarkListEntry> entries) {
        TreeSet<String> names = new TreeSet<>();
        entries.forEach(e -> names.add(e.getUsername()));
        return names;
    }
}
