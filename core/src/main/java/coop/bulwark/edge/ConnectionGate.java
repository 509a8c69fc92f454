package coop.bulwark.edge;

import coop.bulwark.protect.SourceAddress;
import coop.bulwark.proxy.ClientAddress;
import coop.bulwark.proxy.ClientInfo;
import coop.bulwark.proxy.ClientInfoKey;
import coop.bulwark.proxy.EdgeRuntime;
import coop.bulwark.proxy.Tarpit;
import coop.bulwark.site.BanPolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * First handler of every client pipeline: enforces the global and per-source-address connection caps at accept and
 * records the connection's {@link ClientInfo} (under {@link ClientInfoKey}). A refused connection is closed before a byte is read.
 *
 * <p>Per-address counters exist only while that address has open connections (removed from the close future, as
 * Netty's {@code UniqueIpFilter} does), so the map is bounded by the global cap. Trusted proxies are exempt from the
 * per-address cap: they carry many clients. {@link Sharable} and thread-safe.
 */
@Sharable
final class ConnectionGate extends ChannelInboundHandlerAdapter {
    private final EdgeRuntime runtime;
    private final ChannelGroup clients;
    private final boolean tls;
    private final AtomicInteger total = new AtomicInteger();
    /**
     * Open connections per source address, keyed by {@link SourceAddress}, not {@code InetAddress}: an address's own
     * hash is the IPv4 address itself (a flood from a few /24s filled a few buckets, which the map turned into trees at
     * the flood's onset) or a sum of an IPv6 address's words, which a client choosing addresses in its /64 can make
     * collide, and a tree bin of keys that are not {@code Comparable} is searched linearly.
     */
    private final ConcurrentHashMap<SourceAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    private final AtomicLong banned = new AtomicLong();

    ConnectionGate(EdgeRuntime runtime, ChannelGroup clients, boolean tls) {
        this.runtime = runtime;
        this.clients = clients;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
        var config = runtime.snapshot().config();
        var limits = config.connections();
        InetAddress addr = peer.getAddress();
        boolean trusted = ClientAddress.isTrusted(addr, config.trustedProxies());
        if (total.incrementAndGet() > limits.maxConnections()) {
            total.decrementAndGet();
            refuse(ctx);
            return;
        }
        SourceAddress source = trusted ? null : SourceAddress.of(addr);
        if (source != null) {
            AtomicInteger n = perAddress.computeIfAbsent(source, a -> new AtomicInteger());
            if (n.incrementAndGet() > limits.maxConnectionsPerIp()) {
                release(source);
                total.decrementAndGet();
                refuse(ctx);
                return;
            }
        }
        ch.closeFuture().addListener(f -> {
            total.decrementAndGet();
            if (source != null) {
                release(source);
            }
        });
        ch.attr(ClientInfoKey.KEY).set(new ClientInfo(peer, addr, trusted, tls, null));
        clients.add(ch);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    /**
     * Holds a tarpit-banned source's connection, unread, for a while, before any handler is added. Other ban actions
     * never get here: {@link AcceptFilter} resets those connections before they are registered. Returns whether the
     * connection was taken (then the caller builds no pipeline).
     */
    boolean tarpitIfBanned(SocketChannel ch) {
        var config = runtime.snapshot().config();
        if (!config.protection().enabled() || config.protection().bans().action() != BanPolicy.BanAction.TARPIT) {
            return false;
        }
        InetSocketAddress peer = ch.remoteAddress();
        if (peer == null
                || runtime.gatekeeper().bannedAtAccept(peer.getAddress().getAddress()) == null) {
            return false;
        }
        banned.incrementAndGet();
        // Tarpitted sockets count against the global cap (and only up to half of it), so a banned flood can never
        // exhaust file descriptors by being held.
        if (total.incrementAndGet() <= config.connections().maxConnections() / 2) {
            ch.closeFuture().addListener(f -> total.decrementAndGet());
            Tarpit.hold(ch);
        } else {
            total.decrementAndGet();
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
        return true;
    }

    /**
     * For {@link AcceptFilter}: resets an accepted, not yet registered connection from a banned source unless the
     * ban action is a tarpit (which needs a registered channel: {@link #tarpitIfBanned} handles it). Returns whether
     * the connection was reset.
     */
    boolean resetIfBanned(Channel child) {
        var config = runtime.snapshot().config();
        if (!config.protection().enabled() || config.protection().bans().action() == BanPolicy.BanAction.TARPIT) {
            return false;
        }
        if (!(child.remoteAddress() instanceof InetSocketAddress peer)
                || runtime.gatekeeper().bannedAtAccept(peer.getAddress().getAddress()) == null) {
            return false;
        }
        banned.incrementAndGet();
        AcceptFilter.reset(child);
        return true;
    }

    private void release(SourceAddress source) {
        perAddress.computeIfPresent(source, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    private void refuse(ChannelHandlerContext ctx) {
        ctx.close();
    }

    /** Open client connections right now. */
    int open() {
        return total.get();
    }

    /** Connections refused at accept because their source is banned. */
    long bannedCount() {
        return banned.get();
    }
}
