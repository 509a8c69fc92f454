package coop.bulwark.cache;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
 * The cache's per-request hot path: building a {@link CacheKey} from a request target under each query rule, and
 * a {@link MicroCache#lookup} that hits (key built beforehand, and key built plus lookup). Each operation uses the
 * next of 1,024 precomputed requests over {@code entries} stored pages of 850 sites.
 *
 * <p>Run: {@code bench/jmh.sh MicroCacheBenchmark} (quick: {@code bench/jmh.sh MicroCacheBenchmark -f 1 -wi 2 -i 3
 * -w 1s -r 1s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MicroCacheBenchmark {
    private static final int REQUESTS = 1024;
    private static final int SITES = 850;

    @Param({"10000"})
    int entries;

    private MicroCache cache;
    private final String[] sites = new String[REQUESTS];
    private final String[] hosts = new String[REQUESTS];
    private final String[] targets = new String[REQUESTS];
    private final CacheKey[] keys = new CacheKey[REQUESTS];
    private final HeaderView request = HeaderView.of(
            "Host", "www.site1.example.org",
            "User-Agent", "Mozilla/5.0 (X11; Linux x86_64)",
            "Accept", "text/html",
            "Accept-Encoding", "gzip, br");
    private final QueryRule allowlist = new QueryRule.Allowlist(Set.of("page", "lang"));
    private long now;
    private int next;

    @Setup
    public void setUp() {
        now = 1_000_000_000L;
        cache = new MicroCache(new CacheLimits(1L << 30, 1 << 20, 8), () -> now, Runnable::run);
        ResponseMeta meta = new ResponseMeta(
                200,
                List.of(Map.entry("Content-Type", "text/html"), Map.entry("Cache-Control", "max-age=60")),
                TimeUnit.SECONDS.toNanos(3600),
                0,
                0,
                0,
                List.of("accept-encoding"));
        Random random = new Random(42);
        for (int i = 0; i < entries; i++) {
            int site = i % SITES;
            CacheKey key = CacheKey.of(
                    "site" + site, "www.site" + site + ".example.org", "/blog/post-" + i + "?page=2", QueryRule.SORTED);
            cache.store(key, request, meta, new byte[2048], now);
        }
        for (int r = 0; r < REQUESTS; r++) {
            int i = random.nextInt(entries);
            int site = i % SITES;
            sites[r] = "site" + site;
            hosts[r] = "WWW.site" + site + ".example.org:443";
            targets[r] = "/blog/post-" + i + "?utm_source=feed&page=2&x=8u3f" + r;
            keys[r] = CacheKey.of(sites[r], hosts[r], "/blog/post-" + i + "?page=2", QueryRule.SORTED);
        }
    }

    private int nextIndex() {
        return next = (next + 1) & (REQUESTS - 1);
    }

    @Benchmark
    public CacheKey keyKeep() {
        int r = nextIndex();
        return CacheKey.of(sites[r], hosts[r], targets[r], QueryRule.KEEP);
    }

    @Benchmark
    public CacheKey keySorted() {
        int r = nextIndex();
        return CacheKey.of(sites[r], hosts[r], targets[r], QueryRule.SORTED);
    }

    @Benchmark
    public CacheKey keyAllowlist() {
        int r = nextIndex();
        return CacheKey.of(sites[r], hosts[r], targets[r], allowlist);
    }

    @Benchmark
    public CacheKey keyIgnore() {
        int r = nextIndex();
        return CacheKey.of(sites[r], hosts[r], targets[r], QueryRule.IGNORE);
    }

    @Benchmark
    public CacheLookup lookupHit() {
        return cache.lookup(keys[nextIndex()], request, now);
    }

    @Benchmark
    public CacheLookup keyAllowlistThenLookupHit() {
        int r = nextIndex();
        return cache.lookup(CacheKey.of(sites[r], hosts[r], targets[r], allowlist), request, now);
    }
}
