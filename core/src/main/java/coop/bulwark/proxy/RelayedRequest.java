package coop.bulwark.proxy;

import coop.bulwark.origin.FieldLines;
import coop.bulwark.origin.PreparedRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/**
 * A client's plain request ({@link ClientHead}) on its way to the origin, as {@link ForwardedHeaders#toOrigin} leaves
 * it, written from the client's bytes when the origin connection sends it: the request line with the admitted target
 * and HTTP/1.1, the client's field lines less those the edge drops ({@link ForwardedHeaders#dropsPlainField}), then
 * {@code Host} and the forwarding fields with the edge's values, in the order and spelling the map path gives them. No
 * field map is built unless some code asks for {@link #headers()}; from then on the head is written from that map.
 */
final class RelayedRequest extends DefaultHttpRequest implements PreparedRequest {
    private static final int CRLF = ('\r' << 8) | '\n';

    private final ClientHead client;
    private final String host;
    private final String forwardedFor;
    private final String realIp;
    private final String forwardedProto;
    private final String forwarded;
    private HttpHeaders headers;

    RelayedRequest(
            ClientHead client,
            String uri,
            String host,
            String forwardedFor,
            String realIp,
            String forwardedProto,
            String forwarded) {
        // The shared empty map stands for the fields until headers() builds them (Netty's message wants one).
        super(HttpVersion.HTTP_1_1, client.method(), uri, EmptyHttpHeaders.INSTANCE);
        this.client = client;
        this.host = host;
        this.forwardedFor = forwardedFor;
        this.realIp = realIp;
        this.forwardedProto = forwardedProto;
        this.forwarded = forwarded;
    }

    @Override
    public int sizeHint() {
        return method().name().length()
                + uri().length() * 3
                + 12
                + client.fieldBytes()
                + host.length()
                + forwardedFor.length()
                + realIp.length()
                + forwardedProto.length()
                + forwarded.length()
                + 96;
    }

    @Override
    public void writeHead(ByteBuf out) {
        ByteBufUtil.writeAscii(out, method().name());
        out.writeByte(' ');
        // As Netty's request encoder writes a target: UTF-8, "/" for none.
        ByteBufUtil.writeUtf8(out, uri().isEmpty() ? "/" : uri());
        ByteBufUtil.writeAscii(out, " HTTP/1.1");
        out.writeShort(CRLF);
        if (headers != null) {
            for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                ByteBufUtil.writeAscii(out, e.getKey());
                out.writeByte(':');
                out.writeByte(' ');
                ByteBufUtil.writeAscii(out, e.getValue());
                out.writeShort(CRLF);
            }
        } else {
            FieldLines lines = client.lines();
            for (int i = 0; i < lines.count(); i++) {
                if (!ForwardedHeaders.dropsPlainField(lines, i)) {
                    lines.writeField(i, out);
                }
            }
            EncodedHead.field(out, "host: ", host);
            EncodedHead.field(out, "x-forwarded-for: ", forwardedFor);
            EncodedHead.field(out, "x-real-ip: ", realIp);
            EncodedHead.field(out, "x-forwarded-proto: ", forwardedProto);
            EncodedHead.field(out, "forwarded: ", forwarded);
        }
        out.writeShort(CRLF);
    }

    @Override
    public HttpHeaders headers() {
        if (headers == null) {
            HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().newHeaders();
            FieldLines lines = client.lines();
            for (int i = 0; i < lines.count(); i++) {
                if (!ForwardedHeaders.dropsPlainField(lines, i)) {
                    h.add(lines.name(i), lines.value(i));
                }
            }
            h.add(HttpHeaderNames.HOST, host);
            h.add(ForwardedHeaders.X_FORWARDED_FOR, forwardedFor);
            h.add("x-real-ip", realIp);
            h.add("x-forwarded-proto", forwardedProto);
            h.add("forwarded", forwarded);
            headers = h;
        }
        return headers;
    }

    @Override
    public HttpRequest setProtocolVersion(HttpVersion version) {
        throw new UnsupportedOperationException("a request to an origin is HTTP/1.1");
    }

    @Override
    public String toString() {
        return "RelayedRequest(" + method() + " " + uri() + ")";
    }
}
