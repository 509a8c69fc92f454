package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateLimitTest {
    @Test
    void constructor_validates_derivesGcraParameters() {
        assertThatThrownBy(() -> new RateLimit(0, 1)).hasMessage("perSecond: 0.0 (expected: > 0 and <= 1e9)");
        assertThatThrownBy(() -> new RateLimit(Double.NaN, 1)).hasMessageContaining("perSecond: NaN");
        assertThatThrownBy(() -> new RateLimit(1, 0)).hasMessage("burst: 0 (expected: >= 1)");
        assertThat(new RateLimit(10, 5).intervalNanos()).isEqualTo(100_000_000L);
        assertThat(new RateLimit(10, 5).toleranceNanos()).isEqualTo(400_000_000L);
    }

    @Test
    void constructor_refusesBurstsThatOverflowNanoseconds() {
        assertThatThrownBy(() -> new RateLimit(1e-9, Integer.MAX_VALUE)).hasMessageContaining("burst: 2147483647");
    }
}
