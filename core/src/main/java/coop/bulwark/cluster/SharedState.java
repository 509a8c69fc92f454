package coop.bulwark.cluster;

import coop.bulwark.protect.Ban;
import coop.bulwark.site.Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The store the nodes of a cluster share: a key space (what is true now, read at start and after an outage) and a
 * message channel (what just changed, so the others apply it within a second).
 *
 * <p>The contract, checked for every backend by one suite ({@code SharedStateContract}): every operation returns at
 * once and completes later, exceptionally when the store cannot be reached or does not answer in time (about a
 * second); nothing blocks the caller. Completions and messages arrive on the backend's threads: callers hop to their
 * own. Values with an expiry (bans, pins, tombstones, leases, node reports, keys) vanish from the key space when it
 * passes. A write is followed by its message only when it reached the store.
 *
 * <p>Implementations: {@code cluster.redis.RedisSharedState} (production) and {@link MemorySharedState} (tests,
 * including outages and a store restarted empty).
 */
public interface SharedState extends AutoCloseable {
    /** Opens the connection when there is none (a no-op when open); completes when the store answers. */
    CompletionStage<Void> connect();

    /** A round trip to the store: completes normally only when it answers. */
    CompletionStage<Void> ping();

    /**
     * The store's generation: {@code proposal} is stored when there is none (a store started empty), and the value in
     * force is returned. A different answer than last time means the store lost its data.
     */
    CompletionStage<String> epoch(String proposal);

    /** Stores {@code ban} (until it expires) replacing any of its subject, drops its tombstone, then announces it. */
    CompletionStage<Void> putBan(Ban ban, String instance);

    /**
     * Removes the ban of {@code subject}, leaves a tombstone for {@code tombstone} (so an edge that comes back from an
     * outage does not bring the ban back), then announces the lift.
     */
    CompletionStage<Void> liftBan(Cidr subject, String node, String instance, Duration tombstone);

    /** Every ban stored (in no order). */
    CompletionStage<List<Ban>> bans();

    /** The subjects lifted recently (their tombstones). */
    CompletionStage<Set<Cidr>> lifted();

    /**
     * Stores {@code key} for its period unless one is there already (for {@code ttl}); returns the key of the period
     * now in the store, the proposal or another node's, and announces a key it stored.
     */
    CompletionStage<SharedKey> proposeKey(SharedKey key, Duration ttl, String instance);

    /** The key of period {@code epoch} of {@code rotationSeconds}, if one was made. */
    CompletionStage<Optional<SharedKey>> key(long rotationSeconds, long epoch);

    /** Stores a site's forced state (until it expires), then announces it. */
    CompletionStage<Void> putPin(SharedPin pin, String instance);

    /** Removes a site's forced state, then announces it. */
    CompletionStage<Void> clearPin(String site, String node, String instance);

    /** Every forced state stored. */
    CompletionStage<List<SharedPin>> pins();

    /**
     * Takes or renews the lease of the name {@code node} for {@code ttl}: empty when this instance holds it now, else
     * the instance id of the running process holding it.
     */
    CompletionStage<Optional<String>> claimNode(String node, String instance, Duration ttl);

    /** Gives the lease of {@code node} back if {@code instance} holds it (a clean stop: the name is free at once). */
    CompletionStage<Void> releaseNode(String node, String instance);

    /** Stores this node's report for {@code ttl}. */
    CompletionStage<Void> report(NodeReport report, Duration ttl);

    /** Every node report stored. */
    CompletionStage<List<NodeReport>> nodes();

    /**
     * Takes or renews the claim {@code P:NAME} for {@code ttl}: stores {@code value} when the name is free or holds
     * {@code value} already, and returns the value in force afterwards (this one, or the earlier claimant's).
     */
    CompletionStage<String> claim(String name, String value, Duration ttl);

    /** Frees the claim {@code P:NAME} if it holds {@code value} (a claimant giving back only its own claim). */
    CompletionStage<Void> release(String name, String value);

    /** Stores a text under {@code P:NAME} for {@code ttl} (a shared incident report), replacing any. */
    CompletionStage<Void> putText(String name, String text, Duration ttl);

    /** The text under {@code P:NAME}, if any. */
    CompletionStage<Optional<String>> text(String name);

    /** Sends {@code message} to every node without storing anything (traffic counts: news for a second only). */
    CompletionStage<Void> announce(ClusterMessage message);

    /**
     * Sets who receives the messages of every node, this one's included (filter on {@link ClusterMessage#instance()});
     * replaces the previous listener. Called on the backend's threads: it must not block.
     */
    void listen(Consumer<ClusterMessage> listener);

    /** Closes the connections; operations fail afterwards. */
    @Override
    void close();
}
