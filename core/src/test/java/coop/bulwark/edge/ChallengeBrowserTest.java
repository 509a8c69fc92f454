package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.challenge.PassCodec;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.ChallengeMode;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.SiteChallenge;
import coop.bulwark.site.SiteConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The challenge in a real headless Chromium against an edge on loopback whose site is under attack: the browser solves
 * the proof of work (Web Crypto on 127.0.0.1, a secure context; the script's own SHA-256 on a plain-http name, where
 * browsers give no Web Crypto) and ends on the origin's page with the cookie set; with JavaScript off it gets there
 * through the fallback. Keeps a screenshot of the page in target/challenge.png (copied to docs/challenge.png). Skipped, with the reason, only when the
 * browser or its driver is not installed.
 */
class ChallengeBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final int DIFFICULTY = 14;

    @TempDir
    static Path dir;

    static TestOrigin origin;
    static EdgeServer edge;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(
                ChallengeBrowser.available(),
                "challenge browser test skipped: needs /usr/bin/chromium and /usr/bin/chromedriver"
                        + " (Debian packages chromium and chromium-driver; .ci/run installs them)");
        origin = new TestOrigin("origin");
        SiteChallenge auto = new SiteChallenge(
                ChallengeMode.AUTO,
                OptionalInt.of(DIFFICULTY),
                OptionalInt.of(DIFFICULTY),
                List.of(),
                Optional.empty());
        SiteConfig site = TestEdge.site("attacked", List.of("127.0.0.1", "attacked.test"), origin.hostPort())
                .withChallenge(auto);
        // Too hard to finish during the test: the screenshot shows the page at work.
        SiteConfig slow = TestEdge.site("slow", List.of("slow.test"), origin.hostPort())
                .withChallenge(new SiteChallenge(
                        ChallengeMode.ALWAYS, OptionalInt.of(30), OptionalInt.of(30), List.of(), Optional.empty()));
        EdgeConfig base =
                TestEdge.config(List.of(site, slow), ConnectionLimits.DEFAULTS, false, ProtectionConfig.DEFAULTS);
        ChallengeConfig c = ChallengeConfig.DEFAULTS;
        ChallengeConfig challenge = new ChallengeConfig(
                Optional.of(dir.resolve("challenge.keys")),
                c.keyRotation(),
                c.cookieLifetime(),
                c.fallbackCookieLifetime(),
                Duration.ofSeconds(2),
                c.tokenLifetime(),
                c.difficulty(),
                c.underAttackDifficulty(),
                c.allowlist(),
                c.goodBots(),
                c.exemptPaths(),
                c.languages(),
                c.uncookiedPerIp(),
                c.fallbackPerIp(),
                c.banAfterFailures(),
                c.failureWindow());
        edge = EdgeServer.start(ChallengeIntegrationTest.withChallenge(base, challenge));
        edge.snapshot()
                .site("attacked")
                .guard()
                .force(ProtectionState.UNDER_ATTACK, "browser test", Instant.now(), null);
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    String url(String host, String path) {
        return "http://" + host + ":" + edge.httpAddress().getPort() + path;
    }

    static String rule() {
        return "MAP attacked.test 127.0.0.1, MAP slow.test 127.0.0.1";
    }

    static void assertOnOriginPageWithCookie(WebDriver d, String path) {
        await().atMost(WAIT)
                .ignoreExceptionsInstanceOf(WebDriverException.class) // stale or missing while the page navigates
                .until(() -> d.findElement(By.tagName("body")).getText().startsWith("origin host="));
        assertThat(d.getCurrentUrl()).endsWith(path);
        assertThat(d.findElement(By.tagName("body")).getText()).contains("uri=" + path);
        Cookie cookie = d.manage().getCookieNamed(PassCodec.COOKIE_NAME);
        assertThat(cookie).isNotNull();
        assertThat(cookie.getValue()).hasSize(PassCodec.COOKIE_CHARS);
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Lax");
    }

    static void assertNoConsoleErrors(WebDriver d) {
        List<LogEntry> severe = d.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !e.getMessage().contains("503")) // the challenge page's own status
                .toList();
        assertThat(severe)
                .as("browser console errors (a CSP violation would show here)")
                .isEmpty();
    }

    @Test
    void javascript_webCrypto_solvesAndLandsOnTheOriginPage_withTheCookie() throws IOException {
        long solvedBefore = edge.challengeStats().solved();
        try (var b = new ChallengeBrowser(true, rule())) {
            b.driver.get(url("127.0.0.1", "/post/42?ref=home"));
            assertOnOriginPageWithCookie(b.driver, "/post/42?ref=home");
            assertNoConsoleErrors(b.driver);
            // Next pages go straight through with the cookie.
            b.driver.get(url("127.0.0.1", "/about"));
            assertThat(b.driver.findElement(By.tagName("body")).getText()).startsWith("origin host=127.0.0.1");
        }
        assertThat(edge.challengeStats().solved()).isEqualTo(solvedBefore + 1);
    }

    @Test
    void javascript_plainHttpName_withoutWebCrypto_solvesWithTheScriptsOwnSha256() throws IOException {
        try (var b = new ChallengeBrowser(true, rule())) {
            b.driver.get(url("attacked.test", "/"));
            assertOnOriginPageWithCookie(b.driver, "/");
            assertNoConsoleErrors(b.driver);
        }
    }

    @Test
    void noJavascript_fallbackWaits_thenLandsOnTheOriginPage_withTheCookie() throws IOException {
        long waitedBefore = edge.challengeStats().waited();
        try (var b = new ChallengeBrowser(false, rule())) {
            long t0 = System.nanoTime();
            b.driver.get(url("127.0.0.1", "/nojs"));
            assertOnOriginPageWithCookie(b.driver, "/nojs");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        }
        assertThat(edge.challengeStats().waited()).isEqualTo(waitedBefore + 1);
    }

    @Test
    void challengePage_screenshot_showsProgress_inEnglishAndSpanish() throws Exception {
        try (var b = new ChallengeBrowser(true, rule())) {
            b.driver.get(url("slow.test", "/"));
            await().atMost(WAIT)
                    .ignoreExceptionsInstanceOf(WebDriverException.class) // stale or missing while the page navigates
                    .until(() -> b.driver
                            .findElement(By.id("bulwark-status"))
                            .getText()
                            .matches("Checking… [1-9].*"));
            assertThat(b.driver.findElement(By.tagName("html")).getDomAttribute("lang"))
                    .isEqualTo("en");
            assertThat(b.driver.findElement(By.tagName("h1")).getText())
                    .isEqualTo("Checking your browser before you continue");
            byte[] png = ((TakesScreenshot) b.driver).getScreenshotAs(OutputType.BYTES);
            Path out = Path.of("target", "challenge.png");
            Files.createDirectories(out.getParent());
            Files.write(out, png); // docs/challenge.png is a copy of it
            assertNoConsoleErrors(b.driver);
        }
    }
}
