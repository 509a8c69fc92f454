package coop.bulwark.detect;

/**
 * What detection keeps of one request, read once from its head when it is admitted and recorded with its answer by
 * {@link TrafficRecorder#record(RequestTraits, int, long, long)}. The texts are referenced, never copied.
 *
 * @param site the site's index, 0 to sites - 1
 * @param sourceKey the client's address as a site-independent 64-bit key (e.g. {@code SourceKeys.ip(addr,
 *     SourceKeys.GLOBAL)}); the recorder re-mixes it with a secret seed before it reaches the distinct-source sketch
 * @param prefixKey the client's /24 or /48 as a site-independent key, so one prefix adds up across sites
 * @param method one of the {@code TrafficRecorder.METHOD_} codes ({@link RequestSignature#methodCode})
 * @param pathHash a hash of the path without the query ({@link RequestSignature#pathHash})
 * @param queryEntropyBucket 0-7, see {@link TrafficRecorder#HIGH_ENTROPY_BUCKET}
 * @param userAgentHash a hash of the User-Agent header, 0 when absent
 * @param returning whether the client is known to have visited before: the edge's cheap guess is any Cookie header
 *     (browsers send the site's cookies back; floods rarely bother)
 * @param validCookie whether the request carried a valid challenge cookie
 * @param pathText the request target as received, for reports' heaviest paths (its query is cut when shown), or null
 * @param userAgentText the User-Agent header, or null
 */
public record RequestTraits(
        int site,
        long sourceKey,
        long prefixKey,
        int method,
        long pathHash,
        int queryEntropyBucket,
        long userAgentHash,
        boolean returning,
        boolean validCookie,
        String pathText,
        String userAgentText) {

    /**
     * The traits of a request head: its method, target and User-Agent are hashed here (texts kept by reference).
     *
     * @param uri the request target as received
     * @param userAgent the User-Agent header, or null
     */
    public static RequestTraits of(
            int site, long sourceKey, long prefixKey, String method, String uri, String userAgent, boolean returning) {
        return new RequestTraits(
                site,
                sourceKey,
                prefixKey,
                RequestSignature.methodCode(method),
                RequestSignature.pathHash(uri),
                RequestSignature.queryEntropyBucket(uri),
                RequestSignature.textHash(userAgent),
                returning,
                false,
                uri,
                userAgent);
    }

    /** The same request, known to carry (or not) a valid challenge cookie. */
    public RequestTraits withValidCookie(boolean valid) {
        return valid == validCookie
                ? this
                : new RequestTraits(
                        site,
                        sourceKey,
                        prefixKey,
                        method,
                        pathHash,
                        queryEntropyBucket,
                        userAgentHash,
                        returning,
                        valid,
                        pathText,
                        userAgentText);
    }
}
