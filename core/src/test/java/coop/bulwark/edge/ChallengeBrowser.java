package coop.bulwark.edge;

import coop.bulwark.testing.HeadlessChromium;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium driven through /usr/bin/chromedriver (packages chromium and chromium-driver, which .ci/run
 * installs), with a fresh profile per session: for the challenge's browser test and its solve-time measurement.
 */
final class ChallengeBrowser implements AutoCloseable {

    final WebDriver driver;
    private final Path profile;

    /**
     * @param javascript false to turn JavaScript off (the no-JavaScript fallback)
     * @param hostRule a {@code --host-resolver-rules} value (to reach the edge by a name), or null
     */
    ChallengeBrowser(boolean javascript, String hostRule) throws IOException {
        profile = Files.createTempDirectory("bulwark-chromium-");
        ChromeOptions options = HeadlessChromium.options(
                profile, "900,900", "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable");
        if (hostRule != null) {
            options.addArguments("--host-resolver-rules=" + hostRule);
        }
        if (!javascript) {
            options.setExperimentalOption("prefs", Map.of("profile.managed_default_content_settings.javascript", 2));
        }
        ChromeDriverService service = HeadlessChromium.service();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    static boolean available() {
        return HeadlessChromium.available();
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var paths = Files.walk(profile)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
