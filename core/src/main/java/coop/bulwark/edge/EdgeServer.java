package coop.bulwark.edge;

import coop.bulwark.cache.CacheStats;
import coop.bulwark.challenge.ChallengeGate;
import coop.bulwark.challenge.PassCodec;
import coop.bulwark.cluster.ClusterLink;
import coop.bulwark.cluster.LocalNode;
import coop.bulwark.cluster.redis.RedisSharedState;
import coop.bulwark.detect.AttackClaims;
import coop.bulwark.detect.GlobalSignals;
import coop.bulwark.detect.UplinkState;
import coop.bulwark.incident.DetectionLoop;
import coop.bulwark.incident.IncidentDesk;
import coop.bulwark.kernel.NftProcess;
import coop.bulwark.kernel.NftablesExport;
import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.origin.Origin;
import coop.bulwark.origin.OriginHealthChecker;
import coop.bulwark.origin.OriginPool;
import coop.bulwark.protect.Gatekeeper;
import coop.bulwark.proxy.CacheStage;
import coop.bulwark.proxy.ChallengeStage;
import coop.bulwark.proxy.ClientAddress;
import coop.bulwark.proxy.EdgeEvents;
import coop.bulwark.proxy.EdgeRuntime;
import coop.bulwark.proxy.EdgeSnapshot;
import coop.bulwark.proxy.Site;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ClusterConfig;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.HostPort;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SocketTransport;
import coop.bulwark.time.Ticker;
import coop.bulwark.upstream.UpstreamDesk;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running edge: binds the listeners, owns the event loops, origin pools and health checks, swaps config snapshots
 * on {@link #reload}, and drains gracefully on {@link #close}.
 *
 * <p>Thread-safe: reloads are serialised; request handling reads the snapshot lock-free.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    private final Transport transport;
    private final EventLoopGroup group;
    private final EdgeRuntime runtime;
    private final CertificateStore certs;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final OriginHealthChecker health;
    private final Channel httpChannel;
    private final Channel httpsChannel;
    private final ConnectionGate httpGate;
    private final ConnectionGate httpsGate;
    private final Clock clock;
    private final Ticker ticker;
    private final EdgeMetrics metrics;
    private final Gatekeeper gatekeeper;
    private final CacheStage cacheStage;
    private final DetectionLoop detection;
    private final ChallengeStage challengeStage;
    private final NftablesExport kernel;
    private final UpstreamDesk upstream = new UpstreamDesk();
    /** Null on a single box (no {@code cluster:}). */
    private final ClusterLink cluster;
    /** The {@code cluster:} the edge started with: in force until a restart, whatever a reload says. */
    private final Optional<ClusterConfig> joined;

    private long generation;
    private boolean closed;

    private EdgeServer(EdgeConfig config, Ticker ticker, Clock clock, String version) throws IOException {
        this.clock = clock;
        this.ticker = ticker;
        this.transport = Transport.of(config.listen().transport());
        this.certs = new CertificateStore();
        this.metrics = new EdgeMetrics();
        EdgeSnapshot first =
                EdgeSnapshot.build(++generation, config, Map.of(), Map.of(), certs, metrics, clock.instant());
        first.activate(clock.instant(), metrics);
        this.group = transport.newGroup(config.listen().eventLoops(), "bulwark-loop");
        List<OriginPool> pools = new ArrayList<>();
        for (EventExecutor e : group) {
            var pool = new OriginPool((EventLoop) e, transport.clientChannel(), ticker::read);
            pool.configure(
                    config.originPool().maxIdlePerOrigin(), config.originPool().idleTimeout());
            pools.add(pool);
        }
        this.gatekeeper = new Gatekeeper(ticker, clock);
        gatekeeper.configure(config.protection());
        // The cache is sized at start; changing protection.cache needs a restart (the leader deadline follows the
        // longest origin timeout a coalesced fetch may take).
        this.cacheStage = CacheStage.create(config.protection(), Duration.ofSeconds(60), ticker);
        try {
            this.challengeStage = ChallengeStage.start(config, gatekeeper.bans(), ticker, clock);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            metrics.close();
            throw e;
        }
        this.detection = new DetectionLoop(clock, pools.size());
        this.kernel = new NftablesExport(gatekeeper.bans(), NftProcess.locate(), clock);
        detection.kernelStatus(kernel::status);
        this.runtime = new EdgeRuntime(
                first, pools, ticker, clock, metrics, gatekeeper, cacheStage, challengeStage, detection);
        gatekeeper.onAutomaticBan(detection::banned);
        var pipelines = new EdgePipelines(runtime);
        AccessLogWriter.apply(config.accessLog());
        try {
            // Before the listeners: a second edge with this node's name is refused before it takes any traffic.
            this.joined = config.cluster();
            this.cluster = joined.isEmpty() ? null : joinCluster(joined.get(), version);
            if (cluster != null) {
                cluster.shareTraffic(detection::running, detection.peers());
                AttackClaims claims = new AttackClaims(joined.get().node());
                detection.claims(claims);
                cluster.shareAttacks(claims);
                cluster.shareUpstream(upstream);
            }
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            detection.close();
            metrics.close();
            throw e;
        }
        this.httpGate = new ConnectionGate(runtime, clients, false);
        this.httpsGate = new ConnectionGate(runtime, clients, true);
        try {
            this.httpChannel = bind(config.listen().http(), httpGate, ch -> {
                maybeProxyProtocol(ch);
                ch.pipeline()
                        .addLast(
                                "detect",
                                new ProtocolDetector(
                                        pipelines,
                                        "http",
                                        runtime.snapshot()
                                                .config()
                                                .connections()
                                                .headerTimeout()));
            });
            this.httpsChannel = bind(config.listen().https(), httpsGate, ch -> {
                maybeProxyProtocol(ch);
                TlsHandshake.install(ch.pipeline(), runtime, pipelines);
            });
        } catch (IOException | RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            detection.close();
            metrics.close();
            throw e;
        }
        metrics.eventLoops(group);
        if (cluster != null) {
            metrics.gauge(
                    "bulwark_cluster_connected",
                    "1 while the cluster's Redis answers, 0 while the edge serves on local state alone",
                    cluster,
                    c -> c.connected() ? 1 : 0);
        }
        metrics.gauge("bulwark_connections_open", "Open client connections", this, EdgeServer::openConnections);
        metrics.gauge(
                "bulwark_requests_in_flight", "Requests being relayed to origins", runtime, EdgeRuntime::inFlight);
        metrics.gauge(
                "bulwark_bans_active",
                "Bans in force (manual, config and automatic)",
                gatekeeper,
                g -> g.bans().size());
        metrics.counter(
                "bulwark_attacks",
                "Attacks declared by detection since start",
                detection,
                d -> d.incidents().map(IncidentDesk::attacksDeclared).orElse(0L));
        metrics.gauge(
                "bulwark_attack_ongoing",
                "1 while detection has an attack open, else 0",
                detection,
                d -> d.incidents().map(k -> k.attackOngoing() ? 1 : 0).orElse(0));
        metrics.gauge(
                "bulwark_edge_requests_rate",
                "Requests per second over all sites at detection's latest tick",
                detection,
                d -> d.global().map(GlobalSignals::totalRps).orElse(Double.NaN));
        metrics.gauge(
                "bulwark_edge_requests_baseline",
                "Detection's long-window baseline of the total request rate",
                detection,
                d -> d.global().map(GlobalSignals::baselineTotalRps).orElse(Double.NaN));
        metrics.gauge(
                "bulwark_uplink_utilisation",
                "Busier direction's share of detection.uplink.capacity (NaN when not configured)",
                detection,
                d -> d.global().map(GlobalSignals::uplinkUtilisation).orElse(Double.NaN));
        metrics.gauge(
                "bulwark_uplink_saturated",
                "1 while the uplink is in the saturated state (detection.uplink hysteresis), 0 when ok, NaN unset",
                detection,
                d -> d.uplink().map(u -> u.saturated() ? 1.0 : 0.0).orElse(Double.NaN));
        metrics.gauge(
                "bulwark_uplink_dropped_per_second",
                "Packets the uplink's interface dropped on receive per second (rx_dropped), NaN when unknown",
                detection,
                d -> d.uplink().map(UplinkState.View::droppedPerSecond).orElse(Double.NaN));
        metrics.gauge(
                "bulwark_origin_saturation",
                "The busiest origin's share of its slots in use (origin_capacity)",
                detection,
                d -> d.global().map(GlobalSignals::originSaturation).orElse(Double.NaN));
        metrics.counter(
                "bulwark_incident_reports_written",
                "Incident report versions written to reports.dir",
                detection,
                d -> d.incidents().map(k -> k.reports().written()).orElse(0L));
        metrics.counter(
                "bulwark_webhook_deliveries_failed",
                "Webhook events given up after their retries",
                detection,
                d -> d.incidents().map(k -> k.webhooks().failed()).orElse(0L));
        metrics.counter(
                "bulwark_connections_banned",
                "Connections refused at accept because their source is banned",
                this,
                e -> e.httpGate.bannedCount() + e.httpsGate.bannedCount());
        metrics.counter(
                "bulwark_kernel_drops",
                "Packets from banned sources dropped by the nftables rule (kernel.nftables)",
                kernel,
                k -> k.status().drops());
        metrics.gauge(
                "bulwark_kernel_set_elements",
                "Addresses and networks in the nftables ban sets",
                kernel,
                k -> k.status().elements());
        metrics.counter(
                "bulwark_kernel_sync_failures",
                "nft runs that failed to create, update, list or remove the ban table",
                kernel,
                k -> k.status().syncFailures());
        if (cacheStage != null) {
            metrics.gauge(
                    "bulwark_cache_bytes",
                    "Bytes held by the micro-cache",
                    cacheStage,
                    c -> c.cache().stats().weightedBytes());
        }
        this.health = new OriginHealthChecker(
                group,
                transport.clientChannel(),
                () -> runtime.snapshot().config().originPool(),
                () -> healthTargets(runtime.snapshot()));
        health.start();
        upstream.configure(config.upstream(), siteAddresses(config), clock.instant());
        upstream.journal(
                (at, kind, detail) -> detection.incidents().ifPresent(k -> k.mitigation(at, null, kind, detail)));
        detection.addListener((now, traffic, global, events) -> upstream.onTick(now, detection.uplink(), events));
        config.warnings().forEach(w -> LOG.warn("{}: {}", config.source(), w));
        detection.start(runtime::snapshot);
        kernel.start(config.kernel().nftables(), NftablesExport.protectedNetworks(config));
        group.next().scheduleWithFixedDelay(gatekeeper::purgeExpired, 5, 5, TimeUnit.SECONDS);
        if (cluster == null) {
            // In a cluster the key of each period is the cluster's (ClusterLink), rotating alone only while Redis is
            // away.
            group.next().scheduleWithFixedDelay(challengeStage::rotateWhenDue, 60, 60, TimeUnit.SECONDS);
        }
        if (cacheStage != null) {
            group.next().scheduleWithFixedDelay(cacheStage::expireFlights, 100, 100, TimeUnit.MILLISECONDS);
        }
        LOG.info(
                "edge up ({} transport, {} event loops): http={} https={} sites={}",
                transport.name(),
                pools.size(),
                httpChannel == null ? "-" : httpChannel.localAddress(),
                httpsChannel == null ? "-" : httpsChannel.localAddress(),
                config.sites().size());
    }

    private static Map<String, List<Cidr>> siteAddresses(EdgeConfig config) {
        Map<String, List<Cidr>> out = new LinkedHashMap<>();
        for (SiteConfig s : config.sites()) {
            out.put(s.name(), s.addresses());
        }
        return out;
    }

    /** Each origin of {@code snap} with the Host name its {@code GET path} health check sends (its first site's). */
    private static Map<Origin, String> healthTargets(EdgeSnapshot snap) {
        Map<Origin, String> targets = new LinkedHashMap<>();
        for (Site s : snap.sites()) {
            for (Origin o : s.origins()) {
                targets.putIfAbsent(o, s.config().hosts().get(0).replace("*.", "health."));
            }
        }
        return targets;
    }

    private ClusterLink joinCluster(ClusterConfig c, String version) throws IOException {
        var self = new LocalNode(
                c.node(),
                () -> advertisedAddress(c),
                version,
                () -> runtime.snapshot().generation(),
                LocalNode.DEFAULT_LEASE);
        return ClusterLink.start(
                RedisSharedState.create(c, clock), self, c.redis(), gatekeeper.bans(), challengeStage.keys(), clock);
    }

    /** Where this edge serves, for the cluster's roster: its TLS listener, else its clear-text one. */
    private String advertisedAddress(ClusterConfig c) {
        InetSocketAddress a = httpsAddress() != null ? httpsAddress() : httpAddress();
        if (a == null) { // not bound yet (the cluster is joined first): the configured address
            var l = runtime.snapshot().config().listen();
            return l.https().or(l::http).map(HostPort::toString).orElse("-");
        }
        String host =
                a.getAddress().isAnyLocalAddress() ? c.node() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Why the event loops cannot run on {@code transport} on this machine, or null when they can. */
    public static String transportProblem(SocketTransport transport) {
        try {
            Transport.of(transport);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** Starts an edge with {@code config}; returns once the listeners are bound. */
    public static EdgeServer start(EdgeConfig config) throws IOException {
        return start(config, "unknown");
    }

    /**
     * Starts an edge with {@code config}, running Bulwark {@code version} (shown to the other nodes of a cluster);
     * returns once the listeners are bound.
     *
     * @throws IOException when a listener cannot be bound, the challenge key file is unusable, or another running edge
     *     of the cluster has this edge's {@code cluster.node}
     */
    public static EdgeServer start(EdgeConfig config, String version) throws IOException {
        return new EdgeServer(config, Ticker.system(), Clock.systemUTC(), version);
    }

    /** This edge's membership of its cluster; empty on a single box. */
    public Optional<ClusterLink> cluster() {
        return Optional.ofNullable(cluster);
    }

    private interface PipelineStart {
        void init(SocketChannel ch);
    }

    private Channel bind(Optional<HostPort> where, ConnectionGate gate, PipelineStart rest) throws IOException {
        if (where.isEmpty()) {
            return null;
        }
        HostPort hp = where.get();
        var b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new AcceptFilter(gate))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (gate.tarpitIfBanned(ch)) {
                            return;
                        }
                        ch.pipeline().addLast("gate", gate);
                        rest.init(ch);
                    }
                });
        try {
            return b.bind(new InetSocketAddress(hp.host(), hp.port())).sync().channel();
        } catch (Exception e) {
            throw new IOException("cannot listen on " + hp + ": " + e.getMessage(), e);
        }
    }

    private void maybeProxyProtocol(SocketChannel ch) {
        var config = runtime.snapshot().config();
        if (config.proxyProtocol()
                && ClientAddress.isTrusted(ch.remoteAddress().getAddress(), config.trustedProxies())) {
            ch.pipeline().addLast("proxy-protocol", new HAProxyMessageDecoder());
            ch.pipeline().addLast("proxy-protocol-client", new ProxyProtocolHandler());
        }
    }

    /** The bound clear-text address (useful with port 0), or null. */
    public InetSocketAddress httpAddress() {
        return httpChannel == null ? null : (InetSocketAddress) httpChannel.localAddress();
    }

    /** The bound TLS address, or null. */
    public InetSocketAddress httpsAddress() {
        return httpsChannel == null ? null : (InetSocketAddress) httpsChannel.localAddress();
    }

    /** The edge's metrics (Prometheus registry and per-site meters). */
    public EdgeMetrics metrics() {
        return metrics;
    }

    /** Detection: per-site states and attack events (subscribe with {@link DetectionLoop#addListener}). */
    public DetectionLoop detection() {
        return detection;
    }

    /** What the upstream is told (or suggested) to drop ({@code upstream:}). */
    public UpstreamDesk upstream() {
        return upstream;
    }

    /** The nftables export of the ban list ({@code kernel.nftables}). */
    public NftablesExport kernel() {
        return kernel;
    }

    /** The protection decision point: bans (the admin API bans and unbans here), limits. */
    public Gatekeeper gatekeeper() {
        return gatekeeper;
    }

    /** The challenge's counters since start (pages served, answers accepted and refused). */
    public ChallengeGate.Stats challengeStats() {
        return challengeStage.gate().stats();
    }

    /** The challenge's token and cookie codec (for tools and tests that mint or check passes). */
    public PassCodec challengeCodec() {
        return challengeStage.gate().codec();
    }

    /** The micro-cache's counters (edge-wide), or empty when the cache is off. */
    public Optional<CacheStats> cacheStats() {
        return cacheStage == null
                ? Optional.empty()
                : Optional.of(cacheStage.cache().stats());
    }

    /** The snapshot requests are using now. */
    public EdgeSnapshot snapshot() {
        return runtime.snapshot();
    }

    /** Requests being relayed right now. */
    public int inFlight() {
        return runtime.inFlight();
    }

    /** Open client connections. */
    public int openConnections() {
        return httpGate.open() + httpsGate.open();
    }

    /**
     * Swaps in {@code next} for new requests; requests in progress finish on the snapshot they started with, and no
     * connection is dropped. Listener addresses and the event-loop count cannot change without a restart (a warning is
     * logged and the running ones stay).
     *
     * @throws IOException when the new config cannot be applied (unresolvable origin, unreadable certificate); the
     *     running snapshot stays in place
     */
    public synchronized EdgeSnapshot reload(EdgeConfig next) throws IOException {
        EdgeSnapshot current = runtime.snapshot();
        EdgeSnapshot snap = EdgeSnapshot.build(
                generation + 1,
                next,
                current.originsByAddress(),
                current.guardsByName(),
                certs,
                metrics,
                clock.instant());
        generation++;
        if (!next.listen().equals(current.config().listen())) {
            LOG.warn(
                    "listen addresses, event loops or transport changed: restart Bulwark to apply (keeping the running ones)");
        }
        if (!next.cluster().equals(joined)) {
            // The node's name, its lease and its Redis connection belong to the process: a new cluster section
            // is taken at the next start, never half-way (a node must not change name while others see it).
            LOG.warn(
                    "cluster changed: restart Bulwark to apply (keeping {})",
                    joined.map(Object::toString).orElse("a single box"));
        }
        var pc = next.originPool();
        for (EdgeRuntime.Loop l : runtime.loops()) {
            l.pool().loop().execute(() -> l.pool().configure(pc.maxIdlePerOrigin(), pc.idleTimeout()));
        }
        if (!next.accessLog().equals(current.config().accessLog())) {
            AccessLogWriter.reapply(next.accessLog());
        }
        challengeStage.configure(next);
        runtime.swap(snap);
        // Config bans (and the ban memory) follow the file on reload too; without this, bans.manual added or
        // removed in the file took effect only at restart.
        gatekeeper.configure(next.protection());
        detection.reconfigure(snap);
        kernel.reconfigure(next.kernel().nftables(), NftablesExport.protectedNetworks(next));
        upstream.configure(next.upstream(), siteAddresses(next), clock.instant());
        next.warnings().forEach(w -> LOG.warn("{}: {}", next.source(), w));
        LOG.info(
                "config generation {} active: {} sites",
                snap.generation(),
                next.sites().size());
        return snap;
    }

    /** Whether a certificate file changed on disk since it was loaded (renewal): then a reload picks it up. */
    public synchronized boolean certificatesChanged() {
        return certs.anyChanged();
    }

    /** The socket transport the event loops run on ({@code io_uring}, {@code epoll} or {@code nio}). */
    public String transportName() {
        return transport.name();
    }

    /**
     * Graceful shutdown: stops accepting, lets in-flight requests finish (up to the drain timeout) with
     * {@code Connection: close} / GOAWAY, then closes everything.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        runtime.startDraining();
        health.close();
        detection.close();
        if (httpChannel != null) {
            httpChannel.close().syncUninterruptibly();
        }
        if (httpsChannel != null) {
            httpsChannel.close().syncUninterruptibly();
        }
        for (Channel ch : clients) {
            ch.pipeline().fireUserEventTriggered(EdgeEvents.DRAIN);
        }
        Duration drain = runtime.snapshot().config().drainTimeout();
        long deadline = ticker.read() + drain.toNanos();
        while ((runtime.inFlight() > 0 || !clients.isEmpty()) && ticker.read() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (runtime.inFlight() > 0) {
            LOG.warn("drain timeout: closing {} requests still in flight", runtime.inFlight());
        }
        clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        for (EdgeRuntime.Loop l : runtime.loops()) {
            l.pool().loop().execute(l.pool()::closeAll);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (cluster != null) {
            cluster.close();
        }
        kernel.close();
        metrics.close();
        LOG.info("edge stopped");
    }
}
