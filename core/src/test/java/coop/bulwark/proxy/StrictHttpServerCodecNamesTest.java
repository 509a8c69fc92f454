package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.origin.FieldNames;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrictHttpServerCodecNamesTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void lookup_findsAKnownNameOnlyWhenItsBytesAreExactlyTheSame() {
        byte[] line = bytes("xxUser-Agent: curl");
        AsciiString found = FieldNames.REQUEST.lookup(line, 2, 10);
        assertThat((Object) found).isNotNull();
        assertThat(found.toString()).isEqualTo("User-Agent");
        assertThat((Object) FieldNames.REQUEST.lookup(bytes("User-Agent"), 0, 10))
                .isSameAs(found);

        assertThat((Object) FieldNames.REQUEST.lookup(bytes("user-agent"), 0, 10))
                .isNull(); // other spelling: its own name
        assertThat((Object) FieldNames.REQUEST.lookup(bytes("User-Agenz"), 0, 10))
                .isNull();
        assertThat((Object) FieldNames.REQUEST.lookup(bytes("User-Agent"), 0, 9))
                .isNull(); // a prefix is another name
        assertThat((Object) FieldNames.REQUEST.lookup(bytes("X-Unknown-Field"), 0, 15))
                .isNull();
        assertThat((Object) FieldNames.REQUEST.lookup(bytes("a".repeat(300)), 0, 300))
                .isNull();
        assertThat((Object) FieldNames.REQUEST.lookup(bytes(""), 0, 0)).isNull();
    }

    @Test
    void decodedNames_keepTheClientsSpelling_andBrowsersNamesAreShared() {
        var ch = new EmbeddedChannel(new StrictHttpServerCodec(new HttpDecoderConfig()));
        try {
            String head = "GET / HTTP/1.1\r\nHost: a.test\r\nUser-Agent: one\r\nuser-agent: two\r\n"
                    + "Sec-Fetch-Mode: navigate\r\nCookie: a=b\r\nX-Own: 1\r\n\r\n";
            List<HttpRequest> decoded = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ch.writeInbound(Unpooled.wrappedBuffer(bytes(head)));
                decoded.add(ch.readInbound());
                ReferenceCountUtil.release(ch.readInbound()); // the empty last content
            }
            List<CharSequence> first = names(decoded.get(0));
            assertThat(first)
                    .extracting(CharSequence::toString)
                    .containsExactly("Host", "User-Agent", "user-agent", "Sec-Fetch-Mode", "Cookie", "X-Own");
            List<CharSequence> second = names(decoded.get(1));
            assertThat(second.get(1)).isSameAs(first.get(1)); // User-Agent: one shared name
            assertThat(second.get(3)).isSameAs(first.get(3)); // Sec-Fetch-Mode
            assertThat(second.get(2)).isNotSameAs(first.get(2)); // user-agent: decoded afresh each time
            assertThat(decoded.get(0).headers().getAll("user-agent")).containsExactly("one", "two");
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static List<CharSequence> names(HttpRequest r) {
        List<CharSequence> out = new ArrayList<>();
        r.headers().iteratorCharSequence().forEachRemaining(e -> out.add(e.getKey()));
        return out;
    }
}
