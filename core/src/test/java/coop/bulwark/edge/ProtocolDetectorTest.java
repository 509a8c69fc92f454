package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.proxy.EmbeddedEdge;
import coop.bulwark.proxy.ProxyHandler;
import coop.bulwark.proxy.StrictHttpServerCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clear-text protocol detection on an embedded connection and a fake clock: HTTP/1.1, h2c, and silence. */
class ProtocolDetectorTest {
    @TempDir
    Path dir;

    EmbeddedEdge edge;
    EmbeddedChannel ch;

    @BeforeEach
    void start() throws Exception {
        edge = EmbeddedEdge.start("""
                listen: {http: 127.0.0.1:18080, event_loops: 1}
                access_log: {enabled: false}
                connections: {header_timeout: 5s}
                sites:
                  - {name: a, hosts: [a.test], origins: ["127.0.0.1:1"]}
                """, dir);
        ch = edge.channel;
        EmbeddedEdge.identify(ch);
        ch.pipeline().addLast(new ProtocolDetector(new EdgePipelines(edge.runtime), "http", Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        edge.close();
    }

    @Test
    void http1Request_getsTheHttp1Pipeline_andItsAnswer() {
        ch.writeInbound(Unpooled.copiedBuffer("GET / HT", StandardCharsets.US_ASCII));
        assertThat(ch.pipeline().get(ProtocolDetector.class)).isNull();
        assertThat(ch.pipeline().get(StrictHttpServerCodec.class)).isNotNull();
        assertThat(ch.pipeline().get(ProxyHandler.class)).isNotNull();
        ch.writeInbound(Unpooled.copiedBuffer("TP/1.1\r\nHost: b.test\r\n\r\n", StandardCharsets.US_ASCII));
        ByteBuf out = ch.readOutbound();
        try {
            assertThat(out.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 421");
        } finally {
            out.release();
        }
    }

    @Test
    void h2cPreface_getsTheHttp2Pipeline_onlyOnceItIsComplete() {
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        ch.writeInbound(preface.retainedSlice(0, 10));
        assertThat(ch.pipeline().get(ProtocolDetector.class))
                .as("still undecided")
                .isNotNull();
        ch.writeInbound(preface.retainedSlice(10, preface.readableBytes() - 10));
        assertThat(ch.pipeline().get(ProtocolDetector.class)).isNull();
        assertThat(ch.pipeline().get(Http2FrameCodec.class)).isNotNull();
        preface.release();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ((ByteBuf) o).release(); // the server's SETTINGS
        }
    }

    @Test
    void silentConnection_isClosedAtTheHeaderTimeout() {
        edge.advance(ch, Duration.ofMillis(4900));
        assertThat(ch.isOpen()).isTrue();
        edge.advance(ch, Duration.ofMillis(100));
        assertThat(ch.isOpen()).isFalse();
    }
}
