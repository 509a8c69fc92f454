package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EdgeConfigTest {
    private static final String MINIMAL = """
            listen: {http: 127.0.0.1:8080}
            sites:
              - {name: alpha, hosts: [alpha.test], origins: ["127.0.0.1:9"]}
            """;

    @Test
    void builder_defaults_areWhatAFileWithOnlyListenAndSitesGives() throws Exception {
        Path file = Path.of("conf", "bulwark.yaml");
        EdgeConfig parsed = ConfigLoader.parse(MINIMAL, file);
        EdgeConfig built = EdgeConfig.builder()
                .source(file)
                .listen(parsed.listen())
                .sites(parsed.sites())
                .build();
        assertThat(built).isEqualTo(parsed);
    }

    @Test
    void toBuilder_unchanged_buildsAnEqualConfig() throws Exception {
        EdgeConfig parsed = ConfigLoader.parse(MINIMAL, Path.of("bulwark.yaml"));
        assertThat(parsed.toBuilder().build()).isEqualTo(parsed);
        assertThat(parsed.toBuilder()
                        .drainTimeout(Duration.ofSeconds(1))
                        .build()
                        .drainTimeout())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void builder_withoutListen_isRefused() {
        assertThatThrownBy(() -> EdgeConfig.builder().source(Path.of("x.yaml")).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("listen");
    }
}
