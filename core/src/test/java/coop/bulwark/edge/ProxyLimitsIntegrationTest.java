package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.SiteLimits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each edge limit over real sockets, with the status code it must produce. */
class ProxyLimitsIntegrationTest {
    static TestOrigin origin;
    static EdgeServer edge;
    static InetSocketAddress addr;

    @BeforeAll
    static void start() throws Exception {
        origin = new TestOrigin("o");
        var siteLimits = new SiteLimits(
                1024 * 1024, 2048, 50_000, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2));
        var limits = new ConnectionLimits(4096, 4096, Duration.ofSeconds(1), Duration.ofSeconds(2), 3, 100, 20);
        edge = EdgeServer.start(TestEdge.config(
                List.of(TestEdge.site("a", List.of("a.test"), siteLimits, Optional.empty(), origin.hostPort())),
                limits,
                false));
        addr = edge.httpAddress();
    }

    @AfterAll
    static void stop() {
        edge.close();
        origin.close();
    }

    @Test
    void headerBlockTooLarge_gets431() throws Exception {
        String big = "X-Pad: " + "a".repeat(5000) + "\r\n";
        assertThat(RawHttp.exchange(addr, "GET / HTTP/1.1\r\nHost: a.test\r\n" + big + "\r\n"))
                .startsWith("HTTP/1.1 431");
    }

    @Test
    void requestLineTooLong_gets414() throws Exception {
        assertThat(RawHttp.exchange(addr, "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: a.test\r\n\r\n"))
                .startsWith("HTTP/1.1 414");
    }

    @Test
    void uriOverSiteLimit_gets414() throws Exception {
        assertThat(RawHttp.exchange(addr, "GET /" + "a".repeat(3000) + " HTTP/1.1\r\nHost: a.test\r\n\r\n"))
                .startsWith("HTTP/1.1 414");
    }

    @Test
    void declaredBodyOverSiteLimit_gets413_beforeAnyUpload() throws Exception {
        int before = origin.requests.get();
        assertThat(RawHttp.exchange(addr, "POST /count HTTP/1.1\r\nHost: a.test\r\nContent-Length: 2000000\r\n\r\n"))
                .startsWith("HTTP/1.1 413");
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    @Test
    void malformedChunkSize_gets400_andTheOriginNeverSeesACompleteBody() throws Exception {
        // A chunk size beyond a long: Netty's decoder flags it. Passed on as a clean end of body, the origin answered
        // 200 to a request the client never finished sending (request smuggling starts with such disagreements).
        try (RawHttp r = new RawHttp(addr)) {
            r.send("POST /count HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\nFFFFFFFFFFFFFFFFF1\r\nxyz\r\n0\r\n\r\n");
            String resp = r.readAll();
            assertThat(resp).startsWith("HTTP/1.1 400");
            assertThat(resp).doesNotContain("HTTP/1.1 200");
        }
    }

    @Test
    void chunkedBodyOverSiteLimit_gets413() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send("POST /count HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = Integer.toHexString(64 * 1024) + "\r\n" + "x".repeat(64 * 1024) + "\r\n";
            String resp = null;
            try {
                for (int i = 0; i < 40; i++) {
                    r.send(chunk);
                }
            } catch (IOException e) {
                // the edge may close while we are still writing
            }
            resp = r.readAll();
            assertThat(resp).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void transferCodingNotEndingInChunked_gets400() throws Exception {
        // RFC 9112 §6.3: the body length cannot be determined, so 400 and close.
        assertThat(RawHttp.exchange(addr, "POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: gzip\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
    }

    @Test
    void slowloris_headerNeverCompleted_isCutAtHeaderTimeout() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send("GET / HTTP/1.1\r\nHost: a.test\r\n");
            // Keep trickling header lines: the timeout counts from the first byte, not from the last one.
            String resp = "";
            try {
                for (int i = 0; i < 30; i++) {
                    Thread.sleep(200);
                    r.send("X-A" + i + ": b\r\n");
                }
            } catch (IOException e) {
                // closed by the edge: expected
            }
            resp = r.readAll();
            // The exact timing (from the first byte, whatever is trickled) is ProxyHandlerTest's, on a fake clock.
            assertThat(resp).startsWith("HTTP/1.1 408");
        }
    }

    @Test
    void silentConnection_isClosedAtHeaderTimeout() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            assertThat(r.closedByServer()).isTrue();
        }
    }

    @Test
    void slowPost_belowMinimumRate_isCut() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send("POST /count HTTP/1.1\r\nHost: a.test\r\nContent-Length: 100000\r\n\r\n");
            String resp = "";
            try {
                for (int i = 0; i < 50; i++) {
                    r.send("x");
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                // closed by the edge: expected
            }
            resp = r.readAll();
            assertThat(resp).startsWith("HTTP/1.1 408");
        }
    }

    @Test
    void idleKeepAlive_isClosedAfterIdleTimeout() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertThat(r.readResponse()).startsWith("HTTP/1.1 200");
            // When exactly is ProxyHandlerTest's, on a fake clock; here: a real socket is closed.
            assertThat(r.closedByServer()).isTrue();
        }
    }

    @Test
    void maxRequestsPerConnection_closesAfterTheLimit() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            for (int i = 1; i <= 3; i++) {
                r.send("GET /r" + i + " HTTP/1.1\r\nHost: a.test\r\n\r\n");
                String resp = r.readResponse();
                assertThat(resp).startsWith("HTTP/1.1 200");
                if (i == 3) {
                    assertThat(resp.toLowerCase()).contains("connection: close");
                }
            }
            assertThat(r.closedByServer()).isTrue();
        }
    }

    @Test
    void perIpConnectionCap_refusesConnectionsOverTheCap() throws Exception {
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                open.add(new RawHttp(addr));
            }
            try (RawHttp extra = new RawHttp(addr)) {
                assertThat(extra.closedByServer()).isTrue();
            }
            // The ones within the cap still work.
            open.get(0).send("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
            assertThat(open.get(0).readResponse()).startsWith("HTTP/1.1 200");
        } finally {
            for (RawHttp r : open) {
                r.close();
            }
        }
    }

    @Test
    void slowOrigin_gets504AfterOriginTimeout() throws Exception {
        // A 504 means the edge gave up before the origin's answer; when is OriginDeadlinesTest's, on a fake clock.
        assertThat(RawHttp.exchange(addr, "GET /slow?ms=5000 HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 504");
    }

    @Test
    void expectContinue_isAnsweredByTheEdge_andBodyForwarded() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send("POST /count HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            byte[] interim = r.in.readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
            assertThat(new String(interim)).startsWith("HTTP/1.1 100 Continue");
            r.send("hello");
            assertThat(r.readResponse()).startsWith("HTTP/1.1 200").endsWith("5");
        }
    }
}
