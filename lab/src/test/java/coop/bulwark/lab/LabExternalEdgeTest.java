package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import coop.bulwark.edge.EdgeServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --edge}: the lab drives an edge it did not start, in front of an origin model it did not start (here both
 * in this JVM, as bench/lab-peers.sh runs them in their own processes), and reads the model's counters remotely.
 */
class LabExternalEdgeTest {
    private static final Set<String> TARGET_HOSTS = Set.of(Scenario.siteHost(3));

    @Test
    void externalRun_countsTheAttackAtTheSeparateOriginModel() throws Exception {
        Scenario s = ScenarioReader.parse(LabIntegrationTest.TINY, "tiny.yaml", "tiny");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (OriginModel origin = OriginModel.start(s.origin(), TARGET_HOSTS, 0);
                EdgeServer edge =
                        EdgeServer.start(LabEdgeConfig.load(s, origin.address().getPort(), false))) {
            Lab.Outcome outcome = Lab.run(
                    new Lab.Plan(
                            s,
                            false,
                            1,
                            new LabRun.External(
                                    edge.httpAddress(), origin.address().getPort()),
                            "peer"),
                    new PrintStream(progress, true, StandardCharsets.UTF_8),
                    false);
            assertThat(outcome.report().runs()).hasSize(1);
            LabReport.Run run = outcome.report().runs().get(0);
            assertThat(run.name()).isEqualTo("peer");
            assertThat(run.attack().requestsSent()).isGreaterThan(100);
            assertThat(run.attack().requestsReachingOrigin())
                    .isBetween(1L, run.attack().requestsSent());
            assertThat(origin.sample().attackArrived())
                    .isGreaterThanOrEqualTo(run.attack().requestsReachingOrigin());
        }
    }

    @Test
    void connect_refusesAnOriginModelOfOtherSettingsOrNone() throws Exception {
        Scenario s = ScenarioReader.parse(LabIntegrationTest.TINY, "tiny.yaml", "tiny");
        Scenario.OriginModelConfig other = new Scenario.OriginModelConfig(
                s.origin().workers() + 1,
                s.origin().backlog(),
                s.origin().pageService(),
                s.origin().assetService(),
                s.origin().feedService(),
                s.origin().pageMaxAge());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int port;
        try (OriginModel origin = OriginModel.start(other, TARGET_HOSTS, 0)) {
            port = origin.address().getPort();
            assertThatThrownBy(() -> RemoteOrigin.connect(port, s, TARGET_HOSTS, quiet))
                    .isInstanceOf(RemoteOrigin.Mismatch.class)
                    .hasMessageContaining("is not scenario tiny's");
        }
        try (OriginModel origin = OriginModel.start(s.origin(), TARGET_HOSTS, 0)) {
            RemoteOrigin remote = RemoteOrigin.connect(origin.address().getPort(), s, TARGET_HOSTS, quiet);
            assertThat(remote.workers()).isEqualTo(s.origin().workers());
            assertThat(remote.sample()).isEqualTo(new OriginView.Sample(0, 0, 0, 0));
        }
        assertThatThrownBy(() -> RemoteOrigin.connect(port, s, TARGET_HOSTS, quiet))
                .isInstanceOf(RemoteOrigin.Mismatch.class)
                .hasMessageContaining("no origin model answers");
    }

    @Test
    void merge_joinsRunsInOrder_throughTheJsonShape_andRefusesOtherScenarios() throws Exception {
        LabReport a = report("seed", List.of(run("unprotected"), run("bulwark")));
        LabReport b = report("seed", List.of(run("nginx")));
        LabReport back = Lab.json().readValue(Lab.json().writeValueAsString(b), LabReport.class);
        LabReport merged = Lab.merge(List.of(a, back));
        assertThat(merged.runs()).extracting(LabReport.Run::name).containsExactly("unprotected", "bulwark", "nginx");
        assertThat(merged.runs().get(2)).isEqualTo(b.runs().get(0));
        assertThat(Lab.table(merged)).contains("nginx");
        assertThatThrownBy(() -> Lab.merge(List.of(a, report("quiet", List.of(run("nginx"))))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static LabReport report(String scenario, List<LabReport.Run> runs) {
        return new LabReport(scenario, 850, 31, "test machine", runs);
    }

    private static LabReport.Run run(String name) {
        return new LabReport.Run(
                name,
                new LabReport.Bystanders(0.5, 3L, 1700L),
                new LabReport.Targets(List.of("site-0017"), null, null),
                new LabReport.Attack(40000, 39000, null, 7, List.of(), 0, List.of()));
    }
}
