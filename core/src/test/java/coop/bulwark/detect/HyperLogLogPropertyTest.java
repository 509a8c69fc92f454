package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded streams with repeats against an exact {@link HashSet}: every estimate within 5% (about 3 standard errors
 * at precision 12) and the mean absolute error across seeds within 2.5%.
 */
class HyperLogLogPropertyTest {
    private static final int[] CARDINALITIES = {1, 10, 100, 1_000, 5_000, 10_000, 20_000, 100_000, 400_000};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void estimate_onStreamsWithRepeats_withinThreeStandardErrors(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int n : CARDINALITIES) {
            HyperLogLog hll = new HyperLogLog(12);
            long[] keys = random.longs(n).toArray();
            Set<Long> exact = new HashSet<>();
            // Each key seen 1-3 times, in random order, as sources repeat within a second.
            int adds = n * 2;
            for (int i = 0; i < adds; i++) {
                long k = keys[i < n ? i : random.nextInt(n)];
                exact.add(k);
                hll.add(TrafficRecorder.mix(k ^ seed));
            }
            double error = Math.abs(hll.estimate() - exact.size()) / exact.size();
            assertThat(error)
                    .as("n=%d seed=%d estimate=%.1f", exact.size(), seed, hll.estimate())
                    .isLessThan(0.05);
        }
    }

    @Test
    void estimate_meanErrorAcrossSeeds_nearStandardError() {
        double sum = 0;
        int runs = 0;
        for (long seed = 100; seed < 140; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            HyperLogLog hll = new HyperLogLog(12);
            int n = 50_000;
            for (int i = 0; i < n; i++) {
                hll.add(TrafficRecorder.mix(random.nextLong()));
            }
            sum += Math.abs(hll.estimate() - n) / n;
            runs++;
        }
        // E|X| = sigma * sqrt(2/pi) ~ 0.8 sigma = 1.3% for sigma 1.625%.
        assertThat(sum / runs).isLessThan(0.025);
    }

    @Test
    void estimate_sequentialKeysLikeOneSubnet_stillAccurateAfterMixing() {
        HyperLogLog hll = new HyperLogLog(12);
        for (long a = 0; a < 65_536; a++) {
            hll.add(TrafficRecorder.mix((0x0A000000L | a) ^ 42));
        }
        assertThat(hll.estimate()).isBetween(65_536 * 0.95, 65_536 * 1.05);
    }

    @Test
    void mergeFrom_equalsSketchOfUnion() {
        SplittableRandom random = new SplittableRandom(9);
        HyperLogLog a = new HyperLogLog(12);
        HyperLogLog b = new HyperLogLog(12);
        HyperLogLog both = new HyperLogLog(12);
        for (int i = 0; i < 30_000; i++) {
            long h = TrafficRecorder.mix(random.nextLong());
            (i % 3 == 0 ? a : b).add(h);
            both.add(h);
        }
        a.mergeFrom(b);
        assertThat(a.estimate()).isEqualTo(both.estimate());
    }

    @Test
    void clear_forgetsEverything() {
        HyperLogLog hll = new HyperLogLog(12);
        hll.add(TrafficRecorder.mix(1));
        hll.clear();
        assertThat(hll.estimate()).isZero();
    }

    @Test
    void constructor_badPrecision_refused() {
        assertThatThrownBy(() -> new HyperLogLog(3)).hasMessage("precision: 3 (expected: 4-16)");
        assertThat(new HyperLogLog(12).standardError()).isCloseTo(0.01625, org.assertj.core.data.Offset.offset(1e-4));
    }
}
