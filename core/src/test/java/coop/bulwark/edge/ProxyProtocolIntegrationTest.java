package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.Cidr;
import coop.bulwark.site.EdgeConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PROXY protocol: believed from a trusted peer only; anyone else's PROXY line is just a malformed request. */
class ProxyProtocolIntegrationTest {
    static TestOrigin origin;
    static EdgeServer edge;

    @BeforeAll
    static void start() throws Exception {
        origin = new TestOrigin("o");
        EdgeConfig base = TestEdge.config(List.of(TestEdge.site("s", List.of("s.test"), origin.hostPort())));
        EdgeConfig config = base.toBuilder()
                .trustedProxies(List.of(Cidr.parse("127.0.0.1/32")))
                .proxyProtocol(true)
                .build();
        edge = EdgeServer.start(config);
    }

    @AfterAll
    static void stop() {
        edge.close();
        origin.close();
    }

    private static String send(String from, String bytes) throws IOException {
        try (Socket s = new Socket(
                edge.httpAddress().getAddress(), edge.httpAddress().getPort(), InetAddress.getByName(from), 0)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void trustedPeer_proxyV1Header_setsTheClientAddress() throws Exception {
        String resp = send(
                "127.0.0.1",
                "PROXY TCP4 203.0.113.9 127.0.0.1 5555 80\r\n"
                        + "GET /who HTTP/1.1\r\nHost: s.test\r\nConnection: close\r\n\r\n");
        assertThat(resp).startsWith("HTTP/1.1 200").contains("xff=203.0.113.9 ").contains("xrealip=203.0.113.9 ");
    }

    @Test
    void untrustedPeer_proxyHeader_isNotBelieved() throws Exception {
        int before = origin.requests.get();
        String resp = send(
                "127.0.0.2",
                "PROXY TCP4 203.0.113.9 127.0.0.1 5555 80\r\n"
                        + "GET /who HTTP/1.1\r\nHost: s.test\r\nConnection: close\r\n\r\n");
        assertThat(resp).startsWith("HTTP/1.1 400");
        assertThat(origin.requests.get()).isEqualTo(before);
    }
}
