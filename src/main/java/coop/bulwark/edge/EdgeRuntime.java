package coop.bulwark.edge;

import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.protect.Gatekeeper;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What request handling needs from the running edge: the current config snapshot, the origin pool of each event
 * loop, clocks, and the drain state. One per edge; thread-safe (the snapshot is swapped atomically; the pools map is
 * fixed at start and each pool is used only from its own loop).
 */
final class EdgeRuntime {
    private final AtomicReference<EdgeSnapshot> snapshot;
    private final Map<EventLoop, OriginPool> pools;
    /** Each event loop's number, 0 to loops - 1: the index of its traffic recorder. */
    private final Map<EventLoop, Integer> loopIndexes;

    private final DetectionLoop detection;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    private final EdgeMetrics metrics;
    private final Gatekeeper gatekeeper;
    private final CacheStage cacheStage;
    private final ChallengeStage challengeStage;

    EdgeRuntime(
            EdgeSnapshot initial,
            Map<EventLoop, OriginPool> pools,
            Clock clock,
            EdgeMetrics metrics,
            Gatekeeper gatekeeper,
            CacheStage cacheStage,
            ChallengeStage challengeStage,
            DetectionLoop detection) {
        this.snapshot = new AtomicReference<>(initial);
        this.pools = Map.copyOf(pools);
        this.detection = detection;
        var indexes = new java.util.IdentityHashMap<EventLoop, Integer>();
        for (EventLoop l : pools.keySet()) {
            indexes.put(l, indexes.size());
        }
        this.loopIndexes = indexes;
        this.clock = clock;
        this.metrics = metrics;
        this.gatekeeper = gatekeeper;
        this.cacheStage = cacheStage;
        this.challengeStage = challengeStage;
    }

    /** The proof-of-work challenge (page, answers, cookie checks). */
    ChallengeStage challengeStage() {
        return challengeStage;
    }

    /** The micro-cache and request coalescing, or null when caching is off. */
    CacheStage cacheStage() {
        return cacheStage;
    }

    /** The protection decision point (limits, bans). */
    Gatekeeper gatekeeper() {
        return gatekeeper;
    }

    /** Detection (traffic recording, per-site states). */
    DetectionLoop detection() {
        return detection;
    }

    /** The recorder of {@code loop} for a request of site index {@code site}, or null when detection is off. */
    coop.bulwark.detect.TrafficRecorder recorder(EventLoop loop, int site) {
        Integer i = loopIndexes.get(loop);
        return i == null ? null : detection.recorder(i, site);
    }

    EdgeMetrics metrics() {
        return metrics;
    }

    EdgeSnapshot snapshot() {
        return snapshot.get();
    }

    void swap(EdgeSnapshot next) {
        snapshot.set(next);
    }

    OriginPool poolFor(EventLoop loop) {
        OriginPool p = pools.get(loop);
        if (p == null) {
            throw new IllegalStateException("no origin pool for event loop " + loop);
        }
        return p;
    }

    Map<EventLoop, OriginPool> pools() {
        return pools;
    }

    long nanoTime() {
        return System.nanoTime();
    }

    long epochMillis() {
        return clock.millis();
    }

    boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    void exchangeStarted() {
        inFlight.incrementAndGet();
    }

    void exchangeEnded() {
        inFlight.decrementAndGet();
    }

    /** Requests currently being relayed to origins. */
    int inFlight() {
        return inFlight.get();
    }
}
