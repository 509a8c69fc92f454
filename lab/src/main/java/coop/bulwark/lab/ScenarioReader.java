package coop.bulwark.lab;

import coop.bulwark.site.ConfigException;
import coop.bulwark.site.ConfigProblem;
import coop.bulwark.site.ConfigProblems;
import coop.bulwark.site.ConfigSection;
import coop.bulwark.site.YamlNode;
import coop.bulwark.site.YamlTreeReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a {@link Scenario} from YAML (keys documented in {@code scenarios/README.md}) with the product's config
 * reading ({@link YamlTreeReader}, {@link ConfigSection}): every problem in the file is collected and reported
 * together, each as {@code FILE:LINE:COLUMN: key.path: value (expected: ...)} like bulwark.yaml's, unknown keys with
 * the closest known one; nothing half-loaded is returned.
 */
public final class ScenarioReader {
    private static final Pattern SITE = Pattern.compile("site-(\\d{4})");
    private static final int MAX = Integer.MAX_VALUE;

    /** An attack a phase can run: its key in the phase, and how its section binds (defaults in the getters). */
    private record AttackKind(String key, Function<ConfigSection, Scenario.Attack> bind) {}

    /** In the order a phase's attacks start; each key's defaults are documented in scenarios/README.md. */
    private static final List<AttackKind> ATTACKS = List.of(
            new AttackKind(
                    "get_flood",
                    a -> new Scenario.GetFlood(
                            rate(a, "rate", 1000),
                            a.count("sources", 1000, 1, MAX),
                            a.count("per_prefix", 10, 1, MAX),
                            a.flag("cache_bust", true),
                            a.duration("timeout", Duration.ofSeconds(2), false))),
            new AttackKind(
                    "slowloris",
                    a -> new Scenario.Slowloris(
                            a.count("connections", 500, 1, MAX),
                            a.duration("line_interval", Duration.ofSeconds(5), false))),
            new AttackKind("connection_flood", a -> new Scenario.ConnectionFlood(a.count("connections", 500, 1, MAX))),
            new AttackKind(
                    "nat_flood",
                    a -> new Scenario.NatFlood(
                            rate(a, "rate", 100),
                            a.count("connections", 20, 1, MAX),
                            a.duration("timeout", Duration.ofSeconds(2), false))),
            new AttackKind(
                    "random_source",
                    a -> new Scenario.RandomSource(
                            rate(a, "rate", 500),
                            a.flag("cache_bust", true),
                            a.duration("timeout", Duration.ofSeconds(2), false))),
            new AttackKind(
                    "h2_rapid_reset",
                    a -> new Scenario.H2RapidReset(
                            a.count("connections", 20, 1, MAX), rate(a, "streams_per_second", 200))));

    private ScenarioReader() {}

    /** The scenario {@code name} from {@code dir/name.yaml}. */
    public static Scenario load(Path dir, String name) throws ScenarioException {
        Path path = dir.resolve(name + ".yaml");
        if (!Files.isRegularFile(path)) {
            throw new ScenarioException(
                    List.of(path + ":0:0: no such scenario (expected: one of " + available(dir) + ")"));
        }
        try {
            return parse(Files.readString(path), path.toString(), name);
        } catch (IOException e) {
            throw new ScenarioException(List.of(path + ":0:0: cannot read scenario file: " + e.getMessage()));
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
        ConfigProblems problems = new ConfigProblems(Path.of(file));
        Optional<YamlNode> root =
                YamlTreeReader.read(yaml, problems, "a YAML mapping with sites, origin, legit and phases");
        Scenario s = root.map(r -> scenario(ConfigSection.of(r, "", problems, Path.of(".")), name))
                .orElse(null);
        if (!problems.isEmpty() || s == null) {
            throw new ScenarioException(problems(problems));
        }
        return s;
    }

    private static List<String> problems(ConfigProblems problems) {
        ConfigException e = problems.toException();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    /** Null when anything was reported (then nothing is built: the records' own checks would throw). */
    private static Scenario scenario(ConfigSection n, String name) {
        String description = n.text("description").orElse("");
        if (n.node("sites").isEmpty()) {
            n.missing("sites", "an integer >= 1");
        }
        int sites = n.count("sites", 1, 1, MAX);
        List<String> targets = targets(n, sites);
        ConfigSection o = required(n, "origin");
        Scenario.OriginModelConfig origin = new Scenario.OriginModelConfig(
                o.count("workers", 64, 1, MAX),
                o.count("backlog", 512, 0, MAX),
                o.duration("page_service", Duration.ofMillis(100), true),
                o.duration("asset_service", Duration.ofMillis(2), true),
                o.duration("feed_service", Duration.ofMillis(40), true),
                o.duration("page_max_age", Duration.ZERO, true));
        o.finish();
        ConfigSection l = required(n, "legit");
        Scenario.LegitTraffic legit = new Scenario.LegitTraffic(
                l.count("browsers", 0, 0, MAX),
                l.count("feed_readers", 0, 0, MAX),
                l.count("crawlers", 0, 0, MAX),
                l.decimal("zipf_exponent", 1.0, 0),
                l.duration("think_time", Duration.ofSeconds(3), true),
                l.duration("feed_interval", Duration.ofSeconds(10), false),
                rate(l, "crawl_rate", 5),
                l.duration("timeout", Duration.ofSeconds(4), false),
                l.count("nojs_readers", 0, 0, MAX),
                l.count("nat_people", 0, 0, MAX),
                // Each a whole headless Chromium: a handful is a measurement, hundreds would be the lab's own flood.
                l.count("chromium_readers", 0, 0, 8));
        l.finish();
        List<YamlNode> items = n.list("phases");
        if (items.isEmpty()) {
            n.missing("phases", "a non-empty list of phases, each a mapping with name and seconds");
        }
        List<Scenario.Phase> phases = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            phase(ConfigSection.of(items.get(i), n.path("phases") + "[" + i + "]", n.problems(), Path.of(".")), sites)
                    .ifPresent(phases::add);
        }
        boolean attacked = phases.stream().anyMatch(p -> !p.attacks().isEmpty());
        // Targets that were given but all refused are reported one by one already.
        boolean targetsGiven = n.node("targets")
                .filter(t -> t instanceof YamlNode.Sequence q && !q.items().isEmpty())
                .isPresent();
        if (attacked && targets.isEmpty() && !targetsGiven) {
            String expected = "at least one target site when a phase has attacks";
            n.node("targets")
                    .ifPresentOrElse(
                            at -> n.problems().invalid(at, n.path("targets"), expected),
                            () -> n.missing("targets", expected));
        }
        n.finish();
        if (!n.problems().isEmpty()) {
            return null;
        }
        return new Scenario(name, description, sites, targets, origin, legit, phases);
    }

    private static List<String> targets(ConfigSection n, int sites) {
        List<String> targets = new ArrayList<>();
        List<YamlNode> items = n.list("targets");
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            Optional<Integer> site = siteNumber(item).filter(k -> k <= sites);
            if (site.isEmpty()) {
                n.problems()
                        .invalid(
                                item,
                                n.path("targets") + "[" + i + "]",
                                "site-NNNN with NNNN between 0001 and %04d".formatted(sites));
            } else {
                targets.add(site(site.get()));
            }
        }
        return targets;
    }

    private static Optional<Scenario.Phase> phase(ConfigSection p, int sites) {
        Optional<String> name = p.text("name");
        if (name.isEmpty()) {
            p.missing("name", "the phase's name");
        }
        int seconds = p.count("seconds", 1, 1, MAX);
        int quick = p.count("quick_seconds", seconds, 1, MAX);
        List<Scenario.Attack> attacks = new ArrayList<>();
        for (AttackKind kind : ATTACKS) {
            if (p.node(kind.key()).isPresent()) {
                ConfigSection a = p.section(kind.key());
                attacks.add(kind.bind().apply(a));
                a.finish();
            }
        }
        Optional<Scenario.Crowd> crowd = Optional.empty();
        if (p.node("crowd").isPresent()) {
            ConfigSection c = p.section("crowd");
            int browsers = c.count("browsers", 100, 1, MAX);
            Optional<YamlNode> siteNode = c.node("site");
            if (siteNode.isEmpty()) {
                c.missing("site", "a site name like site-0005");
            } else if (siteNumber(siteNode.get()).filter(k -> k <= sites).isEmpty()) {
                c.problems().invalid(siteNode.get(), c.path("site"), "a site between site-0001 and " + site(sites));
            } else {
                crowd = Optional.of(new Scenario.Crowd(c.text("site").orElseThrow(), browsers));
            }
            c.finish();
        }
        p.finish();
        Optional<Scenario.Crowd> theCrowd = crowd;
        return name.map(n -> new Scenario.Phase(n, seconds, quick, attacks, theCrowd));
    }

    /** The mapping under {@code key}, reported as missing when absent (then bound as all defaults). */
    private static ConfigSection required(ConfigSection n, String key) {
        if (n.node(key).isEmpty()) {
            n.missing(key, "a mapping");
        }
        return n.section(key);
    }

    /** A rate in requests per second ({@code 2000/s}); {@code defaultValue} when absent or bad (then reported). */
    private static double rate(ConfigSection s, String key, double defaultValue) {
        return s.rate(key).orElse(defaultValue);
    }

    /** {@code NNNN} of a {@code site-NNNN} scalar, at least 1; empty for anything else. */
    private static Optional<Integer> siteNumber(YamlNode node) {
        if (!(node instanceof YamlNode.Scalar s)) {
            return Optional.empty();
        }
        Matcher m = SITE.matcher(s.text());
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(m.group(1)));
    }

    private static String site(int number) {
        return "site-%04d".formatted(number);
    }
}
