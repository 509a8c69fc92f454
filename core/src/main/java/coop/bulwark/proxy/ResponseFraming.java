package coop.bulwark.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Framing of a response head for an HTTP/1.x client: whether the connection stays open after it, chunked encoding
 * when the length is unknown (HTTP/1.1) or end-by-close (HTTP/1.0), and the matching {@code Connection} field.
 * HTTP/2 streams need none of it (the stream codec frames them). Stateless.
 */
final class ResponseFraming {
    private ResponseFraming() {}

    /**
     * Frames {@code out} and returns whether the client connection may carry another request after it.
     *
     * @param keepAlive whether the client and the edge both still want the connection (before this response)
     * @param requestComplete whether the whole request body has been read (otherwise its rest cannot be framed)
     */
    static boolean frame(
            HttpResponse out,
            HttpMethod method,
            HttpVersion clientVersion,
            boolean keepAlive,
            boolean requestComplete) {
        int status = out.status().code();
        boolean bodyPossible = !HttpMethod.HEAD.equals(method) && status != 204 && status != 304 && status >= 200;
        if (bodyPossible && !out.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (clientVersion.equals(HttpVersion.HTTP_1_1)) {
                out.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                keepAlive = false; // HTTP/1.0: the end of the body is marked by closing.
            }
        }
        if (!requestComplete) {
            keepAlive = false; // the response came before the request body ended
        }
        String connection = connectionField(clientVersion, keepAlive);
        if (connection != null) {
            out.headers().set(HttpHeaderNames.CONNECTION, connection);
        }
        return keepAlive;
    }

    /**
     * The {@code Connection} value a response with a known length carries: {@code close} when the connection ends after
     * it, {@code keep-alive} when an HTTP/1.0 client's stays open (1.0 closes by default), none otherwise.
     */
    static String connectionField(HttpVersion clientVersion, boolean keepAlive) {
        if (!keepAlive) {
            return "close";
        }
        return clientVersion.equals(HttpVersion.HTTP_1_0) ? "keep-alive" : null;
    }
}
