package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.proxy.ClientInfo;
import coop.bulwark.proxy.ClientInfoKey;
import coop.bulwark.proxy.EmbeddedEdge;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection gate on embedded connections: the caps, trusted proxies, and what it leaves on the channel. */
class ConnectionGateTest {
    @TempDir
    Path dir;

    EmbeddedEdge edge;
    ConnectionGate gate;
    final List<EmbeddedChannel> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        edge = EmbeddedEdge.start("""
                listen: {http: 127.0.0.1:18080, event_loops: 1}
                access_log: {enabled: false}
                connections: {max_connections: 5, max_connections_per_ip: 2}
                trusted_proxies: [192.0.2.1]
                sites:
                  - {name: a, hosts: [a.test], origins: ["127.0.0.1:1"]}
                """, dir);
        gate = new ConnectionGate(edge.runtime, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), false);
    }

    @AfterEach
    void stop() {
        open.forEach(EmbeddedChannel::finishAndReleaseAll);
        edge.close();
    }

    EmbeddedChannel connect(String address) throws Exception {
        EmbeddedChannel ch = edge.connection(new InetSocketAddress(address, 40000 + open.size()), gate);
        open.add(ch);
        return ch;
    }

    @Test
    void accepted_connection_carriesItsClientInfo_andTheGateLeavesThePipeline() throws Exception {
        EmbeddedChannel ch = connect("198.51.100.7");
        ClientInfo info = ClientInfoKey.of(ch);
        assertThat(info.clientText()).isEqualTo("198.51.100.7");
        assertThat(info.trustedPeer()).isFalse();
        assertThat(ch.pipeline().get(ConnectionGate.class)).isNull();
        assertThat(gate.open()).isEqualTo(1);
    }

    @Test
    void perAddressCap_refusesTheThird_andCountsFreeAgainOnClose() throws Exception {
        EmbeddedChannel first = connect("198.51.100.7");
        connect("198.51.100.7");
        assertThat(connect("198.51.100.7").isOpen()).isFalse();
        assertThat(connect("198.51.100.8").isOpen()).isTrue();

        first.close();
        assertThat(connect("198.51.100.7").isOpen()).isTrue();
        assertThat(gate.open()).isEqualTo(3);
    }

    @Test
    void trustedProxy_isExemptFromThePerAddressCap_butNotFromTheGlobalOne() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(connect("192.0.2.1").isOpen()).isTrue();
        }
        assertThat(ClientInfoKey.of(open.get(0)).trustedPeer()).isTrue();
        assertThat(connect("192.0.2.1").isOpen()).isFalse();
        assertThat(connect("198.51.100.9").isOpen()).isFalse();
    }
}
