package coop.bulwark.challenge;

/**
 * What the challenge decided for one request. Closed set: the edge switches on it exhaustively.
 */
public sealed interface ChallengeOutcome {
    /** Carry on to the cache and the origin. */
    Proceed PROCEED = new Proceed(false);

    /** Carry on; the request carried a valid challenge cookie. */
    Proceed PROCEED_VOUCHED = new Proceed(true);

    /** Whether the request carried a valid challenge cookie for its site and network. */
    boolean vouched();

    /** Go on to the origin. */
    record Proceed(boolean vouched) implements ChallengeOutcome {}

    /** Over the limit for requests without a cookie (or with the weaker no-JavaScript one): 429. */
    record Limited(long retryAfterSeconds, boolean vouched) implements ChallengeOutcome {}

    /**
     * The edge answers itself: the challenge page, a redirect after a good answer, or a message page.
     *
     * @param status the HTTP status
     * @param contentType the body's media type
     * @param body the body
     * @param retryAfterSeconds {@code Retry-After} when above 0
     * @param location {@code Location} (a path on this site), or null
     * @param setCookie a {@code Set-Cookie} value, or null
     * @param verdict for the access log and metrics: {@code challenge} (page served), {@code challenge_pass} (cookie
     *     given), {@code challenge_fail} (bad answer), {@code challenge_ban} (bad answers that banned the source)
     */
    record Respond(
            int status,
            String contentType,
            ResponseBody body,
            long retryAfterSeconds,
            String location,
            String setCookie,
            String verdict,
            boolean vouched)
            implements ChallengeOutcome {}

    /** An answer posted to the challenge endpoint: read its body (at most {@code maxBytes}), then call the gate again. */
    record ReadAnswer(int maxBytes) implements ChallengeOutcome {
        @Override
        public boolean vouched() {
            return false;
        }
    }
}
