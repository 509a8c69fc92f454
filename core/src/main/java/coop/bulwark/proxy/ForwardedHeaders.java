package coop.bulwark.proxy;

import coop.bulwark.cache.HeaderView;
import coop.bulwark.origin.FieldLines;
import coop.bulwark.origin.OriginHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Header rewriting between client and origin: removes hop-by-hop fields (RFC 9110 §7.6.1: the fixed set plus every
 * field named in {@code Connection}), and on the way to the origin sets {@code X-Forwarded-For},
 * {@code X-Forwarded-Proto}, {@code X-Real-IP} and {@code Forwarded} (RFC 7239).
 *
 * <p>Values the client sent in those fields are kept (and appended to) only when the peer is a trusted proxy;
 * otherwise they are replaced, so a client cannot make the origin believe it comes from elsewhere. Stateless.
 */
final class ForwardedHeaders {
    private ForwardedHeaders() {}

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString HTTP2_EXTENSION = AsciiString.cached("x-http2-");

    /** Hop-by-hop fields (RFC 9110 §7.6.1, plus the legacy Proxy-Connection and Keep-Alive). */
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION,
        HttpHeaderNames.KEEP_ALIVE,
        PROXY_CONNECTION,
        HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.UPGRADE,
        HttpHeaderNames.PROXY_AUTHENTICATE,
        HttpHeaderNames.PROXY_AUTHORIZATION
    };

    /** The request fields {@link #toOrigin} gives the edge's own values ({@link #edgeValue}). */
    static final List<AsciiString> EDGE_FIELDS =
            List.of(HttpHeaderNames.HOST, X_FORWARDED_FOR, X_REAL_IP, X_FORWARDED_PROTO, FORWARDED);

    /** Request fields we set ourselves, so the client's values never pass through. */
    private static final AsciiString[] SET_BY_EDGE = {
        HttpHeaderNames.HOST, HttpHeaderNames.EXPECT, X_FORWARDED_FOR, X_REAL_IP, X_FORWARDED_PROTO, FORWARDED
    };

    /**
     * The request to send to the origin (always HTTP/1.1): the client's method and headers minus hop-by-hop and
     * forwarding fields, the admitted target and Host, our forwarding fields, and chunked framing when the body has no
     * declared length.
     *
     * @param hasBody whether a body follows the head (false for a complete head-only request)
     */
    static HttpRequest toOrigin(HttpRequest in, Admission.Admitted a, ClientInfo info, String scheme, boolean hasBody) {
        // Two methods, not one: the relay's caller is compiled during the warm-up, and the small byte path inlines
        // into it. One method holding both paths was too large to inline and was compiled alone when a flood's first
        // requests were forwarded: 201 ms of C2 on the edge's one core 2 s into a quick flood-cost run; split, it is
        // not compiled in the flood at all (a flight recording of each).
        return relaysFromBytes(in) ? relayed((ClientHead) in, a, info, scheme) : edited(in, a, info, scheme, hasBody);
    }

    /**
     * A plain request relayed from its bytes: its fields as they came, less those the edge drops, then the edge's
     * own; no map is built for it.
     */
    private static HttpRequest relayed(ClientHead plain, Admission.Admitted a, ClientInfo info, String scheme) {
        return new RelayedRequest(
                plain,
                a.originUri(),
                a.authority(),
                forwardedFor(plain, a, info),
                clientText(a, info),
                forwardedProto(plain, info, scheme),
                forwarded(plain, a, info, scheme));
    }

    /** Any other request: its field map edited in place into the origin's request. */
    private static HttpRequest edited(
            HttpRequest in, Admission.Admitted a, ClientInfo info, String scheme, boolean hasBody) {
        // The client's header block is edited in place and handed to the origin request: copying every field of
        // every request doubled the header allocation on the hot path.
        HttpHeaders h = in.headers();
        HeaderView view = new NettyHeaderView(h);
        // Read before the client's own forwarding fields are removed: a trusted proxy's are appended to.
        String forwardedFor = forwardedFor(view, a, info);
        String realIp = clientText(a, info);
        String proto = forwardedProto(view, info, scheme);
        String forwarded = forwarded(view, a, info, scheme);
        stripHopByHop(h);
        for (AsciiString name : SET_BY_EDGE) {
            h.remove(name);
        }
        stripPseudoAndExtension(h);
        h.set(HttpHeaderNames.HOST, a.authority());
        h.set(X_FORWARDED_FOR, forwardedFor);
        h.set(X_REAL_IP, realIp);
        h.set(X_FORWARDED_PROTO, proto);
        h.set(FORWARDED, forwarded);
        if (hasBody && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, in.method(), a.originUri(), h);
    }

    /**
     * Whether {@link #toOrigin} relays {@code in} from its bytes ({@link RelayedRequest}), leaving the client's head
     * unedited; otherwise it edits the client's header block into the origin's request.
     */
    static boolean relaysFromBytes(HttpRequest in) {
        return in instanceof ClientHead plain && !plain.materialized();
    }

    /**
     * Whether {@link #toOrigin} drops field {@code i} of a plain request ({@link ClientHead}, whose {@code Connection}
     * names no field): the hop-by-hop fields, those the edge sets itself, Netty's HTTP/2 extension fields.
     */
    static boolean dropsPlainField(FieldLines lines, int i) {
        for (AsciiString name : HOP_BY_HOP) {
            if (lines.nameIs(i, name)) {
                return true;
            }
        }
        for (AsciiString name : SET_BY_EDGE) {
            if (lines.nameIs(i, name)) {
                return true;
            }
        }
        return lines.nameStartsWith(i, HTTP2_EXTENSION);
    }

    /**
     * The value {@link #toOrigin} gives the request field {@code name} when the edge sets it (Host and the forwarding
     * fields), computed from the client's unedited header block {@code h}; null for any other field.
     */
    static String edgeValue(HeaderView h, String name, Admission.Admitted a, ClientInfo info, String scheme) {
        if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
            return a.authority();
        } else if (X_FORWARDED_FOR.contentEqualsIgnoreCase(name)) {
            return forwardedFor(h, a, info);
        } else if (X_REAL_IP.contentEqualsIgnoreCase(name)) {
            return clientText(a, info);
        } else if (X_FORWARDED_PROTO.contentEqualsIgnoreCase(name)) {
            return forwardedProto(h, info, scheme);
        } else if (FORWARDED.contentEqualsIgnoreCase(name)) {
            return forwarded(h, a, info, scheme);
        }
        return null;
    }

    /**
     * Whether {@link #toOrigin} removes the request field {@code name} from the client's unedited header block
     * {@code h} without setting its own: hop-by-hop (the fixed set and those named in {@code Connection}),
     * {@code Expect}, HTTP/2's pseudo and extension fields. (It adds {@code Transfer-Encoding} only to a request with
     * a body.)
     */
    static boolean dropsField(HeaderView h, String name) {
        if (HttpHeaderNames.EXPECT.contentEqualsIgnoreCase(name)
                || !name.isEmpty() && name.charAt(0) == ':'
                || name.regionMatches(true, 0, "x-http2-", 0, 8)) {
            return true;
        }
        for (AsciiString hop : HOP_BY_HOP) {
            if (hop.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        String named = connectionList(h);
        return named != null && containsToken(named, name);
    }

    private static String clientText(Admission.Admitted a, ClientInfo info) {
        return a.client() == info.client() ? info.clientText() : a.client().getHostAddress();
    }

    private static String forwardedFor(HeaderView h, Admission.Admitted a, ClientInfo info) {
        List<String> xff = info.trustedPeer() ? h.getAll("x-forwarded-for") : List.of();
        return xff.isEmpty()
                ? clientText(a, info)
                : String.join(", ", xff) + ", " + info.peer().getAddress().getHostAddress();
    }

    private static String forwardedProto(HeaderView h, ClientInfo info, String scheme) {
        String proto = info.trustedPeer() ? h.get("x-forwarded-proto") : null;
        return proto != null ? proto : scheme;
    }

    private static String forwarded(HeaderView h, Admission.Admitted a, ClientInfo info, String scheme) {
        List<String> fwd = info.trustedPeer() ? h.getAll("forwarded") : List.of();
        String element = "for=" + forwardedNode(a.client(), clientText(a, info)) + ";proto=" + scheme + ";host="
                + quoteIfNeeded(a.authority());
        return fwd.isEmpty() ? element : String.join(", ", fwd) + ", " + element;
    }

    /**
     * The response head to send to the client: the origin's status and headers minus hop-by-hop fields (edited in
     * place: the origin's response object is not used afterwards). Framing (chunked, Connection) is left to the
     * caller, which knows the client's protocol.
     */
    static HttpResponse toClient(HttpResponse in, HttpVersion version) {
        HttpHeaders h = in.headers();
        stripHopByHop(h);
        return new DefaultHttpResponse(version, in.status(), h);
    }

    /**
     * The response head to send to an HTTP/1.x client for an origin's plain answer kept as bytes, whose {@code
     * Connection} lines name no field ({@link OriginHead#connectionNamesFields}: those go through the map and {@link
     * #toClient(HttpResponse, HttpVersion)}): its status line with the client's version, its field lines minus the
     * hop-by-hop ones, then {@code setCookie} (null for none; {@link PageCookie#forPage}) and {@code connection} (null
     * for none, see {@link ResponseFraming#connectionField}). Its {@code Content-Length} stays: the body is relayed as
     * it comes.
     */
    static EncodedHead toClient(
            ByteBufAllocator alloc, OriginHead head, HttpVersion version, String setCookie, String connection) {
        ByteBuf b = alloc.buffer(head.encodedSizeHint()
                + 16
                + (setCookie == null ? 0 : setCookie.length() + 16)
                + (connection == null ? 0 : 24));
        EncodedHead.statusLine(b, version, head.status());
        for (int i = 0; i < head.fieldCount(); i++) {
            if (!hopByHop(head, i)) {
                head.writeField(i, b);
            }
        }
        return EncodedHead.finish(b, setCookie, connection);
    }

    private static boolean hopByHop(OriginHead head, int i) {
        for (AsciiString name : HOP_BY_HOP) {
            if (head.nameIs(i, name)) {
                return true;
            }
        }
        return false;
    }

    /** Removes the hop-by-hop fields and every field the {@code Connection} lines name. */
    private static void stripHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            for (String line : h.getAll(HttpHeaderNames.CONNECTION)) {
                int i = 0;
                while (i <= line.length()) {
                    int comma = line.indexOf(',', i);
                    int end = comma < 0 ? line.length() : comma;
                    String token = line.substring(i, end).trim();
                    if (!token.isEmpty()) {
                        h.remove(token);
                    }
                    i = end + 1;
                }
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            h.remove(name);
        }
    }

    /** HTTP/2 pseudo-headers and Netty's {@code x-http2-*} extension fields never go to an HTTP/1.1 origin. */
    private static void stripPseudoAndExtension(HttpHeaders h) {
        List<String> drop = null;
        for (var it = h.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (!name.isEmpty()
                    && (name.charAt(0) == ':' || AsciiString.regionMatches(name, true, 0, "x-http2-", 0, 8))) {
                if (drop == null) {
                    drop = new ArrayList<>(2);
                }
                drop.add(name.toString());
            }
        }
        if (drop != null) {
            for (String name : drop) {
                h.remove(name);
            }
        }
    }

    /** Whether the origin's response asked to close the connection (so it must not go back to the pool). */
    static boolean originWantsClose(HttpResponse r) {
        String c = connectionList(new NettyHeaderView(r.headers()));
        if (r.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return c == null || !containsToken(c, "keep-alive");
        }
        return c != null && containsToken(c, "close");
    }

    /**
     * Every {@code Connection} field line as one list, or null: the field may be sent as several lines (RFC 9110
     * §5.3), and a field named only in the second line is just as hop-by-hop.
     */
    private static String connectionList(HeaderView h) {
        List<String> lines = h.getAll("connection");
        return lines.isEmpty() ? null : lines.size() == 1 ? lines.get(0) : String.join(",", lines);
    }

    static boolean containsToken(String list, String token) {
        for (String t : list.split(",")) {
            if (t.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 7239 node: IPv4 as is, IPv6 as {@code "[addr]"} (quoted because of the colons); {@code text} is the address
     * as {@link InetAddress#getHostAddress} writes it (the connection keeps it: not formatted again).
     */
    static String forwardedNode(InetAddress a, String text) {
        return a instanceof Inet6Address ? "\"[" + text + "]\"" : text;
    }

    private static String quoteIfNeeded(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == ':' || c == '[' || c == ']') {
                return "\"" + v + "\"";
            }
        }
        return v;
    }
}
