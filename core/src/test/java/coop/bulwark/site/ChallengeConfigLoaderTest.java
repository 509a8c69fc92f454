package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code challenge:} section and {@code sites[].challenge}; see docs/config.md and docs/challenge.md. */
class ChallengeConfigLoaderTest {
    /** Lines 1-6: a complete valid file; site keys may follow at 4 spaces (line 7 on). */
    private static final String ONE_SITE = """
            listen:
              http: 127.0.0.1:8080
            sites:
              - name: alpha
                hosts: [alpha.example.org]
                origins: [10.0.0.5:8080]
            """;

    @TempDir
    Path dir;

    private Path file() {
        return ConfigFiles.file(dir);
    }

    private EdgeConfig load(String yaml) throws Exception {
        return ConfigFiles.load(dir, yaml);
    }

    private List<String> problems(String yaml) throws IOException {
        return ConfigFiles.problems(dir, yaml);
    }

    @Test
    void defaults_autoPerSite_keyFileUnderTheStateDirectory() throws Exception {
        EdgeConfig c = load(ONE_SITE);
        assertThat(c.sites().get(0).challenge()).isEqualTo(SiteChallenge.DEFAULTS);
        assertThat(c.sites().get(0).challenge().mode()).isEqualTo(ChallengeMode.AUTO);
        assertThat(c.challenge().keyFile()).contains(dir.resolve("state/challenge.keys"));
        assertThat(c.challenge().difficulty()).isEqualTo(ChallengeConfig.DEFAULTS.difficulty());
        assertThat(c.challenge().exemptPaths()).isEqualTo(ChallengeConfig.DEFAULT_EXEMPT_PATHS);
    }

    @Test
    void everyKey_isBound() throws Exception {
        Files.writeString(dir.resolve("googlebot.json"), """
                {"creationTime": "2026-11-20T00:00:00.000000", "prefixes": [
                  {"ipv6Prefix": "2001:4860:4801:10::/64"}, {"ipv4Prefix": "66.249.64.0/27"}]}
                """);
        EdgeConfig c = load("""
                listen:
                  http: 127.0.0.1:8080
                challenge:
                  key_file: /var/lib/bulwark/keys
                  key_rotation: 12h
                  cookie_lifetime: 6h
                  fallback_cookie_lifetime: 30m
                  fallback_wait: 8s
                  token_lifetime: 5m
                  difficulty: 15
                  under_attack_difficulty: 19
                  allowlist: [192.0.2.10, "2001:db8::/48"]
                  good_bots:
                    - {name: googlebot, user_agent: "Googlebot/\\\\d", ranges_file: googlebot.json}
                    - {name: monitor, user_agent: UptimeRobot, ranges: [203.0.113.0/24]}
                  exempt_paths: [/api/*, "*.json"]
                  languages: [es, en]
                  uncookied_per_ip: {rate: 3/s, burst: 9}
                  fallback_per_ip: off
                  ban_after_failures: 5
                  failure_window: 30s
                sites:
                  - name: alpha
                    hosts: [alpha.example.org]
                    origins: [10.0.0.5:8080]
                    challenge: always
                  - name: beta
                    hosts: [beta.example.org]
                    origins: [10.0.0.5:8080]
                    challenge: {mode: off, difficulty: 12, under_attack_difficulty: 14, exempt_paths: [/shop/cart*], language: es}
                """);
        ChallengeConfig ch = c.challenge();
        assertThat(ch.keyFile()).contains(Path.of("/var/lib/bulwark/keys"));
        assertThat(ch.keyRotation()).isEqualTo(Duration.ofHours(12));
        assertThat(ch.cookieLifetime()).isEqualTo(Duration.ofHours(6));
        assertThat(ch.fallbackCookieLifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(ch.fallbackWait()).isEqualTo(Duration.ofSeconds(8));
        assertThat(ch.tokenLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(ch.difficulty()).isEqualTo(15);
        assertThat(ch.underAttackDifficulty()).isEqualTo(19);
        assertThat(ch.allowlist()).containsExactly(Cidr.parse("192.0.2.10"), Cidr.parse("2001:db8::/48"));
        assertThat(ch.goodBots()).hasSize(2);
        assertThat(ch.goodBots().get(0).ranges())
                .containsExactly(Cidr.parse("2001:4860:4801:10::/64"), Cidr.parse("66.249.64.0/27"));
        assertThat(ch.goodBots().get(0).userAgent().matcher("Googlebot/2.1").find())
                .isTrue();
        assertThat(ch.goodBots().get(1).ranges()).containsExactly(Cidr.parse("203.0.113.0/24"));
        assertThat(ch.exemptPaths()).containsExactly("/api/*", "*.json");
        assertThat(ch.languages()).containsExactly("es", "en");
        assertThat(ch.uncookiedPerIp()).contains(new RateLimit(3, 9));
        assertThat(ch.fallbackPerIp()).isEmpty();
        assertThat(ch.banAfterFailures()).isEqualTo(5);
        assertThat(ch.failureWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.sites().get(0).challenge().mode()).isEqualTo(ChallengeMode.ALWAYS);
        assertThat(c.sites().get(1).challenge())
                .isEqualTo(new SiteChallenge(
                        ChallengeMode.OFF,
                        OptionalInt.of(12),
                        OptionalInt.of(14),
                        List.of("/shop/cart*"),
                        Optional.of("es")));
    }

    @Test
    void problems_areReported_withLineColumnAndTheFix() throws Exception {
        List<String> p = problems(ONE_SITE + """
                    challenge: sometimes
                  - name: beta
                    hosts: [beta.example.org]
                    origins: [10.0.0.5:8080]
                    challenge: {mode: alwys, difficulty: 40, exempt_paths: [api/*, "/a?b"], language: fr}
                challenge:
                  difficulty: 0
                  cookie_lifetime: 48h
                  languages: [en, de]
                  allowlist: [not-an-ip]
                  good_bots:
                    - {name: fake, user_agent: Googlebot}
                    - {name: broken, user_agent: "(", ranges: [10.0.0.0/8]}
                  dificulty: 3
                """);
        assertThat(p)
                .containsExactlyInAnyOrder(
                        "7:16: sites[0].challenge: sometimes (expected: one of off, auto, always)",
                        "11:23: sites[1].challenge.mode: alwys (expected: one of off, auto, always; did you mean always?)",
                        "11:42: sites[1].challenge.difficulty: 40 (expected: an integer 1-32)",
                        "11:61: sites[1].challenge.exempt_paths[0]: api/* (expected: a path pattern starting with / or *, like"
                                + " /api/* or *.rss)",
                        "11:68: sites[1].challenge.exempt_paths[1]: /a?b (expected: a path pattern starting with / or *, like"
                                + " /api/* or *.rss; no spaces, query (?) or fragment (#): the path alone is matched)",
                        "11:87: sites[1].challenge.language: fr (expected: one of en, es; did you mean en?)",
                        "13:15: challenge.difficulty: 0 (expected: an integer 1-32)",
                        "14:20: challenge.cookie_lifetime: 48h (expected: cookie_lifetime at most key_rotation (24h; a cookie"
                                + " must not outlive the key that signed it))",
                        "15:19: challenge.languages[1]: de (expected: one of en, es; did you mean en?)",
                        "16:15: challenge.allowlist[0]: not-an-ip (expected: an IP address or network like 10.0.0.0/8)",
                        "18:7: challenge.good_bots[0].ranges_file: missing (expected: the crawler's published ranges (a JSON"
                                + " file like googlebot.json) or a ranges: list; a user agent alone is never trusted)",
                        "19:34: challenge.good_bots[1].user_agent: ( (expected: a Java regular expression (Unclosed group))",
                        "20:3: challenge.dificulty: unknown key (did you mean difficulty?)");
    }

    @Test
    void seenCookie_settings_areRead_andALifetimeBeyondTheKeyIsAProblemAtTheKey() throws Exception {
        List<String> p = problems(ONE_SITE + """
                challenge:
                  key_rotation: 6h
                  cookie_lifetime: 6h
                  seen_cookie_lifetime: 12h
                  seen_per_cookie: {rate: 0/s}
                """);
        assertThat(p).hasSize(2);
        assertThat(p.get(0))
                .isEqualTo("10:25: challenge.seen_cookie_lifetime: 12h (expected: seen_cookie_lifetime at most"
                        + " key_rotation (6h; a cookie must not outlive the key that signed it))");
        assertThat(p.get(1)).contains("challenge.seen_per_cookie");
    }

    @Test
    void rangeFile_missingOrCorrupt_isAProblemAtTheKey() throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{\"prefixes\": [{\"ipv4Prefix\": \"66.249.64.0/33\"}]}");
        Files.writeString(dir.resolve("notjson.json"), "{\"prefixes\": [");
        Files.writeString(dir.resolve("empty.json"), "{\"creationTime\": \"x\"}");
        List<String> p = problems(ONE_SITE + """
                challenge:
                  good_bots:
                    - {name: a, user_agent: A, ranges_file: missing.json}
                    - {name: b, user_agent: B, ranges_file: bad.json}
                    - {name: c, user_agent: C, ranges_file: notjson.json}
                    - {name: d, user_agent: D, ranges_file: empty.json}
                """);
        assertThat(p).hasSize(4);
        assertThat(p.get(0))
                .startsWith("9:45: challenge.good_bots[0].ranges_file: missing.json (expected: a readable"
                        + " JSON range file; not found: " + dir.resolve("missing.json"));
        assertThat(p.get(1))
                .startsWith("10:45: challenge.good_bots[1].ranges_file: bad.json")
                .contains("prefixes[0]");
        assertThat(p.get(2))
                .startsWith("11:45: challenge.good_bots[2].ranges_file: notjson.json")
                .contains("not valid JSON");
        assertThat(p.get(3))
                .startsWith("12:45: challenge.good_bots[3].ranges_file: empty.json")
                .contains("has none");
    }
}
