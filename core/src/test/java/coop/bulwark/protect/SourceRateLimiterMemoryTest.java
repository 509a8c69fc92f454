package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.RateLimit;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A flood of a million distinct sources must not grow the limiter past its fixed budget. */
class SourceRateLimiterMemoryTest {
    private static final long BUDGET = 64L << 20;
    private static final int SOURCES = 1_000_000;

    @Test
    void millionDistinctSources_retainedSizeAndHeapGrowthStayUnderBudget() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedHeapAfterGc(memory);
        FakeTicker ticker = new FakeTicker(0);
        SourceRateLimiter limiter = new SourceRateLimiter(1 << 20, ticker);
        RateLimit limit = new RateLimit(1, 5); // one-shot sources stay live for a second: real eviction pressure
        SplittableRandom random = new SplittableRandom(99);
        byte[] v4 = new byte[4];
        byte[] v6 = new byte[16];
        for (int i = 0; i < SOURCES; i++) {
            ticker.advance(1_000); // 1M sources per second
            int a = random.nextInt();
            v4[0] = (byte) (a >>> 24);
            v4[1] = (byte) (a >>> 16);
            v4[2] = (byte) (a >>> 8);
            v4[3] = (byte) a;
            long hi = random.nextLong();
            long lo = random.nextLong();
            for (int b = 0; b < 8; b++) {
                v6[b] = (byte) (hi >>> (56 - 8 * b));
                v6[8 + b] = (byte) (lo >>> (56 - 8 * b));
            }
            int site = i % 850;
            limiter.tryAcquire(SourceKeys.ip(v4, SourceKeys.GLOBAL), limit);
            limiter.tryAcquire(SourceKeys.prefix(v4, site), limit);
            limiter.tryAcquire(SourceKeys.ip(v6, site), limit);
            limiter.tryAcquire(SourceKeys.prefix(v6, SourceKeys.GLOBAL), limit);
        }
        long after = usedHeapAfterGc(memory);

        assertThat(limiter.retainedBytes()).isEqualTo(16L << 20).isLessThanOrEqualTo(BUDGET);
        assertThat(limiter.size()).isLessThanOrEqualTo(limiter.capacity());
        assertThat(limiter.liveEvictions()).isPositive(); // 4M keys live for 1 s each in 1M slots
        System.out.printf(
                "heap growth %.1f MiB for 4M keys, table %d MiB, %d live evictions%n",
                (after - before) / 1048576.0, limiter.retainedBytes() >> 20, limiter.liveEvictions());
        assertThat(after - before).isLessThan(BUDGET);
        Reference.reachabilityFence(limiter);
    }

    @Test
    void tryAcquire_allocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FakeTicker ticker = new FakeTicker(0);
        SourceRateLimiter limiter = new SourceRateLimiter(1 << 12, ticker);
        RateLimit limit = new RateLimit(100, 10);
        SplittableRandom random = new SplittableRandom(5);
        long[] keys = random.longs(10_000).map(k -> k | 1).toArray();
        for (int i = 0; i < 200_000; i++) { // warm up past JIT compilation
            ticker.advance(100);
            limiter.tryAcquire(keys[i % keys.length], limit);
        }
        long id = Thread.currentThread().threadId();
        long start = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 1_000_000; i++) {
            ticker.advance(100);
            limiter.tryAcquire(keys[i % keys.length], limit);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - start;
        assertThat(allocated).as("bytes allocated by 1M calls").isLessThan(4_096);
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
