package coop.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MicroCacheTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final MicroCache cache = new MicroCache(new CacheLimits(1 << 20, 64 << 10, 4), clock::get, Runnable::run);

    private static CacheKey key(String target) {
        return CacheKey.of("site", "a.org", target, QueryRule.KEEP);
    }

    private static ResponseMeta meta(long freshSeconds, long swrSeconds, long sieSeconds, String... vary) {
        return new ResponseMeta(
                200,
                List.of(Map.entry("Content-Type", "text/html")),
                freshSeconds * SECOND,
                swrSeconds * SECOND,
                sieSeconds * SECOND,
                0,
                List.of(vary));
    }

    private long now() {
        return clock.get();
    }

    private void advance(long seconds) {
        clock.addAndGet(seconds * SECOND);
    }

    @Test
    void storedEntry_isFreshThenStaleWhileRevalidateThenStaleIfErrorThenGone() {
        cache.store(key("/"), HeaderView.empty(), meta(10, 5, 60), new byte[100], now());
        assertThat(cache.lookup(key("/"), HeaderView.empty(), now())).isInstanceOf(CacheLookup.Fresh.class);
        advance(10);
        CacheLookup whileRevalidate = cache.lookup(key("/"), HeaderView.empty(), now());
        assertThat(whileRevalidate).isInstanceOf(CacheLookup.Stale.class);
        assertThat(((CacheLookup.Stale) whileRevalidate).why()).isEqualTo(CacheLookup.StaleReason.WHILE_REVALIDATE);
        advance(5);
        CacheLookup ifError = cache.lookup(key("/"), HeaderView.empty(), now());
        assertThat(ifError).isInstanceOf(CacheLookup.Stale.class);
        assertThat(((CacheLookup.Stale) ifError).why()).isEqualTo(CacheLookup.StaleReason.IF_ERROR);
        advance(60);
        assertThat(cache.lookup(key("/"), HeaderView.empty(), now())).isEqualTo(CacheLookup.MISS);
        cache.cleanUp();
        assertThat(cache.stats().entries()).isZero();
        assertThat(cache.stats().expirations()).isEqualTo(1);
    }

    @Test
    void hit_exposesWhatTheProxyReplays() {
        byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
        ResponseMeta m = new ResponseMeta(
                200, List.of(Map.entry("Content-Type", "text/plain")), 60 * SECOND, 0, 0, 7, List.of());
        cache.store(key("/x"), HeaderView.empty(), m, body, now());
        advance(3);
        CacheEntry e = ((CacheLookup.Fresh) cache.lookup(key("/x"), HeaderView.empty(), now())).entry();
        assertThat(e.status()).isEqualTo(200);
        assertThat(e.body()).isSameAs(body);
        assertThat(e.headers()).containsExactly(Map.entry("Content-Type", "text/plain"));
        assertThat(e.ageSeconds(now())).isEqualTo(10);
    }

    @Test
    void varyVariants_areSelectedByRequestValues() {
        ResponseMeta m = meta(60, 0, 0, "accept-encoding");
        cache.store(key("/v"), HeaderView.of("Accept-Encoding", "gzip"), m, new byte[] {1}, now());
        cache.store(key("/v"), HeaderView.of("Accept-Encoding", "br"), m, new byte[] {2}, now());
        cache.store(key("/v"), HeaderView.empty(), m, new byte[] {3}, now());

        assertThat(body(cache.lookup(key("/v"), HeaderView.of("accept-encoding", "gzip"), now())))
                .containsExactly(1);
        assertThat(body(cache.lookup(key("/v"), HeaderView.of("Accept-Encoding", "br"), now())))
                .containsExactly(2);
        assertThat(body(cache.lookup(key("/v"), HeaderView.empty(), now()))).containsExactly(3);
        assertThat(cache.lookup(key("/v"), HeaderView.of("Accept-Encoding", "zstd"), now()))
                .isEqualTo(CacheLookup.MISS);
        // whitespace around list members is normalised (RFC 9111 §4.1)
        cache.store(key("/v"), HeaderView.of("Accept-Encoding", "gzip,br"), m, new byte[] {4}, now());
        assertThat(body(cache.lookup(key("/v"), HeaderView.of("Accept-Encoding", "gzip, br"), now())))
                .containsExactly(4);
    }

    @Test
    void variantsPerKey_areCapped_oldestDropped() {
        ResponseMeta m = meta(60, 0, 0, "user-agent");
        for (int i = 0; i < 10; i++) {
            cache.store(key("/ua"), HeaderView.of("User-Agent", "bot" + i), m, new byte[10], now());
        }
        assertThat(cache.lookup(key("/ua"), HeaderView.of("User-Agent", "bot9"), now()))
                .isInstanceOf(CacheLookup.Fresh.class);
        assertThat(cache.lookup(key("/ua"), HeaderView.of("User-Agent", "bot6"), now()))
                .isInstanceOf(CacheLookup.Fresh.class);
        assertThat(cache.lookup(key("/ua"), HeaderView.of("User-Agent", "bot5"), now()))
                .isEqualTo(CacheLookup.MISS);
    }

    @Test
    void restoringTheSameVariant_replacesIt() {
        cache.store(key("/r"), HeaderView.empty(), meta(60, 0, 0), new byte[] {1}, now());
        cache.store(key("/r"), HeaderView.empty(), meta(60, 0, 0), new byte[] {2}, now());
        assertThat(body(cache.lookup(key("/r"), HeaderView.empty(), now()))).containsExactly(2);
    }

    @Test
    void tooLargeBodies_areNotStored() {
        assertThat(cache.store(key("/big"), HeaderView.empty(), meta(60, 0, 0), new byte[(64 << 10) + 1], now()))
                .isNull();
        assertThat(cache.lookup(key("/big"), HeaderView.empty(), now())).isEqualTo(CacheLookup.MISS);
        assertThat(cache.stats().tooLarge()).isEqualTo(1);
    }

    @Test
    void fillingPastTheByteBound_keepsTheWeightedSizeUnderIt() {
        long bound = 1 << 20;
        int stored = 0;
        for (int i = 0; i < 200; i++) {
            CacheEntry e = cache.store(key("/f" + i), HeaderView.empty(), meta(60, 0, 0), new byte[16 << 10], now());
            assertThat(e.weightBytes()).isGreaterThan(16 << 10);
            stored++;
        }
        cache.cleanUp();
        CacheStats s = cache.stats();
        assertThat(stored * (16L << 10)).isGreaterThan(3 * bound);
        assertThat(s.weightedBytes()).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
        assertThat(s.evictions()).isGreaterThan(100);
        assertThat(s.entries()).isLessThan(64);
    }

    @Test
    void invalidateSite_dropsOnlyThatSite() {
        CacheKey mine = CacheKey.of("mine", "a.org", "/", QueryRule.KEEP);
        CacheKey theirs = CacheKey.of("theirs", "b.org", "/", QueryRule.KEEP);
        cache.store(mine, HeaderView.empty(), meta(60, 0, 0), new byte[1], now());
        cache.store(theirs, HeaderView.empty(), meta(60, 0, 0), new byte[1], now());
        assertThat(cache.invalidate("mine")).isEqualTo(1);
        assertThat(cache.lookup(mine, HeaderView.empty(), now())).isEqualTo(CacheLookup.MISS);
        assertThat(cache.lookup(theirs, HeaderView.empty(), now())).isInstanceOf(CacheLookup.Fresh.class);
    }

    @Test
    void stats_countHitsStaleHitsMissesAndStores() {
        cache.store(key("/s"), HeaderView.empty(), meta(1, 10, 0), new byte[1], now());
        cache.lookup(key("/s"), HeaderView.empty(), now());
        cache.lookup(key("/nope"), HeaderView.empty(), now());
        advance(2);
        cache.lookup(key("/s"), HeaderView.empty(), now());
        CacheStats s = cache.stats();
        assertThat(s.hits()).isEqualTo(1);
        assertThat(s.misses()).isEqualTo(1);
        assertThat(s.staleHits()).isEqualTo(1);
        assertThat(s.stores()).isEqualTo(1);
        assertThat(s.entries()).isEqualTo(1);
    }

    @Test
    void policyToStore_endToEnd_withTtlFloorUnderAttack() {
        SiteCachePolicy underAttack = SiteCachePolicy.HEADERS_ONLY.withTtlFloor(Duration.ofSeconds(5));
        StorageDecision d = CacheResponsePolicy.evaluate(
                200, HeaderView.of("Cache-Control", "max-age=0"), underAttack, 784111777000L);
        ResponseMeta m = ((StorageDecision.Storable) d).meta();
        cache.store(key("/p"), HeaderView.empty(), m, new byte[1], now());
        advance(4);
        assertThat(cache.lookup(key("/p"), HeaderView.empty(), now())).isInstanceOf(CacheLookup.Fresh.class);
        advance(1);
        assertThat(cache.lookup(key("/p"), HeaderView.empty(), now())).isEqualTo(CacheLookup.MISS);
    }

    private static byte[] body(CacheLookup lookup) {
        assertThat(lookup).isInstanceOf(CacheLookup.Fresh.class);
        return ((CacheLookup.Fresh) lookup).entry().body();
    }
}
