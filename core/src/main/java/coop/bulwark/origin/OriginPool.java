package coop.bulwark.origin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keep-alive connections to origins, owned by one event loop: a client connection and the origin connections serving
 * it live on the same thread, so handing bytes across needs no locks and no queue hop.
 *
 * <p>Idle connections are kept per origin address, most recently used first (the likeliest still open), at most
 * {@code maxIdlePerOrigin} each, and closed after the idle timeout by a sweep once a second rather than a timer per
 * connection. Confined to its event loop.
 */
public final class OriginPool {
    /** Response header decoding limits for origins: generous, origins are trusted but may be misconfigured. */
    private static final int MAX_ORIGIN_INITIAL_LINE = 8 * 1024;

    private static final int MAX_ORIGIN_HEADER_BYTES = 64 * 1024;

    private final EventLoop loop;
    private final Class<? extends SocketChannel> channelClass;
    private final LongSupplier nanoClock;
    private final Map<InetSocketAddress, ArrayDeque<OriginConnection>> idle = new HashMap<>();
    private final OriginDeadlines deadlines;
    private int maxIdlePerOrigin = 64;
    private long idleTimeoutNanos = TimeUnit.SECONDS.toNanos(4);

    public OriginPool(EventLoop loop, Class<? extends SocketChannel> channelClass, LongSupplier nanoClock) {
        this.loop = loop;
        this.channelClass = channelClass;
        this.nanoClock = nanoClock;
        loop.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        this.deadlines = new OriginDeadlines(nanoClock);
        loop.scheduleWithFixedDelay(
                deadlines::tick, OriginDeadlines.TICK_MILLIS, OriginDeadlines.TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The event loop this pool belongs to. */
    public EventLoop loop() {
        return loop;
    }

    /** Origin timeouts of the exchanges on this loop. */
    public OriginDeadlines deadlines() {
        return deadlines;
    }

    /** Applies pool settings from a new config snapshot (called on this loop). */
    public void configure(int maxIdle, Duration idleTimeout) {
        this.maxIdlePerOrigin = maxIdle;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /**
     * Hands a connection to {@code origin} to {@code onReady}, or a failure to {@code onFailed}: a pooled one when
     * {@code allowPooled} and one is idle, otherwise a new one. Callbacks run on this loop.
     */
    public void acquire(
            Origin origin,
            Duration connectTimeout,
            boolean allowPooled,
            Consumer<OriginConnection> onReady,
            Consumer<Throwable> onFailed) {
        if (allowPooled) {
            ArrayDeque<OriginConnection> q = idle.get(origin.address());
            if (q != null) {
                long now = nanoClock.getAsLong();
                OriginConnection c;
                while ((c = q.pollLast()) != null) {
                    if (c.channel().isActive() && now - c.idleSinceNanos() < idleTimeoutNanos) {
                        onReady.accept(c);
                        return;
                    }
                    c.channel().close();
                }
            }
        }
        OriginConnection conn = new OriginConnection(origin, this);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        "http",
                                        new OriginCodec(MAX_ORIGIN_INITIAL_LINE, MAX_ORIGIN_HEADER_BYTES, 64 * 1024))
                                .addLast("origin", conn);
                    }
                });
        ChannelFuture f = b.connect(origin.address());
        f.addListener(done -> {
            if (done.isSuccess()) {
                onReady.accept(conn);
            } else {
                onFailed.accept(done.cause());
            }
        });
    }

    /** Takes back a reusable connection (from {@link OriginConnection#release}). */
    void offer(OriginConnection c) {
        ArrayDeque<OriginConnection> q = idle.computeIfAbsent(c.origin().address(), a -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerOrigin) {
            c.channel().close();
            return;
        }
        q.addLast(c);
    }

    /** Forgets a connection that closed while idle. */
    void remove(OriginConnection c) {
        ArrayDeque<OriginConnection> q = idle.get(c.origin().address());
        if (q != null) {
            q.remove(c);
        }
    }

    /** Closes everything idle (shutdown). */
    public void closeAll() {
        for (ArrayDeque<OriginConnection> q : idle.values()) {
            for (OriginConnection c : q) {
                c.channel().close();
            }
            q.clear();
        }
    }

    private void sweep() {
        long now = nanoClock.getAsLong();
        for (Iterator<ArrayDeque<OriginConnection>> it = idle.values().iterator(); it.hasNext(); ) {
            ArrayDeque<OriginConnection> q = it.next();
            // Oldest first: stop at the first one still fresh.
            while (!q.isEmpty() && now - q.peekFirst().idleSinceNanos() >= idleTimeoutNanos) {
                q.pollFirst().channel().close();
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }
}
