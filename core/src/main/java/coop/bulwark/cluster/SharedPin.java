package coop.bulwark.cluster;

import java.time.Instant;
import java.util.Objects;

/**
 * An operator's forced protection state of a site ({@code bulwark under-attack SITE on}), shared so it holds on every
 * edge.
 *
 * @param site the site's name
 * @param state the state's config key ({@code normal}, {@code suspect}, {@code under_attack})
 * @param reason the operator's reason
 * @param expiresAt when the pin lapses (the sites go back to their configured state), or null: until changed
 * @param node the edge the operator used
 */
public record SharedPin(String site, String state, String reason, Instant expiresAt, String node) {
    public SharedPin {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(node, "node");
    }
}
