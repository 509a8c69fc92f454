package coop.bulwark.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The origin codec's own path for plain answers ({@link OriginHead}) against Netty's client codec, which decodes every
 * answer the way the edge did before: the same status, fields, body and end for every answer, plain or not, whole or
 * arriving a byte at a time, alone or several on one connection; and the answers that are not plain really left to
 * Netty's decoder.
 */
class OriginCodecPlainPathTest {
    private static final int MAX_CHUNK = 16;

    /** Answers to GET, each with what a relay must get from it. */
    static final String[] ANSWERS = {
        "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 404 Nope\r\ncontent-length: 3\r\n\r\nabc",
        "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length:    4   \r\nX-Tab: a\tb\r\nX-Empty:\r\nX-Latin: caf\u00e9\r\n\r\nbody",
        "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789",
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n"
                + "Content-Length: 1\r\n\r\n!",
        "HTTP/1.1 200 OK\r\n" + "X-Many: 1\r\n".repeat(30) + "Content-Length: 1\r\n\r\n!",
        // Not plain: Netty's decoder as before.
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2,2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
        "HTTP/1.1 200 OK\r\nX-Bad : 1\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Ctl: a\u0001b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void everyAnswer_decodesAsNettysClientCodecDoes(int pieceSize) {
        for (String answer : ANSWERS) {
            assertThat(decode(() -> new OriginCodec(8192, 65536, MAX_CHUNK), answer, pieceSize, 1))
                    .as("%s in pieces of %d", answer.replace("\r\n", "\\r\\n"), pieceSize)
                    .isEqualTo(decode(() -> new HttpClientCodec(8192, 65536, MAX_CHUNK), answer, pieceSize, 1));
        }
    }

    @Test
    void answersOnOneConnection_plainOrNot_inOneReadOrByteByByte_decodeAsNettysDo() {
        StringBuilder all = new StringBuilder();
        int n = 0;
        for (String a : ANSWERS) {
            if (!a.contains("\n\n")
                    && !a.contains(" : ")
                    && !a.contains("\u0001")
                    && !a.contains("-1")
                    && !a.contains("HTTP/2")
                    && !a.contains("2,2")
                    && !a.contains("  b")) { // no malformed ones
                all.append(a);
                n++;
            }
        }
        for (int piece : new int[] {0, 1, 3}) {
            assertThat(decode(() -> new OriginCodec(8192, 65536, MAX_CHUNK), all.toString(), piece, n))
                    .isEqualTo(decode(() -> new HttpClientCodec(8192, 65536, MAX_CHUNK), all.toString(), piece, n));
        }
    }

    /**
     * Answers an origin might send, well-formed or not, put together at random from the parts the two decoders treat
     * differently (status lines, framing fields and their duplicates, line ends, folds, control bytes, names with odd
     * characters, bodies longer or shorter than declared): each, and three in a row on one connection, decodes as
     * Netty's client codec decodes it, whole and in random pieces. Seeded, so a failure names an answer that can be
     * replayed.
     */
    @Test
    void randomAnswers_decodeAsNettysClientCodecDoes() {
        SplittableRandom rnd = new SplittableRandom(20261207);
        int plain = 0;
        for (int n = 0; n < 1500; n++) {
            String answer = randomAnswer(rnd);
            if (firstHead(answer) instanceof OriginHead) {
                plain++;
            }
            int piece = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(12);
            assertThat(decode(() -> new OriginCodec(8192, 65536, MAX_CHUNK), answer, piece, 1))
                    .as("answer %d in pieces of %d: %s", n, piece, answer.replace("\r\n", "\\r\\n"))
                    .isEqualTo(decode(() -> new HttpClientCodec(8192, 65536, MAX_CHUNK), answer, piece, 1));
        }
        // Both decoders' paths taken often: the comparison means something only then.
        assertThat(plain).as("answers decoded on the plain path").isBetween(300, 1200);
        for (int n = 0; n < 500; n++) {
            String three = randomAnswer(rnd) + randomAnswer(rnd) + randomAnswer(rnd);
            int piece = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(30);
            // One request in five a HEAD, whose answer has no body whatever its Content-Length says.
            List<HttpMethod> methods = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                methods.add(rnd.nextInt(5) == 0 ? HttpMethod.HEAD : HttpMethod.GET);
            }
            assertThat(decode(() -> new OriginCodec(8192, 65536, MAX_CHUNK), three, piece, methods))
                    .as("answers %d to %s in pieces of %d: %s", n, methods, piece, three.replace("\r\n", "\\r\\n"))
                    .isEqualTo(decode(() -> new HttpClientCodec(8192, 65536, MAX_CHUNK), three, piece, methods));
        }
    }

    private static final String[] STATUS_LINES = {
        "HTTP/1.1 200 OK",
        "HTTP/1.0 200 OK",
        "HTTP/1.1 404 Not Found",
        "HTTP/1.1 503 Busy",
        "HTTP/1.1 200",
        "HTTP/1.1 200 "
    };

    private static final String[] ODD_STATUS_LINES = {
        "HTTP/1.1 204 No Content",
        "HTTP/1.1 304 Not Modified",
        "HTTP/1.1 100 Continue",
        "HTTP/1.1 103 Early Hints",
        "HTTP/1.1 101 Switching Protocols",
        "HTTP/1.1 999 Odd",
        "HTTP/1.1 20 OK",
        "HTTP/2.0 200 OK",
        "http/1.1 200 OK",
        "HTTP/1.1  200 OK",
        "HTTP/1.1 200 O\u0001K",
        "ICY 200 OK"
    };

    private static final String[] FIELDS = {
        "Server: nginx",
        "Content-Type: text/html; charset=utf-8",
        "Cache-Control: public, max-age=60",
        "Set-Cookie: a=1; Path=/",
        "Set-Cookie: b=2",
        "Vary: Accept-Encoding",
        "ETag: \"abc\"",
        "X-Empty:",
        "X-Spaces:   padded   ",
        "X-Tab: a\tb",
        "X-Latin: caf\u00e9",
        "Connection: keep-alive",
        "Connection: close",
        "Connection: close, X-Hop",
        "X-Hop: 1",
        "Keep-Alive: timeout=5",
        "X-Under_score: 1",
        "Upgrade: websocket"
    };

    private static final String[] ODD_FIELDS = {
        "X-Ctl: a\u0001b",
        "X-Del: a\u007fb",
        "X Space: 1",
        "X-Colon : 1",
        "X-Bracket[]: 1",
        "Proxy-Connection: x",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: gzip, chunked",
        "Transfer-Encoding: identity",
        "Content-Length: 0",
        "Content-Length: 3",
        "Content-Length: 003",
        "Content-Length: +3",
        "Content-Length: 3,3",
        "Content-Length: -1",
        "Content-Length: 99999999999999999999",
        "Content-Length:  3 ",
        "Content-Length: 3a",
        "Trailer: X-T",
        ": no-name",
        "NoColon"
    };

    /** Mostly an ordinary answer; one part in several odd, so that both decoders' paths and their edges are met. */
    private static String randomAnswer(SplittableRandom rnd) {
        String eol = rnd.nextInt(20) == 0 ? "\n" : "\r\n";
        StringBuilder b = new StringBuilder();
        if (rnd.nextInt(40) == 0) {
            b.append("\r\n"); // a stray blank line before the status line
        }
        String[] statuses = rnd.nextInt(5) == 0 ? ODD_STATUS_LINES : STATUS_LINES;
        b.append(statuses[rnd.nextInt(statuses.length)]).append(eol);
        int fields = rnd.nextInt(7);
        for (int i = 0; i < fields; i++) {
            String[] pool = rnd.nextInt(8) == 0 ? ODD_FIELDS : FIELDS;
            b.append(pool[rnd.nextInt(pool.length)]).append(eol);
            if (rnd.nextInt(40) == 0) {
                b.append(" folded").append(eol); // obs-fold
            }
        }
        if (rnd.nextInt(6) > 0) {
            b.append("Content-Length: ").append(rnd.nextInt(6)).append(eol); // the usual case, maybe a second length
        }
        b.append(eol);
        String body = "abcdefgh".substring(0, rnd.nextInt(9));
        if (b.indexOf("chunked") >= 0 && rnd.nextBoolean()) {
            body = body.isEmpty() ? "0\r\n\r\n" : Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
        }
        return b.append(body).toString();
    }

    @Test
    void plainAnswers_comeAsOriginHeads_andTheOthersAsNettysResponses() {
        assertThat(firstHead(ANSWERS[0])).isInstanceOf(OriginHead.class);
        assertThat(firstHead(ANSWERS[8])).isInstanceOf(OriginHead.class);
        assertThat(firstHead(ANSWERS[9])).isInstanceOf(OriginHead.class); // 31 fields
        assertThat(firstHead(ANSWERS[10])).isNotInstanceOf(OriginHead.class); // chunked
        assertThat(firstHead(ANSWERS[17])).isNotInstanceOf(OriginHead.class); // 204
        assertThat(firstHead("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", HttpMethod.HEAD))
                .isNotInstanceOf(OriginHead.class);
    }

    @Test
    void anOriginHead_readsItsFieldsFromItsBytes_untilItsMapIsBuilt() {
        OriginHead h = (OriginHead) firstHead(ANSWERS[8]);
        assertThat(h.get("retry-after")).isEqualTo("5");
        assertThat(h.getAll("CONNECTION")).containsExactly("close, X-Hop");
        assertThat(h.contentLength()).isEqualTo(1);
        assertThat(h.wantsClose()).isTrue();
        assertThat(h.status().reasonPhrase()).isEqualTo("Service Unavailable");
        assertThat(h.materialized()).isFalse();
        assertThat(h.connectionNamesFields()).as("Connection: close, X-Hop").isTrue();
        assertThat(((OriginHead) firstHead(ANSWERS[0])).connectionNamesFields()).isFalse();
        assertThat(h.headers().get("X-Hop")).isEqualTo("1");
        assertThat(h.materialized()).isTrue();
    }

    @Test
    void keepAlive_followsTheOriginsVersion() {
        assertThat(((OriginHead) firstHead(ANSWERS[0])).wantsClose()).isFalse();
        assertThat(((OriginHead) firstHead(ANSWERS[5])).wantsClose()).isFalse();
        assertThat(((OriginHead) firstHead("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).wantsClose())
                .isTrue();
    }

    @Test
    void aHeadCutOffByTheClose_failsAsNettysDecoderReportsIt() {
        String cut = "HTTP/1.1 200 OK\r\nContent-Len";
        assertThat(decode(() -> new OriginCodec(8192, 65536, MAX_CHUNK), cut, 0, 1))
                .isEqualTo(decode(() -> new HttpClientCodec(8192, 65536, MAX_CHUNK), cut, 0, 1))
                .anyMatch(e -> e.startsWith("FAIL"));
    }

    private static HttpResponse firstHead(String answer) {
        return firstHead(answer, HttpMethod.GET);
    }

    private static HttpResponse firstHead(String answer, HttpMethod method) {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(8192, 65536, MAX_CHUNK));
        try {
            ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
            ch.releaseOutbound();
            ch.writeInbound(Unpooled.copiedBuffer(answer, StandardCharsets.ISO_8859_1));
            for (Object o; (o = ch.readInbound()) != null; ) {
                if (o instanceof HttpResponse r) {
                    return r;
                }
                ReferenceCountUtil.release(o);
            }
            return null;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /**
     * What a codec makes of {@code bytes} after {@code requests} GETs, fed whole ({@code pieceSize} 0) or in pieces,
     * then the connection closed: each head with its fields, the body, where each message ended, and failures.
     */
    private static List<String> decode(Supplier<ChannelHandler> codec, String bytes, int pieceSize, int requests) {
        return decode(codec, bytes, pieceSize, Collections.nCopies(requests, HttpMethod.GET));
    }

    /** As {@link #decode(Supplier, String, int, int)}, after a request of each of {@code methods}, in order. */
    private static List<String> decode(
            Supplier<ChannelHandler> codec, String bytes, int pieceSize, List<HttpMethod> methods) {
        EmbeddedChannel ch = new EmbeddedChannel(codec.get());
        List<String> events = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        try {
            for (HttpMethod m : methods) {
                ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, "/"));
            }
            ch.releaseOutbound();
            byte[] all = bytes.getBytes(StandardCharsets.ISO_8859_1);
            int step = pieceSize == 0 ? all.length : pieceSize;
            for (int p = 0; p < all.length; p += step) {
                ch.writeInbound(Unpooled.wrappedBuffer(all, p, Math.min(step, all.length - p)));
                drain(ch, events, body);
            }
            ch.finish();
            drain(ch, events, body);
        } finally {
            ch.finishAndReleaseAll();
        }
        return events;
    }

    private static void drain(EmbeddedChannel ch, List<String> events, StringBuilder body) {
        for (Object o; (o = ch.readInbound()) != null; ) {
            try {
                if (o instanceof HttpObject obj && obj.decoderResult().isFailure()) {
                    events.add("FAIL " + obj.getClass().getSimpleName());
                }
                if (o instanceof HttpResponse r) {
                    StringBuilder head = new StringBuilder("HEAD " + r.protocolVersion() + " " + r.status());
                    r.headers()
                            .forEach(e -> head.append(" [")
                                    .append(e.getKey())
                                    .append('=')
                                    .append(e.getValue())
                                    .append(']'));
                    events.add(head.toString());
                }
                if (o instanceof HttpContent c) {
                    body.append(c.content().toString(StandardCharsets.ISO_8859_1));
                }
                if (o instanceof LastHttpContent last) {
                    events.add("BODY " + body + " TRAILERS "
                            + last.trailingHeaders().size());
                    body.setLength(0);
                }
                if (o instanceof ByteBuf raw) {
                    events.add("RAW " + raw.toString(StandardCharsets.ISO_8859_1));
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
    }
}
