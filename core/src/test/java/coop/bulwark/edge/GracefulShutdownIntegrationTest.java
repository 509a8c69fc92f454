package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link EdgeServer#close}: in-flight requests finish with Connection: close, new connections are refused. */
class GracefulShutdownIntegrationTest {
    TestOrigin origin;
    EdgeServer edge;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void close_letsInFlightRequestsFinish_refusesNewConnections_andReturnsWithinTheDrainTimeout() throws Exception {
        origin = new TestOrigin("o");
        edge = EdgeServer.start(TestEdge.config(List.of(TestEdge.site("s", List.of("s.test"), origin.hostPort()))));
        InetSocketAddress addr = edge.httpAddress();
        Duration drain = edge.snapshot().config().drainTimeout();

        // An idle keep-alive connection: closed at once by the drain, not waited for.
        RawHttp idle = new RawHttp(addr);
        idle.send("GET /warm HTTP/1.1\r\nHost: s.test\r\n\r\n");
        assertThat(idle.readResponse()).startsWith("HTTP/1.1 200");

        List<RawHttp> busy = new ArrayList<>();
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RawHttp r = new RawHttp(addr);
            busy.add(r);
            r.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: s.test\r\n\r\n");
            var answer = new CompletableFuture<String>();
            answers.add(answer);
            // Own threads: the common pool may have a single worker on a small machine.
            Thread.ofVirtual().start(() -> {
                try {
                    answer.complete(r.readResponse() + (r.closedByServer() ? "\n<closed>" : "\n<open>"));
                } catch (Exception e) {
                    answer.complete(e.toString());
                }
            });
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> edge.inFlight() == 4);

        long t0 = System.nanoTime();
        var closing = new CompletableFuture<Void>();
        Thread.ofPlatform().start(() -> {
            edge.close();
            closing.complete(null);
        });
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThatThrownBy(() -> new Socket(addr.getAddress(), addr.getPort()).close())
                        .isInstanceOf(ConnectException.class));
        assertThat(idle.closedByServer()).isTrue();
        assertThat(closing).as("still draining the slow requests").isNotDone();

        closing.get(drain.toMillis() + 3000, TimeUnit.MILLISECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        for (var a : answers) {
            assertThat(a.get(5, TimeUnit.SECONDS))
                    .startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("connection: close")
                    .contains("o slow")
                    .endsWith("<closed>");
        }
        assertThat(ms).as("close took %d ms", ms).isLessThan(drain.toMillis());
        assertThat(edge.openConnections()).isZero();
        idle.close();
        for (RawHttp r : busy) {
            r.close();
        }
    }
}
