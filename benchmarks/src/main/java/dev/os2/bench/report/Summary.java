package dev.os2.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The pairs of {@link PairTable} evaluated on the scores of one JMH run: each OS2 figure beside
 * its peer's, their ratio with its error bar, and whether the goal is met.
 *
 * <p><b>Ratio.</b> OS2's speed divided by the peer's, both in operations per second (a time per
 * operation is inverted first), so above 1 means OS2 is faster whatever the benchmarks' modes.
 * Its error combines the two scores' relative errors in quadrature; each is JMH's score error,
 * the half-width of the 99.9% confidence interval over all measurement iterations of all forks.
 * A goal is <em>met</em> when the measured value is on the goal's side of the threshold, and the
 * verdict is <em>marginal</em> when the threshold lies within the error bar. Both scores always
 * come from the same result file, that is, the same run.
 *
 * <p><b>JSON form, format 1</b> ({@link #json()}):
 * <pre>{"format":1,"type":"os2.bench.summary","about":{…},"rows":[
 *   {"pair":"…","issue":2,"verdict":"met|not_met|no_goal|not_run|ambiguous","marginal":false,"note":"…",
 *    "os2":{"benchmark":"…","params":{…},"score":…,"error":…,"unit":"…","ops_per_second":…}|null,
 *    "peer":{…}|null,"ratio":…|null,"ratio_error":…|null,
 *    "goal":{"quantity":"speed_ratio|os2_ops_per_second|os2_nanos_per_op","direction":"at_least|at_most",
 *            "threshold":…,"text":"…","value":…|null,"value_error":…|null}|null}…]}</pre>
 * Unknown numbers (an error from too few iterations) are null.
 */
public final class Summary {

    /** The summary JSON format this code writes. */
    public static final int FORMAT = 1;

    /** How a pair came out. */
    public enum Verdict {
        /** Measured, and the goal is met. */
        MET,
        /** Measured, and the goal is not met. */
        NOT_MET,
        /** Measured; the issue names no goal. */
        NO_GOAL,
        /** A benchmark of the pair has no result in this run (not selected, failed, or not written yet). */
        NOT_RUN,
        /** Several runs match a benchmark of the pair (more parameter values than the pair names). */
        AMBIGUOUS;

        /** The verdict's name in reports. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One evaluated pair.
     *
     * @param pair the pair
     * @param os2 the OS2 score, or empty
     * @param peer the peer's score, or empty
     * @param ratio OS2's speed over the peer's, or NaN when not measured
     * @param ratioError the ratio's error, or NaN
     * @param goalValue the value compared with the goal (the ratio, or OS2's rate or time), or NaN
     * @param goalValueError its error, or NaN
     * @param verdict how it came out
     * @param marginal true when the goal's threshold lies within the error bar of the value
     * @param note why a pair was not evaluated, else empty
     */
    public record Row(Pair pair, Optional<Score> os2, Optional<Score> peer, double ratio, double ratioError, double goalValue,
            double goalValueError, Verdict verdict, boolean marginal, String note) {

        /** Checks for null. */
        public Row {
            Objects.requireNonNull(pair, "pair");
            Objects.requireNonNull(os2, "os2");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(note, "note");
        }

        /** The verdict for tables: {@code met}, {@code not met*} (marginal), {@code —} (no goal), {@code not run}. */
        public String verdictText() {
            String v = switch (verdict) {
                case MET -> "met";
                case NOT_MET -> "NOT MET";
                case NO_GOAL -> "—";
                case NOT_RUN -> "not run";
                case AMBIGUOUS -> "ambiguous";
            };
            return marginal ? v + "*" : v;
        }

        /** The ratio for tables. */
        public String ratioText() {
            return Double.isNaN(ratio) ? "" : Figures.withError(ratio, ratioError);
        }
    }

    private final Map<String, String> about;
    private final List<Row> rows;

    private Summary(Map<String, String> about, List<Row> rows) {
        this.about = about;
        this.rows = rows;
    }

    /**
     * Evaluates {@code pairs} on {@code scores}, which must all come from one run.
     *
     * @param about facts about the run for the report's head (profile, JVM, result file), in order
     * @throws NullPointerException if an argument is null
     */
    public static Summary of(List<Score> scores, List<Pair> pairs, Map<String, String> about) {
        Objects.requireNonNull(scores, "scores");
        List<Row> rows = new ArrayList<>();
        for (Pair pair : pairs) {
            rows.add(evaluate(pair, scores));
        }
        return new Summary(new LinkedHashMap<>(about), List.copyOf(rows));
    }

    private static Row evaluate(Pair pair, List<Score> scores) {
        List<Score> os2 = matching(pair.os2(), scores);
        List<Score> peer = matching(pair.peer(), scores);
        Optional<Score> a = os2.size() == 1 ? Optional.of(os2.getFirst()) : Optional.empty();
        Optional<Score> b = peer.size() == 1 ? Optional.of(peer.getFirst()) : Optional.empty();
        if (os2.size() > 1 || peer.size() > 1) {
            BenchmarkRef which = os2.size() > 1 ? pair.os2() : pair.peer();
            return new Row(pair, a, b, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Verdict.AMBIGUOUS, false,
                    (os2.size() > 1 ? os2.size() : peer.size()) + " runs match " + which.shortName()
                            + "; run it with one value per parameter");
        }
        if (a.isEmpty() || b.isEmpty()) {
            String missing = a.isEmpty() && b.isEmpty() ? "neither benchmark has a result"
                    : "no result for " + (a.isEmpty() ? pair.os2() : pair.peer()).shortName();
            if (pair.pending()) {
                missing += " (its benchmark is still being written and may not be in this build)";
            }
            return new Row(pair, a, b, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Verdict.NOT_RUN, false, missing);
        }
        Score x = a.get();
        Score y = b.get();
        double ratio = x.opsPerSecond() / y.opsPerSecond();
        double relative = Math.hypot(x.relativeError(), y.relativeError());
        double ratioError = ratio * relative;
        if (pair.goal().isEmpty()) {
            return new Row(pair, a, b, ratio, ratioError, Double.NaN, Double.NaN, Verdict.NO_GOAL, false, "");
        }
        Goal goal = pair.goal().get();
        double value = switch (goal.quantity()) {
            case SPEED_RATIO -> ratio;
            case OS2_OPS_PER_SECOND -> x.opsPerSecond();
            case OS2_NANOS_PER_OP -> 1e9 / x.opsPerSecond();
        };
        double valueError = goal.quantity() == Goal.Quantity.SPEED_RATIO ? ratioError : value * x.relativeError();
        boolean met = goal.metBy(value);
        boolean marginal = !Double.isNaN(valueError) && Math.abs(value - goal.threshold()) <= valueError;
        return new Row(pair, a, b, ratio, ratioError, value, valueError, met ? Verdict.MET : Verdict.NOT_MET, marginal, "");
    }

    private static List<Score> matching(BenchmarkRef ref, List<Score> scores) {
        return scores.stream().filter(s -> ref.matches(s.benchmark(), s.params())).toList();
    }

    /** The rows, in the order of the pairs. */
    public List<Row> rows() {
        return rows;
    }

    /** True when no measured goal was missed. */
    public boolean noGoalMissed() {
        return rows.stream().noneMatch(r -> r.verdict() == Verdict.NOT_MET);
    }

    /** How many rows have {@code verdict}. */
    public long count(Verdict verdict) {
        return rows.stream().filter(r -> r.verdict() == verdict).count();
    }

    private static final String[] HEADINGS = {"issue", "pair", "OS2", "peer", "ratio (OS2/peer speed)", "goal", "verdict"};

    private static String[] cells(Row r) {
        return new String[] {
            "#" + r.pair().issue(),
            r.pair().name(),
            r.os2().map(Score::text).orElse("—"),
            r.peer().map(Score::text).orElse("—"),
            r.ratioText(),
            r.pair().goal().map(Goal::text).orElse(""),
            r.verdictText()
        };
    }

    /** A fixed-width text table for a terminal, with a legend. */
    public String table() {
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADINGS);
        rows.forEach(r -> lines.add(cells(r)));
        int[] width = new int[HEADINGS.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].codePointCount(0, line[i].length()));
            }
        }
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < lines.size(); n++) {
            String[] line = lines.get(n);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                b.append(line[i]).append(" ".repeat(width[i] - line[i].codePointCount(0, line[i].length()) + 2));
            }
            out.append(b.toString().stripTrailing()).append('\n');
            if (n == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                out.append("-".repeat(total - 2)).append('\n');
            }
        }
        out.append(legend());
        return out.toString();
    }

    /** The summary as a Markdown document: the facts about the run, the table, the legend. */
    public String markdown() {
        StringBuilder out = new StringBuilder("# OS2 benchmark summary\n\n");
        about.forEach((k, v) -> out.append("- ").append(k).append(": ").append(v).append('\n'));
        out.append('\n').append('|');
        for (String h : HEADINGS) {
            out.append(' ').append(h).append(" |");
        }
        out.append("\n|");
        out.append(" --- |".repeat(HEADINGS.length)).append('\n');
        for (Row r : rows) {
            out.append('|');
            for (String c : cells(r)) {
                out.append(' ').append(c.replace("|", "\\|")).append(" |");
            }
            out.append('\n');
        }
        out.append('\n').append(legend());
        List<Row> notes = rows.stream().filter(r -> !r.note().isEmpty()).toList();
        if (!notes.isEmpty()) {
            out.append("\nNot evaluated:\n\n");
            notes.forEach(r -> out.append("- ").append(r.pair().name()).append(": ").append(r.note()).append('\n'));
        }
        return out.toString();
    }

    private String legend() {
        return String.format(Locale.ROOT, "%d met, %d not met, %d without a goal, %d not run%s.%n"
                + "ratio: OS2's speed / the peer's (ops/s each; times inverted), so > 1 means OS2 is faster; "
                + "± combines JMH's 99.9%% score errors; * the goal lies within the error bar.%n",
                count(Verdict.MET), count(Verdict.NOT_MET), count(Verdict.NO_GOAL), count(Verdict.NOT_RUN),
                count(Verdict.AMBIGUOUS) == 0 ? "" : ", " + count(Verdict.AMBIGUOUS) + " ambiguous");
    }

    /** The summary as JSON, format {@value #FORMAT} (see the class comment), pretty-printed. */
    public String json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format", FORMAT);
        root.put("type", "os2.bench.summary");
        ObjectNode a = root.putObject("about");
        about.forEach(a::put);
        ArrayNode list = root.putArray("rows");
        for (Row r : rows) {
            ObjectNode o = list.addObject();
            o.put("pair", r.pair().name());
            o.put("issue", r.pair().issue());
            o.put("verdict", r.verdict().text());
            o.put("marginal", r.marginal());
            o.put("note", r.note());
            o.set("os2", r.os2().<JsonNode>map(s -> score(f, s)).orElse(f.nullNode()));
            o.set("peer", r.peer().<JsonNode>map(s -> score(f, s)).orElse(f.nullNode()));
            number(o, "ratio", r.ratio());
            number(o, "ratio_error", r.ratioError());
            if (r.pair().goal().isPresent()) {
                Goal g = r.pair().goal().get();
                ObjectNode go = o.putObject("goal");
                go.put("quantity", g.quantityName());
                go.put("direction", g.directionName());
                go.put("threshold", g.threshold());
                go.put("text", g.text());
                number(go, "value", r.goalValue());
                number(go, "value_error", r.goalValueError());
            } else {
                o.putNull("goal");
            }
        }
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    private static ObjectNode score(JsonNodeFactory f, Score s) {
        ObjectNode o = f.objectNode();
        o.put("benchmark", s.benchmark());
        ObjectNode p = o.putObject("params");
        new java.util.TreeMap<>(s.params()).forEach(p::put);
        o.put("mode", s.mode());
        number(o, "score", s.score());
        number(o, "error", s.error());
        o.put("unit", s.unit());
        number(o, "ops_per_second", s.opsPerSecond());
        return o;
    }

    private static void number(ObjectNode o, String name, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            o.putNull(name);
        } else {
            o.put(name, value);
        }
    }
}
