package coop.bulwark.proxy;

import coop.bulwark.cache.CacheEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/** Responses built from micro-cache entries. Stateless. */
final class CachedResponses {
    /** Says whether a response came from the micro-cache ({@code HIT}, {@code STALE}); absent when it did not. */
    static final String X_CACHE = "x-cache";

    /** CR LF as one big-endian short. */
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

    /**
     * Writes a stored answer to the client and flushes it: on an HTTP/1.x connection its head from the entry's
     * encoded fields ({@link #encodedHead}), with {@code Connection} as {@code keepAlive} says (a cached answer always
     * has its length, so nothing else decides it); on an HTTP/2 stream a head built from the entry. The seen cookie
     * ({@code seenCookie}, or null) goes only on a page. Returns the last write's future when the HTTP/1.x connection
     * is to end after it, for the caller to close it; else null.
     */
    static ChannelFuture write(
            ChannelHandlerContext ctx,
            CacheEntry entry,
            HttpMethod method,
            HttpVersion clientVersion,
            boolean multiplexed,
            boolean keepAlive,
            long nowNanos,
            String label,
            String seenCookie) {
        if (multiplexed) {
            HttpResponse r = head(entry, HttpVersion.HTTP_1_1, nowNanos, label);
            PageCookie.add(r, seenCookie);
            ctx.write(r, ctx.voidPromise());
        } else {
            ctx.write(
                    encodedHead(
                            ctx.alloc(),
                            entry,
                            clientVersion,
                            nowNanos,
                            label,
                            seenCookie,
                            ResponseFraming.connectionField(clientVersion, keepAlive)),
                    ctx.voidPromise());
        }
        LastHttpContent last = body(entry, HttpMethod.HEAD.equals(method));
        if (keepAlive || multiplexed) {
            ctx.writeAndFlush(last, ctx.voidPromise());
            return null;
        }
        return ctx.writeAndFlush(last);
    }

    /**
     * The HTTP/1.x head of a hit as bytes, for {@link StrictHttpServerCodec}: what {@link #head} holds, then the seen
     * cookie when the entry is a page ({@code setCookie} null for none) and {@code Connection} ({@code connection} null
     * for none, see {@link ResponseFraming#connectionField}). The stored fields are copied from their encoded form
     * ({@link CacheEntry#fieldLines}); only the status line, the length, the age and the label are written per hit.
     */
    static EncodedHead encodedHead(
            ByteBufAllocator alloc,
            CacheEntry entry,
            HttpVersion version,
            long nowNanos,
            String label,
            String setCookie,
            String connection) {
        byte[] fields = entry.fieldLines();
        String cookie = setCookie != null && PageCookie.isPage(entry.status(), contentType(entry)) ? setCookie : null;
        ByteBuf b = alloc.buffer(fields.length + 128 + (cookie == null ? 0 : cookie.length() + 16));
        EncodedHead.statusLine(b, version, HttpResponseStatus.valueOf(entry.status()));
        b.writeBytes(fields);
        EncodedHead.field(b, "content-length: ", entry.body().length);
        EncodedHead.field(b, "age: ", entry.ageSeconds(nowNanos));
        EncodedHead.field(b, "x-cache: ", label);
        return EncodedHead.finish(b, cookie, connection);
    }

    /** The entry's {@code Content-Type}, or null. */
    private static String contentType(CacheEntry entry) {
        for (var h : entry.headers()) {
            if (h.getKey().equalsIgnoreCase("content-type")) {
                return h.getValue();
            }
        }
        return null;
    }

    /** The body; the stored array is shared by every hit, so it is wrapped read-only, never copied or written. */
    static LastHttpContent body(CacheEntry entry, boolean headOnly) {
        return headOnly
                ? LastHttpContent.EMPTY_LAST_CONTENT
                // No trailers: the shared empty map, not a new one per hit (a flood's hits made one each).
                : new DefaultLastHttpContent(
                        Unpooled.wrappedBuffer(entry.body()).asReadOnly(), EmptyHttpHeaders.INSTANCE);
    }
}
