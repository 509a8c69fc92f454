package coop.bulwark.proxy;

import coop.bulwark.origin.OriginHead;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Adds the edge's seen cookie to a response that is a page: a 2xx whose {@code Content-Type} is {@code text/html}.
 * Assets, API answers, redirects and errors never carry it, so the cookie marks only a person's visit to a page. Added
 * to the head sent to the client after the cache decided on the origin's own head, so it is never stored.
 */
final class PageCookie {
    private PageCookie() {}

    /** Adds {@code setCookie} (a {@code Set-Cookie} value, or null for none) to {@code response} if it is a page. */
    static void add(HttpResponse response, String setCookie) {
        if (setCookie == null) {
            return;
        }
        if (isPage(response.status().code(), response.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            response.headers().add(HttpHeaderNames.SET_COOKIE, setCookie);
        }
    }

    /** {@code setCookie} if the origin's plain answer {@code head} is a page, else null (read from its bytes). */
    static String forPage(OriginHead head, String setCookie) {
        return setCookie != null && isPage(head.status().code(), head.get(HttpHeaderNames.CONTENT_TYPE))
                ? setCookie
                : null;
    }

    /** Whether a response with this status and {@code Content-Type} (or null) is a page. */
    static boolean isPage(int status, String contentType) {
        return status >= 200
                && status < 300
                && contentType != null
                && contentType.regionMatches(true, 0, "text/html", 0, 9);
    }
}
