package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DetectionConfigTest {
    @Test
    void defaults_thresholdsServeQuietAndBusySites() {
        DetectionConfig c = DetectionConfig.defaults();
        double oneAMinute = 1 / 60.0;
        assertThat(30.0).isGreaterThanOrEqualTo(c.attackThreshold(oneAMinute));
        assertThat(3.0).isLessThan(c.suspectThreshold(oneAMinute));
        assertThat(400.0).isLessThan(c.suspectThreshold(200));
        assertThat(c.calmThreshold(200)).isLessThan(c.suspectThreshold(200));
        assertThat(c.calmThreshold(0)).isLessThan(c.suspectThreshold(0));
    }

    @Test
    void invalidValues_allReportedAtOnce() {
        DetectionConfig d = DetectionConfig.defaults();
        assertThatThrownBy(() -> new DetectionConfig(
                        Duration.ofMinutes(20),
                        d.longWindow(),
                        d.warmup(),
                        d.suspectRatio(),
                        d.suspectFloorRps(),
                        1.5,
                        d.attackFloorRps(),
                        d.calmRatio(),
                        d.calmFloorRps(),
                        0,
                        d.calmTicks(),
                        d.minSuspect(),
                        d.minUnderAttack(),
                        d.minRecovering(),
                        1.5,
                        d.failureRatio(),
                        d.failureShareFloor(),
                        d.failureMinPerSecond(),
                        d.highEntropyShare(),
                        d.concentratedShare(),
                        d.noiseSigmas(),
                        d.maxTargets()))
                .hasMessageContaining("long_window: PT10M (expected: > short_window PT20M)")
                .hasMessageContaining("attack_ratio: 1.5 (expected: >= 3.0)")
                .hasMessageContaining("confirm_ticks: 0.0 (expected: >= 1.0)")
                .hasMessageContaining("unvouched_excess_share: 1.5 (expected: > 0 and <= 1)");
    }
}
