package coop.bulwark.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge's metrics registry (Prometheus format) and the per-site meter sets.
 *
 * <p>Label cardinality is bounded by construction: labels are the site name (bounded by the config), the verdict,
 * the status class and the cache outcome — never a client address. Meters of a site removed from the config are
 * removed on the next reload ({@link #retainSites}). Thread-safe.
 */
public final class EdgeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, SiteMeters> sites = new ConcurrentHashMap<>();
    private final SiteMeters unrouted;
    private final Set<String> origins = ConcurrentHashMap.newKeySet();

    public EdgeMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        unrouted = new SiteMeters(registry, "-");
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
    public <T> void gauge(String name, String description, T target, java.util.function.ToDoubleFunction<T> f) {
        io.micrometer.core.instrument.Gauge.builder(name, target, f)
                .description(description)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Gauges of one origin address's shared budget: slots in use and requests waiting for one (the bulkhead queue
     * depth of all its sites). Registered once per address; the origin object lives as long as it is configured.
     */
    public void origin(String address, coop.bulwark.protect.OriginCapacity capacity) {
        if (!origins.add(address)) {
            return;
        }
        io.micrometer.core.instrument.Gauge.builder("bulwark_origin_in_flight", capacity, c -> c.inFlight())
                .description("Requests at the origin now (slots of origin_capacity in use)")
                .tag("origin", address)
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("bulwark_origin_waiting", capacity, c -> c.waitingCount())
                .description("Requests waiting for a slot at the origin (bulkhead queues, all sites)")
                .tag("origin", address)
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("bulwark_origin_capacity", capacity, c -> c.capacity())
                .description("Configured concurrent requests for the origin")
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
}
