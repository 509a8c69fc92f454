package coop.bulwark.origin;

import coop.bulwark.site.OriginPoolConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of every origin address in the current config: a TCP connect, or {@code GET path} when a
 * health path is configured (status below 500 is healthy). Non-blocking, on the event loops, one check per address
 * per interval however many sites share it. State changes are logged once.
 */
public final class OriginHealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OriginHealthChecker.class);

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final Supplier<OriginPoolConfig> settings;
    private final Supplier<Map<Origin, String>> targets;
    private ScheduledFuture<?> task;
    private final Set<Origin> inProgress = ConcurrentHashMap.newKeySet();

    /**
     * @param channelClass the transport's client socket channel
     * @param settings the current health-check settings (read at start for the interval, then each round)
     * @param targets the current origins, each with the Host name to send in a {@code GET path} check
     */
    public OriginHealthChecker(
            EventLoopGroup group,
            Class<? extends SocketChannel> channelClass,
            Supplier<OriginPoolConfig> settings,
            Supplier<Map<Origin, String>> targets) {
        this.group = group;
        this.channelClass = channelClass;
        this.settings = settings;
        this.targets = targets;
    }

    public void start() {
        long interval = settings.get().healthInterval().toMillis();
        task = group.next().scheduleWithFixedDelay(this::round, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void round() {
        OriginPoolConfig pool = settings.get();
        for (Map.Entry<Origin, String> e : targets.get().entrySet()) {
            Origin o = e.getKey();
            if (inProgress.add(o)) {
                check(
                        o,
                        e.getValue(),
                        pool.healthTimeout().toMillis(),
                        pool.healthPath(),
                        pool.failThreshold(),
                        pool.riseThreshold());
            }
        }
    }

    private void check(Origin o, String host, long timeoutMillis, Optional<String> path, int fall, int rise) {
        boolean wasUp = o.isUp();
        Bootstrap b = new Bootstrap()
                .group(group.next())
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
                .handler(new ChannelInboundHandlerAdapter());
        b.connect(o.address()).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                done(o, false, wasUp, fall, rise);
                return;
            }
            if (path.isEmpty()) {
                f.channel().close();
                done(o, true, wasUp, fall, rise);
                return;
            }
            var ch = f.channel();
            var timeout = ch.eventLoop().schedule(() -> ch.close(), timeoutMillis, TimeUnit.MILLISECONDS);
            boolean[] answered = {false};
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    try {
                        if (!answered[0] && msg instanceof ByteBuf buf && buf.readableBytes() >= 12) {
                            answered[0] = true;
                            String line = buf.toString(buf.readerIndex(), 12, StandardCharsets.US_ASCII);
                            int code = line.startsWith("HTTP/1.") ? Integer.parseInt(line.substring(9, 12)) : 599;
                            done(o, code < 500, wasUp, fall, rise);
                            ctx.close();
                        }
                    } catch (NumberFormatException e) {
                        done(o, false, wasUp, fall, rise);
                        ctx.close();
                    } finally {
                        ReferenceCountUtil.release(msg);
                    }
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    timeout.cancel(false);
                    if (!answered[0]) {
                        answered[0] = true;
                        done(o, false, wasUp, fall, rise);
                    }
                }
            });
            String req = "GET " + path.get() + " HTTP/1.1\r\nHost: " + host
                    + "\r\nUser-Agent: bulwark-health\r\nConnection: close\r\n\r\n";
            ch.writeAndFlush(ByteBufUtil.writeAscii(ch.alloc(), req));
        });
    }

    private void done(Origin o, boolean ok, boolean wasUp, int fall, int rise) {
        inProgress.remove(o);
        if (ok) {
            o.recordSuccess(rise);
        } else {
            o.recordFailure(fall);
        }
        if (wasUp != o.isUp()) {
            LOG.warn("origin {} is now {}", o.configured(), o.isUp() ? "UP" : "DOWN");
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
