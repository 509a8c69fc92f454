package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.proxy.ClientInfo;
import coop.bulwark.proxy.ClientInfoKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The PROXY protocol on an embedded connection: the header's source becomes the client, then the handler leaves. */
class ProxyProtocolHandlerTest {
    static EmbeddedChannel trustedPeer() throws Exception {
        var ch = new EmbeddedChannel(new HAProxyMessageDecoder(), new ProxyProtocolHandler());
        var peer = new InetSocketAddress("192.0.2.1", 40000);
        ch.attr(ClientInfoKey.KEY).set(new ClientInfo(peer, peer.getAddress(), true, false, null));
        return ch;
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void v1Header_setsTheClient_andTheRequestFollowsUntouched() throws Exception {
        EmbeddedChannel ch = trustedPeer();
        ch.writeInbound(ascii("PROXY TCP4 198.51.100.7 192.0.2.1 51000 80\r\nGET / HTTP/1.1\r\n"));

        ClientInfo info = ClientInfoKey.of(ch);
        assertThat(info.client()).isEqualTo(InetAddress.getByName("198.51.100.7"));
        assertThat(info.clientText()).isEqualTo("198.51.100.7");
        assertThat(info.peer().getAddress()).isEqualTo(InetAddress.getByName("192.0.2.1"));
        assertThat(ch.pipeline().get(ProxyProtocolHandler.class)).isNull();
        ByteBuf rest = ch.readInbound();
        try {
            assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n");
        } finally {
            rest.release();
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void localCommand_keepsThePeerAsTheClient() throws Exception {
        EmbeddedChannel ch = trustedPeer();
        ch.writeInbound(ascii("PROXY UNKNOWN\r\n"));
        assertThat(ClientInfoKey.of(ch).client()).isEqualTo(InetAddress.getByName("192.0.2.1"));
        ch.finishAndReleaseAll();
    }
}
