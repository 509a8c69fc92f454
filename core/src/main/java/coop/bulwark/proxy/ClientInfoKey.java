package coop.bulwark.proxy;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Where a connection's {@link ClientInfo} lives: an attribute of its channel, set by the connection gate when the
 * connection is accepted and replaced by the PROXY protocol and TLS handlers as they learn more.
 */
public final class ClientInfoKey {
    public static final AttributeKey<ClientInfo> KEY = AttributeKey.valueOf(ClientInfo.class, "client");

    private ClientInfoKey() {}

    /** The info of {@code ch}'s connection: for an HTTP/2 stream channel, its parent's; null if none was set. */
    public static ClientInfo of(Channel ch) {
        Channel c = ch;
        while (c != null) {
            ClientInfo info = c.attr(KEY).get();
            if (info != null) {
                return info;
            }
            c = c.parent();
        }
        return null;
    }
}
