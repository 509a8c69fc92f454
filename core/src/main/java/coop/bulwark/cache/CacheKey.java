package coop.bulwark.cache;

import coop.bulwark.site.HostRouter;

/**
 * The key of one cached resource: the site it belongs to and the normalised {@code host + path [+ "?" query]}.
 * GET and HEAD share a key (a HEAD is answered from the GET entry, RFC 9110 §9.3.2); no other method is cached.
 *
 * <p>Immutable and thread-safe. The hash is computed once, and {@link #equals} compares hash, then site, then text,
 * so a lookup costs one string comparison at most.
 */
public final class CacheKey {
    private final String site;
    private final String text;
    private final int hash;

    private CacheKey(String site, String text) {
        this.site = site;
        this.text = text;
        this.hash = 31 * site.hashCode() + text.hashCode();
    }

    /**
     * The key for a request to {@code site}.
     *
     * @param site the site's configured name (what {@link MicroCache#invalidate} is called with)
     * @param host the request's {@code Host} or {@code :authority}: ASCII case, a port and a trailing dot are
     *     dropped, as {@link HostRouter#normalize} does
     * @param target the origin-form request target, {@code /path?query}; the path is kept as sent (case and
     *     percent-encoding matter to origins)
     * @param queryRule the site's query normalisation
     * @return the key, or {@code null} when {@code host} is malformed (the edge refuses such requests earlier)
     */
    public static CacheKey of(String site, String host, String target, QueryRule queryRule) {
        String normalHost = HostRouter.normalize(host);
        if (normalHost == null) {
            return null;
        }
        int q = target.indexOf('?');
        if (q < 0) {
            return new CacheKey(site, normalHost.concat(target));
        }
        StringBuilder b = new StringBuilder(normalHost.length() + target.length() + 1);
        b.append(normalHost).append(target, 0, q);
        queryRule.append(target.substring(q + 1), b);
        return new CacheKey(site, b.toString());
    }

    /** The site this key belongs to. */
    public String site() {
        return site;
    }

    /** The normalised {@code host/path?query}. */
    public String text() {
        return text;
    }

    /** Bytes this key adds to an entry's weight (UTF-16 chars plus object headers, roughly). */
    int weightBytes() {
        return 2 * (site.length() + text.length()) + 64;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof CacheKey k && k.hash == hash && k.site.equals(site) && k.text.equals(text));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return site + ":" + text;
    }
}
