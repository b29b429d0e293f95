package dev.os2.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the scores out of a JMH result file in JSON format ({@code -rf json}): an array with one
 * object per benchmark run, each with {@code benchmark}, {@code mode}, {@code params} (absent when
 * the benchmark has none) and {@code primaryMetric} ({@code score}, {@code scoreError},
 * {@code scoreUnit}). JMH writes an unknown error as the string {@code "NaN"}.
 */
public final class JmhResults {

    private JmhResults() {
    }

    /**
     * The primary scores in {@code file}, in file order.
     *
     * @throws IOException if the file cannot be read or is not a JMH JSON result file
     */
    public static List<Score> read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IOException(file + " is not a JMH JSON result file (expected an array of benchmark runs)");
        }
        List<Score> scores = new ArrayList<>();
        for (JsonNode run : root) {
            JsonNode metric = run.get("primaryMetric");
            if (!run.hasNonNull("benchmark") || metric == null || !metric.hasNonNull("score") || !metric.hasNonNull("scoreUnit")) {
                throw new IOException(file + " holds a run without benchmark, primaryMetric.score or primaryMetric.scoreUnit");
            }
            Map<String, String> params = new TreeMap<>();
            JsonNode p = run.get("params");
            if (p != null) {
                for (Map.Entry<String, JsonNode> e : p.properties()) {
                    params.put(e.getKey(), e.getValue().asText());
                }
            }
            JsonNode error = metric.get("scoreError");
            try {
                scores.add(new Score(run.get("benchmark").asText(), params, run.path("mode").asText("?"),
                        metric.get("score").asDouble(), error == null ? Double.NaN : error.asDouble(Double.NaN),
                        metric.get("scoreUnit").asText()));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
        return scores;
    }
}
