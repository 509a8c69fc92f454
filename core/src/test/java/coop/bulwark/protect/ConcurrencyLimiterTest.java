package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {
    @Test
    void cap_reached_thenFreedByRelease() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter();
        long ip = SourceKeys.ip(new byte[] {10, 0, 0, 1}, SourceKeys.GLOBAL);
        assertThat(limiter.tryAcquire(ip, 2)).isTrue();
        assertThat(limiter.tryAcquire(ip, 2)).isTrue();
        assertThat(limiter.tryAcquire(ip, 2)).isFalse();
        assertThat(limiter.inFlight(ip)).isEqualTo(2);
        assertThat(limiter.release(ip)).isTrue();
        assertThat(limiter.tryAcquire(ip, 2)).isTrue();
        assertThat(limiter.tryAcquire(ip, 0)).isFalse();
    }

    @Test
    void entries_existOnlyWhileInFlight() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter();
        int initialCapacity = limiter.capacity();
        for (long k = 1; k <= 100_000; k++) {
            assertThat(limiter.tryAcquire(k, 1)).isTrue();
        }
        assertThat(limiter.size()).isEqualTo(100_000);
        assertThat(limiter.capacity()).as("at most half full").isGreaterThanOrEqualTo(200_000);
        for (long k = 1; k <= 100_000; k++) {
            assertThat(limiter.release(k)).isTrue();
        }
        assertThat(limiter.size()).isZero();
        assertThat(limiter.capacity())
                .as("back to the least tables, all at once")
                .isEqualTo(initialCapacity);
        assertThat(limiter.release(1)).as("release without acquire").isFalse();
    }

    @Test
    void randomAcquireRelease_matchesCounts() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter();
        SplittableRandom random = new SplittableRandom(3);
        int[] model = new int[500];
        for (int step = 0; step < 200_000; step++) {
            int k = random.nextInt(model.length);
            long key = k + 1;
            if (random.nextBoolean()) {
                boolean expected = model[k] < 3;
                assertThat(limiter.tryAcquire(key, 3)).isEqualTo(expected);
                model[k] += expected ? 1 : 0;
            } else {
                assertThat(limiter.release(key)).isEqualTo(model[k] > 0);
                model[k] -= model[k] > 0 ? 1 : 0;
            }
            assertThat(limiter.inFlight(key)).isEqualTo(model[k]);
        }
    }

    @Test
    void concurrentThreads_neverExceedCap() throws Exception {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter();
        int keys = 64;
        int max = 3;
        AtomicIntegerArray held = new AtomicIntegerArray(keys);
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long seed = t;
            tasks.add(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                int violations = 0;
                for (int i = 0; i < 200_000; i++) {
                    int k = random.nextInt(keys);
                    if (limiter.tryAcquire(k + 1, max)) {
                        violations += held.incrementAndGet(k) > max ? 1 : 0;
                        held.decrementAndGet(k);
                        limiter.release(k + 1);
                    }
                }
                return violations;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                assertThat(f.get()).isZero();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(limiter.size()).isZero();
    }
}
