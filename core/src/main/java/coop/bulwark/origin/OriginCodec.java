package coop.bulwark.origin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of an origin connection: Netty's request encoder and response decoder, the decoder sharing the
 * response field names servers send on every answer ({@link FieldNames#RESPONSE}) instead of copying each into a new
 * name. Like Netty's {@code HttpClientCodec}, which it replaces, the decoder learns each response's request method from
 * the encoder, so an answer to HEAD has no body whatever its {@code Content-Length}; an interim (1xx) answer does not
 * take the method, the final one after it does. The edge never sends CONNECT to an origin, so the client codec's
 * tunnel mode has no counterpart. Not sharable; event-loop confined.
 */
public final class OriginCodec extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {
    /** Methods of the requests sent and not yet answered, in order (HTTP/1.1 answers in order). */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

    public OriginCodec(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
        init(
                new Decoder(new HttpDecoderConfig()
                        .setMaxInitialLineLength(maxInitialLineLength)
                        .setMaxHeaderSize(maxHeaderSize)
                        .setMaxChunkSize(maxChunkSize)
                        .setValidateHeaders(true)),
                new Encoder());
    }

    private final class Encoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest r) {
                methods.add(r.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    private final class Decoder extends HttpResponseDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = FieldNames.RESPONSE.lookup(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // not the request's answer: its method stays for the next
            }
            return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(msg);
        }
    }
}
