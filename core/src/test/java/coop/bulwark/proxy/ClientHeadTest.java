package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.origin.OriginCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client's plain request kept as bytes ({@link ClientHead}) against Netty's request decoder, the reference: on
 * random and mutated heads, and on streams of several requests, the edge's decoder must give what Netty's gives (the
 * same method, target, version, fields and body), keeping as bytes only what it may; and a plain request relayed from
 * its bytes ({@link RelayedRequest}) must reach the origin byte for byte as the field map's path sends it. A failure
 * names its seed and case.
 */
class ClientHeadTest {
    private static final int CASES = 500;

    private static HttpDecoderConfig config() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(2048)
                .setMaxHeaderSize(4096)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true);
    }

    /** What a decoder made of a stream: one line per message, comparable across decoders. */
    private static List<String> decode(EmbeddedChannel ch, byte[] stream, boolean close) {
        // Fed in two parts at a random-ish point, so that heads split across reads are covered too.
        int cut = stream.length / 3;
        ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, cut));
        ch.writeInbound(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));
        if (close) {
            ch.finish();
        }
        List<String> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(describe(o));
            ReferenceCountUtil.release(o);
        }
        return out;
    }

    private static String describe(Object o) {
        StringBuilder b = new StringBuilder();
        if (o instanceof HttpRequest r) {
            b.append(r.method()).append(' ').append(r.uri()).append(' ').append(r.protocolVersion());
            b.append(" ok=").append(r.decoderResult().isSuccess());
            if (r.decoderResult().isSuccess()) {
                for (Map.Entry<String, String> e : r.headers()) {
                    b.append(" [")
                            .append(e.getKey())
                            .append('=')
                            .append(e.getValue())
                            .append(']');
                }
            }
        }
        if (o instanceof HttpContent c) {
            b.append(o instanceof LastHttpContent ? "last " : "part ");
            b.append(c.content().toString(StandardCharsets.ISO_8859_1));
            b.append(" ok=").append(c.decoderResult().isSuccess());
        }
        return b.toString();
    }

    private static List<Object> edgeMessages(byte[] stream) {
        var ch = new EmbeddedChannel(new StrictHttpServerCodec(config()));
        ch.writeInbound(Unpooled.wrappedBuffer(stream));
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    static String field(Random rnd) {
        String[] names = {
            "Accept",
            "accept-encoding",
            "User-Agent",
            "Cookie",
            "Cache-Control",
            "X-Custom",
            "Referer",
            "Sec-Fetch-Dest",
            "Host",
            "host",
            "X-Forwarded-For",
            "x-real-ip",
            "Forwarded",
            "X-Forwarded-Proto",
            "TE",
            "Trailer",
            "Keep-Alive",
            "Proxy-Connection",
            "Proxy-Authorization",
            "X-Http2-Stream-Id",
            "Connection",
            "Authorization",
            "If-None-Match"
        };
        String name = names[rnd.nextInt(names.length)];
        String value = name.equalsIgnoreCase("connection")
                ? (rnd.nextBoolean() ? "keep-alive" : rnd.nextBoolean() ? "Close" : " Keep-Alive , close ")
                : ForwardedHeadersPropertyTest.token(rnd);
        String ows = rnd.nextInt(4) == 0 ? "" : rnd.nextInt(4) == 0 ? " \t" : " ";
        return name + ":" + ows + value + (rnd.nextInt(5) == 0 ? " " : "");
    }

    static String plainHead(Random rnd) {
        String[] methods = {"GET", "GET", "HEAD", "DELETE", "OPTIONS", "PURGE"};
        String[] targets = {"/", "/a/b?c=d&e", "/p?s=4f1c2a", "*", "http://site.test/x", "/%7Euser/~x#frag"};
        StringBuilder b = new StringBuilder();
        b.append(methods[rnd.nextInt(methods.length)]).append(' ').append(targets[rnd.nextInt(targets.length)]);
        b.append(rnd.nextInt(5) == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        for (int i = rnd.nextInt(12); i >= 0; i--) {
            b.append(field(rnd)).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** One of the ways a head can leave the plain path (or be malformed), applied to a plain head. */
    static String mutate(Random rnd, String head) {
        int at = 1 + rnd.nextInt(Math.max(1, head.length() - 4));
        return switch (rnd.nextInt(16)) {
            case 0 -> head.replaceFirst(":", " :"); // a space before the colon
            case 1 -> head.replaceFirst("\r\n", "\n"); // a bare LF
            case 2 -> head.replace("\r\n\r\n", "\r\n folded\r\n\r\n"); // obs-fold
            case 3 -> head.substring(0, at) + '\0' + head.substring(at);
            case 4 -> head.replace("\r\n\r\n", "\r\nContent-Length: 3\r\n\r\nabc");
            case 5 -> head.replace("\r\n\r\n", "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            case 6 -> head.replace("\r\n\r\n", "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            case 7 -> head.replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n");
            case 8 -> "\r\n" + head; // a leading empty line
            case 9 -> head.replaceFirst(" ", "  "); // two spaces in the request line
            case 10 -> head.replaceFirst("HTTP/1\\.[01]", "HTTP/2.0");
            case 11 -> head.replaceFirst("HTTP/1\\.[01]", "http/1.1");
            case 12 -> head.replace("\r\n\r\n", "\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n");
            case 13 -> head.replace("\r\n\r\n", "\r\nX-Long: " + "x".repeat(5000) + "\r\n\r\n");
            case 14 -> head.replaceFirst("^[A-Z]+ ", "CONNECT ");
            default -> head.replace("\r\n\r\n", "\r\nConnection: keep-alive, x-custom\r\nX-Custom: 1\r\n\r\n");
        };
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 20261208, 424242})
    void theEdgesDecoderGivesWhatNettysGives_onPlainMutatedAndPipelinedHeads(long seed) {
        Random rnd = new Random(seed);
        int plain = 0;
        for (int c = 0; c < CASES; c++) {
            StringBuilder stream = new StringBuilder();
            for (int r = 1 + rnd.nextInt(3); r > 0; r--) {
                String head = plainHead(rnd);
                stream.append(rnd.nextInt(3) == 0 ? mutate(rnd, head) : head);
            }
            byte[] bytes = stream.toString().getBytes(StandardCharsets.ISO_8859_1);
            boolean close = rnd.nextBoolean();
            var reference = decode(new EmbeddedChannel(new HttpRequestDecoder(config())), bytes, close);
            var edge = decode(new EmbeddedChannel(new StrictHttpServerCodec(config())), bytes, close);
            assertThat(edge)
                    .as("seed %d case %d: %s", seed, c, stream.toString().replace("\r\n", "\\r\\n"))
                    .isEqualTo(reference);
            for (Object o : edgeMessages(bytes)) {
                plain += o instanceof ClientHead ? 1 : 0;
                ReferenceCountUtil.release(o);
            }
        }
        assertThat(plain).as("plain heads kept as bytes").isGreaterThan(CASES / 2);
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32})
    void aHeadArrivingAByteAtATime_isDecodedAsNettyDecodesIt(long seed) {
        Random rnd = new Random(seed);
        for (int c = 0; c < 60; c++) {
            String head = plainHead(rnd);
            String stream = (rnd.nextInt(3) == 0 ? mutate(rnd, head) : head) + plainHead(rnd);
            byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
            var reference = byteAtATime(new EmbeddedChannel(new HttpRequestDecoder(config())), bytes);
            var edge = byteAtATime(new EmbeddedChannel(new StrictHttpServerCodec(config())), bytes);
            assertThat(edge)
                    .as("seed %d case %d: %s", seed, c, stream.replace("\r\n", "\\r\\n"))
                    .isEqualTo(reference);
        }
    }

    private static List<String> byteAtATime(EmbeddedChannel ch, byte[] bytes) {
        for (byte b : bytes) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        List<String> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(describe(o));
            ReferenceCountUtil.release(o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void onlyTheCommonRequestIsKeptAsBytes() {
        assertThat(edgeMessages("GET /a HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n".getBytes()))
                .first()
                .isInstanceOf(ClientHead.class);
        for (String head : List.of(
                "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab",
                "GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nConnection: close, x-a\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
                "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost : a\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\n x\r\n\r\n",
                "GET /\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n")) {
            List<Object> out = edgeMessages(head.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(out).as(head).isNotEmpty();
            assertThat(out.get(0)).as(head).isNotInstanceOf(ClientHead.class);
            out.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void keepAlive_followsTheVersionAndTheConnectionField() {
        record Case(String head, boolean keepAlive) {}
        for (Case c : List.of(
                new Case("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
                new Case("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
                new Case("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, CLOSE\r\n\r\n", false),
                new Case("GET / HTTP/1.0\r\nHost: a\r\n\r\n", false),
                new Case("GET / HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n", true))) {
            var head = (ClientHead) edgeMessages(c.head.getBytes()).get(0);
            assertThat(head.keepAlive()).as(c.head).isEqualTo(c.keepAlive);
            assertThat(new NettyRequestHead(head, false).keepAlive()).isEqualTo(c.keepAlive);
            head.headers(); // the map built: the same answer from it
            assertThat(head.keepAlive()).as(c.head).isEqualTo(c.keepAlive);
        }
    }

    @Test
    void removeCookie_buildsNoMapForARequestWithoutTheCookie_andEditsOneWithIt() {
        var without = (ClientHead) edgeMessages("GET / HTTP/1.1\r\nHost: a\r\nCookie: theme=dark\r\n\r\n".getBytes())
                .get(0);
        new NettyRequestHead(without, false).removeCookie("bw_pass");
        assertThat(without.materialized()).isFalse();
        assertThat(without.get("cookie")).isEqualTo("theme=dark");

        var with = (ClientHead)
                edgeMessages("GET / HTTP/1.1\r\nHost: a\r\nCookie: theme=dark; bw_pass=xyz\r\n\r\n".getBytes())
                        .get(0);
        var head = new NettyRequestHead(with, false);
        head.removeCookie("bw_pass");
        assertThat(with.materialized()).isTrue();
        assertThat(head.get("cookie")).isEqualTo("theme=dark");
    }

    private static String toOriginBytes(HttpRequest in, ForwardedHeadersPropertyTest.Hop hop) {
        HttpRequest out = ForwardedHeaders.toOrigin(in, hop.admitted(), hop.info(), hop.scheme(), false);
        var ch = new EmbeddedChannel(new OriginCodec(2048, 4096, 64 * 1024));
        ch.writeOutbound(out, LastHttpContent.EMPTY_LAST_CONTENT);
        StringBuilder b = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            b.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        ch.finishAndReleaseAll();
        return b.toString();
    }

    @ParameterizedTest
    @ValueSource(longs = {7, 8, 9, 1234567})
    void aPlainRequestReachesTheOriginAsTheMapPathSendsIt(long seed) {
        Random rnd = new Random(seed);
        int relayed = 0;
        for (int c = 0; c < CASES; c++) {
            byte[] head = plainHead(rnd).getBytes(StandardCharsets.ISO_8859_1);
            var hop = ForwardedHeadersPropertyTest.Hop.random(rnd);
            List<Object> edge = edgeMessages(head);
            if (!(edge.get(0) instanceof ClientHead plain)) {
                edge.forEach(ReferenceCountUtil::release);
                continue;
            }
            var reference = new EmbeddedChannel(new HttpRequestDecoder(config()));
            reference.writeInbound(Unpooled.wrappedBuffer(head));
            HttpRequest decoded = reference.readInbound();
            reference.finishAndReleaseAll();

            String fromBytes = toOriginBytes(plain, hop);
            String fromMap = toOriginBytes(decoded, hop);
            assertThat(fromBytes)
                    .as("seed %d case %d: %s", seed, c, new String(head, StandardCharsets.ISO_8859_1))
                    .isEqualTo(fromMap);
            assertThat(plain.materialized()).isFalse();
            relayed++;
        }
        assertThat(relayed).isGreaterThan(CASES / 2);
    }
}
