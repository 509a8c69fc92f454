package coop.bulwark.cache;

import java.util.List;
import java.util.Set;

/**
 * Decides, from a request's method and header fields, whether the shared micro-cache may answer it (RFC 9111 §4)
 * and whether the answer may be stored.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>Only GET and HEAD use the cache; HEAD is answered from the GET entry (RFC 9110 §9.3.2).
 *   <li>{@code Authorization} bypasses: RFC 9111 §3.5 lets a shared cache reuse such responses only when the
 *       origin explicitly says so, and an edge in front of 850 sites should not guess.
 *   <li>{@code Cookie} bypasses unless every cookie in it is named in {@code sharedCookieNames} (analytics cookies
 *       that do not change the page). Default: an empty set, so any cookie bypasses.
 *   <li>{@code Cache-Control: no-store} bypasses (RFC 9111 §5.2.1.5).
 *   <li>{@code Cache-Control: no-cache} or {@code max-age=0} asks for revalidation (§5.2.1.4, §5.2.1.1).
 * </ol>
 *
 * <p><b>Cache-only mode</b> (the site is under attack and anonymous GETs must be answered without reaching the
 * origin): the client no longer controls origin traffic. {@code no-cache} and {@code max-age=0} are ignored and the
 * request is answered from the cache; otherwise a flood of {@code Cache-Control: no-cache} requests would turn the
 * cache off exactly when it matters. {@code no-store} is then honoured only in its literal sense, "do not store
 * this exchange" (§5.2.1.5 allows satisfying it from a stored response), not as a bypass. Authorization and
 * cookies still bypass: those requests are not anonymous and meet the challenge and rate limits instead. RFC 9111
 * §5.2.1 makes request directives advisory for caches, so both choices stay within it.
 *
 * <p>Request directives other than these ({@code max-age=N>0}, {@code max-stale}, {@code min-fresh},
 * {@code only-if-cached}) are ignored: entries live for seconds, so they would change little.
 *
 * <p>Immutable and thread-safe; one per site, built with each config snapshot. {@link #decide} does not allocate
 * unless the request carries {@code Cookie} or {@code Cache-Control}.
 */
public final class CacheRequestPolicy {
    private final Set<String> sharedCookieNames;

    private CacheRequestPolicy(Set<String> sharedCookieNames) {
        this.sharedCookieNames = Set.copyOf(sharedCookieNames);
    }

    /** A policy under which any cookie bypasses the cache. */
    public static CacheRequestPolicy strict() {
        return new CacheRequestPolicy(Set.of());
    }

    /**
     * A policy under which requests whose cookies all have names in {@code sharedCookieNames} (compared exactly,
     * as cookie names are case-sensitive) still use the cache. The proxy should not forward those cookies to the
     * origin on a cacheable request, or the stored page may depend on them.
     */
    public static CacheRequestPolicy sharingCookies(Set<String> sharedCookieNames) {
        for (String name : sharedCookieNames) {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf(';') >= 0) {
                throw new IllegalArgumentException(
                        "sharedCookieNames: '" + name + "' (expected: a cookie name without '=' or ';')");
            }
        }
        return new CacheRequestPolicy(sharedCookieNames);
    }

    /** The cookie names that do not bypass the cache. */
    public Set<String> sharedCookieNames() {
        return sharedCookieNames;
    }

    /**
     * The decision for a request.
     *
     * @param method the request method as sent (methods are case-sensitive, RFC 9110 §9.1)
     * @param headers the request's header fields
     * @param cacheOnly whether the site is in cache-only mode (see the class comment)
     */
    public RequestDecision decide(String method, HeaderView headers, boolean cacheOnly) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return new RequestDecision.Bypass(RequestDecision.Reason.METHOD);
        }
        if (headers.contains("authorization")) {
            return new RequestDecision.Bypass(RequestDecision.Reason.AUTHORIZATION);
        }
        List<String> cookies = headers.getAll("cookie");
        if (!cookies.isEmpty() && !allShared(cookies)) {
            return new RequestDecision.Bypass(RequestDecision.Reason.COOKIE);
        }
        if (!headers.contains("cache-control")) {
            return RequestDecision.USE;
        }
        CacheControl cc = CacheControl.of(headers);
        if (cacheOnly) {
            return cc.noStore() ? RequestDecision.USE_WITHOUT_STORING : RequestDecision.USE;
        }
        if (cc.noStore()) {
            return new RequestDecision.Bypass(RequestDecision.Reason.NO_STORE);
        }
        if (cc.noCache() || cc.maxAgeSeconds() == 0) {
            return RequestDecision.REVALIDATE;
        }
        return RequestDecision.USE;
    }

    /** Whether every cookie-pair (RFC 6265 §4.2.1: {@code name=value; name=value}) has a shared name. */
    private boolean allShared(List<String> cookieLines) {
        if (sharedCookieNames.isEmpty()) {
            return false;
        }
        for (String line : cookieLines) {
            int i = 0;
            int n = line.length();
            while (i < n) {
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == ';')) {
                    i++;
                }
                if (i == n) {
                    break;
                }
                int eq = i;
                while (eq < n && line.charAt(eq) != '=' && line.charAt(eq) != ';') {
                    eq++;
                }
                if (!sharedCookieNames.contains(line.substring(i, eq).strip())) {
                    return false;
                }
                int semi = line.indexOf(';', eq);
                i = semi < 0 ? n : semi + 1;
            }
        }
        return true;
    }
}
