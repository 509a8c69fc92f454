package coop.bulwark.proxy;

import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.origin.Origin;
import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.protect.SiteGuard;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.HostPort;
import coop.bulwark.site.HostRouter;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.TlsConfig;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything a request needs from the configuration, immutable, swapped atomically on reload: the config, the
 * host→site router, and each site's TLS context. A request reads the snapshot once when it starts and keeps using it,
 * so a reload never changes a request half-way.
 *
 * @param generation increases by one per successful load, for logs and the admin API
 */
public record EdgeSnapshot(
        long generation,
        EdgeConfig config,
        HostRouter<Site> router,
        List<Site> sites,
        Map<String, SslContext> tlsBySite,
        SslContext defaultTls) {

    /**
     * Builds a snapshot, reusing {@code previousOrigins} (address → Origin) so health state survives reloads. Resolves
     * origin names (blocking: call off the event loops) and loads certificates.
     *
     * @throws IOException with a message naming the site and the file or address at fault
     */
    /** Where a snapshot gets each site's TLS context (the edge's certificate store, which reloads changed files). */
    public interface Certificates {
        /** The context for {@code tls}, loaded or reused; the message of a failure names the file at fault. */
        SslContext contextFor(TlsConfig tls) throws IOException;

        /** Forgets contexts of TLS configs no longer in use. */
        void retainOnly(Set<TlsConfig> inUse);
    }

    public static EdgeSnapshot build(
            long generation,
            EdgeConfig config,
            Map<HostPort, Origin> previousOrigins,
            Map<String, SiteGuard> previousGuards,
            Certificates certs,
            EdgeMetrics metrics,
            Instant now)
            throws IOException {
        Map<HostPort, Origin> origins = new HashMap<>();
        Map<String, Site> byPattern = new LinkedHashMap<>();
        List<Site> sites = new ArrayList<>();
        Map<String, SslContext> tls = new HashMap<>();
        SslContext defaultTls = null;
        var tlsInUse = new HashSet<TlsConfig>();
        // Site indexes scope per-source limits: a site keeps its index across reloads, a new site takes the lowest
        // index no configured site holds.
        var usedIndexes = new BitSet();
        for (SiteConfig sc : config.sites()) {
            SiteGuard kept = previousGuards.get(sc.name());
            if (kept != null) {
                usedIndexes.set(kept.index());
            }
        }
        for (SiteConfig sc : config.sites()) {
            List<Origin> siteOrigins = new ArrayList<>();
            for (HostPort hp : sc.origins()) {
                Origin o = origins.get(hp);
                if (o == null) {
                    o = previousOrigins.get(hp);
                    if (o == null) {
                        o = new Origin(hp, resolve(sc, hp), config.protection().capacityOf(hp));
                    }
                    origins.put(hp, o);
                }
                siteOrigins.add(o);
            }
            SiteGuard guard = previousGuards.get(sc.name());
            if (guard == null) {
                int index = usedIndexes.nextClearBit(0);
                usedIndexes.set(index);
                guard = new SiteGuard(sc.name(), index, sc.protection(), now);
            }
            Site site = new Site(sc, siteOrigins, guard, metrics.site(sc.name()));
            sites.add(site);
            for (String h : sc.hosts()) {
                byPattern.put(h, site);
            }
            if (sc.tls().isPresent()) {
                SslContext ctx;
                try {
                    ctx = certs.contextFor(sc.tls().get());
                } catch (IOException e) {
                    throw new IOException("site " + sc.name() + ": " + e.getMessage(), e);
                }
                tlsInUse.add(sc.tls().get());
                tls.put(sc.name(), ctx);
                if (defaultTls == null) {
                    defaultTls = ctx;
                }
            }
        }
        certs.retainOnly(tlsInUse);
        return new EdgeSnapshot(
                generation, config, HostRouter.of(byPattern), List.copyOf(sites), Map.copyOf(tls), defaultTls);
    }

    private static InetSocketAddress resolve(SiteConfig sc, HostPort hp) throws IOException {
        try {
            return new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
        } catch (UnknownHostException e) {
            throw new IOException("site " + sc.name() + ": origin " + hp + ": cannot resolve host " + hp.host(), e);
        }
    }

    /**
     * Applies this snapshot's settings to the long-lived state it shares with the previous one (origin capacities,
     * site protection settings). Called once, just before the snapshot goes live.
     */
    public void activate(Instant now, EdgeMetrics metrics) {
        for (Site s : sites) {
            for (Origin o : s.origins()) {
                OptionalInt set = config.protection().capacityOf(o.configured());
                if (set.isPresent()) {
                    o.capacity().capacity(set.getAsInt());
                } else {
                    o.capacity().learn();
                }
                metrics.origin(
                        o.configured().toString(),
                        o.capacity(),
                        OriginCapacity::inFlight,
                        OriginCapacity::waitingCount,
                        OriginCapacity::capacity,
                        c -> c.learning() ? 1 : 0);
            }
            s.guard().reconfigure(s.config().protection(), now);
            s.meters().attach(s.guard().budget()::inFlight, s.guard().budget()::rejectedCount, s.guard()::state);
        }
    }

    /** The site guards of this snapshot by site name (for the next reload). */
    public Map<String, SiteGuard> guardsByName() {
        Map<String, SiteGuard> m = new HashMap<>();
        for (Site s : sites) {
            m.put(s.name(), s.guard());
        }
        return m;
    }

    /** The site named {@code name}, or null. */
    public Site site(String name) {
        for (Site s : sites) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The origins of this snapshot by configured address (for the next reload and the health checker). */
    public Map<HostPort, Origin> originsByAddress() {
        Map<HostPort, Origin> m = new HashMap<>();
        for (Site s : sites) {
            for (Origin o : s.origins()) {
                m.put(o.configured(), o);
            }
        }
        return m;
    }
}
