package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.DetectionSettings;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The uplink's ok/saturated hysteresis, fed one sample per second of fake time. */
class UplinkStateTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final DetectionSettings.Uplink SETTINGS =
            new DetectionSettings.Uplink("eth0", 20_000_000, 0.9, Duration.ofSeconds(3), 0.7, Duration.ofSeconds(30));

    private final UplinkState state = new UplinkState(SETTINGS, T0);
    private int second;

    private DetectionEvent.UplinkChanged feed(double utilisation) {
        return state.step(T0.plusSeconds(++second), 1.0, utilisation, 12.0);
    }

    @Test
    void saturatesAfterThreeSecondsAbove_notBefore() {
        assertThat(feed(0.95)).isNull();
        assertThat(feed(0.97)).isNull();
        DetectionEvent.UplinkChanged on = feed(0.99);
        assertThat(on).isNotNull();
        assertThat(on.saturated()).isTrue();
        assertThat(on.at()).isEqualTo(T0.plusSeconds(3));
        assertThat(on.reason()).contains("eth0", "99%", "20 Mbit/s", "12 receive drops/s");
        assertThat(state.view().saturated()).isTrue();
    }

    @Test
    void aDipBelowTheShareRestartsTheRun() {
        feed(0.95);
        feed(0.95);
        feed(0.5);
        assertThat(feed(0.95)).isNull();
        assertThat(feed(0.95)).isNull();
        assertThat(feed(0.95)).isNotNull();
    }

    @Test
    void recoversOnlyAfterThirtySecondsBelowTheRecoveredShare_hoveringBetweenDoesNotCount() {
        feed(1.0);
        feed(1.0);
        feed(1.0);
        for (int i = 0; i < 40; i++) {
            assertThat(feed(i % 2 == 0 ? 0.6 : 0.8)).as("second %d", i).isNull(); // 0.8 is above recovered_share
        }
        for (int i = 0; i < 29; i++) {
            assertThat(feed(0.3)).isNull();
        }
        DetectionEvent.UplinkChanged off = feed(0.3);
        assertThat(off).isNotNull();
        assertThat(off.saturated()).isFalse();
        assertThat(state.saturated()).isFalse();
        assertThat(state.view().since()).isEqualTo(off.at());
    }

    @Test
    void unknownSamplesChangeNothing() {
        feed(1.0);
        assertThat(feed(Double.NaN)).isNull();
        assertThat(state.saturated()).isFalse();
        assertThat(state.view().utilisation()).isNaN();
        // The unknown second neither counted as above nor broke the run that began at second 0.
        assertThat(feed(1.0)).isNotNull();
    }

    @Test
    void retuningKeepsTheState() {
        feed(1.0);
        feed(1.0);
        feed(1.0);
        state.retune(new DetectionSettings.Uplink(
                "eth0", 40_000_000, 0.95, Duration.ofSeconds(1), 0.5, Duration.ofSeconds(2)));
        assertThat(state.saturated()).isTrue();
        assertThat(feed(0.6)).isNull();
        assertThat(feed(0.4)).isNull();
        assertThat(feed(0.4)).isNotNull();
    }
}
