package coop.bulwark.protect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import coop.bulwark.site.RateLimit;
import coop.bulwark.time.Ticker;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The allowed ("hit") path of {@link SourceRateLimiter#tryAcquire} with 1k and 1M distinct live sources, against
 * the obvious alternative: a Caffeine cache of boxed keys to TAT holders with the same maximum size. Keys are
 * visited in a random order, so with 1M of them nearly every call misses the CPU caches. 32 MiB table (2^21 slots).
 *
 * <p>Run: {@code bench/jmh.sh SourceRateLimiterBenchmark} (quick: {@code bench/jmh.sh SourceRateLimiterBenchmark
 * -f 1 -wi 2 -i 3 -w 1s -r 1s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SourceRateLimiterBenchmark {
    private static final int CAPACITY = 1 << 21;

    @Param({"1000", "1000000"})
    int keys;

    private final RateLimit limit = new RateLimit(1_000_000, 1_000);
    private SourceRateLimiter table;
    private CaffeineGcra caffeine;
    private long[] sequence;
    private int next;

    @Setup
    public void setUp() {
        table = new SourceRateLimiter(CAPACITY, Ticker.system());
        caffeine = new CaffeineGcra(CAPACITY, Ticker.system());
        SplittableRandom random = new SplittableRandom(42);
        long[] distinct = random.longs(keys).map(k -> k | 1).toArray();
        sequence = new long[Math.max(1 << 20, keys)];
        for (int i = 0; i < sequence.length; i++) {
            sequence[i] = distinct[random.nextInt(keys)];
        }
        for (long k : distinct) {
            table.tryAcquire(k, limit);
            caffeine.tryAcquire(k, limit);
        }
        caffeine.cache.cleanUp();
    }

    private long nextKey() {
        long k = sequence[next];
        next = next + 1 == sequence.length ? 0 : next + 1;
        return k;
    }

    @Benchmark
    public long table() {
        return table.tryAcquire(nextKey(), limit);
    }

    @Benchmark
    public long caffeine() {
        return caffeine.tryAcquire(nextKey(), limit);
    }

    /** The alternative design: a bounded Caffeine cache of TAT holders, GCRA under the holder's monitor. */
    static final class CaffeineGcra {
        final Cache<Long, long[]> cache;
        private final Ticker ticker;

        CaffeineGcra(int maximumSize, Ticker ticker) {
            this.cache = Caffeine.newBuilder().maximumSize(maximumSize).build();
            this.ticker = ticker;
        }

        long tryAcquire(long key, RateLimit limit) {
            long now = ticker.read();
            long[] tat = cache.get(key, k -> new long[] {Long.MIN_VALUE});
            synchronized (tat) {
                long base = tat[0] == Long.MIN_VALUE || tat[0] - now < 0 ? now : tat[0];
                long wait = base - now - limit.toleranceNanos();
                if (wait > 0) {
                    return wait;
                }
                tat[0] = base + limit.intervalNanos();
                return 0;
            }
        }
    }
}
