package coop.bulwark.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after a final response without losing that response: the write side is shut first, and what the
 * client is still sending is read and dropped (by the handlers, which are in a closing state) for a short while.
 * Closing a socket with unread input makes the kernel send RST, which can destroy the response in the client's
 * buffers before it is read (RFC 9112 §9.6). A client that keeps sending is cut off after {@link #LINGER_MILLIS}.
 */
final class LingeringClose {
    static final long LINGER_MILLIS = 2000;

    private LingeringClose() {}

    static void after(ChannelFuture lastWrite) {
        lastWrite.addListener(f -> {
            Channel ch = lastWrite.channel();
            if (ch instanceof DuplexChannel d && ch.isActive() && f.isSuccess()) {
                ch.config().setAutoRead(true);
                d.shutdownOutput();
                ch.eventLoop().schedule(() -> ch.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                ch.close();
            }
        });
    }
}
