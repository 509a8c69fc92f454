package coop.bulwark.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it refuses what a lenient
 * scraper would let through, so a malformed {@code /metrics} fails a test rather than a dashboard.
 *
 * <p>Checked: {@code # HELP} / {@code # TYPE} lines (at most one each per family, TYPE before the family's samples,
 * a known type), metric and label name syntax, label value escapes, duplicate label names and duplicate series,
 * sample values (Go float syntax, {@code +Inf}, {@code -Inf}, {@code NaN}) and optional timestamps, that a
 * family's samples are contiguous, that sample names fit their family's type ({@code _bucket/_count/_sum} for
 * histograms), counters non-negative, and for every histogram series: {@code le} ascending, cumulative counts
 * non-decreasing, a {@code +Inf} bucket equal to {@code _count}, and a {@code _sum}.
 */
public final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT =
            Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|NaN");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** One metric family: its TYPE (untyped when not declared), HELP and samples in order. */
    public record Family(String name, String type, String help, List<Sample> samples) {}

    private PrometheusText() {}

    /**
     * Parses {@code text}; families by name in exposition order.
     *
     * @throws IllegalArgumentException naming the line and the problem, at the first violation
     */
    public static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> series = new HashSet<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("exposition does not end with a newline");
        }
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int no = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length < 3
                        || !parts[0].equals("#")
                        || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    throw problem(no, "comment is not # HELP or # TYPE: " + line);
                }
                String name = parts[2];
                check(METRIC_NAME, name, no, "metric name");
                String rest = parts.length == 4 ? parts[3] : "";
                if (!name.equals(current)) {
                    enter(name, closed, current, no);
                    current = name;
                }
                if (parts[1].equals("HELP")) {
                    if (helps.putIfAbsent(name, rest) != null) {
                        throw problem(no, "second HELP for " + name);
                    }
                } else {
                    if (!TYPES.contains(rest)) {
                        throw problem(no, "unknown type '" + rest + "' for " + name);
                    }
                    if (types.putIfAbsent(name, rest) != null) {
                        throw problem(no, "second TYPE for " + name);
                    }
                    if (families.containsKey(name)) {
                        throw problem(no, "TYPE after samples of " + name);
                    }
                }
                continue;
            }
            Sample s = sample(line, no);
            String family = familyOf(s.name(), current, types);
            if (!family.equals(current)) {
                enter(family, closed, current, no);
                current = family;
            }
            String type = types.getOrDefault(family, "untyped");
            checkSampleName(s, family, type, no);
            if (!series.add(s.name() + new TreeMap<>(s.labels()))) {
                throw problem(no, "duplicate series " + s.name() + s.labels());
            }
            if (type.equals("counter") && !(s.value() >= 0)) {
                throw problem(no, "counter " + s.name() + " is negative or NaN: " + s.value());
            }
            String f = family;
            families.computeIfAbsent(f, n -> new Family(n, type, helps.getOrDefault(n, ""), new ArrayList<>()))
                    .samples()
                    .add(s);
        }
        for (Family f : families.values()) {
            if (f.type().equals("histogram")) {
                checkHistogram(f);
            }
        }
        return families;
    }

    private static void enter(String family, Set<String> closed, String previous, int no) {
        if (previous != null) {
            closed.add(previous);
        }
        if (closed.contains(family)) {
            throw problem(no, "samples of " + family + " are not contiguous");
        }
    }

    /** The family a sample belongs to: the current one when the name fits it, else the sample's own name. */
    private static String familyOf(String sample, String current, Map<String, String> types) {
        if (current != null) {
            String type = types.getOrDefault(current, "untyped");
            if (sample.equals(current)) {
                return current;
            }
            if ((type.equals("histogram") || type.equals("summary"))
                    && (sample.equals(current + "_count") || sample.equals(current + "_sum"))) {
                return current;
            }
            if (type.equals("histogram") && sample.equals(current + "_bucket")) {
                return current;
            }
        }
        return sample;
    }

    private static void checkSampleName(Sample s, String family, String type, int no) {
        boolean le = s.labels().containsKey("le");
        switch (type) {
            case "histogram" -> {
                if (s.name().equals(family + "_bucket") != le) {
                    throw problem(no, "histogram " + family + ": le label only and always on _bucket");
                }
                if (s.name().equals(family)) {
                    throw problem(no, "histogram " + family + " has a bare sample");
                }
            }
            case "summary" -> {
                if (s.name().equals(family) != s.labels().containsKey("quantile")) {
                    throw problem(no, "summary " + family + ": quantile label only and always on the bare name");
                }
            }
            default -> {
                if (le) {
                    throw problem(no, type + " " + family + " has an le label");
                }
            }
        }
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        Map<Map<String, String>, Double> sums = new LinkedHashMap<>();
        Map<Map<String, String>, Double> lastLe = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> key = new TreeMap<>(s.labels());
            key.remove("le");
            if (s.name().endsWith("_bucket")) {
                double le = parseFloat(s.labels().get("le"), "le of " + s.name());
                Double prev = lastLe.put(key, le);
                if (prev != null && !(le > prev)) {
                    throw new IllegalArgumentException(f.name() + key + ": le not ascending at " + le);
                }
                TreeMap<Double, Double> b = buckets.computeIfAbsent(key, k -> new TreeMap<>());
                if (!b.isEmpty() && s.value() < b.lastEntry().getValue()) {
                    throw new IllegalArgumentException(f.name() + key + ": bucket le=" + le + " below the previous");
                }
                b.put(le, s.value());
            } else if (s.name().endsWith("_count")) {
                counts.put(key, s.value());
            } else {
                sums.put(key, s.value());
            }
        }
        for (var e : buckets.entrySet()) {
            Double inf = e.getValue().get(Double.POSITIVE_INFINITY);
            if (inf == null) {
                throw new IllegalArgumentException(f.name() + e.getKey() + ": no +Inf bucket");
            }
            if (!inf.equals(counts.get(e.getKey()))) {
                throw new IllegalArgumentException(
                        f.name() + e.getKey() + ": +Inf bucket " + inf + " != _count " + counts.get(e.getKey()));
            }
            if (!sums.containsKey(e.getKey())) {
                throw new IllegalArgumentException(f.name() + e.getKey() + ": no _sum");
            }
        }
        if (!buckets.keySet().equals(counts.keySet()) || !buckets.keySet().equals(sums.keySet())) {
            throw new IllegalArgumentException(f.name() + ": _count/_sum series without buckets or vice versa");
        }
    }

    private static Sample sample(String line, int no) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        check(METRIC_NAME, name, no, "metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < n && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw problem(no, "label without '='");
                }
                String label = line.substring(i, eq);
                check(LABEL_NAME, label, no, "label name");
                if (label.startsWith("__")) {
                    throw problem(no, "reserved label name " + label);
                }
                i = eq + 1;
                if (i >= n || line.charAt(i) != '"') {
                    throw problem(no, "label value not quoted");
                }
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= n) {
                        throw problem(no, "unterminated label value");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char e = i < n ? line.charAt(i++) : ' ';
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw problem(no, "bad escape \\" + e);
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(label, v.toString()) != null) {
                    throw problem(no, "duplicate label " + label);
                }
                if (i < n && line.charAt(i) == ',') {
                    i++;
                } else if (i >= n || line.charAt(i) != '}') {
                    throw problem(no, "expected ',' or '}' after a label");
                }
            }
        }
        if (i >= n || line.charAt(i) != ' ') {
            throw problem(no, "expected a space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2) {
            throw problem(no, "trailing fields");
        }
        if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
            throw problem(no, "bad timestamp " + rest[1]);
        }
        return new Sample(name, labels, parseFloat(rest[0], "value at line " + no));
    }

    private static double parseFloat(String s, String what) {
        if (s == null || !FLOAT.matcher(s).matches()) {
            throw new IllegalArgumentException(what + ": not a float: " + s);
        }
        return switch (s) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static void check(Pattern p, String s, int no, String what) {
        if (!p.matcher(s).matches()) {
            throw problem(no, "bad " + what + ": '" + s + "'");
        }
    }

    private static IllegalArgumentException problem(int line, String message) {
        return new IllegalArgumentException("line " + line + ": " + message);
    }
}
