package coop.bulwark.proxy;

import coop.bulwark.challenge.ChallengeOutcome;
import coop.bulwark.protect.BulkheadLane;
import coop.bulwark.site.BanPolicy.BanAction;

/**
 * What the {@link DecisionChain} decided for one request: a closed set the relay switches on exhaustively. Each
 * outcome carries what the relay needs to carry it out; what is to be recorded is already in the request's
 * {@link RequestLog}.
 */
sealed interface Decision {

    /**
     * The edge answers with an error of its own: refused before routing (malformed, unknown site, too large...) or
     * over a limit (429).
     *
     * @param status the status code
     * @param reason a short public reason for the body, never internal detail
     * @param close whether the connection must close after the response (its framing may be unreliable)
     * @param retryAfterSeconds {@code Retry-After}, 0 for none
     */
    record Refuse(int status, String reason, boolean close, long retryAfterSeconds) implements Decision {}

    /** The source is banned: answered (403), closed, or held in the tarpit, as the ban policy says. */
    record Ban(BanAction action) implements Decision {}

    /** The challenge answers itself: its page, a message, or a redirect after an accepted answer. */
    record Challenge(ChallengeOutcome.Respond response) implements Decision {}

    /**
     * An answer posted to the challenge endpoint: read its body (at most {@code maxBytes}), then ask
     * {@link DecisionChain#answer} for the response.
     */
    record ReadAnswer(Admission.Admitted admitted, ChallengeStage.View request, int maxBytes) implements Decision {}

    /**
     * Relay to the site: from the cache when {@code cache} can answer, else from an origin.
     *
     * @param admitted the routed request
     * @param cache the cache's plan, or null when the cache stays out of it (method, credentials, a body...)
     * @param concurrencySlot whether the request holds one of its address's concurrent-request slots, to give back
     *     with {@link DecisionChain#release} when it ends
     * @param clientAddress the client's address bytes the verdict was taken on (the slot's key); not to be modified
     * @param upgrade a WebSocket upgrade: it holds one of the site's upgrade slots ({@code max_websockets}), kept by
     *     the tunnel when the origin answers 101 and given back otherwise
     * @param lane the lane of the site's bulkhead queue the request waits in, if it must: people's for a valid pass
     *     or seen cookie, ahead of strangers' and of cache-busting strangers'
     * @param holder the identity of the valid pass or seen cookie the client holds (>= 0): the request holds that
     *     cookie's concurrent-request slot instead of its address's; negative for a stranger
     * @param seenCookie a {@code Set-Cookie} value to add to the response if it is a page ({@code text/html}, 2xx):
     *     the seen cookie for a visitor without one, while the site is not under attack; null for none
     */
    record Forward(
            Admission.Admitted admitted,
            CachePlan cache,
            boolean concurrencySlot,
            byte[] clientAddress,
            boolean upgrade,
            BulkheadLane lane,
            long holder,
            String seenCookie)
            implements Decision {

        /** A stranger's request, given no seen cookie. */
        Forward(
                Admission.Admitted admitted,
                CachePlan cache,
                boolean concurrencySlot,
                byte[] clientAddress,
                boolean upgrade) {
            this(admitted, cache, concurrencySlot, clientAddress, upgrade, BulkheadLane.STRANGERS, -1, null);
        }
    }
}
