package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.origin.OriginCodec;
import coop.bulwark.origin.OriginHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A plain answer relayed from its bytes ({@link RelayedHead#send}) reaches the client exactly as the same answer relayed
 * through Netty's field map did: the same
 * status line, fields in the same order, hop-by-hop fields and those its {@code Connection} names dropped, the page
 * cookie and the {@code Connection} field added where framing adds them.
 */
class PlainAnswerRelayTest {
    private static final String FIELDS = "Server: nginx\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "Keep-Alive: timeout=5\r\nConnection: keep-alive\r\nProxy-Authenticate: Basic\r\n"
            + "Set-Cookie: a=1\r\nUpgrade: h2c\r\nTrailer: X\r\nContent-Length: 0\r\nX-Tail:  spaced  \r\n\r\n";

    @ParameterizedTest
    @CsvSource({
        "HTTP/1.1 200 OK, HTTP/1.1, , ",
        "HTTP/1.1 200 OK, HTTP/1.1, bw_seen=1; Path=/, close",
        "HTTP/1.0 200 OK, HTTP/1.0, , keep-alive",
        "HTTP/1.1 404 Not Here, HTTP/1.1, bw_seen=1; Path=/, ", // not a page: no cookie
        "HTTP/1.1 599 , HTTP/1.0, , close",
    })
    void relayedFromBytes_asThroughTheFieldMap(String statusLine, String client, String cookie, String connection) {
        String answer = statusLine + "\r\n" + FIELDS;
        HttpVersion version = HttpVersion.valueOf(client);
        OriginHead plain = decode(answer);
        assertThat(plain).as("a plain answer").isNotNull();
        assertThat(relayed(plain, version, cookie, !"close".equals(connection)))
                .isEqualTo(throughTheMap(decode(answer), version, cookie, connection))
                .doesNotContainIgnoringCase("keep-alive: ")
                .doesNotContainIgnoringCase("upgrade")
                .contains("X-Tail: spaced\r\n");
        assertThat(plain.materialized()).as("relayed from its bytes").isFalse();
    }

    @Test
    void fieldsTheConnectionLineNames_areDropped_asThroughTheFieldMap() {
        String answer = "HTTP/1.1 200 OK\r\nX-Private: 1\r\nConnection: keep-alive, X-Private\r\nContent-Length: 0\r\n"
                + "X-Tail: 2\r\n\r\n";
        OriginHead plain = decode(answer);
        assertThat(plain.connectionNamesFields()).isTrue();
        assertThat(relayed(plain, HttpVersion.HTTP_1_1, null, true))
                .isEqualTo(throughTheMap(decode(answer), HttpVersion.HTTP_1_1, null, null))
                .doesNotContainIgnoringCase("x-private")
                .contains("X-Tail: 2\r\n");
    }

    @Test
    void theOriginsCloseIsSeen_andNotRelayed_norAFieldItNames() {
        String answer = "HTTP/1.1 200 OK\r\nConnection: close\r\nClose: 1\r\nContent-Length: 0\r\n\r\n";
        OriginHead plain = decode(answer);
        assertThat(plain.wantsClose()).isTrue();
        assertThat(relayed(plain, HttpVersion.HTTP_1_1, null, true))
                .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .isEqualTo(throughTheMap(decode(answer), HttpVersion.HTTP_1_1, null, null));
    }

    private static final String[] STATUS_LINES = {
        "HTTP/1.1 200 OK",
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
        "HTTP/1.1 201 Created",
        "HTTP/1.1 206 Partial Content",
        "HTTP/1.1 301 Moved Permanently",
        "HTTP/1.1 302 Found",
        "HTTP/1.1 404 Not Found",
        "HTTP/1.1 410 Gone",
        "HTTP/1.1 500 Internal Server Error",
        "HTTP/1.1 503 Service Unavailable",
        "HTTP/1.1 599 ",
        "HTTP/1.1 200"
    };

    private static final String[] RANDOM_FIELDS = {
        "Server: nginx",
        "Content-Type: text/html; charset=utf-8",
        "Content-Type: text/html",
        "content-type: TEXT/HTML",
        "Content-Type: application/json",
        "Content-Type: text/plain",
        "Cache-Control: public, max-age=60",
        "Set-Cookie: a=1; Path=/",
        "Set-Cookie: b=2; HttpOnly",
        "Vary: Accept-Encoding",
        "ETag: \"x\"",
        "Last-Modified: Mon, 07 Dec 2026 20:00:00 GMT",
        "Location: /elsewhere",
        "X-Empty:",
        "X-Spaces:   padded   ",
        "X-Tab: a\tb",
        "X-Latin: caf\u00e9",
        "Keep-Alive: timeout=5, max=100",
        "keep-alive: timeout=5",
        "Connection: keep-alive",
        "Connection: close",
        "CONNECTION: Keep-Alive",
        "Connection: keep-alive, X-Private",
        "Connection: close, x-private",
        "X-Private: secret",
        "Proxy-Authenticate: Basic",
        "Proxy-Connection: close",
        "Upgrade: h2c",
        "TE: trailers",
        "Trailer: X-T",
        "Alt-Svc: h3=\":443\"",
        "Strict-Transport-Security: max-age=1",
        "Age: 3",
        "X-Cache: MISS",
        "Date: Mon, 07 Dec 2026 20:00:00 GMT",
        "Content-Security-Policy: default-src 'self'"
    };

    /**
     * Random plain answers (status lines, ordinary and hop-by-hop fields in any case, Connection lines that name fields,
     * pages and not), to HTTP/1.0 and 1.1 clients, kept alive or not, with or without the page cookie: the bytes the
     * relay sends from the answer's bytes are the bytes {@link RelayedHead#send} sends when the answer's field map has
     * been built (its path for everything else), and so is the connection's fate. Seeded.
     */
    @Test
    void randomPlainAnswers_relayedFromBytes_asThroughTheFieldMap() {
        SplittableRandom rnd = new SplittableRandom(20261207);
        int relayed = 0;
        for (int n = 0; n < 1500; n++) {
            StringBuilder a = new StringBuilder(STATUS_LINES[rnd.nextInt(STATUS_LINES.length)]).append("\r\n");
            int fields = rnd.nextInt(9);
            for (int i = 0; i < fields; i++) {
                a.append(RANDOM_FIELDS[rnd.nextInt(RANDOM_FIELDS.length)]).append("\r\n");
            }
            int length = rnd.nextInt(4);
            a.append(rnd.nextBoolean() ? "Content-Length: " : "content-length: ")
                    .append(length)
                    .append("\r\n");
            for (int i = rnd.nextInt(3); i > 0; i--) {
                a.append(RANDOM_FIELDS[rnd.nextInt(RANDOM_FIELDS.length)]).append("\r\n");
            }
            a.append("\r\n").append("abc", 0, length);
            String answer = a.toString();
            OriginHead plain = decode(answer);
            if (plain == null) {
                continue; // not plain after all (a duplicate field the decoder refuses): not this test's business
            }
            relayed++;
            HttpVersion version = rnd.nextInt(4) == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
            String cookie = rnd.nextBoolean() ? "bw_seen=1; Path=/" : null;
            boolean keepAlive = rnd.nextInt(4) > 0;
            boolean complete = rnd.nextInt(8) > 0;
            OriginHead mapped = decode(answer);
            mapped.headers(); // built: send takes the field map's path
            String why = "answer %d to %s, cookie %s, keep-alive %s, complete %s: %s"
                    .formatted(n, version, cookie, keepAlive, complete, answer.replace("\r\n", "\\r\\n"));
            assertThat(sent(plain, version, cookie, keepAlive, complete))
                    .as(why)
                    .isEqualTo(sent(mapped, version, cookie, keepAlive, complete));
        }
        assertThat(relayed).as("plain answers among the random ones").isGreaterThan(1000);
    }

    /** What {@link RelayedHead#send} writes, as the edge's codec encodes it, and whether it keeps the connection. */
    private static String sent(
            OriginHead head, HttpVersion version, String cookie, boolean keepAlive, boolean requestComplete) {
        EmbeddedChannel ch = new EmbeddedChannel(
                new StrictHttpServerCodec(new HttpDecoderConfig()), new ChannelInboundHandlerAdapter());
        try {
            boolean open = RelayedHead.send(
                    ch.pipeline().lastContext(), head, HttpMethod.GET, version, keepAlive, requestComplete, cookie);
            ch.flush();
            StringBuilder b = new StringBuilder();
            for (Object o; (o = ch.readOutbound()) != null; ) {
                b.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
                ReferenceCountUtil.release(o);
            }
            return b.append(open ? "[open]" : "[closing]").toString();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** What the relay sends a client for {@code head} ({@link RelayedHead#send}), as the edge's codec encodes it. */
    private static String relayed(OriginHead head, HttpVersion version, String cookie, boolean keepAlive) {
        EmbeddedChannel ch = new EmbeddedChannel(
                new StrictHttpServerCodec(new HttpDecoderConfig()), new ChannelInboundHandlerAdapter());
        try {
            RelayedHead.send(ch.pipeline().lastContext(), head, HttpMethod.GET, version, keepAlive, true, cookie);
            ch.flush();
            StringBuilder b = new StringBuilder();
            for (Object o; (o = ch.readOutbound()) != null; ) {
                b.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
                ReferenceCountUtil.release(o);
            }
            return b.toString();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** What the edge sent before: the head's field map edited by toClient, the cookie and framing, Netty's encoder. */
    private static String throughTheMap(OriginHead head, HttpVersion version, String cookie, String connection) {
        HttpResponse out = ForwardedHeaders.toClient(head, version); // builds the map: the old path
        PageCookie.add(out, cookie);
        if (connection != null) {
            out.headers().set("connection", connection);
        }
        EmbeddedChannel enc = new EmbeddedChannel(new HttpResponseEncoder());
        enc.writeOutbound(out);
        StringBuilder b = new StringBuilder();
        for (Object o; (o = enc.readOutbound()) != null; ) {
            b.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(o);
        }
        enc.finishAndReleaseAll();
        return b.toString();
    }

    private static OriginHead decode(String answer) {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(8192, 65536, 8192));
        try {
            ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
            ch.releaseOutbound();
            ch.writeInbound(Unpooled.copiedBuffer(answer, StandardCharsets.ISO_8859_1));
            Object first = ch.readInbound();
            return first instanceof OriginHead h ? h : null;
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
