package coop.bulwark.edge;

import coop.bulwark.proxy.ClientInfoKey;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Takes the client address from a PROXY protocol header (v1 or v2, decoded by {@code HAProxyMessageDecoder} just
 * before this handler). Installed only for trusted peers, so nobody else can claim an address. Removes itself after
 * the header.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage m)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (m.command() == HAProxyCommand.PROXY && m.sourceAddress() != null) {
                InetAddress src = InetAddress.getByName(m.sourceAddress()); // an IP literal: no DNS lookup
                var info = ctx.channel().attr(ClientInfoKey.KEY).get();
                if (info != null) {
                    ctx.channel().attr(ClientInfoKey.KEY).set(info.withClient(src));
                }
            }
        } catch (UnknownHostException e) {
            ctx.close();
        } finally {
            ReferenceCountUtil.release(m);
            ctx.pipeline().remove(this);
        }
    }
}
