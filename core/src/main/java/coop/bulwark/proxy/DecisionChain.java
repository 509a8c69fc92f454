package coop.bulwark.proxy;

import coop.bulwark.challenge.ChallengeEndpoint;
import coop.bulwark.challenge.ChallengeOutcome;
import coop.bulwark.challenge.SeenCookies;
import coop.bulwark.detect.RequestTraits;
import coop.bulwark.detect.TrafficRecorder;
import coop.bulwark.metrics.SiteMeters.VerdictLabel;
import coop.bulwark.protect.BulkheadLane;
import coop.bulwark.protect.Gatekeeper;
import coop.bulwark.protect.SiteGuard;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.protect.Verdict;
import coop.bulwark.site.BanPolicy.BanAction;
import coop.bulwark.site.ProtectionState;
import java.util.List;

/**
 * Everything the edge decides about a request before carrying it out, in one place and in this order:
 *
 * <ol>
 *   <li>admission ({@link RequestAdmission}): a well-formed head naming a configured site, or a refusal;
 *   <li>verdict ({@link Gatekeeper}): bans, per-address and per-prefix rates, concurrency, cache-only mode; for a
 *       request without a cookie that busts a page's cache, the count that bans a source doing it again and again;
 *   <li>on a site in cache-only mode (under attack), a request without a valid cookie that the cache can answer
 *       (fresh or stale) is answered from it, bots included: cheaper than the challenge's page, and people without
 *       JavaScript keep reading ({@link CacheStage#storedPlan});
 *   <li>challenge ({@link ChallengeStage}): a valid cookie, the challenge page, a limit, or an answer to read;
 *   <li>cache plan ({@link CacheStage#plan}): whether and how the micro-cache takes part.
 * </ol>
 *
 * <p>It returns one {@link Decision} and fills in the request's {@link RequestLog} (site, verdict, what detection
 * records); the relay ({@link ProxyHandler}, {@link ProxyExchange}) carries the decision out and completes the log.
 * No Netty and no I/O: it runs on an event loop in a few hundred nanoseconds and is tested without sockets. The
 * request is decided against the snapshot it started with. Thread-safe (its parts are).
 */
final class DecisionChain {
    static final String LIMIT_REASON = "too many requests, please slow down";

    /** A WebSocket upgrade cannot show the challenge page; the page it comes from has to be passed first. */
    static final String WEBSOCKET_UNVOUCHED_REASON =
            "this site is under attack: WebSocket connections need the page's security check first";

    static final String WEBSOCKET_CAP_REASON = "too many open WebSocket connections to this site";

    /** {@code Retry-After} for a WebSocket upgrade over the site's cap: connections close by the minute, not the second. */
    static final long WEBSOCKET_RETRY_AFTER_SECONDS = 10;

    private final Gatekeeper gatekeeper;
    private final ChallengeStage challenge;
    private final CacheStage cache;

    /**
     * @param cache the micro-cache, or null when caching is off
     */
    DecisionChain(Gatekeeper gatekeeper, ChallengeStage challenge, CacheStage cache) {
        this.gatekeeper = gatekeeper;
        this.challenge = challenge;
        this.cache = cache;
    }

    /**
     * Decides on a request head read from the connection described by {@code info}.
     *
     * @param snap the snapshot the request started with
     * @param log the request's record: this fills in its site, verdict and detection traits
     */
    Decision decide(RequestHead head, ClientInfo info, EdgeSnapshot snap, RequestLog log) {
        int malformed = head.malformedStatus();
        if (malformed != 0) {
            return new Decision.Refuse(
                    malformed, malformed == 400 ? "malformed request" : "request too large", true, 0);
        }
        Admission.Admitted ok;
        switch (RequestAdmission.admit(head, snap, info)) {
            case Admission.Refused r -> {
                return new Decision.Refuse(r.status(), r.reason(), r.close(), 0);
            }
            case Admission.Admitted a -> ok = a;
        }
        Site site = ok.site();
        boolean sameClient = ok.client() == info.client();
        byte[] addr = sameClient ? info.clientBytes() : ok.client().getAddress();
        log.routed(site, sameClient ? info.clientText() : ok.client().getHostAddress(), ok.originUri());
        boolean upgrade = isWebSocketUpgrade(head);
        if (upgrade && head.hasBody()) {
            log.verdict(VerdictLabel.REJECT);
            return new Decision.Refuse(400, "a WebSocket handshake has no body", true, 0);
        }
        SiteGuard guard = site.guard();
        RequestTraits traits = RequestTraits.of(
                guard.index(),
                SourceKeys.ip(addr, SourceKeys.GLOBAL),
                SourceKeys.prefix(addr, SourceKeys.GLOBAL),
                head.method(),
                head.uri(),
                head.get("user-agent"),
                head.contains("cookie"));
        log.traits(traits);
        var protection = snap.config().protection();
        boolean cacheOnly = false;
        BulkheadLane lane = traits.queryEntropyBucket() >= TrafficRecorder.HIGH_ENTROPY_BUCKET
                ? BulkheadLane.BUSTERS
                : BulkheadLane.STRANGERS;
        String seenCookie = null;
        long holder = -1;
        if (protection.enabled()) {
            var view = new ChallengeStage.View(head, ok.originUri(), addr, info.tls());
            // Who asks: a valid pass or seen cookie makes a cookie holder, limited on its cookie (people behind one
            // address are not one client) and served in the people's lane. Both checks precede the challenge's
            // decision, which strips the cookies.
            int pass = challenge.pass(site, view);
            long seen = challenge.seen(site, view);
            holder = ChallengeStage.holder(head, pass, seen);
            switch (gatekeeper.decide(site.name(), guard.index(), guard.policy(), addr, protection, holder)) {
                case Verdict.Limit limit -> {
                    Decision instead = holder < 0 && !upgrade ? challengeInstead(site, view, pass, ok, log) : null;
                    return instead != null ? instead : limited(log, limit.retryAfterSeconds());
                }
                case Verdict.Ban ban -> {
                    log.verdict(VerdictLabel.BAN);
                    return new Decision.Ban(ban.action());
                }
                case Verdict.CacheOnly c -> cacheOnly = true;
                case Verdict.Pass p -> {}
            }
            if (holder < 0
                    && !upgrade
                    && traits.queryEntropyBucket() >= TrafficRecorder.HIGH_ENTROPY_BUCKET
                    && guard.policy().banBustingAfter() > 0
                    && isGetOrHead(head.method())
                    && asksForDocument(head)
                    && !ChallengeEndpoint.isEndpoint(ok.originUri())) {
                Verdict.Ban ban = gatekeeper.busting(
                        site.name(), guard.index(), guard.policy(), addr, protection.bans(), traits.pathHash());
                if (ban != null) {
                    gatekeeper.release(guard.index(), addr, holder);
                    log.verdict(VerdictLabel.BAN);
                    return new Decision.Ban(ban.action());
                }
            }
            if (cacheOnly && !upgrade && cache != null && !head.contains("cookie")) {
                // Without a cookie no request can be vouched for, so when the cache can answer, the challenge need
                // not be asked (nor its page built): a stored copy is cheaper for everyone than the page.
                CachePlan stored = storedAnswer(site, head, ok, log);
                if (stored != null) {
                    return new Decision.Forward(ok, stored, true, addr, false);
                }
            }
            // The challenge's vouched() is the cookie check: whether this request carried a valid challenge cookie
            // for its site and network.
            ChallengeOutcome outcome = challenge.decide(site, view, pass, holder);
            log.traits(traits.withValidCookie(outcome.vouched()));
            if (holder >= 0) {
                lane = BulkheadLane.PEOPLE;
            }
            SeenCookies.Standing standing = SeenCookies.standing(seen);
            if ((standing == SeenCookies.Standing.ABSENT || standing == SeenCookies.Standing.INVALID)
                    && guard.state() != ProtectionState.UNDER_ATTACK
                    && asksForPage(head)) {
                // People first: a visitor of normal times is recognised when a flood comes, before detection. Also
                // while the site is only suspect: nothing has been declared yet, and a person reading then (behind a
                // busy NAT, say) needs it for the next page.
                seenCookie = challenge.seenCookie(site, view);
            }
            if (upgrade
                    && !outcome.vouched()
                    && site.config().challenge().mode().challenges(guard.state())) {
                // Where a page would meet the challenge, an upgrade without the cookie is refused outright: a
                // long-lived connection is what a flood would most like to hold, and it cannot solve a page.
                gatekeeper.release(guard.index(), addr, holder);
                log.verdict(VerdictLabel.CHALLENGE, "websocket_refused");
                return new Decision.Refuse(403, WEBSOCKET_UNVOUCHED_REASON, false, 0);
            }
            if (!(outcome instanceof ChallengeOutcome.Proceed)) {
                if (cacheOnly && !upgrade && cache != null && !(outcome instanceof ChallengeOutcome.ReadAnswer)) {
                    // Cache first under attack: what the cache can answer is answered to every client, people
                    // without JavaScript included; the challenge only guards what would reach the origin. The
                    // edge's cookie (an expired or foreign one) goes, so that it does not bypass the cache.
                    challenge.stripCookies(head);
                    CachePlan stored = storedAnswer(site, head, ok, log);
                    if (stored != null) {
                        return new Decision.Forward(ok, stored, true, addr, false, lane, holder, null);
                    }
                }
                gatekeeper.release(guard.index(), addr, holder);
                if (outcome instanceof ChallengeOutcome.ReadAnswer r) {
                    log.traits(null); // an answer is the challenge's own traffic, not the site's
                    log.verdict(VerdictLabel.CHALLENGE);
                    return new Decision.ReadAnswer(ok, view, r.maxBytes());
                }
                return challenged(outcome, log);
            }
        }
        if (upgrade) {
            if (!guard.upgrades().tryAcquire(site.config().limits().maxWebsockets())) {
                if (protection.enabled()) {
                    gatekeeper.release(guard.index(), addr, holder);
                }
                log.verdict(VerdictLabel.LIMIT, "websocket_cap");
                return new Decision.Refuse(503, WEBSOCKET_CAP_REASON, false, WEBSOCKET_RETRY_AFTER_SECONDS);
            }
            log.relayed();
            return new Decision.Forward(ok, null, protection.enabled(), addr, true, lane, holder, null);
        }
        log.relayed();
        CachePlan plan = cache == null ? null : cache.plan(site, head, ok, cacheOnly);
        return new Decision.Forward(ok, plan, protection.enabled(), addr, false, lane, holder, seenCookie);
    }

    /**
     * For a stranger refused by its address's limits from an address shared with cookie holders (a NAT): the
     * challenge's own answer when the challenge would answer the request itself (its page, its endpoint), whatever the
     * site's state unless its challenge is {@code off}; else null (then 429). The allowance of a shared address may be
     * spent by others (a NAT's bots), and a person behind it must still be able to earn a cookie and be limited on it;
     * the answer costs the origin nothing, and the refusal has already been counted. A client alone on its address
     * gets its 429 as before.
     */
    private Decision challengeInstead(
            Site site, ChallengeStage.View view, int pass, Admission.Admitted ok, RequestLog log) {
        if (!gatekeeper.shared(view.address())) {
            return null;
        }
        ChallengeOutcome o = challenge.decideChallenging(site, view, pass);
        if (o instanceof ChallengeOutcome.ReadAnswer r) {
            log.traits(null); // an answer is the challenge's own traffic, not the site's
            log.verdict(VerdictLabel.CHALLENGE);
            return new Decision.ReadAnswer(ok, view, r.maxBytes());
        }
        return o instanceof ChallengeOutcome.Respond ? challenged(o, log) : null;
    }

    /**
     * Whether a request may count as busting a page's cache: one a browser sends for a document, or one without fetch
     * metadata (what scripts and flood tools send). A browser's image, script, style and fetch requests say what they
     * are, so a page's random-query pixel or an API poll with a timestamp ({@code ?_=1733650000}) never counts.
     */
    private static boolean asksForDocument(RequestHead head) {
        String dest = head.get("sec-fetch-dest");
        return dest == null || dest.equals("document");
    }

    private static boolean isGetOrHead(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    /**
     * Whether the client asks for a page (fetch metadata's {@code document}, else an {@code Accept} naming
     * {@code text/html}): the only requests whose response may carry a new seen cookie, so that assets and API
     * calls cost no signature.
     */
    static boolean asksForPage(RequestHead head) {
        String dest = head.get("sec-fetch-dest");
        if (dest != null) {
            return dest.equals("document");
        }
        String accept = head.get("accept");
        return accept != null && accept.contains("text/html");
    }

    /**
     * The cache-only plan answering {@code head} from a stored copy (see {@link CacheStage#storedPlan}), logged as a
     * cache-only relay; null when the cache holds nothing to serve it. Never for the challenge's own endpoint.
     */
    private CachePlan storedAnswer(Site site, RequestHead head, Admission.Admitted ok, RequestLog log) {
        if (ChallengeEndpoint.isEndpoint(ok.originUri())) {
            return null;
        }
        CachePlan stored = cache.storedPlan(site, head, ok);
        if (stored != null) {
            log.verdict(VerdictLabel.CACHE_ONLY);
            log.relayed();
        }
        return stored;
    }

    /** The response to a posted answer whose body has been read (see {@link Decision.ReadAnswer}). */
    Decision answer(Decision.ReadAnswer read, String body, boolean tooLarge, RequestLog log) {
        return challenged(challenge.answer(read.admitted().site().name(), read.request(), body, tooLarge), log);
    }

    /** Ends a forwarded request: gives back its address's concurrent-request slot if it holds one. */
    void release(Decision.Forward forward) {
        if (forward.concurrencySlot()) {
            gatekeeper.release(forward.admitted().site().guard().index(), forward.clientAddress(), forward.holder());
        }
    }

    private static Decision challenged(ChallengeOutcome outcome, RequestLog log) {
        return switch (outcome) {
            case ChallengeOutcome.Limited l -> limited(log, l.retryAfterSeconds());
            case ChallengeOutcome.Respond r -> {
                log.verdict(VerdictLabel.CHALLENGE, r.verdict());
                if (r.status() == 503) {
                    // The challenge page is a refusal the client can overcome, not a failure of the site: its 503
                    // (sent so that search engines come back later) must not read as the origin suffering.
                    log.detectionStatus(403);
                }
                yield new Decision.Challenge(r);
            }
            case ChallengeOutcome.ReadAnswer r -> throw new IllegalStateException("challenge answer: " + outcome);
            case ChallengeOutcome.Proceed p -> throw new IllegalStateException("challenge answer: " + outcome);
        };
    }

    private static Decision limited(RequestLog log, long retryAfterSeconds) {
        log.verdict(VerdictLabel.LIMIT);
        return new Decision.Refuse(429, LIMIT_REASON, false, retryAfterSeconds);
    }

    /**
     * Whether {@code head} asks to upgrade to WebSocket (RFC 6455 §4.1): a GET with {@code Upgrade: websocket} and
     * {@code Connection: upgrade} (tokens, any case, any field line). Anything else with {@code Upgrade} is a plain
     * request, whose {@code Upgrade} the relay drops as hop-by-hop (h2c upgrades, TLS upgrades are not proxied).
     */
    static boolean isWebSocketUpgrade(RequestHead head) {
        if (!head.method().equals("GET")) {
            return false;
        }
        List<String> upgrade = head.getAll("upgrade");
        if (upgrade.isEmpty() || !hasToken(upgrade, "websocket")) {
            return false;
        }
        return hasToken(head.getAll("connection"), "upgrade");
    }

    private static boolean hasToken(List<String> lines, String token) {
        for (String line : lines) {
            for (String t : line.split(",")) {
                if (t.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The ban action's status for the log: 403 when the client is told, 0 when the connection just closes. */
    static int banStatus(BanAction action) {
        return action == BanAction.REJECT ? 403 : 0;
    }
}
