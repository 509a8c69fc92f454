package coop.bulwark.proxy;

import coop.bulwark.detect.RecorderSource;
import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.origin.OriginPool;
import coop.bulwark.protect.Gatekeeper;
import coop.bulwark.time.Ticker;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What request handling needs from the running edge: the current config snapshot, the decision chain, each event
 * loop's origin pool and detection index, the time sources, and the drain state. One per edge; thread-safe (the
 * snapshot is swapped atomically; the loops are fixed at start and each pool is used only from its own loop).
 *
 * <p>Time on the request path comes from here: {@link #nanoTime} (the injected ticker, the same one the event loops'
 * pools and the cache use) and {@link #epochMillis} (the injected clock), so handlers run on a fake clock in tests.
 */
public final class EdgeRuntime {
    /**
     * One event loop's share of the edge: its origin pool, and its index (0 to loops - 1) among detection's
     * recorders. Looked up once per connection, not per request.
     */
    public record Loop(int index, OriginPool pool) {}

    private final AtomicReference<EdgeSnapshot> snapshot;
    private final Map<EventLoop, Loop> loops;
    private final RecorderSource recorders;
    private final Ticker ticker;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    private final EdgeMetrics metrics;
    private final Gatekeeper gatekeeper;
    private final CacheStage cacheStage;
    private final DecisionChain chain;

    /**
     * @param pools each event loop's origin pool, in the order that numbers the loops for detection
     * @param cacheStage the micro-cache, or null when caching is off
     * @param recorders detection's per-loop recorders
     */
    public EdgeRuntime(
            EdgeSnapshot initial,
            List<OriginPool> pools,
            Ticker ticker,
            Clock clock,
            EdgeMetrics metrics,
            Gatekeeper gatekeeper,
            CacheStage cacheStage,
            ChallengeStage challengeStage,
            RecorderSource recorders) {
        this.snapshot = new AtomicReference<>(initial);
        Map<EventLoop, Loop> byLoop = new IdentityHashMap<>();
        for (OriginPool p : pools) {
            byLoop.put(p.loop(), new Loop(byLoop.size(), p));
        }
        this.loops = byLoop;
        this.recorders = recorders;
        this.ticker = ticker;
        this.clock = clock;
        this.metrics = metrics;
        this.gatekeeper = gatekeeper;
        this.cacheStage = cacheStage;
        this.chain = new DecisionChain(gatekeeper, challengeStage, cacheStage);
    }

    /** Admission, verdict, challenge and cache plan: what to do with each request. */
    DecisionChain chain() {
        return chain;
    }

    /** The micro-cache and request coalescing, or null when caching is off. */
    CacheStage cacheStage() {
        return cacheStage;
    }

    /** The protection decision point (limits, bans); the connection gate asks it at accept. */
    public Gatekeeper gatekeeper() {
        return gatekeeper;
    }

    /** Detection's recorders, one per event loop. */
    RecorderSource recorders() {
        return recorders;
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    /** The snapshot new requests start with. */
    public EdgeSnapshot snapshot() {
        return snapshot.get();
    }

    /** Makes {@code next} the snapshot of requests that start from now on. */
    public void swap(EdgeSnapshot next) {
        snapshot.set(next);
    }

    /** The edge's share of {@code loop}. */
    public Loop loop(EventLoop loop) {
        Loop l = loops.get(loop);
        if (l == null) {
            throw new IllegalStateException("not one of the edge's event loops: " + loop);
        }
        return l;
    }

    /** Every event loop's share. */
    public Iterable<Loop> loops() {
        return loops.values();
    }

    /** The request path's monotonic time, in nanoseconds. */
    public long nanoTime() {
        return ticker.read();
    }

    /** Wall-clock time for logs, in milliseconds since the epoch. */
    public long epochMillis() {
        return clock.millis();
    }

    public boolean draining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }

    void exchangeStarted() {
        inFlight.incrementAndGet();
    }

    void exchangeEnded() {
        inFlight.decrementAndGet();
    }

    /** Requests currently being relayed to origins. */
    public int inFlight() {
        return inFlight.get();
    }
}
