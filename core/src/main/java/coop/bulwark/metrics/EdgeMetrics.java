package coop.bulwark.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The edge's metrics registry (Prometheus format) and the per-site meter sets.
 *
 * <p>Label cardinality is bounded by construction: labels are the site name (bounded by the config), the verdict,
 * the status class and the cache outcome — never a client address. Meters of a site removed from the config are
 * removed on the next reload ({@link #retainSites}). Thread-safe.
 */
/*
 * Histogram buckets. The edge-wide bulwark_request_duration publishes Micrometer's percentile-histogram buckets
 * clipped to [1 ms, 30 s] (69 buckets: fine resolution, one series). The per-site bulwark_origin_latency cannot
 * afford that: with 850 sites the percentile buckets made a 6.0 MB scrape of 77,600 series
 * (EdgeMetricsScrapeSizeTest). It gets 12 fixed buckets from 5 ms to 30 s instead (+Inf), enough for
 * histogram_quantile to tell a healthy origin (tens of ms) from a struggling one (seconds) and a timeout.
 * Quantiles are computed by Prometheus, never client-side, so the series aggregate across edges.
 */
public final class EdgeMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, SiteMeters> sites = new ConcurrentHashMap<>();
    private final SiteMeters unrouted;
    private final Set<String> origins = ConcurrentHashMap.newKeySet();
    private final Timer requestDuration;
    /**
     * Listens to the JVM's garbage collectors (global MXBeans) until closed: without {@link #close}, the listener
     * kept this registry, and through its gauges the whole edge, alive for the life of the JVM.
     */
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** Smallest and largest latency the histogram buckets resolve; outside, the first or the +Inf bucket. */
    static final Duration HISTOGRAM_MIN = Duration.ofMillis(1);

    static final Duration HISTOGRAM_MAX = Duration.ofSeconds(30);

    /** The per-site origin latency buckets (see the design note). */
    static final Duration[] SITE_LATENCY_BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30)
    };

    public EdgeMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        unrouted = new SiteMeters(registry, "-");
        requestDuration = Timer.builder("bulwark_request_duration")
                .description("Time from a request's head to the end of its response, all sites")
                .publishPercentileHistogram()
                .minimumExpectedValue(HISTOGRAM_MIN)
                .maximumExpectedValue(HISTOGRAM_MAX)
                .register(registry);
        bindNettyMemory();
    }

    private void bindNettyMemory() {
        Gauge.builder("bulwark_netty_direct_memory_used_bytes", () -> {
                    long used = PlatformDependent.usedDirectMemory();
                    return used < 0 ? Double.NaN : used;
                })
                .description("Direct memory reserved through Netty's own counter (NaN when Netty does not track it)")
                .register(registry);
        for (var a : List.of(
                Map.<String, ByteBufAllocator>entry("pooled", PooledByteBufAllocator.DEFAULT),
                Map.entry("default", ByteBufAllocator.DEFAULT))) {
            if (a.getValue() instanceof ByteBufAllocatorMetricProvider p) {
                Gauge.builder(
                                "bulwark_netty_allocator_direct_memory_used_bytes",
                                p,
                                m -> m.metric().usedDirectMemory())
                        .description("Direct memory held by a Netty ByteBuf allocator (pooled = PooledByteBufAllocator"
                                + ".DEFAULT, default = the allocator channels use)")
                        .tag("allocator", a.getKey())
                        .strongReference(true)
                        .register(registry);
            }
        }
    }

    /**
     * Gauges of the event loops' task queues, labelled by loop index: the number of loops is fixed at start
     * ({@code listen.event_loops}), so the label is bounded. A growing queue means a loop is saturated (CPU or a
     * blocked loop) before latency shows it.
     */
    public void eventLoops(Iterable<? extends EventExecutor> loops) {
        int i = 0;
        for (EventExecutor e : loops) {
            if (e instanceof SingleThreadEventExecutor s) {
                Gauge.builder("bulwark_netty_event_loop_pending_tasks", s, SingleThreadEventExecutor::pendingTasks)
                        .description("Tasks waiting in an event loop's queue")
                        .tag("loop", Integer.toString(i))
                        .strongReference(true)
                        .register(registry);
            }
            i++;
        }
    }

    /** Records one finished request (any site, any verdict) in the edge-wide duration histogram. */
    public void requestDuration(long nanos) {
        requestDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The text exposition for {@code /metrics}. */
    public String scrape() {
        return registry.scrape();
    }

    /** The meters of {@code site} (created on first use). */
    public SiteMeters site(String site) {
        SiteMeters m = sites.get(site);
        return m != null ? m : sites.computeIfAbsent(site, s -> new SiteMeters(registry, s));
    }

    /** Registers a gauge of the edge as a whole (open connections, bans, cache bytes...); {@code f} must be cheap. */
    public <T> void gauge(String name, String description, T target, ToDoubleFunction<T> f) {
        Gauge.builder(name, target, f)
                .description(description)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Registers a monotonic count of the edge as a whole, exported as {@code name_total}; {@code f} must be cheap
     * and {@code target} must stay reachable elsewhere (the counter holds it weakly).
     * (A gauge named {@code ..._total} loses the suffix in the Prometheus format and {@code rate()} on it is wrong.)
     */
    public <T> void counter(String name, String description, T target, ToDoubleFunction<T> f) {
        FunctionCounter.builder(name, target, f).description(description).register(registry);
    }

    /**
     * Gauges of one origin address's shared budget: slots in use and requests waiting for one (the bulkhead queue
     * depth of all its sites). Registered once per address; the origin object lives as long as it is configured
     * (the gauges hold it weakly, as Micrometer does, so pass functions that capture nothing).
     *
     * @param capacity the origin's shared budget (the edge's {@code OriginCapacity})
     * @param inFlight its slots in use
     * @param waiting its requests waiting for a slot
     * @param slots its slots now: configured, or learned
     * @param learned 1 when its slots are learned from its answers, 0 when configured
     */
    public <T> void origin(
            String address,
            T capacity,
            ToDoubleFunction<T> inFlight,
            ToDoubleFunction<T> waiting,
            ToDoubleFunction<T> slots,
            ToDoubleFunction<T> learned) {
        if (!origins.add(address)) {
            return;
        }
        Gauge.builder("bulwark_origin_in_flight", capacity, inFlight)
                .description("Requests at the origin now (slots of origin_capacity in use)")
                .tag("origin", address)
                .register(registry);
        Gauge.builder("bulwark_origin_waiting", capacity, waiting)
                .description("Requests waiting for a slot at the origin (bulkhead queues, all sites)")
                .tag("origin", address)
                .register(registry);
        Gauge.builder("bulwark_origin_capacity", capacity, slots)
                .description("Concurrent requests the origin is given now: origin_capacity, or the learned limit")
                .tag("origin", address)
                .register(registry);
        Gauge.builder("bulwark_origin_limit", capacity, slots)
                .description("The origin's concurrency limit now (learned when origin_capacity is not set)")
                .tag("origin", address)
                .register(registry);
        Gauge.builder("bulwark_origin_limit_learned", capacity, learned)
                .description("1 when the origin's limit is learned from its answers, 0 when origin_capacity sets it")
                .tag("origin", address)
                .register(registry);
    }

    /** Meters for requests refused before a site was known (unknown host, malformed request). */
    public SiteMeters unrouted() {
        return unrouted;
    }

    /** Drops the meters of sites no longer configured. */
    public void retainSites(Set<String> names) {
        sites.entrySet().removeIf(e -> {
            if (names.contains(e.getKey())) {
                return false;
            }
            e.getValue().remove();
            return true;
        });
    }

    /** Detaches from the JVM (GC notifications) and closes the registry; call when the edge stops. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
