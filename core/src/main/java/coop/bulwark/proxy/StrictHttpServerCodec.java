package coop.bulwark.proxy;

import coop.bulwark.origin.FieldLines;
import coop.bulwark.origin.FieldNames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;

/**
 * Netty's {@code HttpServerCodec} with one more framing rule: a chunked request whose trailer section names
 * {@code Content-Length}, {@code Transfer-Encoding} or {@code Trailer} is malformed. Netty's decoder drops those three
 * trailer fields silently (the origin never sees them), but a request that tries to frame itself again after its body
 * is an attack on whichever parser honours them (RFC 9110 §6.5.1), and is answered 400 with the connection closed like
 * every other malformed body. The other forbidden trailer fields reach {@link ForbiddenTrailers} in the decoded
 * trailers.
 *
 * <p>The decoder keeps the bytes it consumed between a chunked body's last data and its end (the last chunk's line and
 * the trailer section, bounded by the header size limit) and reads the field names there when the end is decoded.
 * Requests without trailers, and the data itself, are never copied. Like {@code HttpServerCodec}, the encoder learns
 * each response's request method from the decoder (a response to HEAD has no body). First in an HTTP/1.1 client
 * pipeline, before {@link HttpTimeoutHandler}. Not sharable; event-loop confined.
 */
public final class StrictHttpServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
    /** Trailer fields the decoder drops before anyone can see them. */
    private static final List<String> DROPPED = List.of("content-length", "transfer-encoding", "trailer");

    /** Methods of the requests decoded and not yet answered, in order (HTTP/1.1 answers in order). */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

    public StrictHttpServerCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    private final class Decoder extends HttpRequestDecoder {
        private final int maxInitialLineLength;
        private final int maxHeaderSize;
        /** Netty's decoder is inside a message; true for good once the connection goes bad. */
        private boolean nettyMessage;

        private boolean nettyForGood;
        /** Bytes after the reader index already scanned for a plain head's end (whole lines), while it is incomplete. */
        private int scanned;
        /** Whether a chunked request's body is being decoded. */
        private boolean chunked;
        /** What was consumed since the body's last data (the last chunk line and trailer lines so far), as text. */
        private final StringBuilder tail = new StringBuilder();

        Decoder(HttpDecoderConfig config) {
            super(config);
            maxInitialLineLength = config.getMaxInitialLineLength();
            maxHeaderSize = config.getMaxHeaderSize();
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (!nettyMessage && !nettyForGood) {
                // Between messages: a plain request (see ClientHead) is kept as its bytes; anything else, and anything
                // that may turn out so, goes to Netty's decoder, which then decodes until that message's end.
                int from = buffer.readerIndex();
                int end = FieldLines.headEnd(buffer, from, from + scanned, maxInitialLineLength + maxHeaderSize + 4);
                if (end == FieldLines.INCOMPLETE) {
                    scanned = FieldLines.resumePoint(buffer, from + scanned) - from;
                    return; // wait for the rest of the head
                }
                scanned = 0;
                ClientHead head =
                        end < 0 ? null : ClientHead.parse(buffer, from, end, maxInitialLineLength, maxHeaderSize);
                if (head != null) {
                    buffer.readerIndex(end);
                    methods.add(head.method());
                    out.add(head);
                    out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                    return;
                }
                nettyMessage = true;
            }
            int before = out.size();
            int start = buffer.readerIndex();
            super.decode(ctx, buffer, out);
            int end = buffer.readerIndex();
            boolean data = false;
            for (int i = before; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof DecoderResultProvider m && m.decoderResult().isFailure()) {
                    nettyForGood = true; // a malformed message: Netty's decoder discards the rest
                }
                if (o instanceof HttpRequest r) {
                    methods.add(r.method());
                    chunked = !r.decoderResult().isFailure() && HttpUtil.isTransferEncodingChunked(r);
                    tail.setLength(0);
                    data = true; // the head's own bytes are not the tail
                } else if (o instanceof LastHttpContent last) {
                    if (chunked
                            && last instanceof DefaultLastHttpContent d
                            && !d.decoderResult().isFailure()) {
                        tail.append(buffer.toString(start, end - start, StandardCharsets.ISO_8859_1));
                        refuseDroppedTrailers(d);
                    }
                    chunked = false;
                    tail.setLength(0);
                    nettyMessage = false;
                    return;
                } else if (o instanceof HttpContent) {
                    data = true;
                }
            }
            if (data) {
                tail.setLength(0);
            } else if (chunked && end > start) {
                tail.append(buffer.toString(start, end - start, StandardCharsets.ISO_8859_1));
            }
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (in.isReadable()) {
                // A head cut off by the close: Netty's decoder reports it as it always has.
                nettyMessage = true;
            }
            super.decodeLast(ctx, in, out);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = FieldNames.REQUEST.lookup(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        private void refuseDroppedTrailers(DefaultLastHttpContent last) {
            for (String line : tail.toString().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && DROPPED.contains(line.substring(0, colon).toLowerCase(Locale.ROOT))) {
                    last.setDecoderResult(DecoderResult.failure(
                            new IllegalArgumentException("trailer field not allowed: " + line.substring(0, colon))));
                    return;
                }
            }
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        /** Whether an {@link EncodedHead} was written and its body, framed by that head, comes next. */
        private boolean encodedBody;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof EncodedHead head) {
                methods.poll(); // it answers the oldest request, as any response does
                encodedBody = true;
                ctx.write(head.content(), promise);
                return;
            }
            if (encodedBody && msg instanceof HttpResponse) {
                // Another head in the middle of a body would be read as body bytes: refused, as Netty's encoder does.
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IllegalStateException("a response head while another response's body is sent"));
                return;
            }
            if (encodedBody && msg instanceof HttpContent part) {
                // The body's framing is in the head (Content-Length): its bytes go on as they are, up to the last part.
                encodedBody = !(msg instanceof LastHttpContent);
                ctx.write(part.content(), promise); // the holder owns nothing else: its buffer goes on
                return;
            }
            super.write(ctx, msg, promise);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            // An interim response (100 Continue, written by the edge itself) is not the request's answer.
            boolean interim = msg.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            return !interim && HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(msg);
        }
    }
}
