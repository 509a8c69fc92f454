package coop.bulwark.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.EdgeConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The warm-up drives a real throw-away edge through every path it means to compile, and stops by itself. */
class JitWarmupTest {
    @Test
    void takesTheFloodsPaths_andEndsWithinItsTime() throws Exception {
        EdgeConfig real = ConfigLoader.parse("""
                listen: {http: 127.0.0.1:1, event_loops: 1}
                sites:
                  - {name: a, hosts: [a.example], origins: [127.0.0.1:9]}
                """, Path.of("real.yaml"));
        JitWarmup.Result r = JitWarmup.run(real, Duration.ofSeconds(15), false);
        System.out.println("JitWarmupTest: " + r);
        assertThat(r.took()).isLessThan(Duration.ofSeconds(22));
        assertThat(r.paths().challengePages()).as("challenge pages").isPositive();
        assertThat(r.paths().challengesSolved()).as("puzzles solved").isPositive();
        assertThat(r.paths().bans()).as("bans").isPositive();
        assertThat(r.paths().attacksDeclared()).as("attacks declared").isPositive();
        assertThat(r.paths().cacheAnswers()).as("answers from the cache").isGreaterThan(r.requests() / 20);
        assertThat(r.paths().bulkheadRefusals()).as("bulkhead refusals").isPositive();
        assertThat(r.requests()).isGreaterThan(1000);
    }
}
