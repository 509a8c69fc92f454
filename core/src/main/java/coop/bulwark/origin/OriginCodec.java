package coop.bulwark.origin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of an origin connection: Netty's request encoder and response decoder, the decoder sharing the
 * response field names servers send on every answer ({@link FieldNames#RESPONSE}) instead of copying each into a new
 * name. Like Netty's {@code HttpClientCodec}, which it replaces, the decoder learns each response's request method from
 * the encoder, so an answer to HEAD has no body whatever its {@code Content-Length}; an interim (1xx) answer does not
 * take the method, the final one after it does. The edge never sends CONNECT to an origin, so the client codec's
 * tunnel mode has no counterpart. The plain answer (a body of known length, see {@link OriginHead}) is not decoded into
 * a field map at all: its head stays as bytes, which the proxy relays with only its own fields edited; likewise a
 * request the relay prepared from a client's plain request ({@link PreparedRequest}) is written from its bytes, not
 * encoded from a map. Not sharable; event-loop confined.
 */
public final class OriginCodec extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {
    /** Methods of the requests sent and not yet answered, in order (HTTP/1.1 answers in order). */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

    public OriginCodec(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
        init(
                new Decoder(
                        new HttpDecoderConfig()
                                .setMaxInitialLineLength(maxInitialLineLength)
                                .setMaxHeaderSize(maxHeaderSize)
                                .setMaxChunkSize(maxChunkSize)
                                .setValidateHeaders(true),
                        maxInitialLineLength,
                        maxHeaderSize,
                        maxChunkSize),
                new Encoder());
    }

    private final class Encoder extends HttpRequestEncoder {
        /** Whether a {@link PreparedRequest} was written and its body, framed by that head, comes next. */
        private boolean preparedBody;

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof PreparedRequest r && !preparedBody) {
                methods.add(r.method());
                ByteBuf head = ctx.alloc().buffer(r.sizeHint());
                r.writeHead(head);
                out.add(head);
                preparedBody = true;
                return;
            }
            if (preparedBody && msg instanceof HttpContent part) {
                // The body's framing is in the head: its bytes go on as they are, up to the last part.
                preparedBody = !(msg instanceof LastHttpContent);
                out.add(part.content().retain());
                return;
            }
            if (preparedBody && msg instanceof HttpRequest) {
                throw new IllegalStateException("a request head while another request's body is sent");
            }
            if (msg instanceof HttpRequest r) {
                methods.add(r.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    /**
     * Netty's response decoder, with a path of its own for the plain answer (see {@link OriginHead}): the head kept as
     * bytes, then the body's bytes as slices, as Netty would cut them. Between messages it looks at the next head;
     * anything not plain goes to Netty's decoder, which then decodes until that message's end (or for good, after a
     * protocol switch or a malformed answer), so the two never share a message.
     */
    private final class Decoder extends HttpResponseDecoder {
        private final int maxInitialLineLength;
        private final int maxHeaderSize;
        private final int maxChunkSize;
        /** Netty's decoder is inside a message; true for good once the connection leaves HTTP/1.1 or goes bad. */
        private boolean nettyMessage;

        private boolean nettyForGood;
        /** Body bytes still to come of a plain answer this decoder took; 0 between messages. */
        private long bodyLeft;

        Decoder(HttpDecoderConfig config, int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
            super(config);
            this.maxInitialLineLength = maxInitialLineLength;
            this.maxHeaderSize = maxHeaderSize;
            this.maxChunkSize = maxChunkSize;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (bodyLeft > 0) {
                int n = (int) Math.min(Math.min(in.readableBytes(), maxChunkSize), bodyLeft);
                if (n > 0) {
                    ByteBuf part = in.readRetainedSlice(n);
                    bodyLeft -= n;
                    // The last part carries no trailers: a Content-Length body has none (no map made for them).
                    out.add(
                            bodyLeft == 0
                                    ? new DefaultLastHttpContent(part, EmptyHttpHeaders.INSTANCE)
                                    : new DefaultHttpContent(part));
                }
                return;
            }
            if (!nettyMessage && !nettyForGood) {
                HttpMethod method = methods.peek();
                if (method != null && !HttpMethod.HEAD.equals(method) && !HttpMethod.CONNECT.equals(method)) {
                    int from = in.readerIndex();
                    int end = OriginHead.headEnd(in, from, maxInitialLineLength + maxHeaderSize + 4);
                    if (end == OriginHead.INCOMPLETE) {
                        return; // wait for the rest of the head
                    }
                    OriginHead head =
                            end < 0 ? null : OriginHead.parse(in, from, end, maxInitialLineLength, maxHeaderSize);
                    if (head != null) {
                        methods.poll();
                        in.readerIndex(end);
                        out.add(head);
                        if (head.contentLength() == 0) {
                            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                        } else {
                            bodyLeft = head.contentLength();
                        }
                        return;
                    }
                }
                nettyMessage = true;
            }
            int before = out.size();
            super.decode(ctx, in, out);
            for (int i = before; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpResponse r
                        && (r.status().code() == 101 || r.decoderResult().isFailure())) {
                    nettyForGood = true; // a protocol switch, or a malformed answer: Netty's decoder keeps the rest
                } else if (o instanceof LastHttpContent last
                        && last.decoderResult().isFailure()) {
                    nettyForGood = true;
                } else if (o instanceof LastHttpContent) {
                    nettyMessage = false;
                }
            }
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (bodyLeft == 0 && in.isReadable()) {
                // A head cut off by the close: Netty's decoder reports it as it always has.
                nettyMessage = true;
            }
            super.decodeLast(ctx, in, out);
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
