package coop.bulwark.lab;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a {@link Scenario} from YAML (keys documented in {@code scenarios/README.md}). Every problem in the file is
 * collected and reported together, each as {@code FILE: key.path: value (expected: ...)}; nothing half-loaded is
 * returned.
 */
public final class ScenarioReader {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)/s");

    private final String file;
    private final List<String> problems = new ArrayList<>();

    private ScenarioReader(String file) {
        this.file = file;
    }

    /** The scenario {@code name} from {@code dir/name.yaml}. */
    public static Scenario load(Path dir, String name) throws ScenarioException {
        Path path = dir.resolve(name + ".yaml");
        if (!Files.isRegularFile(path)) {
            throw new ScenarioException(List.of(path + ": no such scenario (expected: one of " + available(dir) + ")"));
        }
        try {
            return parse(Files.readString(path), path.toString(), name);
        } catch (IOException e) {
            throw new ScenarioException(List.of(path + ": " + e.getMessage()));
        }
    }

    /** Scenario names found in {@code dir}. */
    public static List<String> available(Path dir) {
        List<String> names = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml"))
                    .map(f -> f.substring(0, f.length() - 5))
                    .sorted()
                    .forEach(names::add);
        } catch (IOException e) {
            // an unreadable directory simply lists nothing
        }
        return names;
    }

    /** Parses {@code yaml} as the scenario {@code name}; {@code file} names it in messages. */
    public static Scenario parse(String yaml, String file, String name) throws ScenarioException {
        ScenarioReader r = new ScenarioReader(file);
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(yaml);
        } catch (JacksonException e) {
            throw new ScenarioException(List.of(file + ": " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr()));
        }
        if (root == null || !root.isObject()) {
            throw new ScenarioException(List.of(file + ": (file): not a mapping (expected: a YAML mapping)"));
        }
        Scenario s = r.scenario(root, name);
        if (!r.problems.isEmpty() || s == null) {
            throw new ScenarioException(r.problems);
        }
        return s;
    }

    private Scenario scenario(JsonNode n, String name) {
        keys(n, "", Set.of("description", "sites", "targets", "origin", "legit", "phases"));
        String description = text(n, "", "description", "");
        int sites = integer(n, "", "sites", -1);
        if (sites < 1) {
            problem("sites", n.get("sites"), "a whole number >= 1");
        }
        List<String> targets = new ArrayList<>();
        JsonNode t = n.get("targets");
        if (t != null) {
            if (!t.isArray()) {
                problem("targets", t, "a list of site names like site-0017");
            } else {
                for (int i = 0; i < t.size(); i++) {
                    String tn = t.get(i).asText();
                    Matcher m = Pattern.compile("site-(\\d{4})").matcher(tn);
                    if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > sites) {
                        problem("targets[" + i + "]", t.get(i), "site-NNNN with NNNN between 0001 and " + sites);
                    } else {
                        targets.add(tn);
                    }
                }
            }
        }
        Scenario.OriginModelConfig origin = origin(require(n, "", "origin"));
        Scenario.LegitTraffic legit = legit(require(n, "", "legit"));
        List<Scenario.Phase> phases = new ArrayList<>();
        JsonNode ps = n.get("phases");
        if (ps == null || !ps.isArray() || ps.isEmpty()) {
            problem("phases", ps, "a non-empty list of phases");
        } else {
            for (int i = 0; i < ps.size(); i++) {
                Scenario.Phase p = phase(ps.get(i), "phases[" + i + "]");
                if (p != null) {
                    phases.add(p);
                }
            }
        }
        boolean attacked = phases.stream().anyMatch(p -> !p.attacks().isEmpty());
        if (attacked && targets.isEmpty()) {
            problem("targets", t, "at least one target site when a phase has attacks");
        }
        for (int i = 0; i < phases.size(); i++) {
            var crowd = phases.get(i).crowd();
            if (crowd.isPresent() && Integer.parseInt(crowd.get().site().substring(5)) > sites) {
                problem(
                        "phases[" + i + "].crowd.site",
                        null,
                        "a site between site-0001 and site-" + "%04d".formatted(sites));
            }
        }
        if (!problems.isEmpty() || origin == null || legit == null) {
            return null;
        }
        return new Scenario(name, description, sites, targets, origin, legit, phases);
    }

    private Scenario.OriginModelConfig origin(JsonNode n) {
        if (n == null) {
            return null;
        }
        String p = "origin.";
        keys(n, p, Set.of("workers", "backlog", "page_service", "asset_service", "feed_service", "page_max_age"));
        int workers = positive(n, p, "workers", 64);
        int backlog = integer(n, p, "backlog", 512);
        if (backlog < 0) {
            problem(p + "backlog", n.get("backlog"), "a whole number >= 0");
        }
        Duration page = duration(n, p, "page_service", Duration.ofMillis(100));
        Duration asset = duration(n, p, "asset_service", Duration.ofMillis(2));
        Duration feed = duration(n, p, "feed_service", Duration.ofMillis(40));
        Duration maxAge = duration(n, p, "page_max_age", Duration.ZERO);
        return problems.isEmpty() ? new Scenario.OriginModelConfig(workers, backlog, page, asset, feed, maxAge) : null;
    }

    private Scenario.LegitTraffic legit(JsonNode n) {
        if (n == null) {
            return null;
        }
        String p = "legit.";
        keys(
                n,
                p,
                Set.of(
                        "browsers",
                        "feed_readers",
                        "crawlers",
                        "zipf_exponent",
                        "think_time",
                        "feed_interval",
                        "crawl_rate",
                        "timeout"));
        int browsers = integer(n, p, "browsers", 0);
        int feeds = integer(n, p, "feed_readers", 0);
        int crawlers = integer(n, p, "crawlers", 0);
        double zipf = number(n, p, "zipf_exponent", 1.0);
        Duration think = duration(n, p, "think_time", Duration.ofSeconds(3));
        Duration feedInterval = duration(n, p, "feed_interval", Duration.ofSeconds(10));
        double crawlRate = rate(n, p, "crawl_rate", 5);
        Duration timeout = duration(n, p, "timeout", Duration.ofSeconds(4));
        if (browsers < 0 || feeds < 0 || crawlers < 0) {
            problem(p + "browsers/feed_readers/crawlers", n, "counts >= 0");
        }
        if (zipf < 0) {
            problem(p + "zipf_exponent", n.get("zipf_exponent"), "a number >= 0");
        }
        return problems.isEmpty()
                ? new Scenario.LegitTraffic(browsers, feeds, crawlers, zipf, think, feedInterval, crawlRate, timeout)
                : null;
    }

    private Scenario.Phase phase(JsonNode n, String path) {
        if (!n.isObject()) {
            problem(path, n, "a mapping with name and seconds");
            return null;
        }
        String p = path + ".";
        keys(
                n,
                p,
                Set.of(
                        "name",
                        "seconds",
                        "quick_seconds",
                        "get_flood",
                        "slowloris",
                        "connection_flood",
                        "random_source",
                        "h2_rapid_reset",
                        "crowd"));
        String name = text(n, p, "name", null);
        if (name == null) {
            problem(p + "name", null, "the phase's name");
        }
        int seconds = positive(n, p, "seconds", 1);
        int quick = n.has("quick_seconds") ? positive(n, p, "quick_seconds", 1) : seconds;
        List<Scenario.Attack> attacks = new ArrayList<>();
        JsonNode g = n.get("get_flood");
        if (g != null) {
            String q = p + "get_flood.";
            keys(g, q, Set.of("rate", "sources", "per_prefix", "cache_bust", "timeout"));
            attacks.add(new Scenario.GetFlood(
                    rate(g, q, "rate", 1000),
                    positive(g, q, "sources", 1000),
                    positive(g, q, "per_prefix", 10),
                    bool(g, q, "cache_bust", true),
                    duration(g, q, "timeout", Duration.ofSeconds(2))));
        }
        JsonNode s = n.get("slowloris");
        if (s != null) {
            String q = p + "slowloris.";
            keys(s, q, Set.of("connections", "line_interval"));
            attacks.add(new Scenario.Slowloris(
                    positive(s, q, "connections", 500), duration(s, q, "line_interval", Duration.ofSeconds(5))));
        }
        JsonNode c = n.get("connection_flood");
        if (c != null) {
            String q = p + "connection_flood.";
            keys(c, q, Set.of("connections"));
            attacks.add(new Scenario.ConnectionFlood(positive(c, q, "connections", 500)));
        }
        JsonNode r = n.get("random_source");
        if (r != null) {
            String q = p + "random_source.";
            keys(r, q, Set.of("rate", "cache_bust", "timeout"));
            attacks.add(new Scenario.RandomSource(
                    rate(r, q, "rate", 500),
                    bool(r, q, "cache_bust", true),
                    duration(r, q, "timeout", Duration.ofSeconds(2))));
        }
        JsonNode h = n.get("h2_rapid_reset");
        if (h != null) {
            String q = p + "h2_rapid_reset.";
            keys(h, q, Set.of("connections", "streams_per_second"));
            attacks.add(new Scenario.H2RapidReset(
                    positive(h, q, "connections", 20), rate(h, q, "streams_per_second", 200)));
        }
        Optional<Scenario.Crowd> crowd = Optional.empty();
        JsonNode cr = n.get("crowd");
        if (cr != null) {
            String q = p + "crowd.";
            keys(cr, q, Set.of("site", "browsers"));
            String site = text(cr, q, "site", null);
            int browsers = positive(cr, q, "browsers", 100);
            if (site == null || !site.matches("site-\\d{4}")) {
                problem(q + "site", cr.get("site"), "a site name like site-0005");
            } else {
                crowd = Optional.of(new Scenario.Crowd(site, browsers));
            }
        }
        return name == null ? null : new Scenario.Phase(name, seconds, quick, attacks, crowd);
    }

    // ---- typed reads: each records a problem naming the key and returns the default when the value is wrong

    private void keys(JsonNode n, String prefix, Set<String> allowed) {
        if (!n.isObject()) {
            problem(prefix.isEmpty() ? "(file)" : prefix.substring(0, prefix.length() - 1), n, "a mapping");
            return;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                problem(prefix + k, null, "unknown key (expected one of " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private JsonNode require(JsonNode n, String prefix, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isObject()) {
            problem(prefix + key, v, "a mapping");
            return null;
        }
        return v;
    }

    private String text(JsonNode n, String prefix, String key, String dflt) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual()) {
            problem(prefix + key, v, "a string");
            return dflt;
        }
        return v.asText();
    }

    private int integer(JsonNode n, String prefix, String key, int dflt) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            problem(prefix + key, v, "a whole number");
            return dflt;
        }
        return v.asInt();
    }

    private int positive(JsonNode n, String prefix, String key, int dflt) {
        int v = integer(n, prefix, key, dflt);
        if (v < 1) {
            problem(prefix + key, n.get(key), "a whole number >= 1");
            return dflt;
        }
        return v;
    }

    private double number(JsonNode n, String prefix, String key, double dflt) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            problem(prefix + key, v, "a number");
            return dflt;
        }
        return v.asDouble();
    }

    private boolean bool(JsonNode n, String prefix, String key, boolean dflt) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            problem(prefix + key, v, "true or false");
            return dflt;
        }
        return v.asBoolean();
    }

    private Duration duration(JsonNode n, String prefix, String key, Duration dflt) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        Matcher m = DURATION.matcher(v.asText());
        if (!v.isTextual() || !m.matches()) {
            problem(prefix + key, v, "a duration like 250ms, 4s or 2m");
            return dflt;
        }
        double x = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> x;
            case "s" -> x * 1000;
            default -> x * 60_000;
        };
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    private double rate(JsonNode n, String prefix, String key, double dflt) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        Matcher m = RATE.matcher(v.asText());
        if (!v.isTextual() || !m.matches() || !(Double.parseDouble(m.group(1)) > 0)) {
            problem(prefix + key, v, "a rate above zero like 2000/s");
            return dflt;
        }
        return Double.parseDouble(m.group(1));
    }

    private void problem(String path, JsonNode value, String expected) {
        String shown = value == null ? "" : " " + (value.isTextual() ? value.asText() : value.toString());
        problems.add(file + ": " + path + ":" + shown + " (expected: " + expected + ")");
    }
}
