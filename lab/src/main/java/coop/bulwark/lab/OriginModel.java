package coop.bulwark.lab;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared origin: one web server hosting every member site, modelled as a fixed pool of {@code workers} that each
 * hold a request for its service time (page, asset or feed), a FIFO backlog of at most {@code backlog} waiting
 * requests, and 503 at once beyond that (a full listen backlog). Past its capacity ({@code workers / service time})
 * requests queue, latency grows to {@code backlog / capacity}, then requests fail — the outage of a shared PHP box.
 *
 * <p>Workers are not threads: the model runs on one Netty event loop and a worker is a slot held for a scheduled
 * delay, so the model costs no CPU per busy worker and its capacity does not depend on this machine's cores. Like
 * PHP, a request a worker has taken (or that sits in the backlog) is served even when its client has gone away: the
 * work is done, the answer dropped.
 *
 * <p>It counts the requests that reach it by source ({@link AddressPlan} classes of the first
 * {@code X-Forwarded-For} address, which the edge in front adds) and by site (bystander or target). Counters are
 * cumulative and readable from any thread; the run's sampler diffs them per second. All other state is confined to
 * the model's event loop.
 */
public final class OriginModel implements OriginView, AutoCloseable {
    /**
     * A field only the lab's bots behind the NAT send ({@code nat_flood}), whose address is the people's: how the model
     * counts their requests as the attack's. The edge passes it on like any field and never reads it.
     */
    static final String BOT_HEADER = "x-lab-bot";

    /** Path of the counters, answered only to a request that came straight from a lab (no X-Forwarded-For). */
    public static final String STATS_PATH = "/__lab/origin-stats";

    private static final byte[] PAGE = body("<!doctype html><title>member site</title>", 4096);
    private static final byte[] ASSET = body("/* asset */", 8192);
    private static final byte[] FEED = body("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>", 6144);

    private final Scenario.OriginModelConfig config;
    private final Set<String> targetHosts;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel server;
    private final ArrayDeque<Job> backlog = new ArrayDeque<>();
    private int busy;

    /** Requests that reached the origin, by class; cumulative. */
    final AtomicLong attackArrived = new AtomicLong();

    final AtomicLong legitArrived = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong served = new AtomicLong();
    private volatile int busyNow;
    private volatile int queuedNow;
    /** The longest the backlog has been, and requests refused with 503 because it was full; since start. */
    private volatile int peakQueued;

    private enum Kind {
        PAGE,
        ASSET,
        FEED,
        HEALTH
    }

    private record Job(ChannelHandlerContext ctx, Kind kind, boolean keepAlive, boolean hasCookie) {}

    private OriginModel(Scenario.OriginModelConfig config, Set<String> targetHosts, int port)
            throws InterruptedException {
        this.config = config;
        this.targetHosts = Set.copyOf(targetHosts);
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.loop = group.next();
        Channel ch;
        try {
            ch = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(64 * 1024))
                                    .addLast(new RequestHandler());
                        }
                    })
                    .bind("127.0.0.1", port)
                    .sync()
                    .channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        this.server = ch;
    }

    /** Starts the model on 127.0.0.1:{@code port} (0: any free port). */
    public static OriginModel start(Scenario.OriginModelConfig config, Set<String> targetHosts, int port)
            throws InterruptedException {
        return new OriginModel(config, targetHosts, port);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Workers busy at the last change. */
    public int busy() {
        return busyNow;
    }

    /** Requests in the backlog at the last change. */
    public int queued() {
        return queuedNow;
    }

    /** The longest the backlog has been since start (between the per-second samples too). */
    public int peakQueued() {
        return peakQueued;
    }

    /** Requests answered 503 at once because the backlog was full, since start. */
    public long refused() {
        return rejected.get();
    }

    @Override
    public int workers() {
        return config.workers();
    }

    @Override
    public Sample sample() {
        return new Sample(attackArrived.get(), legitArrived.get(), busyNow, queuedNow);
    }

    /**
     * What a lab in another process compares with its scenario before it trusts this model: the origin settings and
     * the attacked hosts, canonically written.
     */
    static String identity(Scenario.OriginModelConfig config, Set<String> targetHosts) {
        return config + " targets=" + new TreeSet<>(targetHosts);
    }

    private String statsJson() {
        return String.format(
                Locale.ROOT,
                "{\"attack_arrived\":%d,\"legit_arrived\":%d,\"busy\":%d,\"queued\":%d,\"workers\":%d,"
                        + "\"identity\":\"%s\"}",
                attackArrived.get(),
                legitArrived.get(),
                busyNow,
                queuedNow,
                config.workers(),
                identity(config, targetHosts).replace("\\", "\\\\").replace("\"", "\\\""));
    }

    private final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String uri = req.uri();
            String xff = req.headers().get("x-forwarded-for");
            if (xff == null && uri.equals(STATS_PATH)) {
                // Read on the event loop that owns the state: a consistent snapshot.
                byte[] body = statsJson().getBytes(StandardCharsets.UTF_8);
                FullHttpResponse res = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                ctx.writeAndFlush(res);
                return;
            }
            Kind kind = uri.startsWith("/healthz")
                    ? Kind.HEALTH
                    : uri.startsWith("/assets/") || uri.startsWith("/img/")
                            ? Kind.ASSET
                            : uri.startsWith("/feed") ? Kind.FEED : Kind.PAGE;
            AddressPlan.Source src = AddressPlan.classify(xff == null ? "" : first(xff));
            if (src == AddressPlan.Source.BOTNET
                    || src == AddressPlan.Source.RANDOM
                    || req.headers().contains(BOT_HEADER)) {
                attackArrived.incrementAndGet();
            } else if (src == AddressPlan.Source.LEGIT) {
                legitArrived.incrementAndGet();
            }
            Job job =
                    new Job(ctx, kind, HttpUtil.isKeepAlive(req), req.headers().contains(HttpHeaderNames.COOKIE));
            if (kind == Kind.HEALTH) {
                respond(job, HttpResponseStatus.OK);
            } else if (busy < config.workers()) {
                begin(job);
            } else if (backlog.size() < config.backlog()) {
                backlog.add(job);
                queuedNow = backlog.size();
                peakQueued = Math.max(peakQueued, queuedNow);
            } else {
                rejected.incrementAndGet();
                respond(job, HttpResponseStatus.SERVICE_UNAVAILABLE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String first(String xff) {
        int comma = xff.indexOf(',');
        return (comma < 0 ? xff : xff.substring(0, comma)).trim();
    }

    private void begin(Job job) {
        busy++;
        busyNow = busy;
        long nanos = switch (job.kind()) {
            case ASSET -> config.assetService().toNanos();
            case FEED -> config.feedService().toNanos();
            default -> config.pageService().toNanos();
        };
        loop.schedule(() -> finish(job), nanos, TimeUnit.NANOSECONDS);
    }

    private void finish(Job job) {
        busy--;
        served.incrementAndGet();
        respond(job, HttpResponseStatus.OK);
        Job next = backlog.poll();
        queuedNow = backlog.size();
        if (next != null) {
            begin(next);
        }
        busyNow = busy;
    }

    private void respond(Job job, HttpResponseStatus status) {
        Channel ch = job.ctx().channel();
        if (!ch.isActive()) {
            return; // the client left; the work is done, the answer dropped
        }
        byte[] body = switch (job.kind()) {
            case ASSET -> ASSET;
            case FEED -> FEED;
            default -> PAGE;
        };
        if (status.code() != 200 || job.kind() == Kind.HEALTH) {
            body = status.reasonPhrase().getBytes(StandardCharsets.US_ASCII);
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        var h = res.headers();
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (status.code() != 200) {
            h.set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        } else {
            switch (job.kind()) {
                case ASSET -> {
                    h.set(HttpHeaderNames.CONTENT_TYPE, "text/css");
                    h.set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=86400");
                }
                case FEED -> {
                    h.set(HttpHeaderNames.CONTENT_TYPE, "application/rss+xml");
                    h.set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=300");
                }
                default -> {
                    h.set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
                    long maxAge = config.pageMaxAge().toSeconds();
                    if (maxAge > 0) {
                        h.set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=" + maxAge);
                    } else {
                        // A PHP session page: private and uncacheable, the session cookie set on first visit.
                        h.set(HttpHeaderNames.CACHE_CONTROL, "no-store, no-cache, must-revalidate");
                        if (!job.hasCookie()) {
                            h.set(
                                    HttpHeaderNames.SET_COOKIE,
                                    "PHPSESSID="
                                            + Long.toHexString(
                                                    ThreadLocalRandom.current().nextLong()) + "; path=/; HttpOnly");
                        }
                    }
                }
            }
        }
        if (!job.keepAlive()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            job.ctx().writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        } else {
            job.ctx().writeAndFlush(res);
        }
    }

    /** Whether {@code host} (without port) is one of the attacked sites. */
    boolean isTarget(String host) {
        return targetHosts.contains(host);
    }

    private static byte[] body(String head, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) ' ');
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, b, 0, h.length);
        return b;
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
