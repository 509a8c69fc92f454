package coop.bulwark.edge;

import coop.bulwark.detect.RequestSignature;
import coop.bulwark.detect.TrafficRecorder;
import coop.bulwark.protect.SourceKeys;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * What detection needs to know of a request, read once when it is admitted (before its headers are edited for the
 * origin) and recorded when its answer is known.
 *
 * @param site the site's stable index
 * @param addr the client's address bytes
 * @param method the {@link TrafficRecorder} method code
 * @param pathHash a hash of the path
 * @param entropyBucket the query's randomness bucket (see {@link RequestSignature})
 * @param agentHash a hash of the User-Agent, 0 when absent
 * @param returning whether the request carries any cookie: the edge's cheap guess that the client has been here
 *     before (browsers send the site's cookies back; floods rarely bother)
 * @param validCookie whether it carries a valid challenge cookie
 * @param uri the request target as received (referenced for the report's top paths, never copied)
 * @param userAgent the User-Agent header, or null
 */
record RequestTraits(
        int site,
        byte[] addr,
        int method,
        long pathHash,
        int entropyBucket,
        long agentHash,
        boolean returning,
        boolean validCookie,
        String uri,
        String userAgent) {

    static RequestTraits of(HttpRequest req, int site, byte[] addr, boolean validCookie) {
        String uri = req.uri();
        String agent = req.headers().get(HttpHeaderNames.USER_AGENT);
        return new RequestTraits(
                site,
                addr,
                RequestSignature.methodCode(req.method().name()),
                RequestSignature.pathHash(uri),
                RequestSignature.queryEntropyBucket(uri),
                RequestSignature.textHash(agent),
                req.headers().contains(HttpHeaderNames.COOKIE),
                validCookie,
                uri,
                agent);
    }

    /** The same request, known to carry (or not) a valid challenge cookie. */
    RequestTraits withValidCookie(boolean valid) {
        return valid == validCookie
                ? this
                : new RequestTraits(
                        site, addr, method, pathHash, entropyBucket, agentHash, returning, valid, uri, userAgent);
    }

    /**
     * Records the answer on {@code loop}'s recorder (call on that event loop).
     *
     * @param status the status sent (0 when the connection was closed without one)
     * @param bytes response bytes sent
     * @param originNanos time to the origin's response head, -1 when the origin was not asked
     */
    void record(EdgeRuntime runtime, EventLoop loop, int status, long bytes, long originNanos) {
        TrafficRecorder r = runtime.recorder(loop, site);
        if (r == null) {
            return;
        }
        r.record(
                site,
                SourceKeys.ip(addr, SourceKeys.GLOBAL),
                SourceKeys.prefix(addr, SourceKeys.GLOBAL),
                status,
                bytes,
                originNanos,
                validCookie,
                returning,
                method,
                pathHash,
                entropyBucket,
                agentHash,
                uri,
                userAgent);
    }
}
