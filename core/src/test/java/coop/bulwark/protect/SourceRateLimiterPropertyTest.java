package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.RateLimit;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random request sequences under a fake clock, against {@link ReferenceGcra}: exact agreement while every
 * key keeps its slot; under eviction pressure, never fewer allowed requests per key than the model, and at most
 * one extra burst per live eviction.
 */
class SourceRateLimiterPropertyTest {
    private static final RateLimit[] LIMITS = {new RateLimit(10, 1), new RateLimit(5, 20), new RateLimit(1000, 3)};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void sequenceThatFits_agreesExactlyWithReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FakeTicker ticker = new FakeTicker(random.nextLong());
        SourceRateLimiter limiter = new SourceRateLimiter(4096, ticker);
        ReferenceGcra model = new ReferenceGcra();
        long[] keys = random.longs(100).map(k -> k | 1).toArray();
        int allowed = 0;
        for (int step = 0; step < 20_000; step++) {
            int k = random.nextInt(keys.length);
            // Mostly the key's own limit; sometimes another, as when a site's policy changes.
            RateLimit limit = LIMITS[random.nextInt(8) == 0 ? random.nextInt(LIMITS.length) : k % LIMITS.length];
            ticker.advance(random.nextLong(0, 2_000_000));
            long expected = model.tryAcquire(keys[k], limit, ticker.read());
            assertThat(limiter.tryAcquire(keys[k], limit)).as("step %d", step).isEqualTo(expected);
            allowed += expected == 0 ? 1 : 0;
        }
        assertThat(limiter.liveEvictions()).isZero();
        assertThat(allowed).isBetween(1_000, 19_000); // both outcomes exercised
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28})
    void deniedRequest_allowedExactlyAfterTheReportedWait(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FakeTicker ticker = new FakeTicker(random.nextLong());
        SourceRateLimiter limiter = new SourceRateLimiter(1024, ticker);
        for (int i = 0; i < 200; i++) {
            long key = random.nextLong() | 1;
            RateLimit limit = LIMITS[random.nextInt(LIMITS.length)];
            long wait;
            while ((wait = limiter.tryAcquire(key, limit)) == 0) {
                ticker.advance(random.nextLong(0, limit.intervalNanos() / 2));
            }
            ticker.advance(wait - 1);
            assertThat(limiter.tryAcquire(key, limit)).isEqualTo(1);
            ticker.advance(1);
            assertThat(limiter.tryAcquire(key, limit)).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34, 35, 36, 37, 38})
    void evictionPressure_neverAllowsFewerThanReference_atMostOneBurstMorePerEviction(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FakeTicker ticker = new FakeTicker(random.nextLong());
        SourceRateLimiter limiter = new SourceRateLimiter(64, ticker); // one shard of 64 slots
        ReferenceGcra model = new ReferenceGcra();
        RateLimit limit = new RateLimit(20, 4);
        // 16 heavy keys that exceed their rate and 2,000 light ones that churn the table.
        long[] heavy = random.longs(16).map(k -> k | 1).toArray();
        long[] light = random.longs(2_000).map(k -> k | 1).toArray();
        Map<Long, Integer> extra = new HashMap<>();
        for (int step = 0; step < 100_000; step++) {
            long key =
                    random.nextInt(3) == 0 ? heavy[random.nextInt(heavy.length)] : light[random.nextInt(light.length)];
            ticker.advance(random.nextLong(0, 2_000_000));
            boolean exact = model.tryAcquire(key, limit, ticker.read()) == 0;
            boolean bounded = limiter.tryAcquire(key, limit) == 0;
            int e = extra.merge(key, (bounded ? 1 : 0) - (exact ? 1 : 0), Integer::sum);
            assertThat(e)
                    .as("step %d: allowed by table minus allowed by model", step)
                    .isNotNegative();
        }
        long totalExtra = extra.values().stream().mapToLong(Integer::longValue).sum();
        assertThat(limiter.liveEvictions()).isPositive();
        assertThat(totalExtra).isPositive().isLessThanOrEqualTo(limit.burst() * limiter.liveEvictions());
    }
}
