package coop.bulwark.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Responses the edge writes itself (errors and refusals): a short plain-text body with the status and a public
 * reason, never internal detail, and {@code Cache-Control: no-store} so no cache keeps them.
 */
final class EdgeResponses {
    private EdgeResponses() {}

    static FullHttpResponse error(ByteBufAllocator alloc, HttpResponseStatus status, String reason, boolean close) {
        return error(alloc, status, reason, close, 0);
    }

    /** As {@link #error(ByteBufAllocator, HttpResponseStatus, String, boolean)}, with {@code Retry-After} when > 0. */
    static FullHttpResponse error(
            ByteBufAllocator alloc, HttpResponseStatus status, String reason, boolean close, long retryAfterSeconds) {
        String text = status.code() + " " + status.reasonPhrase() + ": " + reason + "\n";
        var body = ByteBufUtil.writeUtf8(alloc, text);
        var r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (retryAfterSeconds > 0) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        return r;
    }
}
