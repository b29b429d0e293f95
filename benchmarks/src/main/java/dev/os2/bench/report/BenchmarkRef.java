package dev.os2.bench.report;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Names one JMH benchmark run: the benchmark's full name ({@code package.Class.method}) and the
 * parameter values that pick one of its runs. Parameters left out match any value.
 *
 * @param benchmark the fully qualified benchmark name, as JMH reports it
 * @param params parameter names to values; copied into a sorted map
 */
public record BenchmarkRef(String benchmark, Map<String, String> params) {

    /**
     * Copies the parameters.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the benchmark name is not {@code Class.method} qualified
     */
    public BenchmarkRef {
        Objects.requireNonNull(benchmark, "benchmark");
        if (benchmark.indexOf('.') < 0) {
            throw new IllegalArgumentException("a benchmark name is package.Class.method, got " + benchmark);
        }
        params = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(params));
    }

    /** {@code benchmark} with parameters given as name, value, name, value, … */
    public static BenchmarkRef of(String benchmark, String... nameValues) {
        if (nameValues.length % 2 != 0) {
            throw new IllegalArgumentException("parameters come in name, value pairs");
        }
        Map<String, String> params = new TreeMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            params.put(nameValues[i], nameValues[i + 1]);
        }
        return new BenchmarkRef(benchmark, params);
    }

    /** The class part of the name ({@code package.Class}). */
    public String className() {
        return benchmark.substring(0, benchmark.lastIndexOf('.'));
    }

    /** The method part of the name. */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** True when {@code name} is this benchmark and every parameter given here has the value in {@code runParams}. */
    public boolean matches(String name, Map<String, String> runParams) {
        if (!benchmark.equals(name)) {
            return false;
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (!p.getValue().equals(runParams.get(p.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** {@code Class.method} with its parameters, for tables: {@code SnapshotBench.capture [entries=10]}. */
    public String shortName() {
        String cls = className();
        String simple = cls.substring(cls.lastIndexOf('.') + 1) + "." + method();
        if (params.isEmpty()) {
            return simple;
        }
        return simple + params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", " [", "]"));
    }
}
