package coop.bulwark.proxy;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A Netty request seen as a {@link RequestHead}: reads through to the request's headers, never copies them (the relay
 * edits the same header block into the origin request once the chain has decided). Event-loop confined.
 *
 */
final class NettyRequestHead implements RequestHead {
    private final HttpRequest request;
    private final boolean multiplexed;
    /**
     * {@link #hasBody}, read once: the relay asks several times (cache plan, body clock, exchange) and it parses the
     * framing fields, which only admission may do first (it refuses malformed ones). 0 unknown, 1 no, 2 yes.
     */
    private byte hasBody;

    /**
     * @param request the decoded request (its headers are read, not copied)
     * @param multiplexed whether it arrived on an HTTP/2 stream (then a body follows unless the head was complete)
     */
    NettyRequestHead(HttpRequest request, boolean multiplexed) {
        this.request = request;
        this.multiplexed = multiplexed;
    }

    /** The request this head reads. */
    HttpRequest request() {
        return request;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String uri() {
        return request.uri();
    }

    @Override
    public int majorVersion() {
        return request.protocolVersion().majorVersion();
    }

    @Override
    public int minorVersion() {
        return request.protocolVersion().minorVersion();
    }

    @Override
    public int malformedStatus() {
        DecoderResult dr = request.decoderResult();
        if (!dr.isFailure()) {
            return 0;
        }
        Throwable cause = dr.cause();
        if (cause instanceof TooLongHttpLineException) {
            return 414;
        }
        return cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException ? 431 : 400;
    }

    @Override
    public boolean complete() {
        return request instanceof FullHttpRequest;
    }

    @Override
    public boolean hasBody() {
        if (hasBody == 0 && request instanceof ClientHead) {
            hasBody = 1; // a plain request has no body (see ClientHead)
        }
        if (hasBody == 0) {
            boolean body = !complete()
                    && (HttpUtil.isTransferEncodingChunked(request)
                            || HttpUtil.getContentLength(request, 0L) > 0
                            || multiplexed);
            hasBody = (byte) (body ? 2 : 1);
        }
        return hasBody == 2;
    }

    /**
     * Whether the client wants the connection kept after this request (RFC 9112 §9.3; Netty's {@code
     * HttpUtil.isKeepAlive}). Read before the relay edits the header block.
     */
    boolean keepAlive() {
        return request instanceof ClientHead c ? c.keepAlive() : HttpUtil.isKeepAlive(request);
    }

    /** Whether the client waits for {@code 100 Continue} before sending its body (a plain request has none). */
    boolean expectsContinue() {
        return !complete() && !(request instanceof ClientHead) && HttpUtil.is100ContinueExpected(request);
    }

    @Override
    public String get(String name) {
        return request instanceof ClientHead c ? c.get(name) : request.headers().get(name);
    }

    @Override
    public List<String> getAll(String name) {
        return request instanceof ClientHead c ? c.getAll(name) : allOf(request.headers(), name);
    }

    /**
     * Every value of {@code name} in {@code headers}; the empty list, not a new one, when it is absent. Most names the
     * edge asks for are absent from most requests (Transfer-Encoding, Upgrade, X-Forwarded-For on a GET), and Netty's
     * {@code getAll} makes a list and a view of it for each: seven such lists per cached answer, a tenth of what the
     * flood's usual path allocated (RefusalPathBenchmark, a flight recording's allocation samples).
     */
    static List<String> allOf(HttpHeaders headers, String name) {
        return headers.contains(name) ? headers.getAll(name) : List.of();
    }

    @Override
    public void removeCookie(String name) {
        if (request instanceof ClientHead c && !c.mayHoldCookie(name)) {
            return; // read from the bytes: no map is built for a request without the cookie
        }
        HttpHeaders headers = request.headers();
        String first = headers.get(HttpHeaderNames.COOKIE);
        if (first == null) {
            return;
        }
        String pair = name + "=";
        List<String> all = headers.getAll(HttpHeaderNames.COOKIE);
        boolean any = false;
        for (String v : all) {
            any |= v.contains(pair);
        }
        if (!any) {
            return;
        }
        headers.remove(HttpHeaderNames.COOKIE);
        for (String v : all) {
            String kept = withoutCookie(v, pair);
            if (!kept.isEmpty()) {
                headers.add(HttpHeaderNames.COOKIE, kept);
            }
        }
    }

    /** {@code header} without any {@code name=...} pair ({@code pair} is {@code name=}). */
    static String withoutCookie(String header, String pair) {
        StringBuilder b = new StringBuilder(header.length());
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.isEmpty() || p.startsWith(pair)) {
                continue;
            }
            if (!b.isEmpty()) {
                b.append("; ");
            }
            b.append(p);
        }
        return b.toString();
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        if (request instanceof ClientHead c) {
            c.forEach(action);
            return;
        }
        request.headers().forEach(e -> action.accept(e.getKey(), e.getValue()));
    }
}
