package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import coop.bulwark.testing.Checkout;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioReaderTest {
    private static final Path SCENARIOS = Checkout.resolve("scenarios");

    @Test
    void shippedScenarios_allLoad() throws Exception {
        for (String name : ScenarioReader.available(SCENARIOS)) {
            Scenario s = ScenarioReader.load(SCENARIOS, name);
            assertThat(s.name()).isEqualTo(name);
            assertThat(s.duration(true)).isLessThanOrEqualTo(Duration.ofSeconds(40));
        }
        Scenario seed = ScenarioReader.load(SCENARIOS, "seed");
        assertThat(seed.sites()).isEqualTo(850);
        assertThat(seed.targets()).hasSize(2);
        assertThat(seed.phases().get(1).attacks()).singleElement().isInstanceOf(Scenario.GetFlood.class);
    }

    @Test
    void badInput_reportsEveryProblem_withFileAndKey() {
        String yaml = """
                sites: 0
                targets: [site-9999]
                origin: {workers: x, page_service: fast}
                legit: {browsers: 1, colour: red}
                phases:
                  - {name: a, seconds: 2, get_flood: {rate: lots}}
                """;
        assertThatThrownBy(() -> ScenarioReader.parse(yaml, "bad.yaml", "bad"))
                .isInstanceOf(ScenarioException.class)
                .satisfies(e -> assertThat(((ScenarioException) e).problems())
                        .anyMatch(p -> p.startsWith("bad.yaml: sites: 0"))
                        .anyMatch(p -> p.contains("targets[0]: site-9999"))
                        .anyMatch(p -> p.contains("origin.workers: x (expected: a whole number)"))
                        .anyMatch(p -> p.contains("origin.page_service: fast (expected: a duration"))
                        .anyMatch(p -> p.contains("legit.colour: (expected: unknown key"))
                        .anyMatch(p -> p.contains("phases[0].get_flood.rate: lots (expected: a rate")));
    }
}
