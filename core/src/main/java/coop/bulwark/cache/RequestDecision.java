package coop.bulwark.cache;

/**
 * What {@link CacheRequestPolicy} says the proxy may do with the cache for one request. Switch on it exhaustively:
 *
 * <pre>{@code
 * switch (policy.decide(method, headers, cacheOnly)) {
 *     case RequestDecision.Use use -> lookUpThenMaybeFetch(use.storeResponse());
 *     case RequestDecision.Revalidate r -> fetchThenStore(); // a stored entry may still answer if the origin fails
 *     case RequestDecision.Bypass bypass -> forward(bypass.reason());
 * }
 * }</pre>
 */
public sealed interface RequestDecision {
    /** Look the request up and serve a fresh hit; on a miss fetch (coalesced) and store if {@code storeResponse}. */
    record Use(boolean storeResponse) implements RequestDecision {}

    /**
     * The client asked for an origin round trip ({@code Cache-Control: no-cache} or {@code max-age=0}, RFC 9111
     * §5.2.1.4, §5.2.1.1): do not answer from a fresh entry; fetch (still coalesced) and store the answer. A stored
     * entry may still answer if the origin fails within its stale-if-error window.
     */
    record Revalidate() implements RequestDecision {}

    /** Leave the cache out: forward to the origin and store nothing. */
    record Bypass(Reason reason) implements RequestDecision {}

    /** Why a request bypasses the cache, for metrics and the access log. */
    enum Reason {
        /** Not GET or HEAD. */
        METHOD,
        /** Carries {@code Authorization} (RFC 9111 §3.5). */
        AUTHORIZATION,
        /** Carries a cookie that is not on the site's list of cookies that do not personalise pages. */
        COOKIE,
        /** {@code Cache-Control: no-store} outside cache-only mode (RFC 9111 §5.2.1.5). */
        NO_STORE
    }

    Use USE = new Use(true);
    Use USE_WITHOUT_STORING = new Use(false);
    Revalidate REVALIDATE = new Revalidate();
}
