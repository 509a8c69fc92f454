package coop.bulwark.proxy;

import coop.bulwark.origin.OriginHead;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The origin's response head on its way to the client: hop-by-hop fields dropped, the page cookie and the framing
 * added. A plain answer ({@link OriginHead}) to an HTTP/1.x client goes from its bytes, with no field map made or
 * encoded, unless its {@code Connection} lines name fields to drop (rare: that rule is the map path's alone); any
 * other answer, and every answer to an HTTP/2 stream, through Netty's field map as before.
 */
final class RelayedHead {
    private RelayedHead() {}

    /**
     * Writes {@code response}'s head to {@code client} (not flushed) and returns whether the client connection may carry
     * another request after this answer.
     *
     * @param clientVersion the client's HTTP/1.x version, or null for an HTTP/2 stream (framed by the stream codec)
     * @param keepAlive whether the client and the edge both still want the connection (before this answer)
     * @param requestComplete whether the whole request body has been read
     * @param seenCookie the seen cookie's {@code Set-Cookie} value for a page, or null
     */
    static boolean send(
            ChannelHandlerContext client,
            HttpResponse response,
            HttpMethod method,
            HttpVersion clientVersion,
            boolean keepAlive,
            boolean requestComplete,
            String seenCookie) {
        if (response instanceof OriginHead plain
                && !plain.materialized()
                && !plain.connectionNamesFields()
                && clientVersion != null) {
            // A plain answer has a Content-Length: the connection stays open if both sides want it and the request
            // was read to its end (what ResponseFraming decides for such an answer).
            boolean open = keepAlive && requestComplete;
            client.write(
                    ForwardedHeaders.toClient(
                            client.alloc(),
                            plain,
                            clientVersion,
                            PageCookie.forPage(plain, seenCookie),
                            ResponseFraming.connectionField(clientVersion, open)),
                    client.voidPromise());
            return open;
        }
        HttpResponse out =
                ForwardedHeaders.toClient(response, clientVersion == null ? HttpVersion.HTTP_1_1 : clientVersion);
        PageCookie.add(out, seenCookie);
        boolean open =
                clientVersion != null && ResponseFraming.frame(out, method, clientVersion, keepAlive, requestComplete);
        client.write(out, client.voidPromise());
        return open;
    }
}
