package coop.bulwark.edge;

import static org.awaitility.Awaitility.await;

import coop.bulwark.site.ChallengeMode;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.SiteChallenge;
import coop.bulwark.site.SiteConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.openqa.selenium.By;

/**
 * Measures how long headless Chromium takes to get through the challenge at each difficulty: from asking for a page to
 * showing the origin's page, both with Web Crypto (a *.localhost name, a secure context) and with the page's own SHA-256 (a
 * plain-http name, where browsers give no Web Crypto). The figures in docs/challenge.md come from here. Not a test;
 * run it with the test class path (as bench/jmh.sh builds it):
 *
 * <pre>
 * ./mvnw -q -pl core test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp core/target/test-classes:core/target/classes:$(cat core/target/cp.txt) coop.bulwark.edge.ChallengeSolveTimes [samples]
 * </pre>
 */
public final class ChallengeSolveTimes {
    private ChallengeSolveTimes() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int[] bits = {1, 12, 14, 16, 17, 18, 20};
        try (TestOrigin origin = new TestOrigin("origin")) {
            List<SiteConfig> sites = new ArrayList<>();
            for (int d : bits) {
                sites.add(TestEdge.site("d" + d, List.of("d" + d + ".test", "d" + d + ".localhost"), origin.hostPort())
                        .withChallenge(new SiteChallenge(
                                ChallengeMode.ALWAYS,
                                OptionalInt.of(d),
                                OptionalInt.of(d),
                                List.of(),
                                Optional.empty())));
            }
            EdgeConfig config = TestEdge.config(sites, ConnectionLimits.DEFAULTS, false, ProtectionConfig.DEFAULTS);
            try (EdgeServer edge = EdgeServer.start(config);
                    ChallengeBrowser b = new ChallengeBrowser(true, "MAP *.test 127.0.0.1")) {
                int port = edge.httpAddress().getPort();
                System.out.printf("difficulty | Web Crypto median / p90 (ms) | script SHA-256 median / p90 (ms)%n");
                for (int d : bits) {
                    long[] crypto = run(b, "http://d" + d + ".localhost:" + port + "/", samples);
                    long[] script = run(
                            b, "http://d" + d + ".test:" + port + "/", d >= 18 ? Math.max(3, samples / 3) : samples);
                    System.out.printf(
                            "%d | %d / %d | %d / %d%n", d, median(crypto), p90(crypto), median(script), p90(script));
                }
            }
        }
    }

    private static long[] run(ChallengeBrowser b, String url, int samples) {
        long[] ms = new long[samples];
        for (int i = 0; i < samples; i++) {
            b.driver.manage().deleteAllCookies();
            long t0 = System.nanoTime();
            b.driver.get(url);
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(5))
                    .ignoreExceptions()
                    .until(() ->
                            b.driver.findElement(By.tagName("body")).getText().startsWith("origin host="));
            ms[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static long median(long[] sorted) {
        return sorted[sorted.length / 2];
    }

    private static long p90(long[] sorted) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.9) - 1)];
    }
}
