package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.edge.EdgeServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code --clients people|attack --start-at} (bench/flood-cost.sh): the two sides of one scenario run apart on one
 * clock against an edge they did not start, each reporting its own figures; the people's side includes a real
 * headless Chromium that meets the challenge of the attacked site and gets through it.
 */
class LabSplitClientsTest {
    private static final String SCENARIO = """
            description: split
            sites: 6
            targets: [site-0002]
            origin: {workers: 4, backlog: 32, page_service: 20ms, asset_service: 1ms, feed_service: 10ms}
            legit: {browsers: 8, nojs_readers: 2, chromium_readers: 1, think_time: 500ms, timeout: 2s}
            phases:
              - {name: warm-up, seconds: 2}
              - name: flood
                seconds: 12
                get_flood: {rate: 200/s, sources: 40, per_prefix: 10, cache_bust: true, timeout: 1s}
              - {name: after, seconds: 1}
            """;

    @Test
    void peopleAndAttackInTwoRuns_oneClock_eachReportsItsSide_chromiumGetsPastTheChallenge() throws Exception {
        Assumptions.assumeTrue(
                ChromiumReaders.available(),
                "needs /usr/bin/chromium and /usr/bin/chromedriver (Debian chromium, chromium-driver; .ci/run installs"
                        + " them)");
        Scenario s = ScenarioReader.parse(SCENARIO, "split.yaml", "split");
        Path reports = Files.createTempDirectory("bulwark-lab-split-");
        Set<String> targets = Set.of(Scenario.siteHost(2));
        try (OriginModel origin = OriginModel.start(s.origin(), targets, 0);
                // The target under attack from the start: the Chromium reader must solve the challenge to read it.
                EdgeServer edge = EdgeServer.start(
                        LabEdgeConfig.load(s, origin.address().getPort(), true, false, reports, true, false))) {
            Instant startAt = Instant.now().plusSeconds(3);
            CompletableFuture<LabReport.Run> people =
                    CompletableFuture.supplyAsync(() -> run(s, edge, origin, ClientSide.PEOPLE, startAt));
            CompletableFuture<LabReport.Run> attack =
                    CompletableFuture.supplyAsync(() -> run(s, edge, origin, ClientSide.ATTACK, startAt));
            LabReport.Run p = people.get();
            LabReport.Run a = attack.get();

            assertThat(a.attack().requestsSent())
                    .as("the attack's side sends the flood")
                    .isGreaterThan(500);
            assertThat(a.bystanders().legitSuccessRate()).as("and no people").isNull();
            assertThat(a.targets().chromium()).isNull();

            assertThat(p.attack().requestsSent())
                    .as("the people's side sends no attack")
                    .isZero();
            assertThat(p.bystanders().legitSuccessRate()).isGreaterThan(0.9);
            assertThat(p.bystanders().onset()).isNotNull();
            assertThat(p.bystanders().onset().seconds()).isEqualTo(5);
            assertThat(p.bystanders().onset().legitSuccessRate()).isNotNull();
            LabReport.Chromium c = p.targets().chromium();
            assertThat(c).isNotNull();
            assertThat(c.readers()).isEqualTo(1);
            assertThat(c.visits()).as("a visit every ~0.5 s over a 12 s flood").isGreaterThanOrEqualTo(3);
            assertThat(c.successRate())
                    .as("Chromium solved the challenge and read the site")
                    .isGreaterThan(0.5);
            assertThat(c.p50Ms()).isPositive();
        } finally {
            ScratchFiles.deleteTree(reports);
        }
    }

    private static LabReport.Run run(
            Scenario s, EdgeServer edge, OriginModel origin, ClientSide side, Instant startAt) {
        try {
            Lab.Outcome outcome = Lab.run(
                    new Lab.Plan(
                            s,
                            false,
                            1,
                            new LabRun.External(
                                    edge.httpAddress(), origin.address().getPort(), List.of(), side, startAt),
                            side.name().toLowerCase(Locale.ROOT)),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    false);
            return outcome.report().runs().get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
