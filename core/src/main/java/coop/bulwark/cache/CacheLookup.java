package coop.bulwark.cache;

/**
 * The result of {@link MicroCache#lookup}. Switch on it exhaustively:
 *
 * <pre>{@code
 * switch (cache.lookup(key, requestHeaders, now)) {
 *     case CacheLookup.Fresh f -> serve(f.entry());
 *     case CacheLookup.Stale s when s.why() == CacheLookup.StaleReason.WHILE_REVALIDATE -> {
 *         serve(s.entry());
 *         refreshInBackground(key); // through the Coalescer, so one refresh per key
 *     }
 *     case CacheLookup.Stale s -> fetchOr(key, () -> serve(s.entry())); // on origin error, timeout, full bulkhead
 *     case CacheLookup.Miss m -> fetch(key); // through the Coalescer
 * }
 * }</pre>
 */
public sealed interface CacheLookup {
    /** A fresh entry: serve it. */
    record Fresh(CacheEntry entry) implements CacheLookup {}

    /** A stale entry that may still be served, and why (RFC 9111 §4.2.4, RFC 5861). */
    record Stale(CacheEntry entry, StaleReason why) implements CacheLookup {}

    /** Nothing usable for this key and these request values. */
    record Miss() implements CacheLookup {}

    /** Which stale window the entry is in; when both are open, {@link #WHILE_REVALIDATE} is reported. */
    enum StaleReason {
        /** Serve now and refresh in the background (RFC 5861 §3). */
        WHILE_REVALIDATE,
        /** Serve only if the origin fails, times out, or the site's bulkhead is full (RFC 5861 §4). */
        IF_ERROR
    }

    Miss MISS = new Miss();
}
