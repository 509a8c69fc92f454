package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.DetectionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The co-op in miniature: 850 sites with Zipf-distributed human traffic (the busiest at 300 req/s, the quietest
 * under one a second) for five simulated minutes, then a flood on two of them. Detection must name exactly those
 * two, ranked by excess, within two seconds of simulated time, and nothing before.
 */
class DetectionSimulationTest {
    private static final int SITES = 850;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void zipfCoop_floodOnTwo_namesExactlyThoseTwoWithinTwoSeconds(long seed) {
        SyntheticTraffic t = new SyntheticTraffic(SITES, DetectionConfig.defaults(), seed);
        SplittableRandom random = new SplittableRandom(seed * 31);
        List<Integer> ranks = new ArrayList<>(IntStream.range(0, SITES).boxed().toList());
        Collections.shuffle(ranks, new Random(seed));
        double[] rate = new double[SITES];
        double[] vouched = new double[SITES];
        for (int s = 0; s < SITES; s++) {
            rate[s] = 300.0 / (ranks.get(s) + 1);
            vouched[s] = 0.2 + 0.6 * random.nextDouble();
        }

        for (int sec = 0; sec < 300; sec++) {
            human(t, rate, vouched);
            t.tick();
        }
        assertThat(t.events).as("false alarms before the flood").isEmpty();

        // One mid-sized and one small site, so the ranking is decided by excess and not by size.
        int big = ranks.indexOf(40);
        int small = ranks.indexOf(600);
        var floodStart = t.now();
        Attack named = null;
        for (int sec = 0; sec < 2 && named == null; sec++) {
            human(t, rate, vouched);
            t.flood(big, 3_000);
            t.flood(small, 1_200);
            for (DetectionEvent e : t.tick()) {
                if (e instanceof DetectionEvent.AttackStarted s) {
                    named = s.attack();
                } else if (e instanceof DetectionEvent.AttackUpdated u) {
                    named = u.attack();
                }
            }
        }
        assertThat(named).as("an attack named within 2 s").isNotNull();
        assertThat(Duration.between(floodStart, t.now())).isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(named.targetNames()).containsExactly("site" + big + ".coop", "site" + small + ".coop");
        for (int s = 0; s < SITES; s++) {
            if (s != big && s != small) {
                assertThat(t.detector.state(s)).as("bystander %d", s).isEqualTo(SiteState.NORMAL);
            }
        }
    }

    private static void human(SyntheticTraffic t, double[] rate, double[] vouched) {
        for (int s = 0; s < rate.length; s++) {
            t.poissonVisitors(s, rate[s], vouched[s]);
        }
    }
}
