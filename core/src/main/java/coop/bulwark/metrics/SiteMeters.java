package coop.bulwark.metrics;

import coop.bulwark.site.ProtectionState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Counters of one site, resolved once so the request path only increments: requests by verdict and by status class,
 * cache outcomes, bulkhead rejections, and the origin latency. Thread-safe (Micrometer meters are).
 */
public final class SiteMeters {
    /** Verdicts counted (the {@code verdict} label). */
    public enum VerdictLabel {
        PASS("pass"),
        LIMIT("limit"),
        BAN("ban"),
        CACHE_ONLY("cache_only"),
        REJECT("reject"),
        BULKHEAD("bulkhead"),
        CHALLENGE("challenge");

        final String label;

        VerdictLabel(String label) {
            this.label = label;
        }

        /** The label value, also the access log's {@code verdict} field. */
        public String label() {
            return label;
        }
    }

    /** Cache outcomes (the {@code result} label). */
    public enum CacheLabel {
        HIT("hit"),
        STALE("stale"),
        MISS("miss"),
        BYPASS("bypass"),
        COALESCED("coalesced");

        final String label;

        CacheLabel(String label) {
            this.label = label;
        }

        /** The label value. */
        public String label() {
            return label;
        }
    }

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter[] verdicts = new Counter[VerdictLabel.values().length];
    private final Counter[] statusClasses = new Counter[6];
    private final Counter[] cache = new Counter[CacheLabel.values().length];
    private final Timer originLatency;
    private final Counter websocketUpgrades;
    /** Upgraded connections of the site open now; counted by the relay, which opens and closes them. */
    private final AtomicInteger websocketsOpen = new AtomicInteger();
    /** The site's live protection (state, bulkhead), read by the gauges; replaced on reload. */
    private volatile Live live;

    /** Where the gauges read the site's live protection; swapped as one so a scrape never mixes two reloads. */
    private record Live(IntSupplier inFlight, LongSupplier bulkheadRejected, Supplier<ProtectionState> state) {}

    SiteMeters(MeterRegistry registry, String site) {
        this.registry = registry;
        for (VerdictLabel v : VerdictLabel.values()) {
            verdicts[v.ordinal()] = keep(Counter.builder("bulwark_requests_verdict")
                    .description("Requests by protection verdict")
                    .tag("site", site)
                    .tag("verdict", v.label)
                    .register(registry));
        }
        for (int c = 1; c <= 5; c++) {
            statusClasses[c] = keep(Counter.builder("bulwark_responses")
                    .description("Responses by status class")
                    .tag("site", site)
                    .tag("status", c + "xx")
                    .register(registry));
        }
        for (CacheLabel l : CacheLabel.values()) {
            cache[l.ordinal()] = keep(Counter.builder("bulwark_cache_requests")
                    .description("Cacheable requests by cache outcome")
                    .tag("site", site)
                    .tag("result", l.label)
                    .register(registry));
        }
        originLatency = keep(Timer.builder("bulwark_origin_latency")
                .description("Time to the origin's response header")
                .tag("site", site)
                .serviceLevelObjectives(EdgeMetrics.SITE_LATENCY_BUCKETS)
                .register(registry));
        websocketUpgrades = keep(Counter.builder("bulwark_websocket_upgrades")
                .description("WebSocket upgrades the origin accepted (101), relayed as tunnels")
                .tag("site", site)
                .register(registry));
        keep(Gauge.builder("bulwark_websockets_open", websocketsOpen, AtomicInteger::get)
                .description("Upgraded (WebSocket) connections of the site open now")
                .tag("site", site)
                .register(registry));
        keep(Gauge.builder(
                        "bulwark_site_in_flight",
                        this,
                        m -> m.live == null ? 0 : m.live.inFlight().getAsInt())
                .description("Requests of the site at its origins now (bulkhead occupancy)")
                .tag("site", site)
                .register(registry));
        keep(FunctionCounter.builder(
                        "bulwark_site_bulkhead_rejected",
                        this,
                        m -> m.live == null ? 0 : m.live.bulkheadRejected().getAsLong())
                .description("Requests refused an origin slot (queue full or timed out)")
                .tag("site", site)
                .register(registry));
        keep(Gauge.builder(
                        "bulwark_site_state",
                        this,
                        m -> m.live == null ? 0 : m.live.state().get().ordinal())
                .description("Protection state: 0 normal, 1 suspect, 2 under_attack")
                .tag("site", site)
                .register(registry));
    }

    /**
     * Points the gauges at the site's live protection (called when a config snapshot goes live). The suppliers are
     * read on each scrape, off the request path; they must be thread-safe.
     *
     * @param inFlight the site's requests at its origins now (bulkhead occupancy)
     * @param bulkheadRejected requests refused an origin slot so far
     * @param state the site's current protection state
     */
    public void attach(IntSupplier inFlight, LongSupplier bulkheadRejected, Supplier<ProtectionState> state) {
        this.live = new Live(inFlight, bulkheadRejected, state);
    }

    private <M extends Meter> M keep(M m) {
        meters.add(m);
        return m;
    }

    public void verdict(VerdictLabel v) {
        verdicts[v.ordinal()].increment();
    }

    public void status(int code) {
        int c = code / 100;
        if (c >= 1 && c <= 5) {
            statusClasses[c].increment();
        }
    }

    public void cache(CacheLabel l) {
        cache[l.ordinal()].increment();
    }

    /** An upgraded connection opened (the origin answered 101). */
    public void websocketOpened() {
        websocketUpgrades.increment();
        websocketsOpen.incrementAndGet();
    }

    /** An upgraded connection closed. */
    public void websocketClosed() {
        websocketsOpen.decrementAndGet();
    }

    /** Upgraded connections open now (for tests and the admin API). */
    public int websocketsOpen() {
        return websocketsOpen.get();
    }

    /** WebSocket upgrades accepted so far. */
    public double websocketUpgrades() {
        return websocketUpgrades.count();
    }

    public void originLatency(long nanos) {
        originLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Count of one verdict so far (for tests and the admin API). */
    public double count(VerdictLabel v) {
        return verdicts[v.ordinal()].count();
    }

    /** Count of one cache outcome so far (for the admin API). */
    public double count(CacheLabel l) {
        return cache[l.ordinal()].count();
    }

    /** Origin responses timed so far (for the admin API). */
    public long originLatencyCount() {
        return originLatency.count();
    }

    /** Sum of the origin latencies timed so far, in seconds (for the admin API). */
    public double originLatencySeconds() {
        return originLatency.totalTime(TimeUnit.SECONDS);
    }

    /** Responses of status class {@code c} (1-5) so far (for the admin API). */
    public double statusClassCount(int c) {
        return c >= 1 && c <= 5 ? statusClasses[c].count() : 0;
    }

    void remove() {
        for (Meter m : meters) {
            registry.remove(m);
        }
    }
}
