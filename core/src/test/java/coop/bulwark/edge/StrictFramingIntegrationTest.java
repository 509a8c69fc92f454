package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.site.ConnectionLimits;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunked bodies the edge must refuse (a forbidden trailer, a chunk line past its bound) and their harmless
 * neighbours, through a real edge to a raw-socket origin that records what reached it: a refused body is answered
 * 400 with the connection closed, and the origin's connection that already had the head is closed mid-body, never
 * completed nor reused.
 */
class StrictFramingIntegrationTest {
    static RecordingOrigin origin;
    static EdgeServer edge;
    static InetSocketAddress addr;
    /** The request line's bound is {@code connections.max_uri_bytes} (default) plus a little slack. */
    static final int MAX_URI_BYTES = ConnectionLimits.DEFAULTS.maxUriBytes();

    @BeforeAll
    static void start() throws Exception {
        origin = new RecordingOrigin();
        edge = EdgeServer.start(TestEdge.config(List.of(TestEdge.site("a", List.of("a.test"), origin.hostPort()))));
        addr = edge.httpAddress();
    }

    @AfterAll
    static void stop() throws Exception {
        edge.close();
        origin.close();
    }

    @BeforeEach
    void clear() {
        origin.clear();
    }

    private static String chunked(String chunks) {
        return "POST /up HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Host: b.test",
                "X-Forwarded-For: 10.0.0.1",
                "Authorization: Basic YTpi",
                "Cookie: session=1",
                "Content-Type: text/html",
                "Connection: close",
                "Upgrade: websocket",
                "Range: bytes=0-1",
                "Content-Length: 1",
                "Transfer-Encoding: chunked",
                "Trailer: X-Checksum"
            })
    void forbiddenTrailer_gets400_closes_andTheOriginNeverCompletes(String trailer) throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send(chunked("5\r\nhello\r\n"));
            // The head and first chunk reach the origin before the trailer arrives.
            await().atMost(Duration.ofSeconds(5)).until(() -> origin.hasOpenRequest());
            r.send("0\r\n" + trailer + "\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a.test\r\n\r\n");
            String resp = r.readAll();
            assertThat(resp).startsWith("HTTP/1.1 400").containsIgnoringCase("connection: close");
            assertThat(resp).doesNotContain("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !origin.requests().isEmpty());
        assertThat(origin.complete()).isEmpty();
        assertThat(origin.requests())
                .singleElement()
                .satisfies(rec -> assertThat(rec.problem()).contains("EOF"));
    }

    @Test
    void allowedTrailer_isForwarded_withTheBody() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send(chunked("5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n"));
            assertThat(r.readResponse()).startsWith("HTTP/1.1 200");
        }
        assertThat(origin.complete())
                .singleElement()
                .satisfies(rec -> assertThat(rec.bodyText()).isEqualTo("hello"));
    }

    @Test
    void shortChunkExtension_isIgnored() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send(chunked("5;name=value\r\nhello\r\n0\r\n\r\n"));
            assertThat(r.readResponse()).startsWith("HTTP/1.1 200");
        }
        assertThat(origin.complete())
                .singleElement()
                .satisfies(rec -> assertThat(rec.bodyText()).isEqualTo("hello"));
    }

    @Test
    void chunkExtensionBeyondTheLineBound_gets400_andTheOriginNeverCompletes() throws Exception {
        // The chunk-size line (size and extensions) is held to the request line's bound: an endless extension is a
        // way to make a parser buffer without limit.
        String ext = ";x=" + "a".repeat(MAX_URI_BYTES + 64);
        try (RawHttp r = new RawHttp(addr)) {
            r.send(chunked("5\r\nhello\r\n5" + ext + "\r\nworld\r\n0\r\n\r\n"));
            String resp = r.readAll();
            assertThat(resp).startsWith("HTTP/1.1 400");
            assertThat(resp).doesNotContain("HTTP/1.1 200");
        }
        assertThat(origin.complete()).isEmpty();
    }
}
