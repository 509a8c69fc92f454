package coop.bulwark.cluster;

import coop.bulwark.challenge.ChallengeKeys;
import coop.bulwark.challenge.KeyMaterial;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One challenge signing key per rotation period for the whole cluster, so a pass cookie from one edge is good on every
 * edge. Periods are numbered from the epoch ({@code floor(unix seconds / rotation)}), so every edge agrees which period
 * it is without asking; the first edge to reach a period proposes a random key for it and the store keeps the first
 * proposal (SET NX), which every edge adopts. The previous period's key still verifies, as on a single box.
 *
 * <p>While the store is away and the period ends, the edge rotates by itself (rotation is a security measure and does
 * not wait for Redis); when the store returns it adopts the cluster's key and keeps its own as the previous one, so
 * the cookies it signed meanwhile stay good for a period.
 *
 * <p>Confined to the {@link ClusterLink}'s thread; writes the key file there (never on an event loop).
 */
final class KeySync {
    private static final Logger LOG = LoggerFactory.getLogger(KeySync.class);

    private final ClusterLink link;
    private final ChallengeKeys keys;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    /** The period whose cluster key is in use here, or -1 when none is (yet, or since an outage). */
    private long adoptedEpoch = -1;

    private long adoptedRotation = -1;
    private boolean fetching;
    /** The cluster's keys last adopted (current and previous period), offered again to a store that lost them. */
    private SharedKey lastCurrent;

    private SharedKey lastPrevious;
    /** This edge signs with a key of its own, made while the store was away. */
    private boolean alone;

    private long rotations;

    KeySync(ClusterLink link, ChallengeKeys keys, InstantSource clock) {
        this.link = link;
        this.keys = keys;
        this.clock = clock;
    }

    /** Cluster keys adopted since start. */
    long rotations() {
        return rotations;
    }

    private long epochNow(long rotation) {
        return Math.floorDiv(clock.instant().getEpochSecond(), rotation);
    }

    /** Once a second: takes the cluster's key when a new period began; rotates alone while the store is away. */
    void tick() {
        long rotation = keys.rotationSeconds();
        long epoch = epochNow(rotation);
        if (!link.connected()) {
            adoptedEpoch = -1;
            if (keys.rotationDue()) {
                try {
                    if (keys.rotateIfDue()) {
                        alone = true;
                        LOG.info("challenge signing key rotated on this edge alone (the cluster is unreachable)");
                    }
                } catch (IOException e) {
                    LOG.error("challenge key rotation: {}", e.getMessage());
                }
            }
            return;
        }
        if (epoch != adoptedEpoch || rotation != adoptedRotation) {
            sync(rotation, epoch);
        }
    }

    /** Another edge made the key of a period: take it now if it is this one's or a later one. */
    void onKeyMade(long rotation, long epoch) {
        if (rotation == keys.rotationSeconds() && epoch > adoptedEpoch && link.connected()) {
            sync(rotation, epoch);
        }
    }

    /**
     * After (re)connecting: asks for the period's key again. The stage completes (on the link's thread) once it is
     * adopted, or the store failed to answer, or at once when a request is already out: the link's start waits for it,
     * so an edge that joined signs its first pass cookies with the cluster's key, which every edge verifies, not with
     * the one its own key file had.
     */
    CompletableFuture<Void> resync() {
        adoptedEpoch = -1;
        CompletableFuture<Void> done = new CompletableFuture<>();
        long rotation = keys.rotationSeconds();
        if (!link.connected() || !sync(rotation, epochNow(rotation), () -> done.complete(null))) {
            done.complete(null);
        }
        return done;
    }

    private void sync(long rotation, long epoch) {
        sync(rotation, epoch, () -> {});
    }

    /** Proposes and adopts the period's key; false when a request is already out ({@code after} then never runs). */
    private boolean sync(long rotation, long epoch, Runnable after) {
        if (fetching) {
            return false;
        }
        fetching = true;
        // The key this edge already had for the period is offered first: a Redis restarted empty gets the same key back
        // (and the previous period's), so the cookies every edge signed stay good on every edge.
        SharedKey known = known(rotation, epoch);
        SharedKey proposal = known;
        if (proposal == null) {
            byte[] secret = new byte[SharedKey.SECRET_BYTES];
            random.nextBytes(secret);
            proposal = SharedKey.of(rotation, epoch, secret);
        }
        SharedKey previous = known(rotation, epoch - 1);
        // Kept three periods: the current one, the previous one (still verifying) and a spare for clock skew.
        Duration ttl = Duration.ofSeconds(rotation * 3);
        var store = link.store();
        link.call(
                store.proposeKey(proposal, ttl, link.instance())
                        .thenCompose(current -> (previous != null
                                        ? store.proposeKey(previous, ttl, link.instance())
                                                .thenApply(Optional::of)
                                        : store.key(rotation, epoch - 1))
                                .thenApply(p -> new Pair(current, p))),
                pair -> {
                    fetching = false;
                    try {
                        adopt(pair.current(), pair.previous(), rotation);
                    } finally {
                        after.run();
                    }
                },
                () -> {
                    fetching = false;
                    after.run();
                });
        return true;
    }

    private record Pair(SharedKey current, Optional<SharedKey> previous) {}

    /** The cluster key of period {@code epoch} this edge adopted, or null. */
    private SharedKey known(long rotation, long epoch) {
        for (SharedKey k : new SharedKey[] {lastCurrent, lastPrevious}) {
            if (k != null && k.rotationSeconds() == rotation && k.epoch() == epoch) {
                return k;
            }
        }
        return null;
    }

    private void adopt(SharedKey current, Optional<SharedKey> previous, long rotation) {
        if (current.epoch() < adoptedEpoch) {
            return;
        }
        // A key made here alone stays the previous one, so the cookies it signed meanwhile stay good for a period.
        KeyMaterial before = alone ? null : previous.map(KeySync::material).orElse(null);
        alone = false;
        if (lastCurrent == null || !lastCurrent.equals(current)) {
            lastPrevious = previous.orElse(lastCurrent);
            lastCurrent = current;
        }
        try {
            if (keys.adopt(material(current), before)) {
                rotations++;
                LOG.info("challenge signing key {} of the cluster in use", current.id());
            }
            adoptedEpoch = current.epoch();
            adoptedRotation = rotation;
        } catch (IOException e) {
            // In force anyway (ChallengeKeys.adopt); a restart would read the file's older keys.
            adoptedEpoch = current.epoch();
            adoptedRotation = rotation;
            LOG.error("challenge key file: {}", e.getMessage());
        }
    }

    private static KeyMaterial material(SharedKey k) {
        return new KeyMaterial(k.id(), k.createdEpochSecond(), k.secret());
    }
}
