package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import coop.bulwark.testing.HeadlessChromium;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromedriver, which .ci/run installs): sign in with
 * the token, see the configured sites, watch the counters and the chart move while requests reach the edge, unban a
 * ban with the page's button, force a site under attack, and keep screenshots in target/ (desktop and phone widths).
 * Then, on a second edge with detection tuned to decide in seconds, a small flood on one site: the page names it
 * under attack with the detector's reason, draws the attack on the timeline with its report summary and chart, and
 * opens its reports (HTML in a new tab, Markdown in the page) once it has ended. Skipped, with the reason, only when the browser or its driver is not installed.
 */
// The page re-renders its tables every second, so any element may go stale between finding and reading it: every
// wait below retries on StaleElementReferenceException.
class DashboardBrowserTest {
    /**
     * What makes the page scroll sideways, found by hiding one child at a time from the body down and keeping the one
     * whose absence ends the overflow (bounding boxes miss overflowing text and absolutely placed boxes).
     */
    private static final String WIDEST = "const over = () => document.documentElement.scrollWidth - window.innerWidth;"
            + " if (over() <= 0) return 'none';"
            + " let node = document.body; const path = [];"
            + " outer: while (true) { for (const c of node.children) {"
            + "   const d = c.style.display; c.style.display = 'none'; const gone = over() <= 0; c.style.display = d;"
            + "   if (gone) { path.push(c.tagName + '#' + c.id + '.' + c.className); node = c; continue outer; } }"
            + "   break; }"
            + " return path.join(' > ') + ' :: ' + node.outerHTML.slice(0, 400);";

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static HttpServer origin;
    static AdminFixture f;
    static WebDriver driver;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                HeadlessChromium.available(),
                "dashboard browser test skipped: needs /usr/bin/chromium and /usr/bin/chromedriver"
                        + " (Debian packages chromium and chromium-driver; .ci/run installs them)");
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        origin.createContext("/", ex -> {
            byte[] body = "hello from the origin\n".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        origin.start();
        f = new AdminFixture(
                dir,
                AdminServer.MAX_AUTH_FAILURES,
                "127.0.0.1:" + origin.getAddress().getPort());

        profile = Files.createTempDirectory("bulwark-chromium-");
        ChromeDriverService service = HeadlessChromium.service();
        ChromeOptions options = HeadlessChromium.options(profile, "1280,1500");
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (f != null) {
            f.close();
        }
        if (origin != null) {
            origin.stop(0);
        }
        if (profile != null) {
            try (var paths = Files.walk(profile)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void signIn_sitesAndLiveChart_unbanWithAClick_underAttackFirst() throws Exception {
        driver.manage().window().setSize(new Dimension(1280, 1500));
        driver.manage().logs().get(LogType.BROWSER); // start this test's console afresh
        driver.get(f.base() + "/");
        assertThat(driver.getTitle()).isEqualTo("Bulwark edge");
        assertThat(driver.findElement(By.tagName("html")).getDomAttribute("lang"))
                .isEqualTo("en");

        // A wrong token is refused and the page stays on the sign-in form.
        WebElement token = driver.findElement(By.id("token"));
        token.sendKeys("not-the-token");
        driver.findElement(By.id("login-button")).click();
        await().atMost(WAIT)
                .ignoreException(StaleElementReferenceException.class)
                .until(() -> driver.findElement(By.id("login-error")).getText().contains("Wrong token"));
        assertThat(driver.findElement(By.id("app")).isDisplayed()).isFalse();

        token.clear();
        token.sendKeys(f.admin.tokenValue());
        driver.findElement(By.id("login-button")).click();
        await().atMost(WAIT)
                .ignoreException(StaleElementReferenceException.class)
                .until(() -> siteRows().size() == 2);
        assertThat(siteRows())
                .extracting(r -> r.getDomAttribute("data-site"))
                .containsExactlyInAnyOrder("alpha", "beta");
        assertThat(driver.findElement(By.id("status")).getText())
                .contains("req/s")
                .contains("sites");
        assertThat(js("return sessionStorage.getItem('bulwark.admin.token')")).isEqualTo(f.admin.tokenValue());

        // Requests to alpha: its counter rises and its chart gets non-zero points.
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread flood = Thread.ofVirtual().start(() -> {
            while (flooding.get()) {
                try {
                    get("alpha.test");
                    sent.incrementAndGet();
                    Thread.sleep(20);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        try {
            selectSite("alpha");
            await().atMost(WAIT)
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> requestsOf("alpha") > 0);
            await().atMost(WAIT)
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> Double.parseDouble(chartAttr("data-peak")) > 0);
            await().atMost(WAIT)
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> Integer.parseInt(chartAttr("data-points")) >= 4);
            assertThat(driver.findElements(By.cssSelector("#chart-rps canvas"))).isNotEmpty();
            assertThat(driver.findElements(By.cssSelector("#chart-latency canvas")))
                    .isNotEmpty();
            // The origin answers, so the latency chart gets points too.
            await().atMost(WAIT)
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> ((Number) js("return window.bulwarkDashboard.histories.get('alpha')"
                                            + ".latency.filter(v => v !== null && v > 0).length;"))
                                    .intValue()
                            > 0);
        } finally {
            flooding.set(false);
            flood.join();
        }
        assertThat(sent.get()).isPositive();

        // A ban made through the API appears; the page's button lifts it.
        assertThat(f.call("POST", "/api/bans", "{\"subject\":\"192.0.2.7\",\"reason\":\"browser test\"}")
                        .statusCode())
                .isEqualTo(201);
        await().atMost(WAIT)
                .ignoreException(StaleElementReferenceException.class)
                .until(() -> !driver.findElements(By.cssSelector("#bans tr[data-subject='192.0.2.7/32']"))
                        .isEmpty());
        assertThat(driver.findElement(By.id("bans")).getText())
                .contains("browser test")
                .contains("manual");
        screenshot("dashboard-bans.png");

        driver.findElement(By.cssSelector("#bans button.unban[data-subject='192.0.2.7/32']"))
                .click();
        await().atMost(WAIT)
                .ignoreException(StaleElementReferenceException.class)
                .until(() -> driver.findElements(By.cssSelector("#bans tr[data-subject='192.0.2.7/32']"))
                        .isEmpty());
        assertThat(f.edge.gatekeeper().bans().list())
                .noneMatch(b -> b.subject().toString().equals("192.0.2.7/32"));

        // beta (second in the config, idle) forced under attack from the page moves to the top of the table.
        selectSite("beta");
        driver.findElement(By.id("attack-on")).click();
        await().atMost(WAIT)
                .ignoreException(StaleElementReferenceException.class)
                .until(() ->
                        f.edge.snapshot().site("beta").guard().state().key().equals("under_attack"));
        await().atMost(WAIT)
                .ignoreException(StaleElementReferenceException.class)
                .until(() -> "beta".equals(siteRows().get(0).getDomAttribute("data-site")));
        assertThat(siteRows().get(0).getText()).contains("under attack");
        driver.findElement(By.id("attack-off")).click();
        await().atMost(WAIT)
                .ignoreException(StaleElementReferenceException.class)
                .until(() ->
                        f.edge.snapshot().site("beta").guard().state().key().equals("normal"));

        // Narrow (phone) layout: no horizontal overflow of the page itself.
        selectSite("alpha");
        driver.manage().window().setSize(new Dimension(390, 1400));
        Thread.sleep(1500);
        Number overflow = (Number) js("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow.intValue()).isLessThanOrEqualTo(0);
        screenshot("dashboard-phone.png");

        assertNoConsoleErrors();
    }

    @Test
    void floodOnOneSite_timelineNamesIt_reportSummaryAndReportsOpen() throws Exception {
        HttpServer fastOrigin = LoopbackFlood.origin();
        Files.createDirectories(dir.resolve("fast"));
        try (AdminFixture fast = new AdminFixture(
                dir.resolve("fast"),
                AdminAttacksIntegrationTest.YAML.replace(
                        "ORIGIN", "127.0.0.1:" + fastOrigin.getAddress().getPort()),
                AdminServer.MAX_AUTH_FAILURES)) {
            driver.manage().window().setSize(new Dimension(1280, 1500));
            driver.manage().logs().get(LogType.BROWSER); // start this test's console afresh
            driver.get(fast.base() + "/"); // another port, so another origin: sign in again
            driver.findElement(By.id("token")).sendKeys(fast.admin.tokenValue());
            driver.findElement(By.id("login-button")).click();
            await().atMost(WAIT)
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> siteRows().size() == 2);
            assertThat(driver.findElement(By.id("attacks-empty")).getText()).isEqualTo("No attacks recorded.");
            assertThat(driver.findElement(By.id("reports-empty")).isDisplayed()).isTrue();

            String id;
            try (LoopbackFlood flood =
                    new LoopbackFlood(fast.edge.httpAddress(), "alpha.test", 8, Duration.ofSeconds(15))) {
                // The open attack: on the timeline, highlighted, naming alpha; alpha first in the sites, with why.
                WebElement ongoing = await().atMost(WAIT)
                        .ignoreException(StaleElementReferenceException.class)
                        .until(
                                () -> driver.findElements(By.cssSelector("#timeline .tl-row.ongoing")).stream()
                                        .filter(e -> e.getText().contains("alpha"))
                                        .findFirst()
                                        .orElse(null),
                                e -> e != null);
                id = ongoing.getDomAttribute("data-attack");
                assertThat(id).matches("atk-\\d+-\\d+");
                await().atMost(WAIT)
                        .ignoreException(StaleElementReferenceException.class)
                        .until(() -> siteRows().get(0).getText().contains("under attack"));
                WebElement first = siteRows().get(0);
                assertThat(first.getDomAttribute("data-site")).isEqualTo("alpha");
                assertThat(first.getText()).contains("detected");
                assertThat(first.getDomAttribute("title")).contains("detection: ");

                // Its report summary, fetched with the token: facts, target, chart with points.
                await().atMost(WAIT)
                        .ignoreException(StaleElementReferenceException.class)
                        .until(() -> driver.findElement(By.id("attack-facts"))
                                .getText()
                                .contains("detected in"));
                assertThat(driver.findElement(By.id("attack-title")).getText()).isEqualTo(id);
                assertThat(driver.findElement(By.id("attack-targets")).getText())
                        .contains("alpha");
                await().atMost(WAIT)
                        .ignoreException(StaleElementReferenceException.class)
                        .until(() -> Double.parseDouble(attr("chart-attack", "data-peak")) > 0);
                assertThat(driver.findElements(By.cssSelector("#chart-attack canvas")))
                        .isNotEmpty();
                assertThat(driver.findElement(By.id("attack-mitigations")).getText())
                        .contains("under_attack_policy");
                screenshot("dashboard.png");
                assertThat(flood.sent()).isPositive();
            }

            // Over: the same attack, now ended, and its reports open.
            await().atMost(WAIT)
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() ->
                            driver.findElements(By.cssSelector("#timeline .tl-row.ended[data-attack='" + id + "']"))
                                            .size()
                                    == 1);
            assertThat(driver.findElements(By.cssSelector("#timeline .tl-row.ongoing")))
                    .isEmpty();
            await().atMost(WAIT)
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() ->
                            driver.findElement(By.id("attack-facts")).getText().contains(" to "));
            WebElement reportRow = driver.findElement(By.cssSelector("#reports tr[data-attack='" + id + "']"));
            assertThat(reportRow.getText()).contains("alpha");

            String dashboard = driver.getWindowHandle();
            click("#reports tr[data-attack='" + id + "'] button.open-html");
            String tab = await().atMost(WAIT)
                    .until(
                            () -> driver.getWindowHandles().stream()
                                    .filter(h -> !h.equals(dashboard))
                                    .findFirst()
                                    .orElse(null),
                            h -> h != null);
            try {
                driver.switchTo().window(tab);
                await().atMost(WAIT)
                        .ignoreExceptions()
                        .until(() ->
                                driver.findElement(By.tagName("h1")).getText().contains(id));
                assertThat(driver.getCurrentUrl()).startsWith("blob:");
                assertThat(driver.findElement(By.tagName("body")).getText()).contains("alpha");
                assertThat(driver.findElements(By.tagName("svg"))).isNotEmpty();
                // Styled: the tab inherits the dashboard's policy, which allows the report's style block by its hash.
                assertThat(js("return getComputedStyle(document.body).maxWidth;"))
                        .isEqualTo("960px");
            } finally {
                driver.close();
                driver.switchTo().window(dashboard);
            }

            click("#reports tr[data-attack='" + id + "'] button.show-md");
            await().atMost(WAIT)
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() ->
                            driver.findElement(By.id("report-text")).getText().contains(id));
            assertThat(driver.findElement(By.id("report-text")).getText()).contains("alpha");
            assertThat(driver.findElement(By.id("report-view-title")).getText()).contains(id);

            // Phone width with the timeline, the summary and the report: the page itself does not scroll sideways.
            driver.manage().window().setSize(new Dimension(390, 1400));
            Thread.sleep(1500);
            Number overflow = (Number) js("return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(overflow.intValue())
                    .as("sideways overflow; widest: %s", js(WIDEST))
                    .isLessThanOrEqualTo(0);
            screenshot("dashboard-phone-attack.png");
            assertNoConsoleErrors();
        } finally {
            driver.get("about:blank"); // stop the page polling an edge that is about to close
            fastOrigin.stop(0);
        }
    }

    private static void assertNoConsoleErrors() {
        List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !e.getMessage().contains("401")) // the wrong token of the first test
                .toList();
        assertThat(severe).as("browser console errors").isEmpty();
    }

    private static void click(String css) {
        await().atMost(WAIT)
                .ignoreException(StaleElementReferenceException.class)
                .until(() -> {
                    driver.findElement(By.cssSelector(css)).click();
                    return true;
                });
    }

    private static String attr(String id, String name) {
        String v = driver.findElement(By.id(id)).getDomAttribute(name);
        return v == null ? "0" : v;
    }

    private static List<WebElement> siteRows() {
        return driver.findElements(By.cssSelector("#sites tbody tr"));
    }

    private static void selectSite(String name) {
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            driver.findElement(By.cssSelector("#sites tbody tr[data-site='" + name + "']"))
                    .click();
            return name.equals(driver.findElement(By.id("site")).getDomAttribute("data-site"));
        });
    }

    private static long requestsOf(String site) {
        String text = driver.findElement(By.cssSelector("#sites tbody tr[data-site='" + site + "'] td.requests"))
                .getText();
        return Long.parseLong(text.replace(",", ""));
    }

    private static String chartAttr(String name) {
        String v = driver.findElement(By.id("chart-rps")).getDomAttribute(name);
        return v == null ? "0" : v;
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static void screenshot(String name) throws IOException {
        Path out = Path.of("target", name);
        Files.createDirectories(out.getParent());
        Files.write(out, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    /** One request to the edge for {@code host}, read to the end. */
    private static void get(String host) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(5000);
            s.connect(f.edge.httpAddress(), 5000);
            s.getOutputStream()
                    .write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
