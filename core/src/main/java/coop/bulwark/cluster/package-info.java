/**
 * Several edges acting as one (docs/cluster.md): bans, challenge signing keys, operator state pins, detection's
 * per-site traffic counts, attack ids and reports, and the upstream speaker's lease, shared through a
 * {@link coop.bulwark.cluster.SharedState} (Redis in production, {@code cluster.redis}; memory in tests), and the
 * roster of nodes.
 *
 * <p>The rule of this package: the request path never waits for the shared store. Every edge keeps deciding on its own
 * state ({@code BanList}, {@code ChallengeKeys}, {@code SiteGuard}); {@link coop.bulwark.cluster.ClusterLink} mirrors
 * that state to and from the store on its own thread, says once when the store is unreachable, and catches up when it
 * returns. Only {@code cluster.redis} imports the Redis client (Lettuce); nothing here imports Netty.
 */
package coop.bulwark.cluster;
