package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded Zipf-like and adversarial streams against exact counts: every key above {@code N / k} is reported, every
 * reported count lies in {@code [true, true + error]} with {@code error <= N / k}, and merged stripes keep the
 * guarantees.
 */
class SpaceSavingPropertyTest {
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23})
    void top_isByCountDescending_equalCountsInTheOrderFirstSeen(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int k = 4096;
        SpaceSaving summary = new SpaceSaving(k);
        List<Long> firstSeen = new java.util.ArrayList<>();
        Map<Long, Long> exact = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            long key = 1 + random.nextInt(3_000); // fewer keys than counters: every count exact, no slot reused
            long w = random.nextInt(20) == 0 ? (1L << 40) : 1 + random.nextInt(3); // some counts past 32 bits
            if (!exact.containsKey(key)) {
                firstSeen.add(key);
            }
            summary.offer(key, w);
            exact.merge(key, w, Long::sum);
        }
        List<Long> expected = firstSeen.stream()
                .sorted(java.util.Comparator.comparingLong((Long key) -> exact.get(key))
                        .reversed())
                .limit(500)
                .toList();

        List<HeavyHitter> top = summary.top(500);

        assertThat(top.stream().map(HeavyHitter::key).toList()).isEqualTo(expected);
        assertThat(top).allSatisfy(h -> assertThat(h.count()).isEqualTo(exact.get(h.key())));
        assertThat(summary.top(0)).isEmpty();
        assertThat(new SpaceSaving(8).top(5)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void zipfStream_guaranteesHoldAgainstExactCounts(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int k = 32;
        SpaceSaving summary = new SpaceSaving(k);
        Map<Long, Long> exact = new HashMap<>();
        int universe = 5_000;
        double exponent = 0.8 + random.nextDouble(); // 0.8-1.8: from flat to very skewed
        double[] cdf = zipfCdf(universe, exponent);
        long n = 100_000;
        for (int i = 0; i < n; i++) {
            long key = pick(cdf, random) * 0x9E3779B97F4A7C15L; // spread, as prefix keys are
            long w = 1 + random.nextInt(3);
            summary.offer(key, w);
            exact.merge(key, w, Long::sum);
        }
        assertGuarantees(summary, exact, k);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void rotatingAdversary_neverHidesTheFlood(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int k = 32;
        SpaceSaving summary = new SpaceSaving(k);
        Map<Long, Long> exact = new HashMap<>();
        // Background of many one-off prefixes (a spoofed-looking spray) around a few real heavy sources.
        for (int i = 0; i < 200_000; i++) {
            long key = random.nextInt(10) < 3 ? 1 + random.nextInt(4) : 1_000 + random.nextLong(1_000_000_000L);
            summary.offer(key, 1);
            exact.merge(key, 1L, Long::sum);
        }
        assertGuarantees(summary, exact, k);
        assertThat(summary.top(4).stream().map(HeavyHitter::key)).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void mergedStripes_keepGuarantees(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int k = 32;
        SpaceSaving a = new SpaceSaving(k);
        SpaceSaving b = new SpaceSaving(k);
        Map<Long, Long> exact = new HashMap<>();
        double[] cdf = zipfCdf(3_000, 1.1);
        for (int i = 0; i < 80_000; i++) {
            long key = pick(cdf, random);
            (random.nextBoolean() ? a : b).offer(key, 1);
            exact.merge(key, 1L, Long::sum);
        }
        SpaceSaving merged = new SpaceSaving(k);
        merged.mergeFrom(a);
        merged.mergeFrom(b);
        // Merging adds the parts' errors: the bound is the parts' N/k plus the merged summary's own N/k.
        long n = exact.values().stream().mapToLong(Long::longValue).sum();
        for (HeavyHitter h : merged.top(k)) {
            long truth = exact.getOrDefault(h.key(), 0L);
            assertThat(h.count()).as("key %d", h.key()).isGreaterThanOrEqualTo(truth);
            assertThat(h.guaranteed()).as("key %d", h.key()).isLessThanOrEqualTo(truth);
            assertThat(h.error()).isLessThanOrEqualTo(2 * n / k);
        }
        exact.forEach((key, c) -> {
            if (c > 2 * n / k) {
                assertThat(merged.top(k).stream().map(HeavyHitter::key)).contains(key);
            }
        });
    }

    private static void assertGuarantees(SpaceSaving summary, Map<Long, Long> exact, int k) {
        long n = exact.values().stream().mapToLong(Long::longValue).sum();
        assertThat(summary.total()).isEqualTo(n);
        List<HeavyHitter> top = summary.top(k);
        for (HeavyHitter h : top) {
            long truth = exact.getOrDefault(h.key(), 0L);
            assertThat(h.count()).as("overestimate, key %d", h.key()).isGreaterThanOrEqualTo(truth);
            assertThat(h.guaranteed()).as("lower bound, key %d", h.key()).isLessThanOrEqualTo(truth);
            assertThat(h.error()).isLessThanOrEqualTo(n / k);
        }
        exact.forEach((key, c) -> {
            if (c > n / k) {
                assertThat(top.stream().map(HeavyHitter::key))
                        .as("frequent key %d (%d > %d)", key, c, n / k)
                        .contains(key);
            }
        });
        for (int i = 1; i < top.size(); i++) {
            assertThat(top.get(i).count()).isLessThanOrEqualTo(top.get(i - 1).count());
        }
    }

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    private static long pick(double[] cdf, SplittableRandom random) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        return (i < 0 ? -i - 1 : i) + 1;
    }
}
