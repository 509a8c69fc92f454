package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrictHttpServerCodecTest {
    static final String HEAD = "POST /up HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n";

    final EmbeddedChannel ch = new EmbeddedChannel(new StrictHttpServerCodec(new HttpDecoderConfig()));

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    /** How a chunked body ended: its decoder result and its {@code X-Ok} trailer. */
    record End(DecoderResult result, String xOk) {}

    /** Feeds {@code wire} in pieces of {@code step} bytes; returns how the body ended. */
    End decode(String wire, int step) {
        byte[] b = wire.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i += step) {
            ch.writeInbound(Unpooled.wrappedBuffer(b, i, Math.min(step, b.length - i)));
        }
        assertThat((Object) ch.readInbound()).isInstanceOf(HttpRequest.class);
        End end = null;
        for (Object o; (o = ch.readInbound()) != null; ) {
            if (o instanceof LastHttpContent l) {
                end = new End(l.decoderResult(), l.trailingHeaders().get("x-ok"));
            }
            ReferenceCountUtil.release(o);
        }
        assertThat(end).as("the body's end").isNotNull();
        return end;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 1000})
    void droppedFramingTrailer_failsTheBodysEnd_howeverTheBytesArrive(int step) {
        End end = decode(HEAD + "5\r\nhello\r\n0\r\nX-Ok: 1\r\nTransfer-Encoding: chunked\r\n\r\n", step);
        assertThat(end.result().isFailure()).isTrue();
        assertThat(end.result().cause()).hasMessageContaining("Transfer-Encoding");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 1000})
    void bodyDataThatLooksLikeAFramingField_isJustData(int step) {
        String data = "\r\nContent-Length: 5\r\n";
        End end = decode(HEAD + Integer.toHexString(data.length()) + "\r\n" + data + "\r\n0\r\nX-Ok: 1\r\n\r\n", step);
        assertThat(end.result().isSuccess()).isTrue();
        assertThat(end.xOk()).isEqualTo("1");
    }

    @Test
    void aHeaderOfTheRequest_isNotATrailer() {
        assertThat(decode(HEAD + "0\r\n\r\n", 2).result().isSuccess()).isTrue();
    }

    @Test
    void responseToHead_hasNoBody_andTheNextResponseHasItsOwn() {
        ch.writeInbound(Unpooled.copiedBuffer(
                "HEAD /a HTTP/1.1\r\nHost: a.test\r\n\r\nGET /b HTTP/1.1\r\nHost: a.test\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        for (Object o; (o = ch.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        ch.writeOutbound(response("four"), response("five!"));
        String written = outbound();
        assertThat(written).containsOnlyOnce("content-length: 4").doesNotContain("four");
        assertThat(written).endsWith("five!");
    }

    @Test
    void encodedHead_goesOutAsItIs_andKeepsTheResponsesInStepWithTheirRequests() {
        ch.writeInbound(Unpooled.copiedBuffer(
                "GET /a HTTP/1.1\r\nHost: a.test\r\n\r\nHEAD /b HTTP/1.1\r\nHost: a.test\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        for (Object o; (o = ch.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        String head = "HTTP/1.1 200 OK\r\ncontent-length: 4\r\nx-cache: HIT\r\n\r\n";
        ByteBuf last = Unpooled.copiedBuffer("four", StandardCharsets.US_ASCII);
        ch.writeOutbound(
                new EncodedHead(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII)),
                new DefaultLastHttpContent(last),
                response("five!"));

        String written = outbound();
        // The encoded response is written unchanged (no chunk framing added to its body) and answers the GET, so the
        // next response answers the HEAD: its head only.
        assertThat(written).startsWith(head + "four");
        assertThat(written.substring((head + "four").length()))
                .startsWith("HTTP/1.1 200 OK")
                .contains("content-length: 5")
                .doesNotContain("five!");
        assertThat(last.refCnt()).isZero();
    }

    @Test
    void anEncodedHeadsBody_goesOutPartByPart_andNoOtherHeadCutsIntoIt() {
        ch.writeInbound(Unpooled.copiedBuffer("GET /a HTTP/1.1\r\nHost: a.test\r\n\r\n", StandardCharsets.ISO_8859_1));
        for (Object o; (o = ch.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        String head = "HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n";
        ch.writeOutbound(
                new EncodedHead(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII)),
                new DefaultHttpContent(Unpooled.copiedBuffer("four", StandardCharsets.US_ASCII)));
        var intruder = response("no");
        var refused = ch.write(intruder);
        ch.writeOutbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("more", StandardCharsets.US_ASCII)));

        assertThat(refused.isSuccess()).isFalse();
        assertThat(intruder.refCnt()).isZero();
        assertThat(outbound()).isEqualTo(head + "fourmore");
    }

    static DefaultFullHttpResponse response(String body) {
        var r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return r;
    }

    String outbound() {
        var b = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf buf = o instanceof HttpContent c ? c.content() : (ByteBuf) o;
            b.append(buf.toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(o);
        }
        return b.toString();
    }
}
