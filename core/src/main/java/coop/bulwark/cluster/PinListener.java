package coop.bulwark.cluster;

/**
 * Applies operator state pins made on other edges here (the admin's state overrides implement it, so a pin from
 * elsewhere expires and is released exactly like one made here). Called on the cluster's thread: must not block long.
 */
public interface PinListener {
    /** Another edge's operator forced {@code pin.site()} into {@code pin.state()} (until {@code pin.expiresAt()}). */
    void pinned(SharedPin pin);

    /** Another edge's operator handed {@code site} back to its configured state and detection. */
    void released(String site, String node);
}
