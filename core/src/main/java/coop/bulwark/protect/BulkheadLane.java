package coop.bulwark.protect;

/**
 * The lanes of a site's bulkhead queue at an origin ({@link OriginCapacity}), in the order a slot the site gets is
 * given: people first, then strangers, then requests that look like cache busting. Each lane is bounded by the site's
 * {@code bulkhead.queue}, so a flood filling one lane neither delays nor refuses the lanes before it.
 */
public enum BulkheadLane {
    /** A valid challenge pass or seen cookie: a visitor the edge has met before. */
    PEOPLE,
    /** No such cookie and nothing suspicious. */
    STRANGERS,
    /**
     * No such cookie and a random-looking query (a cache-busting nonce, {@code ?x8f2k=q9d1}): the shape of the floods
     * that aim at the origin, which a person's link rarely has.
     */
    BUSTERS
}
