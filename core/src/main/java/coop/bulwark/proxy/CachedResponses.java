package coop.bulwark.proxy;

import coop.bulwark.cache.CacheEntry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/** Responses built from micro-cache entries. Stateless. */
final class CachedResponses {
    /** Says whether a response came from the micro-cache ({@code HIT}, {@code STALE}); absent when it did not. */
    static final String X_CACHE = "x-cache";

    private CachedResponses() {}

    /** The head: stored status and fields, exact {@code Content-Length}, {@code Age} and {@code X-Cache}. */
    static HttpResponse head(CacheEntry entry, HttpVersion version, long nowNanos, String label) {
        HttpResponse r = new DefaultHttpResponse(version, HttpResponseStatus.valueOf(entry.status()));
        for (var h : entry.headers()) {
            r.headers().add(h.getKey(), h.getValue());
        }
        r.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, entry.body().length);
        r.headers().set(HttpHeaderNames.AGE, entry.ageSeconds(nowNanos));
        r.headers().set(X_CACHE, label);
        return r;
    }

    /** The body; the stored array is shared by every hit, so it is wrapped read-only, never copied or written. */
    static LastHttpContent body(CacheEntry entry, boolean headOnly) {
        return headOnly
                ? LastHttpContent.EMPTY_LAST_CONTENT
                : new DefaultLastHttpContent(
                        Unpooled.wrappedBuffer(entry.body()).asReadOnly());
    }
}
