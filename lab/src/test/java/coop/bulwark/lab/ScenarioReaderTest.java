package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import coop.bulwark.testing.Checkout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioReaderTest {
    private static final Path SCENARIOS = Checkout.resolve("scenarios");

    @Test
    void shippedScenarios_allLoad() throws Exception {
        List<String> names = ScenarioReader.available(SCENARIOS);
        assertThat(names).contains("seed", "quiet", "slowloris", "h2-rapid-reset", "random-source", "cache-bust");
        for (String name : names) {
            Scenario s = ScenarioReader.load(SCENARIOS, name);
            assertThat(s.name()).isEqualTo(name);
            // flood-cost's warm-up outlasts Bulwark's default detection warm-up (30 s) even with --quick: its edge runs
            // on the default config (bench/flood-cost.sh).
            assertThat(s.duration(true)).isLessThanOrEqualTo(Duration.ofSeconds(name.equals("flood-cost") ? 60 : 40));
        }
        Scenario seed = ScenarioReader.load(SCENARIOS, "seed");
        assertThat(seed.sites()).isEqualTo(850);
        assertThat(seed.targets()).hasSize(2);
        assertThat(seed.phases().get(1).attacks()).singleElement().isInstanceOf(Scenario.GetFlood.class);
    }

    @Test
    void defaults_asDocumented() throws Exception {
        Scenario s = ScenarioReader.parse("""
                sites: 3
                targets: [site-0002]
                origin: {}
                legit: {}
                phases:
                  - {name: calm, seconds: 5}
                  - name: flood
                    seconds: 10
                    get_flood: {}
                    slowloris: {}
                    connection_flood: {}
                    random_source: {}
                    h2_rapid_reset: {}
                    crowd: {site: site-0003}
                """, "d.yaml", "d");
        assertThat(s.origin())
                .isEqualTo(new Scenario.OriginModelConfig(
                        64, 512, Duration.ofMillis(100), Duration.ofMillis(2), Duration.ofMillis(40), Duration.ZERO));
        assertThat(s.legit())
                .isEqualTo(new Scenario.LegitTraffic(
                        0, 0, 0, 1.0, Duration.ofSeconds(3), Duration.ofSeconds(10), 5, Duration.ofSeconds(4)));
        assertThat(s.phases().get(0).quickSeconds()).isEqualTo(5);
        assertThat(s.phases().get(1).attacks())
                .containsExactly(
                        new Scenario.GetFlood(1000, 1000, 10, true, Duration.ofSeconds(2)),
                        new Scenario.Slowloris(500, Duration.ofSeconds(5)),
                        new Scenario.ConnectionFlood(500),
                        new Scenario.RandomSource(500, true, Duration.ofSeconds(2)),
                        new Scenario.H2RapidReset(20, 200));
        assertThat(s.phases().get(1).crowd()).contains(new Scenario.Crowd("site-0003", 100));
    }

    @Test
    void badInput_reportsEveryProblem_atFileLineColumn() {
        String yaml = """
                sites: 0
                targets: [site-9999]
                origin: {workers: x, page_service: fast}
                legit: {browsers: 1, colour: red}
                phases:
                  - {name: a, seconds: 2, get_flood: {rate: lots}}
                """;
        assertThat(problems(yaml, "bad.yaml", "bad"))
                .contains(
                        "bad.yaml:1:8: sites: 0 (expected: an integer >= 1)",
                        "bad.yaml:3:19: origin.workers: x (expected: an integer >= 1)",
                        "bad.yaml:4:22: legit.colour: unknown key (expected: one of browsers, chromium_readers, crawl_rate, crawlers,"
                                + " feed_interval, feed_readers, nat_people, nojs_readers, think_time, timeout, zipf_exponent)")
                .anyMatch(p -> p.startsWith("bad.yaml:2:11: targets[0]: site-9999 (expected: site-NNNN"))
                .anyMatch(p -> p.startsWith("bad.yaml:3:36: origin.page_service: fast (expected: a duration"))
                .anyMatch(p -> p.startsWith("bad.yaml:6:45: phases[0].get_flood.rate: lots (expected: a rate"));
    }

    @Test
    void wrongType_isReportedAtItsPosition() {
        String yaml = """
                sites: 3
                origin: [1, 2]
                legit: {}
                phases:
                  - {name: a, seconds: 2}
                """;
        assertThat(problems(yaml, "type.yaml", "type"))
                .containsExactly("type.yaml:2:9: origin: (a list) (expected: a mapping of key: value lines)");
    }

    @Test
    void unknownKey_suggestsTheClosest_atItsPosition() {
        String yaml = """
                sites: 3
                targets: [site-0001]
                origin: {}
                legit: {}
                phases:
                  - name: a
                    seconds: 2
                    get_flod: {rate: 10/s}
                """;
        assertThat(problems(yaml, "typo.yaml", "typo"))
                .containsExactly("typo.yaml:8:5: phases[0].get_flod: unknown key (did you mean get_flood?)");
    }

    @Test
    void badValue_isReportedWithTheExpectation() {
        String yaml = """
                sites: 3
                targets: [site-0001]
                origin: {}
                legit: {}
                phases:
                  - name: a
                    seconds: 2
                    slowloris: {connections: 10, line_interval: 5}
                """;
        assertThat(problems(yaml, "value.yaml", "value"))
                .containsExactly("value.yaml:8:49: phases[0].slowloris.line_interval: 5 (expected: a duration"
                        + " with a unit: ms, s, m or h, like 500ms, 10s, 2m, 1h; add a unit, e.g. 5s)");
    }

    @Test
    void missingScenario_listsTheAvailableOnes() {
        assertThatThrownBy(() -> ScenarioReader.load(SCENARIOS, "nope"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("nope.yaml:0:0: no such scenario (expected: one of [")
                .hasMessageContaining("seed");
    }

    /** The problems reported for the scenario text {@code yaml} read as {@code file}. */
    static List<String> problems(String yaml, String file, String name) {
        ScenarioException e =
                catchThrowableOfType(ScenarioException.class, () -> ScenarioReader.parse(yaml, file, name));
        assertThat(e).as("problems expected in %s", file).isNotNull();
        return e.problems();
    }
}
