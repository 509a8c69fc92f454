package coop.bulwark.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the edge knows about a client connection: the socket peer, the client address (the peer, or what a trusted
 * proxy told us via the PROXY protocol), whether it arrived over TLS and the SNI name it asked for.
 *
 * <p>Stored on the connection's channel (the parent channel for HTTP/2 streams) by {@link ClientInfoKey}; replaced,
 * never mutated, as the connection learns more (PROXY header, TLS handshake). No Netty: the decision chain reads it.
 *
 * @param peer the TCP peer
 * @param client the client address to use for limits and X-Forwarded-For before any header is considered
 * @param trustedPeer whether the peer is a configured trusted proxy
 * @param tls whether the connection is TLS
 * @param sni the server name the TLS client asked for, lower case, or null
 * @param clientText {@code client} as text, formatted once per connection (it goes into several headers per request)
 * @param clientBytes {@code client}'s address bytes, once per connection, for the limiters; never modified
 */
public record ClientInfo(
        InetSocketAddress peer,
        InetAddress client,
        boolean trustedPeer,
        boolean tls,
        String sni,
        String clientText,
        byte[] clientBytes) {

    public ClientInfo(InetSocketAddress peer, InetAddress client, boolean trustedPeer, boolean tls, String sni) {
        this(peer, client, trustedPeer, tls, sni, client.getHostAddress(), client.getAddress());
    }

    public ClientInfo withClient(InetAddress c) {
        return new ClientInfo(peer, c, trustedPeer, tls, sni);
    }

    public ClientInfo withSni(String name) {
        return new ClientInfo(peer, client, trustedPeer, true, name, clientText, clientBytes);
    }
}
