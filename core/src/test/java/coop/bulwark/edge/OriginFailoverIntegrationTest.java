package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.origin.Origin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Origin failures over real sockets: failover within a request, health marking, all down, stale pooled connections. */
class OriginFailoverIntegrationTest {
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private EdgeServer edge;

    @AfterEach
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        for (AutoCloseable c : toClose) {
            c.close();
        }
        client.close();
    }

    private EdgeServer start(String... origins) throws IOException {
        edge = EdgeServer.start(TestEdge.config(List.of(TestEdge.site("s", List.of("s.test"), origins))));
        return edge;
    }

    private HttpResponse<String> get(String path) throws Exception {
        var req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + edge.httpAddress().getPort() + path))
                .header("Host", "s.test")
                .timeout(Duration.ofSeconds(10))
                .build();
        return client.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private Origin origin(int i) {
        return edge.snapshot().sites().get(0).origins().get(i);
    }

    /** A loopback port nothing listens on (bound, then released). */
    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void oneOriginStopped_everyRequestSucceeds_andHealthFollowsTheOrigin() throws Exception {
        var a = new TestOrigin("a");
        var b = new TestOrigin("b");
        toClose.add(a);
        int bPort = b.port();
        start(a.hostPort(), b.hostPort());
        b.close();

        for (int i = 0; i < 40; i++) {
            var r = get("/x" + i);
            assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(r.body()).startsWith("a ");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !origin(1).isUp());
        assertThat(origin(0).isUp()).isTrue();

        var b2 = new TestOrigin("b", bPort);
        toClose.add(b2);
        await().atMost(Duration.ofSeconds(5)).until(() -> origin(1).isUp());
        // Round-robin sends traffic to it again.
        for (int i = 0; i < 10; i++) {
            assertThat(get("/y" + i).statusCode()).isEqualTo(200);
        }
        assertThat(b2.requests.get()).isGreaterThan(0);
    }

    @Test
    void allOriginsDown_gets502_quickly() throws Exception {
        start("127.0.0.1:" + deadPort(), "127.0.0.1:" + deadPort());
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            var r = get("/");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("127.0.0.1");
            assertThat(ms).as("502 after %d ms", ms).isLessThan(2000);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !origin(0).isUp() && !origin(1).isUp());
    }

    @Test
    void originRestartedBetweenRequests_nextGetStillSucceeds() throws Exception {
        var a = new TestOrigin("a");
        int port = a.port();
        start(a.hostPort());
        assertThat(get("/1").statusCode()).isEqualTo(200);
        a.close();
        var a2 = new TestOrigin("a2", port);
        toClose.add(a2);
        var r = get("/2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("a2 ");
    }

    /**
     * The keep-alive race (RFC 9112 §9.3.1) made deterministic: the origin reads the second request on its first
     * connection and closes without answering, as a server whose keep-alive timer fired at that moment would.
     */
    @Test
    void pooledConnectionClosedOnRequest_isRetriedOnce_andTheNewConnectionStaysUsable() throws Exception {
        var origin = new ClosingOrigin();
        toClose.add(origin);
        start("127.0.0.1:" + origin.port());

        for (int i = 1; i <= 6; i++) {
            var r = get("/r" + i);
            assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(200);
        }
        // One connection for request 1 (closed on request 2), one for the retry of request 2 that serves 3 to 6.
        assertThat(origin.connectionsWithRequests.get()).isEqualTo(2);
        assertThat(origin.malformed.get()).isZero();
    }

    /** A raw HTTP/1.1 origin: keep-alive, Content-Length responses; drops the second request of its first connection. */
    static final class ClosingOrigin implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger malformed = new AtomicInteger();
        /** Connections that carried a request (health checks only connect). */
        final AtomicInteger connectionsWithRequests = new AtomicInteger();

        final AtomicInteger nextWithRequests = new AtomicInteger();
        final Thread acceptor;

        ClosingOrigin() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket s = server.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s));
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve(Socket s) {
            int connection = 0;
            try (s) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (int req = 1; ; req++) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    if (req == 1) {
                        connection = nextWithRequests.incrementAndGet();
                        connectionsWithRequests.incrementAndGet();
                    }
                    if (!head.startsWith("GET /r") || !head.toLowerCase().contains("\r\nhost: s.test\r\n")) {
                        malformed.incrementAndGet();
                    }
                    if (connection == 1 && req == 2) {
                        return;
                    }
                    byte[] body = ("conn=" + connection + " req=" + req).getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // the edge closed
            }
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                b.append((char) c);
                if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                    return b.toString();
                }
                if (b.length() > 16 * 1024) {
                    return null;
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
