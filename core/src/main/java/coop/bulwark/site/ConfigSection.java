package coop.bulwark.site;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One YAML mapping being bound to a record: typed getters that record which keys are known, report a bad value at the
 * value's position and fall back to the default so binding can go on and find the next problem. {@link #finish()}
 * then reports every key nobody asked for, with the closest known key as a suggestion.
 *
 * <p>Public for the lab's scenario reader (module {@code lab/}), which reads its YAML the same way as bulwark.yaml so
 * its problems come out in the same {@code FILE:LINE:COLUMN: key: value (expected: ...)} form: read the text with
 * {@link YamlTreeReader#read}, bind with {@link #of} and the typed getters, call {@link #finish()} on every section,
 * then {@link ConfigProblems#toException()} if anything was reported.
 *
 * <p>Confined to the loading thread.
 */
public final class ConfigSection {
    private final YamlNode.Mapping mapping;
    private final String path;
    private final ConfigProblems problems;
    private final Path baseDir;
    private final Set<String> known = new LinkedHashSet<>();

    private ConfigSection(YamlNode.Mapping mapping, String path, ConfigProblems problems, Path baseDir) {
        this.mapping = mapping;
        this.path = path;
        this.problems = problems;
        this.baseDir = baseDir;
    }

    /**
     * A section over {@code node}; an empty section (all defaults) when the node is missing or empty, or is not a
     * mapping (then reported).
     */
    public static ConfigSection of(YamlNode node, String path, ConfigProblems problems, Path baseDir) {
        if (node instanceof YamlNode.Mapping m) {
            return new ConfigSection(m, path, problems, baseDir);
        }
        if (!(node instanceof YamlNode.Empty)) {
            problems.invalid(node, path, "a mapping of key: value lines");
        }
        return new ConfigSection(new YamlNode.Mapping(List.of(), node.line(), node.column()), path, problems, baseDir);
    }

    String path() {
        return path;
    }

    int line() {
        return mapping.line();
    }

    int column() {
        return mapping.column();
    }

    /** Where this section reports problems (shared by every section of one file). */
    public ConfigProblems problems() {
        return problems;
    }

    Path baseDir() {
        return baseDir;
    }

    /** The full path of a key in this section, for messages: {@code sites[3].limits.max_body_bytes}. */
    public String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The value under {@code key} (an explicit empty value counts as present); marks the key as known. */
    public Optional<YamlNode> node(String key) {
        known.add(key);
        for (YamlNode.Entry e : mapping.entries()) {
            if (e.key().equals(key)) {
                return Optional.of(e.value());
            }
        }
        return Optional.empty();
    }

    /** The nested section under {@code key}; an empty one positioned at this section when the key is absent. */
    public ConfigSection section(String key) {
        YamlNode node = node(key).orElseGet(() -> new YamlNode.Empty(line(), column()));
        return of(node, path(key), problems, baseDir);
    }

    /** Reports a required key that is absent, at this section's position. */
    public void missing(String key, String expected) {
        problems.add(line(), column(), path(key) + ": missing (expected: " + expected + ")");
    }

    /** The scalar text under {@code key}; a list or mapping there is reported and read as absent. */
    public Optional<String> text(String key) {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty() || node.get() instanceof YamlNode.Empty) {
            return Optional.empty();
        }
        if (node.get() instanceof YamlNode.Scalar s) {
            return Optional.of(s.text());
        }
        problems.invalid(node.get(), path(key), "a single value");
        return Optional.empty();
    }

    /** An integer in {@code [min, max]}; {@code defaultValue} when absent or bad (then reported). */
    public int count(String key, int defaultValue, int min, int max) {
        Optional<String> text = text(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        Long n = ConfigUnits.count(text.get());
        if (n == null || n < min || n > max) {
            String range = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer " + min + "-" + max;
            problems.invalid(node(key).orElseThrow(), path(key), range);
            return defaultValue;
        }
        return n.intValue();
    }

    /** A size in bytes in {@code [min, max]}. */
    long bytes(String key, long defaultValue, long min, long max) {
        Optional<String> text = text(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        long n = ConfigUnits.bytes(text.get());
        if (n < 0) {
            problems.invalid(node(key).orElseThrow(), path(key), ConfigUnits.EXPECTED_SIZE);
            return defaultValue;
        }
        if (n < min || n > max) {
            problems.invalid(
                    node(key).orElseThrow(),
                    path(key),
                    "a size from " + ConfigUnits.formatBytes(min) + " to " + ConfigUnits.formatBytes(max));
            return defaultValue;
        }
        return n;
    }

    /**
     * A duration with a unit ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}); zero is refused unless
     * {@code allowZero}; {@code defaultValue} when absent or bad (then reported).
     */
    public Duration duration(String key, Duration defaultValue, boolean allowZero) {
        Optional<String> text = text(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        Duration d = ConfigUnits.duration(text.get());
        if (d == null) {
            problems.invalid(node(key).orElseThrow(), path(key), ConfigUnits.durationHint(text.get()));
            return defaultValue;
        }
        if (d.isZero() && !allowZero) {
            problems.invalid(node(key).orElseThrow(), path(key), "a duration above zero");
            return defaultValue;
        }
        return d;
    }

    /**
     * A decimal number of at least {@code min}, like {@code 4} or {@code 1.5}; {@code defaultValue} when absent or bad
     * (then reported).
     */
    public double decimal(String key, double defaultValue, double min) {
        Optional<String> text = text(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        Double d = ConfigUnits.decimal(text.get());
        if (d == null || d < min) {
            problems.invalid(node(key).orElseThrow(), path(key), "a number >= " + ConfigUnits.formatNumber(min));
            return defaultValue;
        }
        return d;
    }

    /**
     * One of {@code choices}, exactly as listed; empty when absent, or when the value is not one of them (then reported
     * with the closest choice as a suggestion).
     */
    Optional<String> choice(String key, List<String> choices) {
        Optional<String> text = text(key);
        if (text.isEmpty() || choices.contains(text.get())) {
            return text;
        }
        problems.invalid(node(key).orElseThrow(), path(key), expectedChoice(text.get(), choices));
        return Optional.empty();
    }

    /**
     * A non-empty list of distinct names from {@code choices}, like {@code [en, es]}; {@code defaults} when absent.
     * Each bad item is reported at its own line; an empty list is reported too, and then {@code defaults} is used.
     */
    List<String> choices(String key, List<String> choices, List<String> defaults) {
        if (node(key).isEmpty()) {
            return defaults;
        }
        List<YamlNode> items = list(key);
        List<String> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            if (item instanceof YamlNode.Scalar sc && choices.contains(sc.text())) {
                if (!result.contains(sc.text())) {
                    result.add(sc.text());
                }
            } else {
                String value = item instanceof YamlNode.Scalar sc ? sc.text() : "";
                problems.invalid(item, path(key) + "[" + i + "]", expectedChoice(value, choices));
            }
        }
        if (result.isEmpty()) {
            if (items.isEmpty() && !(node(key).orElseThrow() instanceof YamlNode.Scalar)) {
                problems.invalid(node(key).orElseThrow(), path(key), "at least one of " + String.join(", ", choices));
            }
            return defaults;
        }
        return List.copyOf(result);
    }

    /** {@code one of a, b, c}, followed by {@code ; did you mean b?} when {@code value} looks like a typo of one. */
    static String expectedChoice(String value, List<String> choices) {
        String close = closest(value, choices);
        String expected = "one of " + String.join(", ", choices);
        return close == null ? expected : expected + "; did you mean " + close + "?";
    }

    /** {@code true} or {@code false}; {@code defaultValue} when absent or bad (then reported). */
    public boolean flag(String key, boolean defaultValue) {
        Optional<String> text = text(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        Boolean b = ConfigUnits.flag(text.get());
        if (b == null) {
            problems.invalid(node(key).orElseThrow(), path(key), "true or false");
            return defaultValue;
        }
        return b;
    }

    /**
     * A rate in requests per second, above zero, written with its unit ({@code 200/s}, {@code 30/m}, {@code 1.5/h});
     * empty when absent or bad (then reported).
     */
    public Optional<Double> rate(String key) {
        Optional<String> text = text(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Double perSecond = ConfigUnits.ratePerSecond(text.get());
        if (perSecond == null) {
            problems.invalid(node(key).orElseThrow(), path(key), ConfigUnits.rateHint(text.get()));
            return Optional.empty();
        }
        if (perSecond <= 0) {
            problems.invalid(node(key).orElseThrow(), path(key), "a rate above zero");
            return Optional.empty();
        }
        return Optional.of(perSecond);
    }

    /** A {@code host:port} or {@code [v6]:port}. */
    Optional<HostPort> hostPort(String key) {
        Optional<String> text = text(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return parseHostPort(node(key).orElseThrow(), path(key), problems);
    }

    /** Parses a scalar as {@code host:port}, reporting a problem with {@link HostPort#parse}'s expectation. */
    static Optional<HostPort> parseHostPort(YamlNode node, String path, ConfigProblems problems) {
        if (!(node instanceof YamlNode.Scalar s)) {
            problems.invalid(node, path, "host:port, or [ipv6]:port");
            return Optional.empty();
        }
        try {
            return Optional.of(HostPort.parse(s.text()));
        } catch (IllegalArgumentException e) {
            problems.add(node.line(), node.column(), path + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** A path, resolved against the config file's directory when relative (existence is the caller's check). */
    Optional<Path> file(String key) {
        Optional<String> text = text(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.get().isBlank()) {
            problems.invalid(node(key).orElseThrow(), path(key), "a file path");
            return Optional.empty();
        }
        try {
            return Optional.of(baseDir.resolve(text.get()).normalize());
        } catch (InvalidPathException e) {
            problems.invalid(node(key).orElseThrow(), path(key), "a valid file path (" + e.getReason() + ")");
            return Optional.empty();
        }
    }

    /** The items of a list under {@code key}; empty when absent; a non-list is reported and read as empty. */
    public List<YamlNode> list(String key) {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty() || node.get() instanceof YamlNode.Empty) {
            return List.of();
        }
        if (node.get() instanceof YamlNode.Sequence s) {
            return s.items();
        }
        problems.invalid(node.get(), path(key), "a list, like [a, b] or one '- item' per line");
        return List.of();
    }

    /** Reports every key not asked for; call after all getters. */
    public void finish() {
        for (YamlNode.Entry e : mapping.entries()) {
            if (!known.contains(e.key())) {
                problems.add(e.line(), e.column(), path(e.key()) + ": unknown key (" + suggestion(e.key()) + ")");
            }
        }
    }

    private String suggestion(String unknown) {
        String best = closest(unknown, known);
        if (best != null) {
            return "did you mean " + best + "?";
        }
        List<String> sorted = new ArrayList<>(known);
        sorted.sort(null);
        return "expected: one of " + String.join(", ", sorted);
    }

    /** The candidate {@code unknown} is most likely a typo of, or null when none is close enough. */
    static String closest(String unknown, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : candidates) {
            int d = distance(unknown, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        // Close enough to be a typo, or one is a prefix of the other ("max_body" for "max_body_bytes").
        if (best != null
                && (bestDistance <= Math.max(2, unknown.length() / 3)
                        || best.startsWith(unknown)
                        || unknown.startsWith(best))) {
            return best;
        }
        return null;
    }

    /** Levenshtein edit distance; keys are short, so the O(n*m) table is fine. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
