package coop.bulwark.proxy;

import io.netty.handler.codec.http.HttpContent;

/**
 * One request in progress on a client connection, from its head to its end: what {@link ProxyHandler} hands the
 * request's body to and tells about the connection. A {@link ProxyExchange} relays a forwarded request; an
 * {@link AnswerExchange} reads a posted challenge answer. Requests the edge answers at once need none.
 *
 * <p>Event-loop confined. An exchange tells its connection it has ended through
 * {@link ProxyHandler#exchangeDone}, and completes its request's {@link RequestLog} exactly once.
 */
interface Exchange {
    /** A part of the request's body, owned by the exchange from here on (written on or released). */
    void onClientContent(HttpContent content);

    /** Whether the request's whole body has been received. */
    boolean requestComplete();

    /** Whether the exchange has ended (its response written, or aborted). */
    boolean isDone();

    /** The client's read burst ended: push what was written towards the origin. */
    default void flushToOrigin() {}

    /** The client can take more output again. */
    default void onClientWritable() {}

    /**
     * The request's body could not be decoded (its framing is broken): end with 400 if no response has started, else
     * cut the response; either way the connection closes and nothing of the body passes for complete.
     */
    void onMalformedBody();

    /** The client went away (connection or stream closed, or the edge is closing it) before the exchange ended. */
    void onClientClosed();
}
