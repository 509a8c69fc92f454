package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.challenge.ChallengeEndpoint;
import coop.bulwark.challenge.PassCodec;
import coop.bulwark.challenge.ProofOfWork;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.ChallengeMode;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.GoodBot;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.RateLimit;
import coop.bulwark.site.SiteChallenge;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The challenge through a real edge and origin on loopback, as a browser's requests would meet it: page, answer,
 * cookie, redirects, the no-JavaScript fallback, the requests it must not challenge, and bans for bad answers.
 */
class ChallengeIntegrationTest {
    static final String ALWAYS = "always.test";
    static final String AUTO = "auto.test";
    static final String HTML = "Accept: text/html,application/xhtml+xml,*/*;q=0.8";
    static final Pattern TOKEN = Pattern.compile("data-challenge=\"([A-Za-z0-9_-]+)\"");
    static final Pattern DIFFICULTY = Pattern.compile("data-difficulty=\"(\\d+)\"");
    static final Pattern WAIT = Pattern.compile("name=\"wait\" value=\"([A-Za-z0-9_-]+)\"");

    @TempDir
    Path dir;

    TestOrigin origin;
    EdgeServer edge;

    @BeforeEach
    void start() throws IOException {
        origin = new TestOrigin("origin");
        var always = TestEdge.site("always", List.of(ALWAYS), origin.hostPort())
                .withChallenge(new SiteChallenge(
                        ChallengeMode.ALWAYS,
                        OptionalInt.of(8),
                        OptionalInt.of(10),
                        List.of("/open/*"),
                        Optional.empty()));
        var auto = TestEdge.site("auto", List.of(AUTO), origin.hostPort()).withChallenge(SiteChallenge.DEFAULTS);
        EdgeConfig base =
                TestEdge.config(List.of(always, auto), ConnectionLimits.DEFAULTS, false, ProtectionConfig.DEFAULTS);
        edge = EdgeServer.start(
                withChallenge(base, challengeConfig(dir.resolve("state/challenge.keys"), Duration.ZERO)));
    }

    static ChallengeConfig challengeConfig(Path keyFile, Duration fallbackWait) {
        return new ChallengeConfig(
                Optional.of(keyFile),
                Duration.ofHours(24),
                Duration.ofHours(12),
                Duration.ofHours(1),
                fallbackWait,
                Duration.ofMinutes(10),
                8,
                10,
                List.of(Cidr.parse("127.0.9.0/24")),
                List.of(new GoodBot("testbot", Pattern.compile("TestBot/\\d"), List.of(Cidr.parse("127.0.8.0/24")))),
                ChallengeConfig.DEFAULT_EXEMPT_PATHS,
                List.of("en", "es"),
                Optional.of(new RateLimit(1, 5)),
                Optional.of(new RateLimit(1, 3)),
                3,
                Duration.ofSeconds(10));
    }

    static EdgeConfig withChallenge(EdgeConfig c, ChallengeConfig ch) {
        return c.withChallenge(ch);
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
        origin.close();
    }

    LoopbackClient.Response get(InetAddress from, String host, String path, String... headers) throws IOException {
        return LoopbackClient.once(edge.httpAddress(), from, "GET", host, path, headers);
    }

    static String group(Pattern p, String body) {
        Matcher m = p.matcher(body);
        assertThat(m.find()).as("%s in the page", p).isTrue();
        return m.group(1);
    }

    /** POSTs an answer from {@code from}; returns the response. */
    LoopbackClient.Response post(InetAddress from, String host, String form) throws IOException {
        try (var c = new LoopbackClient(edge.httpAddress(), from)) {
            return c.exchange("POST " + ChallengeEndpoint.PATH + " HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length()
                    + "\r\n\r\n" + form);
        }
    }

    static String form(String token, String nonce, String back) {
        return "token=" + token + "&nonce=" + nonce + "&return=" + URLEncoder.encode(back, StandardCharsets.UTF_8);
    }

    static String cookiePair(LoopbackClient.Response r) {
        String set = r.header("set-cookie");
        assertThat(set).isNotNull();
        return set.substring(0, set.indexOf(';'));
    }

    @Test
    void htmlNavigation_withoutCookie_getsTheChallengePage_503_noStore_small_selfContained() throws IOException {
        var from = LoopbackClient.loopback(0, 1, 2);
        var r = get(from, ALWAYS, "/post/1?x=1", HTML);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("retry-after")).isEqualTo("10");
        assertThat(r.header("cache-control")).isEqualTo("no-store");
        assertThat(r.header("content-type")).startsWith("text/html");
        assertThat(r.header("content-security-policy")).contains("default-src 'none'");
        assertThat(r.body().length()).isLessThan(20 * 1024);
        assertThat(r.body()).contains("<html lang=\"en\">").contains("data-difficulty=\"8\"");
        assertThat(r.body())
                .doesNotContain("http://")
                .doesNotContain("https://")
                .doesNotContain(" src=");
        assertThat(r.body()).contains("value=\"/post/1?x=1\"");
        assertThat(origin.requests.get()).isZero();

        var es = get(from, ALWAYS, "/", HTML, "Accept-Language: es-MX,es;q=0.9,en;q=0.5");
        assertThat(es.body()).contains("<html lang=\"es\">").contains("Comprobando tu navegador");
        var head = LoopbackClient.once(edge.httpAddress(), from, "HEAD", ALWAYS, "/", HTML);
        assertThat(head.status()).isEqualTo(503);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void goodAnswer_cookie_checkRedirect_thenOriginPage_withoutTheEdgesCookie() throws IOException {
        var from = LoopbackClient.loopback(0, 1, 3);
        var page = get(from, ALWAYS, "/post/7", HTML, "Sec-Fetch-Mode: navigate");
        String token = group(TOKEN, page.body());
        int bits = Integer.parseInt(group(DIFFICULTY, page.body()));
        long nonce = ProofOfWork.solve(token, bits);

        var answered = post(from, ALWAYS, form(token, Long.toString(nonce), "/post/7"));
        assertThat(answered.status()).isEqualTo(303);
        assertThat(answered.header("location")).isEqualTo(ChallengeEndpoint.PATH + "?check=1&return=%2Fpost%2F7");
        assertThat(answered.header("set-cookie"))
                .startsWith(PassCodec.COOKIE_NAME + "=")
                .contains("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200")
                .doesNotContain("Secure");
        String cookie = cookiePair(answered);

        var check = get(from, ALWAYS, answered.header("location"), HTML, "Cookie: " + cookie);
        assertThat(check.status()).isEqualTo(303);
        assertThat(check.header("location")).isEqualTo("/post/7");

        var done = get(from, ALWAYS, "/post/7", HTML, "Cookie: theme=dark; " + cookie);
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).startsWith("origin host=" + ALWAYS);
        assertThat(origin.lastHeaders.get("cookie")).isEqualTo("theme=dark");
        assertThat(edge.challengeStats().solved()).isEqualTo(1);

        // The same cookie from another /24 is no pass; from the same /24 it is.
        assertThat(get(LoopbackClient.loopback(0, 2, 3), ALWAYS, "/", HTML, "Cookie: " + cookie)
                        .status())
                .isEqualTo(503);
        assertThat(get(LoopbackClient.loopback(0, 1, 200), ALWAYS, "/", HTML, "Cookie: " + cookie)
                        .status())
                .isEqualTo(200);
        // Nor on another site.
        edge.snapshot().site("auto").guard().force(ProtectionState.UNDER_ATTACK, "test", Instant.now(), null);
        assertThat(get(from, AUTO, "/", HTML, "Cookie: " + cookie).status()).isEqualTo(503);
    }

    @Test
    void answerAndBodies_onOneKeepAliveConnection_eachBodyGoesWhereItBelongs() throws IOException {
        var from = LoopbackClient.loopback(0, 1, 13);
        try (var c = new LoopbackClient(edge.httpAddress(), from)) {
            var page = c.send("GET", ALWAYS, "/", HTML);
            String token = group(TOKEN, page.body());
            String form = form(token, Long.toString(ProofOfWork.solve(token, 8)), "/");
            var answered = c.exchange("POST " + ChallengeEndpoint.PATH + " HTTP/1.1\r\nHost: " + ALWAYS
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length()
                    + "\r\n\r\n" + form);
            assertThat(answered.status()).isEqualTo(303);
            String cookie = cookiePair(answered);
            var echo = c.exchange("POST /echo HTTP/1.1\r\nHost: " + ALWAYS + "\r\n" + HTML + "\r\nCookie: " + cookie
                    + "\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(echo.status()).isEqualTo(200);
            assertThat(echo.body()).isEqualTo("hello");
            // A refused form's body is skipped, and the next request on the connection is read correctly.
            var refused = c.exchange(
                    "POST /contact HTTP/1.1\r\nHost: " + ALWAYS + "\r\n" + HTML + "\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(refused.status()).isEqualTo(503);
            var again = c.exchange("POST /echo HTTP/1.1\r\nHost: " + ALWAYS + "\r\n" + HTML + "\r\nCookie: " + cookie
                    + "\r\nContent-Length: 2\r\n\r\nok");
            assertThat(again.body()).isEqualTo("ok");
        }
    }

    @Test
    void browserThatRefusesCookies_getsAnExplanation_notAnotherChallenge() throws IOException {
        var r = get(LoopbackClient.loopback(0, 1, 4), ALWAYS, ChallengeEndpoint.PATH + "?check=1&return=%2Fa", HTML);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("did not keep the cookie").contains("href=\"/a\"");
    }

    @Test
    void returnUrl_isAlwaysAPathOnTheSite() throws IOException {
        var r = get(
                LoopbackClient.loopback(0, 1, 5),
                ALWAYS,
                ChallengeEndpoint.PATH + "?check=1&return=%2F%2Fevil.example%2F",
                HTML,
                "Cookie: x=y");
        assertThat(r.body()).contains("href=\"/\"").doesNotContain("evil");
    }

    @Test
    void nonHtml_withoutCookie_isLimitedNotChallenged_exemptPathsAndGoodBotsAndAllowlistPass() throws IOException {
        var from = LoopbackClient.loopback(0, 1, 6);
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 8; i++) {
            int s = get(from, ALWAYS, "/assets/app.js", "Accept: */*").status();
            ok += s == 200 ? 1 : 0;
            limited += s == 429 ? 1 : 0;
        }
        assertThat(ok).isBetween(5, 6);
        assertThat(limited).isEqualTo(8 - ok);
        assertThat(get(from, ALWAYS, "/x.png", "Sec-Fetch-Dest: image", "Accept: text/html")
                        .status())
                .isEqualTo(429);

        var other = LoopbackClient.loopback(0, 1, 7);
        assertThat(get(other, ALWAYS, "/robots.txt", HTML).status()).isEqualTo(200);
        assertThat(get(other, ALWAYS, "/feed/", HTML).status()).isEqualTo(200);
        assertThat(get(other, ALWAYS, "/open/page", HTML).status()).isEqualTo(200); // the site's own exempt path
        assertThat(get(LoopbackClient.loopback(0, 9, 1), ALWAYS, "/", HTML).status())
                .isEqualTo(200); // allowlist
        // A good bot needs both its user agent and its range.
        assertThat(get(LoopbackClient.loopback(0, 8, 1), ALWAYS, "/", HTML, "User-Agent: TestBot/2")
                        .status())
                .isEqualTo(200);
        assertThat(get(other, ALWAYS, "/", HTML, "User-Agent: TestBot/2").status())
                .isEqualTo(503);
        assertThat(get(LoopbackClient.loopback(0, 8, 2), ALWAYS, "/", HTML, "User-Agent: Firefox")
                        .status())
                .isEqualTo(503);
    }

    @Test
    void postWithoutCookie_getsAClearMessage_andNeverReachesTheOrigin() throws IOException {
        try (var c = new LoopbackClient(edge.httpAddress(), LoopbackClient.loopback(0, 1, 8))) {
            var r = c.exchange("POST /contact HTTP/1.1\r\nHost: " + ALWAYS + "\r\n" + HTML
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nmsg=hi!");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body()).contains("Your form was not sent");
            // The connection stays usable: the refused body was skipped.
            assertThat(c.send("GET", ALWAYS, "/", HTML).status()).isEqualTo(503);
        }
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void threeBadAnswers_banTheSource() throws IOException {
        var from = LoopbackClient.loopback(0, 1, 9);
        var page = get(from, ALWAYS, "/", HTML);
        String token = group(TOKEN, page.body());
        var first = post(from, ALWAYS, form(token, "1x", "/"));
        assertThat(first.status()).isEqualTo(403);
        assertThat(first.body()).contains("The check did not succeed");
        assertThat(post(from, ALWAYS, form(token.replace('A', 'B'), "0", "/")).status())
                .isEqualTo(403);
        assertThat(post(from, ALWAYS, form("forged", "0", "/")).status()).isEqualTo(403);
        assertThat(edge.gatekeeper().bans().find(from)).isNotNull();
        assertThat(edge.gatekeeper().bans().find(from).reason()).contains("bad challenge answers");
        assertThat(edge.challengeStats().failed()).isEqualTo(3);
    }

    @Test
    void noJavaScript_waitToken_earnsTheWeakerCookie_whichIsLimitedHarder() throws IOException {
        var from = LoopbackClient.loopback(0, 1, 10);
        var page = get(from, ALWAYS, "/doc", HTML);
        String wait = group(WAIT, page.body());
        assertThat(page.body())
                .contains("<noscript><meta http-equiv=\"refresh\" content=\"0;url=/.bulwark/challenge?wait=");
        var r = get(from, ALWAYS, ChallengeEndpoint.PATH + "?wait=" + wait + "&return=%2Fdoc", HTML);
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.header("set-cookie")).contains("Max-Age=3600");
        String cookie = cookiePair(r);
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 5; i++) {
            int s = get(from, ALWAYS, "/doc", HTML, "Cookie: " + cookie).status();
            ok += s == 200 ? 1 : 0;
            limited += s == 429 ? 1 : 0;
        }
        assertThat(ok).isBetween(3, 4);
        assertThat(limited).isEqualTo(5 - ok);
        assertThat(edge.challengeStats().waited()).isEqualTo(1);
    }

    @Test
    void autoMode_challengesOnlyUnderAttack_withTheHigherDifficulty() throws IOException {
        var from = LoopbackClient.loopback(0, 1, 11);
        assertThat(get(from, AUTO, "/", HTML).status()).isEqualTo(200);
        edge.snapshot().site("auto").guard().force(ProtectionState.UNDER_ATTACK, "test", Instant.now(), null);
        var page = get(from, AUTO, "/", HTML);
        assertThat(page.status()).isEqualTo(503);
        assertThat(group(DIFFICULTY, page.body())).isEqualTo("10");
        edge.snapshot().site("auto").guard().setState(ProtectionState.NORMAL, "test", Instant.now());
        assertThat(get(from, AUTO, "/", HTML).status()).isEqualTo(200);
    }

    @Test
    void keyFile_isCreatedOwnerOnly_andARestartKeepsCookiesValid() throws IOException {
        var from = LoopbackClient.loopback(0, 1, 12);
        var page = get(from, ALWAYS, "/", HTML);
        String token = group(TOKEN, page.body());
        var answered = post(from, ALWAYS, form(token, Long.toString(ProofOfWork.solve(token, 8)), "/"));
        String cookie = cookiePair(answered);
        Path keys = dir.resolve("state/challenge.keys");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)))
                .isEqualTo("rw-------");

        EdgeConfig config = edge.snapshot().config();
        edge.close();
        edge = EdgeServer.start(config);
        assertThat(get(from, ALWAYS, "/", HTML, "Cookie: " + cookie).status()).isEqualTo(200);

        edge.close();
        edge = null;
        Files.writeString(keys, "1 2 not-base64!\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EdgeServer.start(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("challenge key file " + keys + " is corrupt: line 1");
    }
}
