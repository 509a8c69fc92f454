package coop.bulwark.proxy;

import coop.bulwark.cache.CacheResponsePolicy;
import coop.bulwark.cache.StorageDecision;
import coop.bulwark.detect.RecorderSource;
import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.origin.OriginPool;
import coop.bulwark.protect.Gatekeeper;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.time.Ticker;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.MockTicker;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An edge's request path on {@link EmbeddedChannel}s and a fake clock, for handler tests without sockets: the
 * channels' event loop and the runtime read one {@link MockTicker}, so {@link #advance} moves every timer, deadline
 * and rate limiter together and nothing sleeps.
 *
 * <p>{@link #channel} is the connection the runtime's one event loop belongs to (its origin pool lives there);
 * {@link #connection} makes more, each on its own embedded loop, for handlers that need no pool.
 */
public final class EmbeddedEdge implements AutoCloseable {
    public static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    // Netty's Ticker shares our Ticker's name: its factory is spelled out.
    public final MockTicker ticker = io.netty.util.concurrent.Ticker.newMockTicker();
    public final EdgeMetrics metrics = new EdgeMetrics();
    public final EdgeRuntime runtime;
    public final Gatekeeper gatekeeper;
    /** The first connection, with nothing in its pipeline yet: the runtime's one event loop is its loop. */
    public final EmbeddedChannel channel;

    private EmbeddedEdge(EdgeConfig config, InetSocketAddress peer) throws Exception {
        Ticker nanos = ticker::nanoTime;
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        this.channel = connection(peer);
        EdgeSnapshot snap = EdgeSnapshot.build(1, config, Map.of(), Map.of(), RequestAdmissionTest.NO_TLS, metrics, T0);
        snap.activate(T0, metrics);
        this.gatekeeper = new Gatekeeper(nanos, clock);
        gatekeeper.configure(config.protection());
        var pool = new OriginPool(channel.eventLoop(), NioSocketChannel.class, nanos::read);
        this.runtime = new EdgeRuntime(
                snap,
                List.of(pool),
                nanos,
                clock,
                metrics,
                gatekeeper,
                CacheStage.create(config.protection(), Duration.ofSeconds(60), nanos),
                ChallengeStage.start(config, gatekeeper.bans(), nanos, clock),
                RecorderSource.NONE);
    }

    /** An edge with the config {@code yaml} (its challenge keys under {@code dir}); its first client is 198.51.100.7. */
    public static EmbeddedEdge start(String yaml, Path dir) throws Exception {
        return start(yaml, dir, new InetSocketAddress("198.51.100.7", 40000));
    }

    /** As {@link #start(String, Path)}, with the first connection from {@code peer}. */
    public static EmbeddedEdge start(String yaml, Path dir, InetSocketAddress peer) throws Exception {
        return new EmbeddedEdge(ConfigLoader.parse(yaml, dir.resolve("bulwark.yaml")), peer);
    }

    /**
     * A new connection from {@code peer} (registered and active) on its own embedded event loop driven by this
     * edge's ticker, with {@code handlers} in its pipeline.
     */
    public EmbeddedChannel connection(InetSocketAddress peer, ChannelHandler... handlers) throws Exception {
        EmbeddedChannel ch = unregistered(peer);
        ch.pipeline().addLast(handlers);
        ch.register();
        return ch;
    }

    /**
     * A new connection from {@code peer} on the runtime's one event loop ({@link #channel}'s), with nothing in its
     * pipeline yet: for handlers that need the runtime's loop (its origin pool), many connections at once.
     */
    public EmbeddedChannel connectionOnTheEdgesLoop(InetSocketAddress peer) {
        EmbeddedChannel ch = unregistered(peer);
        channel.eventLoop().register(ch).syncUninterruptibly();
        return ch;
    }

    private EmbeddedChannel unregistered(InetSocketAddress peer) {
        return new EmbeddedChannel(EmbeddedChannel.builder().ticker(ticker).register(false)) {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
    }

    /** Adds the client's {@link ClientInfo} to {@code ch} as the connection gate would (plain HTTP, no proxy). */
    public static void identify(EmbeddedChannel ch) {
        var peer = (InetSocketAddress) ch.remoteAddress();
        ch.attr(ClientInfoKey.KEY).set(new ClientInfo(peer, peer.getAddress(), false, false, null));
    }

    /**
     * Stores {@code body} as {@code host}'s cached answer to a GET of {@code target}, as the edge would store an
     * origin's 200 with {@code Cache-Control: max-age=60} and the fields {@code headers} (name, value, name, value...)
     * in the site's present state.
     */
    public void storePage(String host, String target, byte[] body, String... headers) {
        var request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
        request.headers().set("host", host);
        var head = new NettyRequestHead(request, false);
        var peer = new InetSocketAddress("203.0.113.1", 40000);
        var admitted = (Admission.Admitted) RequestAdmission.admit(
                head, runtime.snapshot(), new ClientInfo(peer, peer.getAddress(), false, false, null));
        CachePlan plan = runtime.cacheStage().plan(admitted.site(), head, admitted, true);
        var fields = new DefaultHttpHeaders().set("cache-control", "max-age=60");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            fields.add(headers[i], headers[i + 1]);
        }
        var meta = (StorageDecision.Storable)
                CacheResponsePolicy.evaluate(200, new NettyHeaderView(fields), plan.policy(), T0.toEpochMilli());
        runtime.cacheStage().cache().store(plan.key(), head, meta.meta(), body, ticker.nanoTime());
    }

    /** Moves the fake clock on and runs what came due on {@code ch}'s loop. */
    public void advance(EmbeddedChannel ch, Duration d) {
        ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
        ch.runPendingTasks();
        ch.runScheduledPendingTasks();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }
}
