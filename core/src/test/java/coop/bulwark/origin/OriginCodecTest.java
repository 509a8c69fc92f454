package coop.bulwark.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OriginCodecTest {
    private final EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(8192, 65536, 65536));

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private void send(HttpMethod method) {
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    private List<Object> answer(String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
        return out;
    }

    private static long bodyBytes(List<Object> parts) {
        long n = 0;
        for (Object o : parts) {
            if (o instanceof HttpContent c) {
                n += c.content().readableBytes();
            }
            ReferenceCountUtil.release(o);
        }
        return n;
    }

    @Test
    void anAnswerToHead_hasNoBody_andTheNextAnswerIsReadWhole() {
        send(HttpMethod.HEAD);
        send(HttpMethod.GET);
        List<Object> head = answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(head.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(head.get(head.size() - 1)).isInstanceOf(LastHttpContent.class);
        assertThat(bodyBytes(head)).isZero();
        assertThat(bodyBytes(answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")))
                .isEqualTo(5);
    }

    @Test
    void anInterimAnswer_doesNotTakeTheMethodOfTheFinalOne() {
        send(HttpMethod.HEAD);
        List<Object> hints = answer("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n");
        assertThat(((HttpResponse) hints.get(0)).status().code()).isEqualTo(103);
        bodyBytes(hints);
        List<Object> fin = answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(((HttpResponse) fin.get(0)).status().code()).isEqualTo(200);
        assertThat(fin.get(fin.size() - 1)).isInstanceOf(LastHttpContent.class); // ended without waiting for 5 bytes
        assertThat(bodyBytes(fin)).isZero();
    }

    @Test
    void serversFieldNames_areShared_whenSpelledAsTheConstant_andKeptAsSent() {
        send(HttpMethod.GET);
        send(HttpMethod.GET);
        String head = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 07 Dec 2026 18:00:00 GMT\r\nETag: \"a\"\r\n"
                + "etag-like: 1\r\nserver: again\r\nContent-Length: 0\r\n\r\n";
        List<Object> first = answer(head);
        List<Object> second = answer(head);
        List<CharSequence> a = names((HttpResponse) first.get(0));
        List<CharSequence> b = names((HttpResponse) second.get(0));
        assertThat(a)
                .extracting(CharSequence::toString)
                .containsExactly("Server", "Date", "ETag", "etag-like", "server", "Content-Length");
        assertThat(b.get(0)).isSameAs(a.get(0));
        assertThat(b.get(2)).isSameAs(a.get(2));
        assertThat(b.get(4)).isNotSameAs(a.get(4)); // another spelling: decoded afresh
        assertThat(((HttpResponse) first.get(0)).headers().getAll("server")).containsExactly("nginx", "again");
        bodyBytes(first);
        bodyBytes(second);
    }

    private static List<CharSequence> names(HttpResponse r) {
        List<CharSequence> out = new ArrayList<>();
        r.headers().iteratorCharSequence().forEachRemaining(e -> out.add(e.getKey()));
        return out;
    }
}
