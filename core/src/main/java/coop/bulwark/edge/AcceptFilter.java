package coop.bulwark.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;

/**
 * Sits on the listening socket's pipeline, where each accepted connection arrives as a message before it is
 * registered with an event loop: a banned source is reset right there (SO_LINGER 0: no TIME_WAIT kept) without a
 * pipeline, a registration, or a byte read. What remains of the cost of a refusal is the kernel's TCP handshake,
 * which only the kernel firewall can spare (nftables export). Tarpit bans go on to {@link ConnectionGate}, which holds
 * the socket. {@link Sharable}; runs on the listener's event loop.
 */
@Sharable
final class AcceptFilter extends ChannelInboundHandlerAdapter {
    private final ConnectionGate gate;

    AcceptFilter(ConnectionGate gate) {
        this.gate = gate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child && gate.resetIfBanned(child)) {
            return;
        }
        ctx.fireChannelRead(msg);
    }

    static void reset(Channel child) {
        try {
            child.config().setOption(ChannelOption.SO_LINGER, 0);
        } finally {
            child.unsafe().closeForcibly();
        }
    }
}
