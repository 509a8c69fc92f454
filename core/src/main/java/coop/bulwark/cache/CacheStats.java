package coop.bulwark.cache;

/**
 * A snapshot of {@link MicroCache} counters for metrics. Counters are cumulative since the cache was created;
 * {@code entries} and {@code weightedBytes} are current. A snapshot is not atomic across fields.
 *
 * @param hits lookups that returned {@link CacheLookup.Fresh}
 * @param staleHits lookups that returned {@link CacheLookup.Stale} (the proxy may not use an {@code IF_ERROR} one)
 * @param misses lookups that returned {@link CacheLookup.Miss}
 * @param stores responses stored
 * @param tooLarge responses refused for exceeding {@link CacheLimits#maxObjectBytes}
 * @param evictions keys evicted to keep the byte bound
 * @param expirations keys dropped because no entry was fresh or servable stale any more
 * @param entries keys currently held
 * @param weightedBytes current total weight
 */
public record CacheStats(
        long hits,
        long staleHits,
        long misses,
        long stores,
        long tooLarge,
        long evictions,
        long expirations,
        long entries,
        long weightedBytes) {}
