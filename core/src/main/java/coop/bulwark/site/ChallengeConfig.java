package coop.bulwark.site;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Edge-wide settings of the proof-of-work challenge ({@code challenge:} in the config file). Which sites are
 * challenged, and when, is each site's {@link SiteChallenge}.
 *
 * @param keyFile where the signing keys are kept so a restart does not log visitors out (created, mode 0600, when
 *     missing); empty: keys live in memory only (configs built in code, the lab)
 * @param keyRotation a new signing key is made this often; the previous one is still accepted for one more period
 * @param cookieLifetime how long the cookie a solved challenge earns is valid; at most {@code keyRotation}
 * @param fallbackCookieLifetime the same for the no-JavaScript fallback's weaker cookie; at most {@code cookieLifetime}
 * @param fallbackWait how long the no-JavaScript fallback makes the browser wait before it earns a cookie
 * @param tokenLifetime how long a challenge handed out may be answered
 * @param difficulty leading zero bits of SHA-256 asked of a browser (1-32), outside {@code under_attack}
 * @param underAttackDifficulty leading zero bits asked while the site is under attack (1-32)
 * @param allowlist client networks never challenged (monitoring)
 * @param goodBots crawlers never challenged (user agent and source range must both match)
 * @param exemptPaths path patterns never challenged, on every site ({@code *} matches any run of characters);
 *     requests to them without a cookie get {@code uncookiedPerIp} instead
 * @param languages the page's languages offered, chosen by Accept-Language; the first is the default
 * @param uncookiedPerIp on a site that is challenging, the rate per client address of requests without a valid cookie
 *     that are not challenged (assets, APIs, feeds, exempt paths); empty: no limit
 * @param fallbackPerIp on a site that is challenging, the rate per client address of requests holding the weaker
 *     no-JavaScript cookie; empty: no limit
 * @param banAfterFailures wrong or forged answers from one address within {@code failureWindow} that ban it (0: never)
 * @param failureWindow the window for {@code banAfterFailures}
 * @param seenCookieLifetime how long the {@code seen} cookie given to visitors in normal times is valid; at most
 *     {@code keyRotation}
 * @param seenPerCookie the rate at which one {@code seen} cookie keeps counting as a person's; beyond it (a bot's rate,
 *     or one cookie replayed by many clients) the requests holding it are treated as strangers'; empty: no limit
 */
public record ChallengeConfig(
        Optional<Path> keyFile,
        Duration keyRotation,
        Duration cookieLifetime,
        Duration fallbackCookieLifetime,
        Duration fallbackWait,
        Duration tokenLifetime,
        int difficulty,
        int underAttackDifficulty,
        List<Cidr> allowlist,
        List<GoodBot> goodBots,
        List<String> exemptPaths,
        List<String> languages,
        Optional<RateLimit> uncookiedPerIp,
        Optional<RateLimit> fallbackPerIp,
        int banAfterFailures,
        Duration failureWindow,
        Duration seenCookieLifetime,
        Optional<RateLimit> seenPerCookie) {

    /** The page translations Bulwark ships (resources {@code coop/bulwark/challenge/text_LANG.properties}). */
    public static final List<String> SHIPPED_LANGUAGES = List.of("en", "es");

    /** Default {@code challenge.key_file}, relative to the config file's directory. */
    public static final String DEFAULT_KEY_FILE = "state/challenge.keys";

    /** Highest difficulty accepted: 2^32 hashes is minutes even on a fast desktop. */
    public static final int MAX_DIFFICULTY = 32;

    /** APIs, feeds, robots.txt, sitemaps and well-known URIs: machines read them, so they are never challenged. */
    public static final List<String> DEFAULT_EXEMPT_PATHS = List.of(
            "/api/*",
            "/wp-json/*",
            "/xmlrpc.php",
            "/feed",
            "/feed/*",
            "*/feed",
            "*/feed/",
            "/rss*",
            "*.rss",
            "*.atom",
            "/robots.txt",
            "/sitemap*.xml",
            "/sitemap*.xml.gz",
            "/.well-known/*",
            "/favicon.ico");

    public ChallengeConfig {
        Objects.requireNonNull(keyFile, "keyFile");
        positive("key_rotation", keyRotation);
        positive("cookie_lifetime", cookieLifetime);
        positive("fallback_cookie_lifetime", fallbackCookieLifetime);
        positive("token_lifetime", tokenLifetime);
        if (fallbackWait.isNegative()) {
            throw new IllegalArgumentException("fallback_wait: " + fallbackWait + " (expected: >= 0)");
        }
        if (cookieLifetime.compareTo(keyRotation) > 0) {
            throw new IllegalArgumentException(
                    "cookie_lifetime: " + cookieLifetime + " (expected: at most key_rotation, " + keyRotation + ")");
        }
        if (fallbackCookieLifetime.compareTo(cookieLifetime) > 0) {
            throw new IllegalArgumentException("fallback_cookie_lifetime: " + fallbackCookieLifetime
                    + " (expected: at most cookie_lifetime, " + cookieLifetime + ")");
        }
        difficulty("difficulty", difficulty);
        difficulty("under_attack_difficulty", underAttackDifficulty);
        allowlist = List.copyOf(allowlist);
        goodBots = List.copyOf(goodBots);
        exemptPaths = List.copyOf(exemptPaths);
        languages = List.copyOf(languages);
        if (languages.isEmpty() || !SHIPPED_LANGUAGES.containsAll(languages)) {
            throw new IllegalArgumentException(
                    "languages: " + languages + " (expected: one or more of " + SHIPPED_LANGUAGES + ")");
        }
        Objects.requireNonNull(uncookiedPerIp, "uncookiedPerIp");
        Objects.requireNonNull(fallbackPerIp, "fallbackPerIp");
        if (banAfterFailures < 0) {
            throw new IllegalArgumentException("ban_after_failures: " + banAfterFailures + " (expected: >= 0)");
        }
        positive("failure_window", failureWindow);
        positive("seen_cookie_lifetime", seenCookieLifetime);
        if (seenCookieLifetime.compareTo(keyRotation) > 0) {
            throw new IllegalArgumentException("seen_cookie_lifetime: " + seenCookieLifetime
                    + " (expected: at most key_rotation, " + keyRotation + ")");
        }
        Objects.requireNonNull(seenPerCookie, "seenPerCookie");
    }

    /** Default {@code seen_per_cookie}: a person's pages and their assets, never a flood's pace. */
    public static final RateLimit DEFAULT_SEEN_PER_COOKIE = new RateLimit(10, 100);

    /** Settings without the {@code seen} cookie's: its defaults (12 h, {@link #DEFAULT_SEEN_PER_COOKIE}). */
    public ChallengeConfig(
            Optional<Path> keyFile,
            Duration keyRotation,
            Duration cookieLifetime,
            Duration fallbackCookieLifetime,
            Duration fallbackWait,
            Duration tokenLifetime,
            int difficulty,
            int underAttackDifficulty,
            List<Cidr> allowlist,
            List<GoodBot> goodBots,
            List<String> exemptPaths,
            List<String> languages,
            Optional<RateLimit> uncookiedPerIp,
            Optional<RateLimit> fallbackPerIp,
            int banAfterFailures,
            Duration failureWindow) {
        this(
                keyFile,
                keyRotation,
                cookieLifetime,
                fallbackCookieLifetime,
                fallbackWait,
                tokenLifetime,
                difficulty,
                underAttackDifficulty,
                allowlist,
                goodBots,
                exemptPaths,
                languages,
                uncookiedPerIp,
                fallbackPerIp,
                banAfterFailures,
                failureWindow,
                cookieLifetime.compareTo(Duration.ofHours(12)) < 0 ? cookieLifetime : Duration.ofHours(12),
                Optional.of(DEFAULT_SEEN_PER_COOKIE));
    }

    public static final ChallengeConfig DEFAULTS = new ChallengeConfig(
            Optional.empty(),
            Duration.ofHours(24),
            Duration.ofHours(12),
            Duration.ofHours(1),
            Duration.ofSeconds(5),
            Duration.ofMinutes(10),
            15,
            16,
            List.of(),
            List.of(),
            DEFAULT_EXEMPT_PATHS,
            SHIPPED_LANGUAGES,
            Optional.of(new RateLimit(10, 60)),
            Optional.of(new RateLimit(2, 20)),
            3,
            Duration.ofSeconds(10));

    /** The same settings with another key file (empty: keys in memory only, as the lab wants). */
    public ChallengeConfig withKeyFile(Optional<Path> file) {
        return new ChallengeConfig(
                file,
                keyRotation,
                cookieLifetime,
                fallbackCookieLifetime,
                fallbackWait,
                tokenLifetime,
                difficulty,
                underAttackDifficulty,
                allowlist,
                goodBots,
                exemptPaths,
                languages,
                uncookiedPerIp,
                fallbackPerIp,
                banAfterFailures,
                failureWindow,
                seenCookieLifetime,
                seenPerCookie);
    }

    private static void positive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": " + d + " (expected: > 0)");
        }
    }

    private static void difficulty(String key, int bits) {
        if (bits < 1 || bits > MAX_DIFFICULTY) {
            throw new IllegalArgumentException(key + ": " + bits + " (expected: 1-" + MAX_DIFFICULTY + ")");
        }
    }
}
