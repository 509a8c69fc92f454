package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.Http2Limits;
import coop.bulwark.site.SiteLimits;
import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 behaviour of the edge over real loopback sockets (h2c with prior knowledge; the TLS listener builds the same
 * HTTP/2 pipeline): many streams on one connection, flow control on large bodies both ways, the advertised settings,
 * and the rapid-reset defence (CVE-2023-44487).
 */
class Http2IntegrationTest {
    /** Deliberately not the defaults, so the advertised value can only come from the config. */
    static final Http2Limits H2 = new Http2Limits(64, 50);

    static final long MIB = 1024 * 1024;
    static TestOrigin one;
    static TestOrigin two;
    static EdgeServer edge;

    @BeforeAll
    static void start() throws Exception {
        one = new TestOrigin("one");
        two = new TestOrigin("two");
        var limits = new SiteLimits(
                32 * MIB, 8 * 1024, 1024, Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(30));
        var sites = List.of(
                TestEdge.site("one", List.of("one.test"), limits, Optional.empty(), one.hostPort()),
                TestEdge.site("two", List.of("two.test", "*.two.test"), limits, Optional.empty(), two.hostPort()));
        edge = EdgeServer.start(TestEdge.config(sites, ConnectionLimits.DEFAULTS, false, H2));
    }

    @AfterAll
    static void stop() {
        edge.close();
        one.close();
        two.close();
    }

    static int originRequests() {
        return one.requests.get() + two.requests.get();
    }

    @Test
    void settings_advertiseTheConfiguredStreamLimit() throws Exception {
        try (var c = new H2cClient(edge.httpAddress())) {
            var s = c.serverSettings.get(5, TimeUnit.SECONDS);
            assertThat(s.maxConcurrentStreams()).isEqualTo((long) H2.maxConcurrentStreams());
            assertThat(s.maxHeaderListSize()).isEqualTo((long) ConnectionLimits.DEFAULTS.maxHeaderBytes());
        }
    }

    @Test
    void manyConcurrentStreams_onOneConnection_allSucceed_routedByAuthority() throws Exception {
        int streams = H2.maxConcurrentStreams() - 4;
        try (var c = new H2cClient(edge.httpAddress())) {
            List<CompletableFuture<H2cClient.Response>> pending = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                String authority = i % 2 == 0 ? "one.test" : "s" + i + ".two.test";
                pending.add(c.request("GET", authority, "/s" + i, null));
            }
            for (int i = 0; i < streams; i++) {
                var r = pending.get(i).get(20, TimeUnit.SECONDS);
                assertThat(r.status()).as("stream %d", i).isEqualTo(200);
                String expected = i % 2 == 0 ? "one host=one.test " : "two host=s" + i + ".two.test ";
                assertThat(r.body()).as("stream %d", i).startsWith(expected).endsWith(" uri=/s" + i);
            }
        }
    }

    @Test
    void largeUpload_arrivesComplete_underFlowControl() throws Exception {
        byte[] body = new byte[(int) (10 * MIB)];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        try (var c = new H2cClient(edge.httpAddress())) {
            var r = c.request("POST", "one.test", "/count", body).get(60, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(Long.toString(body.length));
        }
    }

    @Test
    void largeDownload_arrivesComplete_underFlowControl() throws Exception {
        long bytes = 20 * MIB;
        try (var c = new H2cClient(edge.httpAddress())) {
            var r = c.request("GET", "two.test", "/big?bytes=" + bytes, null).get(60, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyBytes()).isEqualTo(bytes);
        }
    }

    @Test
    void rapidReset_closesTheConnection_quickly_andFewRequestsReachTheOrigin() throws Exception {
        int maxStreams = 10_000;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int before = originRequests();
        int opened = 0;
        try (var c = new H2cClient(edge.httpAddress())) {
            c.serverSettings.get(5, TimeUnit.SECONDS);
            while (opened < maxStreams && System.nanoTime() < deadline && c.channel.isActive()) {
                try {
                    c.openAndReset("one.test", "/rr" + opened);
                    opened++;
                } catch (Exception closed) {
                    break; // the edge ended the connection
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !c.channel.isActive());
            Long goAway = c.goAwayError.getNow(null);
            if (goAway != null) {
                assertThat(goAway).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            }
        }
        // The edge allows maxResetsPerSecond resets per second; a client at full speed is cut off within the first
        // window. The count is what the client managed to write before it saw the close, so it is looser than the cap;
        // without the defence the loop runs to its bound.
        assertThat(opened).isLessThan(maxStreams / 5);
        int reached = originRequests() - before;
        assertThat(reached).isLessThan(H2.maxResetsPerSecond() + H2.maxConcurrentStreams());

        var after = H2cClient.get(edge.httpAddress(), "one.test", "/after");
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body()).startsWith("one host=one.test ");
    }
}
