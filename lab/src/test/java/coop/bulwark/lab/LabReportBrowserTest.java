package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.testing.HeadlessChromium;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The lab's HTML report in a real headless Chromium: the verdict, the table of runs and the charts are there and
 * drawn; on a wide screen the runs sit side by side, on a phone they stack and the page does not scroll sideways;
 * a third run and a kind of marker the page has never seen need no page code; nothing is logged to the console.
 * Screenshots go to target/. Skipped, with the reason, only when the browser or its driver is not installed.
 */
class LabReportBrowserTest {
    @TempDir
    static Path dir;

    static HeadlessChromium.Browser browser;
    static WebDriver driver;

    @BeforeAll
    static void start() throws IOException {
        browser = HeadlessChromium.startOrSkip("lab report browser test", "1200,1600");
        driver = browser.driver();
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void seed_verdictTableAndSideBySideCharts_stackedOnAPhone() throws IOException {
        List<LabReport.Marker> markers = List.of(
                new LabReport.Marker(6, "state", "site-0017: normal → suspect"),
                new LabReport.Marker(7, "detection", "attack declared on site-0342, site-0017"),
                new LabReport.Marker(9, "mitigation", "from here on, at most 10% of the attack reached the origin"));
        open(
                LabOutcomes.seed(),
                List.of(
                        LabOutcomes.series("unprotected", 31, 17, List.of()),
                        LabOutcomes.series("bulwark", 31, 100, markers)));

        assertThat(driver.findElement(By.id("verdict")).getText())
                .startsWith("Without Bulwark, 83% of the other sites' visitors' requests got no page");
        List<WebElement> rows = driver.findElements(By.cssSelector("#runs tbody tr"));
        assertThat(rows)
                .extracting(r -> r.findElement(By.tagName("th")).getText())
                .containsExactly("unprotected", "bulwark");
        List<WebElement> charts = charts(8);
        // Side by side on a wide screen: a measure's two runs on one line, the second to the right of the first.
        assertThat(charts.get(1).getRect().getY())
                .isEqualTo(charts.get(0).getRect().getY());
        assertThat(charts.get(1).getRect().getX())
                .isGreaterThan(charts.get(0).getRect().getX() + 300);
        assertThat(driver.findElements(By.cssSelector("line.marker"))).hasSize(12);
        screenshot("lab-report.png");

        driver.manage().window().setSize(new Dimension(390, 1400));
        charts = charts(8);
        assertThat(charts.get(1).getRect().getX())
                .as("stacked")
                .isEqualTo(charts.get(0).getRect().getX());
        assertThat(charts.get(1).getRect().getY())
                .isGreaterThan(charts.get(0).getRect().getY() + 100);
        Number overflow = (Number) ((JavascriptExecutor) driver)
                .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow.intValue())
                .as("the page scrolls sideways on a phone")
                .isLessThanOrEqualTo(0);
        screenshot("lab-report-phone.png");
        assertNoConsoleErrors();
    }

    @Test
    void threeRunsAndANewKindOfMarker_needNoPageCode() throws IOException {
        List<LabReport.Run> runs = new ArrayList<>(LabOutcomes.seed().runs());
        runs.add(LabOutcomes.run("edge-b", 0.99, 0.9, 44_000, 300, 2.5));
        LabReport three = new LabReport("seed", 850, 31, "Linux, 2 cores", runs);
        open(
                three,
                List.of(
                        LabOutcomes.series("unprotected", 31, 17, List.of()),
                        LabOutcomes.series("bulwark", 31, 100, List.of()),
                        LabOutcomes.series(
                                "edge-b",
                                31,
                                99,
                                List.of(new LabReport.Marker(
                                        8, "announcement", "203.0.113.0/24 announced upstream")))));
        assertThat(driver.findElements(By.cssSelector("#runs tbody tr"))).hasSize(3);
        charts(12);
        assertThat(driver.findElement(By.tagName("body")).getText())
                .contains("announcement")
                .contains("203.0.113.0/24 announced upstream");
        assertNoConsoleErrors();
    }

    private static void open(LabReport report, List<LabReport.Series> series) throws IOException {
        Path page = dir.resolve("lab-" + series.size() + ".html");
        Files.writeString(page, LabHtml.render(report, series));
        driver.manage().window().setSize(new Dimension(1200, 1600));
        driver.manage().logs().get(LogType.BROWSER); // this page's console only
        driver.get(page.toUri().toString());
        assertThat(driver.getTitle()).isEqualTo("bulwark lab: " + report.scenario());
    }

    /** The charts, each drawn with lines and a text alternative. */
    private static List<WebElement> charts(int expected) {
        List<WebElement> charts = driver.findElements(By.cssSelector("svg[role=img]"));
        assertThat(charts).hasSize(expected);
        for (WebElement c : charts) {
            assertThat(c.getRect().getWidth()).as("chart drawn").isGreaterThan(250);
            assertThat(c.findElements(By.cssSelector("path.series"))).isNotEmpty();
            assertThat(c.findElement(By.tagName("desc")).getDomProperty("textContent"))
                    .isNotBlank();
        }
        return charts;
    }

    private static void assertNoConsoleErrors() {
        List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .toList();
        assertThat(severe).as("browser console errors").isEmpty();
    }

    private static void screenshot(String name) throws IOException {
        Path out = Path.of("target", name);
        Files.createDirectories(out.getParent());
        Files.write(out, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
}
