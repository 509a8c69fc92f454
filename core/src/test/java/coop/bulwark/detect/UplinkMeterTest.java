package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import coop.bulwark.site.DetectionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UplinkMeterTest {
    private static final Instant T0 = Instant.parse("2026-11-25T08:00:00Z");

    @TempDir
    Path dir;

    @Test
    void sample_busierDirectionAgainstCapacity() throws IOException {
        UplinkMeter m = new UplinkMeter(dir, 1_000_000_000L);
        counters(1_000, 5_000);
        assertThat(m.sample(T0)).isNaN();
        counters(1_000 + 62_500_000, 5_000 + 1_000); // 500 Mbit in, next to nothing out, over one second
        assertThat(m.sample(T0.plusSeconds(1))).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        counters(1_000 + 62_500_000, 5_000 + 1_000 + 250_000_000); // 1 Gbit out over two seconds
        assertThat(m.sample(T0.plusSeconds(3))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void sample_resetOrMissingCounter_isUnknown() throws IOException {
        UplinkMeter m = new UplinkMeter(dir, 1_000_000L);
        counters(10_000, 10_000);
        m.sample(T0);
        counters(5, 5);
        assertThat(m.sample(T0.plusSeconds(1))).isNaN();
        Files.delete(dir.resolve("rx_bytes"));
        assertThat(m.sample(T0.plusSeconds(2))).isNaN();
    }

    @Test
    void detector_reportsGlobalSignals() throws IOException {
        TrafficAccounting a = new TrafficAccounting(2, 1, 1);
        UplinkMeter m = new UplinkMeter(dir, 8_000L);
        Detector d = new Detector(DetectionConfig.defaults(), a, List.of("a", "b"), m, () -> 0.25);
        counters(0, 0);
        d.tick(T0);
        counters(500, 100);
        for (int i = 0; i < 7; i++) {
            a.recorder(0).record(new RequestTraits(i % 2, i, i, 0, 0, 0, 0, false, false, null, null), 200, 1, -1);
        }
        d.tick(T0.plusSeconds(1));
        GlobalSignals g = d.globalSignals().orElseThrow();
        assertThat(g.totalRps()).isEqualTo(7);
        assertThat(g.uplinkUtilisation()).isEqualTo(0.5);
        assertThat(g.uplinkAbove(0.5)).isTrue();
        assertThat(g.originSaturation()).isEqualTo(0.25);
        assertThat(g.distinctSources()).isCloseTo(7, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void forInterface_refusesPaths() {
        assertThatThrownBy(() -> UplinkMeter.forInterface("../etc", 1))
                .hasMessage("iface: ../etc (expected: an interface name such as eth0)");
        assertThatThrownBy(() -> new UplinkMeter(Path.of("."), 0))
                .hasMessage("capacityBitsPerSecond: 0 (expected: > 0)");
    }

    private void counters(long rx, long tx) throws IOException {
        Files.writeString(dir.resolve("rx_bytes"), rx + "\n");
        Files.writeString(dir.resolve("tx_bytes"), tx + "\n");
    }
}
