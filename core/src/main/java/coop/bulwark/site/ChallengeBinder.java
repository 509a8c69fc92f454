package coop.bulwark.site;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds the edge-wide {@code challenge:} section ({@link ChallengeConfig}) and each site's {@code challenge:} key
 * ({@link SiteChallenge}). Good-bot range files are read here, at load, so a missing or corrupt one is a config
 * problem and never a surprise on the request path. Stateless; called on the loading thread only.
 */
final class ChallengeBinder {
    private static final List<String> MODES =
            Arrays.stream(ChallengeMode.values()).map(ChallengeMode::key).toList();
    private static final String EXPECTED_SITE =
            "off, auto or always, or a mapping {mode, difficulty, under_attack_difficulty, exempt_paths, language}";
    private static final String EXPECTED_PATH = "a path pattern starting with / or *, like /api/* or *.rss";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChallengeBinder() {}

    /** The top-level {@code challenge:} section. */
    static ChallengeConfig edge(ConfigSection c) {
        ChallengeConfig d = ChallengeConfig.DEFAULTS;
        Optional<Path> keyFile =
                Optional.of(c.file("key_file").orElse(c.baseDir().resolve(ChallengeConfig.DEFAULT_KEY_FILE)));
        Duration rotation = c.duration("key_rotation", d.keyRotation(), false);
        Duration cookie = c.duration("cookie_lifetime", d.cookieLifetime(), false);
        if (cookie.compareTo(rotation) > 0) {
            c.problems()
                    .invalid(
                            c.node("cookie_lifetime")
                                    .or(() -> c.node("key_rotation"))
                                    .orElseThrow(),
                            c.path(c.node("cookie_lifetime").isPresent() ? "cookie_lifetime" : "key_rotation"),
                            "cookie_lifetime at most key_rotation (" + ConfigUnits.formatDuration(rotation)
                                    + "; a cookie must not outlive the key that signed it)");
            cookie = rotation;
        }
        Duration fallbackCookie = c.duration("fallback_cookie_lifetime", d.fallbackCookieLifetime(), false);
        if (fallbackCookie.compareTo(cookie) > 0) {
            Optional<YamlNode> n = c.node("fallback_cookie_lifetime");
            if (n.isPresent()) {
                c.problems()
                        .invalid(
                                n.get(),
                                c.path("fallback_cookie_lifetime"),
                                "at most cookie_lifetime (" + ConfigUnits.formatDuration(cookie)
                                        + "): the no-JavaScript cookie is the weaker one");
            }
            fallbackCookie = cookie;
        }
        Duration fallbackWait = c.duration("fallback_wait", d.fallbackWait(), true);
        Duration tokenLifetime = c.duration("token_lifetime", d.tokenLifetime(), false);
        int difficulty = c.count("difficulty", d.difficulty(), 1, ChallengeConfig.MAX_DIFFICULTY);
        int underAttack =
                c.count("under_attack_difficulty", d.underAttackDifficulty(), 1, ChallengeConfig.MAX_DIFFICULTY);
        List<Cidr> allowlist = networks(c, "allowlist");
        List<GoodBot> goodBots = goodBots(c);
        List<String> exempt = c.node("exempt_paths").isPresent() ? paths(c, "exempt_paths") : d.exemptPaths();
        List<String> languages = c.choices("languages", ChallengeConfig.SHIPPED_LANGUAGES, d.languages());
        Optional<RateLimit> uncookied = ProtectionBinder.rateLimit(c, "uncookied_per_ip", d.uncookiedPerIp());
        Optional<RateLimit> fallback = ProtectionBinder.rateLimit(c, "fallback_per_ip", d.fallbackPerIp());
        int banAfter = c.count("ban_after_failures", d.banAfterFailures(), 0, Integer.MAX_VALUE);
        Duration window = c.duration("failure_window", d.failureWindow(), false);
        Duration seenLifetime = c.duration("seen_cookie_lifetime", d.seenCookieLifetime(), false);
        if (seenLifetime.compareTo(rotation) > 0) {
            c.problems()
                    .invalid(
                            c.node("seen_cookie_lifetime")
                                    .or(() -> c.node("key_rotation"))
                                    .orElseThrow(),
                            c.path(
                                    c.node("seen_cookie_lifetime").isPresent()
                                            ? "seen_cookie_lifetime"
                                            : "key_rotation"),
                            "seen_cookie_lifetime at most key_rotation (" + ConfigUnits.formatDuration(rotation)
                                    + "; a cookie must not outlive the key that signed it)");
            seenLifetime = rotation;
        }
        Optional<RateLimit> seenPerCookie = ProtectionBinder.rateLimit(c, "seen_per_cookie", d.seenPerCookie());
        c.finish();
        return new ChallengeConfig(
                keyFile,
                rotation,
                cookie,
                fallbackCookie,
                fallbackWait,
                tokenLifetime,
                difficulty,
                underAttack,
                allowlist,
                goodBots,
                exempt,
                languages,
                uncookied,
                fallback,
                banAfter,
                window,
                seenLifetime,
                seenPerCookie);
    }

    /** A site's {@code challenge:}: a mode, or a mapping with the mode and overrides. */
    static SiteChallenge site(ConfigSection s) {
        SiteChallenge d = SiteChallenge.DEFAULTS;
        Optional<YamlNode> node = s.node("challenge");
        if (node.isEmpty() || node.get() instanceof YamlNode.Empty) {
            return d;
        }
        if (node.get() instanceof YamlNode.Scalar) {
            return s.choice("challenge", MODES)
                    .map(ChallengeBinder::mode)
                    .map(d::withMode)
                    .orElse(d);
        }
        if (!(node.get() instanceof YamlNode.Mapping)) {
            s.problems().invalid(node.get(), s.path("challenge"), EXPECTED_SITE);
            return d;
        }
        ConfigSection c = s.section("challenge");
        ChallengeMode mode = c.choice("mode", MODES).map(ChallengeBinder::mode).orElse(d.mode());
        OptionalInt difficulty = optionalBits(c, "difficulty");
        OptionalInt underAttack = optionalBits(c, "under_attack_difficulty");
        List<String> exempt = paths(c, "exempt_paths");
        Optional<String> language = c.choice("language", ChallengeConfig.SHIPPED_LANGUAGES);
        c.finish();
        return new SiteChallenge(mode, difficulty, underAttack, exempt, language);
    }

    private static ChallengeMode mode(String key) {
        return ChallengeMode.valueOf(key.toUpperCase(Locale.ROOT));
    }

    private static OptionalInt optionalBits(ConfigSection c, String key) {
        if (c.text(key).isEmpty()) {
            return OptionalInt.empty();
        }
        int v = c.count(key, -1, 1, ChallengeConfig.MAX_DIFFICULTY);
        return v < 0 ? OptionalInt.empty() : OptionalInt.of(v);
    }

    private static List<String> paths(ConfigSection c, String key) {
        List<YamlNode> items = c.list(key);
        List<String> result = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            String problem = item instanceof YamlNode.Scalar sc ? pathProblem(sc.text()) : EXPECTED_PATH;
            if (problem != null) {
                c.problems().invalid(item, c.path(key) + "[" + i + "]", problem);
                continue;
            }
            result.add(((YamlNode.Scalar) item).text());
        }
        return result;
    }

    /** Why {@code p} is not a path pattern, or null when it is one. */
    static String pathProblem(String p) {
        if (p.isEmpty() || (p.charAt(0) != '/' && p.charAt(0) != '*')) {
            return EXPECTED_PATH;
        }
        for (int i = 0; i < p.length(); i++) {
            char ch = p.charAt(i);
            if (ch <= ' ' || ch >= 0x7f || ch == '?' || ch == '#') {
                return EXPECTED_PATH + "; no spaces, query (?) or fragment (#): the path alone is matched";
            }
        }
        return null;
    }

    private static List<Cidr> networks(ConfigSection c, String key) {
        List<YamlNode> items = c.list(key);
        List<Cidr> result = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            cidr(items.get(i), c.path(key) + "[" + i + "]", c.problems()).ifPresent(result::add);
        }
        return result;
    }

    private static Optional<Cidr> cidr(YamlNode item, String path, ConfigProblems problems) {
        if (!(item instanceof YamlNode.Scalar s)) {
            problems.invalid(item, path, "an IP address or network like 192.0.2.0/24");
            return Optional.empty();
        }
        try {
            return Optional.of(Cidr.parse(s.text()));
        } catch (IllegalArgumentException e) {
            problems.add(item.line(), item.column(), path + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static List<GoodBot> goodBots(ConfigSection c) {
        List<YamlNode> items = c.list("good_bots");
        List<GoodBot> result = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            String path = c.path("good_bots") + "[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                c.problems()
                        .invalid(
                                item,
                                path,
                                "a mapping {name, user_agent: REGEX, ranges_file: FILE and/or ranges: [...]}");
                continue;
            }
            ConfigSection b = ConfigSection.of(item, path, c.problems(), c.baseDir());
            Optional<String> name = b.text("name");
            if (name.isEmpty()) {
                b.missing("name", "a name for logs, like googlebot");
            }
            Pattern ua = userAgent(b);
            List<Cidr> ranges = new ArrayList<>(networks(b, "ranges"));
            Optional<Path> file = b.file("ranges_file");
            boolean fileOk = true;
            if (file.isPresent()) {
                int before = ranges.size();
                fileOk = rangeFile(
                        file.get(), b.node("ranges_file").orElseThrow(), b.path("ranges_file"), b.problems(), ranges);
                if (fileOk && ranges.size() == before) {
                    b.problems()
                            .invalid(
                                    b.node("ranges_file").orElseThrow(),
                                    b.path("ranges_file"),
                                    "a range file with at least one prefix; " + file.get() + " lists none");
                    fileOk = false;
                }
            }
            if (file.isEmpty() && b.node("ranges").isEmpty()) {
                b.missing(
                        "ranges_file",
                        "the crawler's published ranges (a JSON file like googlebot.json) or a ranges: list;"
                                + " a user agent alone is never trusted");
            }
            b.finish();
            if (name.isPresent() && ua != null && fileOk && !ranges.isEmpty()) {
                result.add(new GoodBot(name.get(), ua, ranges));
            }
        }
        return result;
    }

    private static Pattern userAgent(ConfigSection b) {
        Optional<String> text = b.text("user_agent");
        if (text.isEmpty()) {
            b.missing("user_agent", "a regular expression found in the User-Agent, like Googlebot");
            return null;
        }
        try {
            return Pattern.compile(text.get());
        } catch (PatternSyntaxException e) {
            b.problems()
                    .invalid(
                            b.node("user_agent").orElseThrow(),
                            b.path("user_agent"),
                            "a Java regular expression (" + e.getDescription() + ")");
            return null;
        }
    }

    /**
     * Reads a crawler's published range file, the format Google, Bing and others use:
     * {@code {"prefixes": [{"ipv4Prefix": "66.249.64.0/27"}, {"ipv6Prefix": "2001:4860:4801:10::/64"}]}}. Adds the
     * prefixes to {@code out}; returns false after reporting a problem.
     */
    static boolean rangeFile(Path file, YamlNode at, String path, ConfigProblems problems, List<Cidr> out) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            problems.invalid(at, path, "a readable JSON range file; not found: " + file);
            return false;
        } catch (JacksonException e) {
            problems.invalid(
                    at,
                    path,
                    "a JSON range file like {\"prefixes\": [{\"ipv4Prefix\": \"66.249.64.0/27\"}]}; " + file
                            + " is not valid JSON at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr());
            return false;
        } catch (IOException e) {
            problems.invalid(at, path, "a readable JSON range file; " + file + ": " + e.getMessage());
            return false;
        }
        JsonNode prefixes = root == null ? null : root.get("prefixes");
        if (prefixes == null || !prefixes.isArray()) {
            problems.invalid(
                    at,
                    path,
                    "a JSON range file with a \"prefixes\" list like [{\"ipv4Prefix\": \"66.249.64.0/27\"}]; " + file
                            + " has none");
            return false;
        }
        for (int i = 0; i < prefixes.size(); i++) {
            JsonNode p = prefixes.get(i);
            JsonNode v = p.has("ipv4Prefix") ? p.get("ipv4Prefix") : p.get("ipv6Prefix");
            String where = file + ": prefixes[" + i + "]";
            if (v == null || !v.isTextual()) {
                problems.invalid(at, path, "an ipv4Prefix or ipv6Prefix in every entry; " + where + " has neither");
                return false;
            }
            try {
                out.add(Cidr.parse(v.asText()));
            } catch (IllegalArgumentException e) {
                problems.invalid(at, path, "valid networks in the range file; " + where + ": " + e.getMessage());
                return false;
            }
        }
        return true;
    }
}
