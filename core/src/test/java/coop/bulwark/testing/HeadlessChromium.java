package coop.bulwark.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven through /usr/bin/chromedriver (packages chromium and chromium-driver, which
 * .ci/run installs): the one setup every browser test uses.
 */
public final class HeadlessChromium {
    public static final File CHROMIUM = new File("/usr/bin/chromium");
    public static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    private HeadlessChromium() {}

    /**
     * A started browser with a profile of its own; {@link #close} quits it and deletes the profile. For tests that keep
     * one browser for the whole class.
     */
    public record Browser(WebDriver driver, Path profile) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            driver.quit();
            try (var paths = Files.walk(profile)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Skips the calling test class (with the reason) when the browser is not installed, else starts one.
     *
     * @param what the test, for the skip message
     */
    public static Browser startOrSkip(String what, String windowSize) throws IOException {
        Assumptions.assumeTrue(
                available(),
                what + " skipped: needs /usr/bin/chromium and /usr/bin/chromedriver"
                        + " (Debian packages chromium and chromium-driver; .ci/run installs them)");
        Path profile = Files.createTempDirectory("bulwark-chromium-");
        return new Browser(new ChromeDriver(service(), options(profile, windowSize)), profile);
    }

    /** Whether both binaries are installed. */
    public static boolean available() {
        return CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
    }

    /** A chromedriver on a free loopback port. */
    public static ChromeDriverService service() {
        return new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
    }

    /**
     * Headless, no sandbox, no background traffic to anywhere (component updates, sync, QUIC), a profile of its own,
     * the browser console kept for assertions.
     *
     * @param windowSize e.g. {@code 1280,1500}
     * @param extra further flags
     */
    public static ChromeOptions options(Path profile, String windowSize, String... extra) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--window-size=" + windowSize,
                "--user-data-dir=" + profile);
        options.addArguments(extra);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return options;
    }
}
