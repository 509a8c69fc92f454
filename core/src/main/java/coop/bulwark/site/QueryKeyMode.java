package coop.bulwark.site;

/** How a request's query string enters the cache key; stricter modes stop cache busting with random queries. */
public enum QueryKeyMode {
    /** As sent. */
    KEEP,
    /** Parameters sorted, so {@code ?a=1&b=2} and {@code ?b=2&a=1} share an entry. */
    SORTED,
    /** Only the site's listed parameters, sorted; {@code /?x=8u3f} maps to {@code /}. */
    ALLOWLIST,
    /** No query at all. */
    IGNORE
}
