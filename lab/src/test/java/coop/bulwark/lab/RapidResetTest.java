package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RapidResetTest {
    @Test
    void headerBlock_decodesAsAValidRequest_withACacheBustingPath() throws Exception {
        byte[] block = RapidReset.headers("site-0017.lab", new SplittableRandom(7));
        ByteBuf buf = Unpooled.wrappedBuffer(block);
        try {
            Http2Headers h = new DefaultHttp2HeadersDecoder(true).decodeHeaders(1, buf);
            assertThat(h.method().toString()).isEqualTo("GET");
            assertThat(h.scheme().toString()).isEqualTo("http");
            assertThat(h.authority().toString()).isEqualTo("site-0017.lab");
            assertThat(h.path().toString()).startsWith("/?rr=");
        } finally {
            buf.release();
        }
    }
}
