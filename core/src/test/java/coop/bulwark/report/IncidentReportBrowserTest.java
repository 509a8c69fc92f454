package coop.bulwark.report;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.testing.HeadlessChromium;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
 * The HTML incident report in a real headless Chromium, in each language: its heading and summary, its tables and
 * its charts are there and drawn, the page declares its language, nothing is logged to the console, and at phone
 * width nothing but the wide tables and charts' own boxes scrolls sideways. Screenshots go to target/. Skipped, with
 * the reason, only when the browser or its driver is not installed.
 */
class IncidentReportBrowserTest {
    @TempDir
    static Path dir;

    static HeadlessChromium.Browser browser;
    static WebDriver driver;

    @BeforeAll
    static void start() throws IOException {
        browser = HeadlessChromium.startOrSkip("incident report browser test", "1200,1600");
        driver = browser.driver();
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.close();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "EN, Incident report: attack, Summary, Targets: requests per second",
        "ES, Informe de incidente: ataque, Resumen, Objetivos: peticiones por segundo"
    })
    void report_rendersHeadingTablesAndCharts_noConsoleErrors(
            ReportLanguage lang, String title, String summary, String chart) throws IOException {
        IncidentReport r = SimulatedAttack.report();
        Path page = dir.resolve(r.id() + "." + lang.code() + ".html");
        Files.writeString(page, HtmlReport.render(r, lang));
        driver.manage().window().setSize(new Dimension(1200, 1600));
        driver.manage().logs().get(LogType.BROWSER); // this page's console only
        driver.get(page.toUri().toString());

        assertThat(driver.findElement(By.tagName("html")).getDomAttribute("lang"))
                .isEqualTo(lang.code());
        assertThat(driver.getTitle()).startsWith(title);
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo(title + " " + r.id());
        List<WebElement> headings = driver.findElements(By.tagName("h2"));
        assertThat(headings.get(0).getText()).isEqualTo(summary);
        assertThat(driver.findElements(By.cssSelector("h2 + p")).get(0).getText())
                .hasSizeGreaterThan(200);

        List<WebElement> tables = driver.findElements(By.tagName("table"));
        assertThat(tables).hasSizeGreaterThanOrEqualTo(4);
        assertThat(driver.findElements(By.cssSelector("table tr"))).hasSizeGreaterThan(10);

        List<WebElement> charts = driver.findElements(By.cssSelector("svg[role=img]"));
        assertThat(charts).hasSize(3);
        assertThat(charts.get(0).getDomAttribute("aria-label")).isEqualTo(chart);
        for (WebElement c : charts) {
            assertThat(c.getRect().getWidth()).as("chart drawn").isGreaterThan(400);
            assertThat(c.findElements(By.tagName("path"))).isNotEmpty();
        }
        screenshot("incident-report-" + lang.code() + ".png");

        // On a phone the page does not scroll sideways: the charts shrink to the width.
        driver.manage().window().setSize(new Dimension(390, 1400));
        Number overflow = (Number) ((JavascriptExecutor) driver)
                .executeScript("return [...document.querySelectorAll('svg[role=img]')]"
                        + ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).length;");
        assertThat(overflow.intValue()).as("charts wider than a phone").isZero();
        screenshot("incident-report-" + lang.code() + "-phone.png");

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
