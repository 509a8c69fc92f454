/**
 * Prometheus metrics: {@link coop.bulwark.metrics.EdgeMetrics} (the registry, edge-wide meters, JVM and Netty memory
 * binders) and {@link coop.bulwark.metrics.SiteMeters} (per-site counters and gauges). Labels are site, verdict,
 * status class and the like — never a client address, so cardinality stays bounded whatever the traffic.
 *
 * <p>May import: {@code site}. Written by the request path's single completion point ({@code proxy.RequestLog}).
 */
package coop.bulwark.metrics;
