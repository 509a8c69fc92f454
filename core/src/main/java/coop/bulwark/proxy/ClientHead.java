package coop.bulwark.proxy;

import coop.bulwark.cache.HeaderView;
import coop.bulwark.origin.FieldLines;
import coop.bulwark.origin.FieldNames;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A client's request head kept as the bytes it came in, with where each field lies ({@link FieldLines}): the request
 * the edge reads and relays without building a field map, decoding the client's fields into Netty's map and encoding
 * them again for the origin having been most of a proxied request's allocation after the origin's side went the same
 * way ({@code OriginHead}; BENCHMARKS.md, "a relayed request's HTTP work").
 *
 * <p>The edge's request decoder ({@link StrictHttpServerCodec}) makes one only for the common request, whose framing
 * and hop-by-hop fields need no rule of their own: a request line of a token method other than CONNECT, a target of
 * visible ASCII and {@code HTTP/1.1} or {@code HTTP/1.0}, single spaces between; well-formed field lines; no body
 * ({@code Content-Length} and {@code Transfer-Encoding} absent); no {@code Upgrade} or {@code Expect}; {@code
 * Connection} naming only close and keep-alive; within the decoder's line and header limits. Every other request is
 * decoded by Netty as before, so the edge's handling of odd or hostile requests (smuggling attempts among them) does
 * not depend on this class.
 *
 * <p>{@link #headers()} builds the usual field map on first use, for code that needs one (the cookie edit, a request
 * the chain answers itself); from then on the map is the head and {@link #materialized()} tells a relay that the bytes
 * may no longer be what the map holds. Event-loop confined, like every message.
 */
final class ClientHead extends DefaultHttpRequest implements HeaderView {
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString UPGRADE = AsciiString.cached("upgrade");
    private static final AsciiString EXPECT = AsciiString.cached("expect");
    private static final AsciiString COOKIE = AsciiString.cached("cookie");

    private final FieldLines lines;
    /** Whether the request asks to close the connection after its answer (RFC 9112 §9.3). */
    private final boolean wantsClose;
    /** The length of the field lines' bytes, for sizing a relayed head's buffer. */
    private final int fieldBytes;

    private HttpHeaders headers;

    private ClientHead(
            HttpMethod method, String uri, HttpVersion version, FieldLines lines, boolean wantsClose, int fieldBytes) {
        // The shared empty map stands for the fields until headers() builds them (Netty's message wants one).
        super(version, method, uri, EmptyHttpHeaders.INSTANCE);
        this.lines = lines;
        this.wantsClose = wantsClose;
        this.fieldBytes = fieldBytes;
    }

    /**
     * The request head in {@code in[from, end)} ({@code end} as {@link FieldLines#headEnd} found it: after the blank
     * line), or null when it is not a request this class takes (see the class comment): Netty's decoder then decodes
     * it.
     */
    static ClientHead parse(ByteBuf in, int from, int end, int maxInitialLineLength, int maxHeaderSize) {
        int length = end - from - 2; // without the blank line
        byte[] b = new byte[length];
        in.getBytes(from, b);
        // Request line: token SP target SP HTTP/1.x CRLF.
        int p = 0;
        while (p < length && FieldLines.isTokenChar(b[p])) {
            p++;
        }
        int methodEnd = p;
        if (methodEnd == 0 || p >= length || b[p] != ' ') {
            return null;
        }
        int targetStart = ++p;
        while (p < length && b[p] > 0x20 && b[p] < 0x7F) {
            p++;
        }
        int targetEnd = p;
        if (targetEnd == targetStart || p + 10 > length || b[p] != ' ') {
            return null;
        }
        p++;
        if (b[p] != 'H'
                || b[p + 1] != 'T'
                || b[p + 2] != 'T'
                || b[p + 3] != 'P'
                || b[p + 4] != '/'
                || b[p + 5] != '1'
                || b[p + 6] != '.'
                || (b[p + 7] != '1' && b[p + 7] != '0')
                || b[p + 8] != '\r'
                || b[p + 9] != '\n') {
            return null;
        }
        int lineEnd = p + 8;
        if (lineEnd >= maxInitialLineLength - 2 || length - lineEnd >= maxHeaderSize - 2) {
            return null; // near a limit: Netty's decoder applies it as it counts
        }
        HttpMethod method = method(b, methodEnd);
        if (method == HttpMethod.CONNECT) {
            return null;
        }
        FieldLines lines = FieldLines.parse(b, lineEnd + 2, length);
        if (lines == null) {
            return null;
        }
        int connection = 0;
        for (int i = 0; i < lines.count(); i++) {
            if (lines.nameIs(i, CONTENT_LENGTH)
                    || lines.nameIs(i, TRANSFER_ENCODING)
                    || lines.nameIs(i, UPGRADE)
                    || lines.nameIs(i, EXPECT)) {
                return null;
            }
            if (lines.nameIs(i, CONNECTION)) {
                connection |= lines.connectionTokens(i);
            }
        }
        if ((connection & FieldLines.CONNECTION_OTHER) != 0) {
            return null; // it names fields to drop: the map path's rule
        }
        HttpVersion version = b[p + 7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        boolean close = version == HttpVersion.HTTP_1_1
                ? (connection & FieldLines.CONNECTION_CLOSE) != 0
                : (connection & FieldLines.CONNECTION_KEEP_ALIVE) == 0
                        || (connection & FieldLines.CONNECTION_CLOSE) != 0;
        String uri = new String(b, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        return new ClientHead(method, uri, version, lines, close, length - lineEnd - 2);
    }

    /** The standard method's constant, or a method of the token's name. */
    private static HttpMethod method(byte[] b, int length) {
        if (length == 3 && b[0] == 'G' && b[1] == 'E' && b[2] == 'T') {
            return HttpMethod.GET;
        }
        return HttpMethod.valueOf(new String(b, 0, length, StandardCharsets.ISO_8859_1));
    }

    /** Whether the client wants the connection kept after this request (what Netty's {@code HttpUtil.isKeepAlive} reads). */
    boolean keepAlive() {
        return headers == null ? !wantsClose : HttpUtil.isKeepAlive(this);
    }

    /** Whether the headers map has been built, after which it, not the bytes, is the head (see the class comment). */
    boolean materialized() {
        return headers != null;
    }

    /** The field lines as they came (read only while {@link #materialized()} is false). */
    FieldLines lines() {
        return lines;
    }

    /** The bytes the field lines take, for sizing a relayed head's buffer. */
    int fieldBytes() {
        return fieldBytes;
    }

    /**
     * Whether a Cookie line may hold the cookie {@code name}: its name appears in one (read from the bytes, no string
     * made), or the map has been built. False means it certainly does not.
     */
    boolean mayHoldCookie(String name) {
        if (headers != null) {
            return true;
        }
        for (int i = 0; i < lines.count(); i++) {
            if (lines.nameIs(i, COOKIE) && lines.valueContains(i, name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String get(String name) {
        return headers == null ? lines.get(name) : headers.get(name);
    }

    @Override
    public List<String> getAll(String name) {
        return headers == null ? lines.getAll(name) : NettyRequestHead.allOf(headers, name);
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        if (headers == null) {
            for (int i = 0; i < lines.count(); i++) {
                action.accept(lines.name(i), lines.value(i));
            }
        } else {
            headers.forEach(e -> action.accept(e.getKey(), e.getValue()));
        }
    }

    @Override
    public HttpHeaders headers() {
        if (headers == null) {
            headers = lines.toHeaders(FieldNames.REQUEST);
        }
        return headers;
    }

    @Override
    public String toString() {
        return "ClientHead(" + method() + " " + uri() + " " + protocolVersion() + ", " + lines.count() + " fields)";
    }
}
