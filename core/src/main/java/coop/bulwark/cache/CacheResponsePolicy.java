package coop.bulwark.cache;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether an origin response may be stored by the shared micro-cache and for how long (RFC 9111 §3, §4.2).
 *
 * <p><b>Storable</b> when all hold: the status is heuristically cacheable (200, 203, 204, 300, 301, 308, 404, 405,
 * 410, 414, 501; RFC 9110 §15.1; other statuses are not cached even with explicit freshness, a deliberate
 * narrowing); no {@code no-store} (§5.2.2.5); no unqualified {@code private} (§5.2.2.7, this is a shared cache);
 * no {@code Set-Cookie} (a shared copy would hand one visitor's session to all); no {@code Vary: *} (§4.1); and a
 * lifetime can be found.
 *
 * <p><b>Freshness lifetime</b> (§4.2.1), first that applies: {@code s-maxage}, {@code max-age}, {@code Expires}
 * minus {@code Date} (an invalid {@code Expires} means already expired, §5.3; a missing {@code Date} means the
 * receipt time, RFC 9110 §6.6.1). The initial age (§4.2.3: the larger of {@code Age} and receipt time minus
 * {@code Date}) is subtracted. With no explicit freshness the site's {@code min_ttl} applies if the site caches pages
 * without headers; otherwise the response is not stored (no Last-Modified heuristic, §4.2.2).
 *
 * <p><b>no-cache</b> (§5.2.2.4): stored with lifetime 0, i.e. every use must go to the origin, unless the site's
 * {@code ttlFloor} is raised. The floor is the operator's (or the mitigation ladder's) explicit decision that, while
 * a site is under attack, serving a page a few seconds old beats letting every request through, so it overrides
 * {@code no-cache}, {@code max-age=0} and short lifetimes alike. It never makes a non-storable response storable.
 * Qualified {@code no-cache="f"} and {@code private="f"} drop the named fields from the stored copy and store the
 * rest (§5.2.2.4, §5.2.2.7).
 *
 * <p><b>Serving stale</b> (§4.2.4): the windows are the larger of the response's {@code stale-while-revalidate} /
 * {@code stale-if-error} (RFC 5861) and the site's defaults, so an origin can lengthen but not shorten what the
 * operator configured. {@code no-cache}, {@code must-revalidate} and {@code proxy-revalidate} forbid stale serving:
 * both windows are 0. {@code s-maxage} implies {@code proxy-revalidate} for shared caches (§5.2.2.10), so the site
 * defaults do not apply, but the response's own stale directives, being explicit permission, still do.
 *
 * <p>Stateless and thread-safe.
 */
public final class CacheResponsePolicy {
    /** Fields never stored: hop-by-hop (RFC 9110 §7.6.1), proxy authentication (RFC 9111 §3.1), and {@code Age}. */
    private static final Set<String> NOT_STORED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "proxy-authenticate",
            "proxy-authentication-info",
            "proxy-authorization",
            "age");

    private CacheResponsePolicy() {}

    /** Whether {@code status} is heuristically cacheable (RFC 9110 §15.1). */
    public static boolean isCacheableStatus(int status) {
        return switch (status) {
            case 200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501 -> true;
            default -> false;
        };
    }

    /**
     * The decision for a response.
     *
     * @param status the response status
     * @param headers the response's header fields
     * @param site the site's current cache settings (with the floor of its protection state)
     * @param receivedAtEpochMillis wall-clock time the response arrived, for {@code Date} arithmetic only
     */
    public static StorageDecision evaluate(
            int status, HeaderView headers, SiteCachePolicy site, long receivedAtEpochMillis) {
        if (!isCacheableStatus(status)) {
            return new StorageDecision.NotStorable(StorageDecision.Reason.STATUS);
        }
        CacheControl cc = CacheControl.of(headers);
        if (cc.noStore()) {
            return new StorageDecision.NotStorable(StorageDecision.Reason.NO_STORE);
        }
        if (cc.isPrivate()) {
            return new StorageDecision.NotStorable(StorageDecision.Reason.PRIVATE);
        }
        if (headers.contains("set-cookie")) {
            return new StorageDecision.NotStorable(StorageDecision.Reason.SET_COOKIE);
        }
        List<String> vary = varyNames(headers);
        if (vary == null) {
            return new StorageDecision.NotStorable(StorageDecision.Reason.VARY_STAR);
        }

        long dateMillis = HttpDate.parseMillis(headers.get("date"));
        if (dateMillis == HttpDate.INVALID) {
            dateMillis = receivedAtEpochMillis;
        }
        long initialAgeSeconds =
                Math.max(Math.max(0, (receivedAtEpochMillis - dateMillis) / 1000), ageSeconds(headers.get("age")));

        long freshNanos;
        if (cc.sMaxAgeSeconds() != CacheControl.ABSENT) {
            freshNanos = remainingNanos(cc.sMaxAgeSeconds(), initialAgeSeconds);
        } else if (cc.maxAgeSeconds() != CacheControl.ABSENT) {
            freshNanos = remainingNanos(cc.maxAgeSeconds(), initialAgeSeconds);
        } else if (headers.contains("expires")) {
            long expires = HttpDate.parseMillis(headers.get("expires"));
            long lifetimeSeconds = expires == HttpDate.INVALID ? 0 : Math.max(0, (expires - dateMillis) / 1000);
            freshNanos = remainingNanos(lifetimeSeconds, initialAgeSeconds);
        } else if (site.cacheWithoutHeaders()) {
            freshNanos = site.minTtl().toNanos();
        } else {
            return new StorageDecision.NotStorable(StorageDecision.Reason.NO_FRESHNESS);
        }
        if (cc.noCache()) {
            freshNanos = 0;
        }
        freshNanos = Math.max(freshNanos, site.ttlFloor().toNanos());

        long swrNanos = 0;
        long sieNanos = 0;
        if (!cc.noCache() && !cc.mustRevalidate() && !cc.proxyRevalidate()) {
            boolean defaults = cc.sMaxAgeSeconds() == CacheControl.ABSENT;
            swrNanos = Math.max(
                    seconds(cc.staleWhileRevalidateSeconds()),
                    defaults ? site.staleWhileRevalidate().toNanos() : 0);
            sieNanos = Math.max(
                    seconds(cc.staleIfErrorSeconds()),
                    defaults ? site.staleIfError().toNanos() : 0);
        }
        if (freshNanos == 0 && swrNanos == 0 && sieNanos == 0) {
            return new StorageDecision.NotStorable(StorageDecision.Reason.ZERO_LIFETIME);
        }
        return new StorageDecision.Storable(new ResponseMeta(
                status, storedFields(headers, cc), freshNanos, swrNanos, sieNanos, initialAgeSeconds, vary));
    }

    /** Lower-cased, de-duplicated {@code Vary} names; {@code null} for {@code Vary: *}. */
    private static List<String> varyNames(HeaderView headers) {
        List<String> lines = headers.getAll("vary");
        if (lines.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(2);
        for (String line : lines) {
            for (String part : line.split(",")) {
                String name = part.strip().toLowerCase(Locale.ROOT);
                if (name.equals("*")) {
                    return null;
                }
                if (!name.isEmpty() && !names.contains(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The fields to keep: all but those in {@link #NOT_STORED}, those named by {@code Connection}, and excluded. */
    private static List<Map.Entry<String, String>> storedFields(HeaderView headers, CacheControl cc) {
        Set<String> drop = new HashSet<>(NOT_STORED);
        for (String line : headers.getAll("connection")) {
            for (String option : line.split(",")) {
                drop.add(option.strip().toLowerCase(Locale.ROOT));
            }
        }
        drop.addAll(cc.noCacheFields());
        drop.addAll(cc.privateFields());
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        headers.forEach((name, value) -> {
            if (!drop.contains(name.toLowerCase(Locale.ROOT))) {
                kept.add(Map.entry(name, value));
            }
        });
        return kept;
    }

    private static long ageSeconds(String age) {
        return age == null ? 0 : CacheControl.seconds(age.strip());
    }

    private static long remainingNanos(long lifetimeSeconds, long initialAgeSeconds) {
        return seconds(Math.max(0, lifetimeSeconds - initialAgeSeconds));
    }

    private static long seconds(long s) {
        return s <= 0 ? 0 : TimeUnit.SECONDS.toNanos(s);
    }
}
