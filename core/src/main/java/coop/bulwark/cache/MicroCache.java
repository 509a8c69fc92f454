package coop.bulwark.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The edge's shared micro-cache: full responses of all sites, bounded in bytes, keyed by {@link CacheKey}, each key
 * holding its {@code Vary} variants.
 *
 * <p>How the proxy uses it, per request: {@link CacheRequestPolicy#decide}; if it may use the cache,
 * {@link CacheKey#of} and {@link #lookup}; on a miss, fetch from the origin through a {@link Coalescer}; when the
 * response headers arrive, {@link CacheResponsePolicy#evaluate}; if storable and the body (aggregated up to
 * {@link CacheLimits#maxObjectBytes}, else given up) completes, {@link #store}. Store only responses to GET: a
 * response to HEAD has no body. On a config reload that changes a site's origins or rules, {@link #invalidate}.
 *
 * <p>Thread-safe and non-blocking for readers: callers on any event loop may use it concurrently. Lookups take the
 * current time as an argument; the injected ticker (the same clock, normally {@code System::nanoTime}) drives only
 * Caffeine's expiry of useless entries. Eviction and expiry work runs on the given executor; with
 * {@code Runnable::run} it runs on the calling thread, which tests use for determinism.
 */
/*
 * Design note. Caffeine (W-TinyLFU) decides what to keep under the byte bound, which suits a micro-cache under
 * attack: a flood of one-hit URLs does not flush the popular pages, because admission compares frequencies. Values
 * are immutable Variants holders replaced by asMap().compute, so a lookup is one hash probe plus a scan of at most
 * maxVariantsPerKey entries (normally one) and never locks. Each key expires once no variant is fresh or servable
 * stale (a variable Expiry), so dead entries do not wait for size pressure. Weights are approximate heap bytes:
 * body length plus UTF-16 field text plus a fixed per-object allowance; the bound is on that estimate, not on
 * measured heap. Invalidation by site scans the key set: it runs on config reload only, O(entries).
 */
public final class MicroCache {
    private final Cache<CacheKey, Variants> cache;
    private final CacheLimits limits;
    private final LongAdder hits = new LongAdder();
    private final LongAdder staleHits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stores = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder expirations = new LongAdder();

    /**
     * A cache within {@code limits}.
     *
     * @param nanoTicker monotonic nanoseconds, the same clock the caller passes to {@link #lookup}
     * @param maintenance where Caffeine runs eviction and listener work: {@code Runnable::run} (the edge's choice:
     *     the caller drains, under Caffeine's try-lock, what it would otherwise hand to a pool thread; on the
     *     common pool, waking that thread for every few reads cost the edge about 6 % of its CPU under a flood)
     */
    public MicroCache(CacheLimits limits, LongSupplier nanoTicker, Executor maintenance) {
        this.limits = limits;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(limits.maxBytes())
                .weigher((CacheKey k, Variants v) -> v.weightBytes())
                .expireAfter(new UselessAfter())
                .ticker(nanoTicker::getAsLong)
                .executor(maintenance)
                .evictionListener((CacheKey k, Variants v, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    } else if (cause == RemovalCause.EXPIRED) {
                        expirations.increment();
                    }
                })
                .build();
    }

    /**
     * The usable entry for {@code key} and the request's {@code Vary} field values at {@code nowNanos}: fresh
     * (RFC 9111 §4.2), stale within a window (§4.2.4, RFC 5861), or a miss. Counts a hit, stale hit or miss.
     */
    public CacheLookup lookup(CacheKey key, HeaderView requestHeaders, long nowNanos) {
        Variants variants = cache.getIfPresent(key);
        CacheEntry entry = variants == null ? null : variants.select(requestHeaders);
        if (entry != null) {
            if (nowNanos < entry.freshUntilNanos()) {
                hits.increment();
                return new CacheLookup.Fresh(entry);
            }
            if (nowNanos < entry.staleWhileRevalidateUntilNanos()) {
                staleHits.increment();
                return new CacheLookup.Stale(entry, CacheLookup.StaleReason.WHILE_REVALIDATE);
            }
            if (nowNanos < entry.staleIfErrorUntilNanos()) {
                staleHits.increment();
                return new CacheLookup.Stale(entry, CacheLookup.StaleReason.IF_ERROR);
            }
        }
        misses.increment();
        return CacheLookup.MISS;
    }

    /**
     * Whether {@code key} holds a variant for the request's {@code Vary} values that can still be served at
     * {@code nowNanos}, fresh or stale within either window. Counts nothing: the lookup that serves it does.
     */
    public boolean holds(CacheKey key, HeaderView requestHeaders, long nowNanos) {
        Variants variants = cache.getIfPresent(key);
        CacheEntry entry = variants == null ? null : variants.select(requestHeaders);
        return entry != null && nowNanos < entry.uselessAfterNanos();
    }

    /**
     * Stores a complete response under {@code key}, as the variant selected by the request's values of
     * {@code meta.varyNames()}. The body is kept as given, not copied: the caller must not modify it afterwards.
     *
     * @return the stored entry, or {@code null} when the body exceeds {@link CacheLimits#maxObjectBytes}
     */
    public CacheEntry store(CacheKey key, HeaderView requestHeaders, ResponseMeta meta, byte[] body, long nowNanos) {
        if (body.length > limits.maxObjectBytes()) {
            tooLarge.increment();
            return null;
        }
        String[] varyValues = CacheEntry.varyValues(meta.varyNames(), requestHeaders);
        CacheEntry entry = new CacheEntry(meta, body, varyValues, nowNanos);
        cache.asMap()
                .compute(
                        key,
                        (k, old) -> old == null
                                ? Variants.of(entry, k)
                                : old.with(entry, varyValues, k, limits.maxVariantsPerKey()));
        stores.increment();
        return entry;
    }

    /** Drops every entry of {@code site}; returns how many keys it dropped. Linear in the number of keys. */
    public int invalidate(String site) {
        int dropped = 0;
        for (CacheKey k : cache.asMap().keySet()) {
            if (k.site().equals(site) && cache.asMap().remove(k) != null) {
                dropped++;
            }
        }
        return dropped;
    }

    /** Drops {@code key} (all its variants), e.g. after an unsafe method on it (RFC 9111 §4.4). */
    public void invalidate(CacheKey key) {
        cache.invalidate(key);
    }

    /** Runs pending maintenance (eviction, expiry) now; for tests and before reading exact sizes. */
    public void cleanUp() {
        cache.cleanUp();
    }

    /** Current counters. */
    public CacheStats stats() {
        long weighted =
                cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
        return new CacheStats(
                hits.sum(),
                staleHits.sum(),
                misses.sum(),
                stores.sum(),
                tooLarge.sum(),
                evictions.sum(),
                expirations.sum(),
                cache.estimatedSize(),
                weighted);
    }

    /** The limits this cache was built with. */
    public CacheLimits limits() {
        return limits;
    }

    /** Keys live until no variant is fresh or servable stale any more. */
    private static final class UselessAfter implements Expiry<CacheKey, Variants> {
        @Override
        public long expireAfterCreate(CacheKey key, Variants value, long currentTime) {
            return Math.max(0, value.uselessAfterNanos() - currentTime);
        }

        @Override
        public long expireAfterUpdate(CacheKey key, Variants value, long currentTime, long currentDuration) {
            return Math.max(0, value.uselessAfterNanos() - currentTime);
        }

        @Override
        public long expireAfterRead(CacheKey key, Variants value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
