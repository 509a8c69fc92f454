package coop.bulwark.cache;

/** Whether a response may be stored, from {@link CacheResponsePolicy#evaluate}. */
public sealed interface StorageDecision {
    /** Store it with {@link MicroCache#store} once the whole body has arrived. */
    record Storable(ResponseMeta meta) implements StorageDecision {}

    /** Do not store it; stream it through. */
    record NotStorable(Reason reason) implements StorageDecision {}

    /** Why a response is not stored, for metrics. */
    enum Reason {
        /** Status outside the heuristically cacheable set (RFC 9110 §15.1). */
        STATUS,
        /** {@code Cache-Control: no-store} (RFC 9111 §5.2.2.5). */
        NO_STORE,
        /** {@code Cache-Control: private}, unqualified (RFC 9111 §5.2.2.7). */
        PRIVATE,
        /** Sets a cookie: a shared copy would hand one client's session to everyone. */
        SET_COOKIE,
        /** {@code Vary: *} (RFC 9111 §4.1). */
        VARY_STAR,
        /** No explicit freshness and the site does not cache pages without headers. */
        NO_FRESHNESS,
        /** Neither fresh nor servable stale for any time: storing it would only take space. */
        ZERO_LIFETIME
    }
}
