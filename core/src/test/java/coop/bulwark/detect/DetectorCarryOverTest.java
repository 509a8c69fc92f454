package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.DetectionConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reload hands the detector new thresholds and sites; what it knows of the sites that stay must survive. */
class DetectorCarryOverTest {
    private static final DetectionConfig CONFIG = DetectionConfig.defaults();

    @Test
    void reload_keepsStatesAndTheOpenAttack_forSitesThatStay_andStartsRenamedOnesFresh() {
        SyntheticTraffic t = new SyntheticTraffic(3, CONFIG, 5);
        for (int s = 0; s < 120; s++) {
            t.visitors(0, 2, 0.5);
            t.visitors(1, 2, 0.5);
            t.tick();
        }
        t.flood(0, 200);
        t.tick();
        t.flood(0, 200);
        t.tick();
        assertThat(t.detector.state(0)).isEqualTo(SiteState.UNDER_ATTACK);
        String attackId = t.detector.currentAttack().orElseThrow().id();

        // Longer dwell, one more site, site1's index now holds another site.
        DetectionConfig next = new DetectionConfig(
                CONFIG.shortWindow(),
                Duration.ofMinutes(20),
                CONFIG.warmup(),
                CONFIG.suspectRatio(),
                CONFIG.suspectFloorRps(),
                CONFIG.attackRatio(),
                CONFIG.attackFloorRps(),
                CONFIG.calmRatio(),
                CONFIG.calmFloorRps(),
                CONFIG.confirmTicks(),
                CONFIG.calmTicks(),
                CONFIG.minSuspect(),
                Duration.ofMinutes(5),
                CONFIG.minRecovering(),
                CONFIG.unvouchedExcessShare(),
                CONFIG.failureRatio(),
                CONFIG.failureShareFloor(),
                CONFIG.failureMinPerSecond(),
                CONFIG.highEntropyShare(),
                CONFIG.concentratedShare(),
                CONFIG.noiseSigmas(),
                CONFIG.maxTargets());
        TrafficAccounting bigger = new TrafficAccounting(4, 1, 5);
        Detector d = Detector.carryOver(
                t.detector,
                next,
                bigger,
                List.of("site0.coop", "renamed.coop", "site2.coop", "new.coop"),
                null,
                () -> Double.NaN);

        assertThat(d.state(0)).isEqualTo(SiteState.UNDER_ATTACK);
        assertThat(d.currentAttack().orElseThrow().id()).isEqualTo(attackId);
        assertThat(d.siteName(1)).isEqualTo("renamed.coop");
        assertThat(d.state(1)).isEqualTo(SiteState.NORMAL);
        assertThat(d.signals(1)).isEmpty(); // fresh: it has seen nothing yet
        assertThat(d.signals(0)).isPresent(); // kept: its baselines and last signals
        assertThat(d.sites()).isEqualTo(4);

        // The new accounting is the one ticked from now on; a calm minute does not end the attack under the new
        // five-minute dwell.
        for (int s = 0; s < 60; s++) {
            d.tick(t.now().plusSeconds(1 + s));
        }
        assertThat(d.state(0)).isEqualTo(SiteState.UNDER_ATTACK);
        assertThat(d.currentAttack()).isPresent();
    }
}
