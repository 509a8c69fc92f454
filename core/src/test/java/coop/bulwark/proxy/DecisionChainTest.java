package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.cache.CacheResponsePolicy;
import coop.bulwark.cache.StorageDecision;
import coop.bulwark.challenge.PassCodec;
import coop.bulwark.detect.SiteSecond;
import coop.bulwark.detect.TrafficAccounting;
import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.protect.BulkheadLane;
import coop.bulwark.protect.Gatekeeper;
import coop.bulwark.site.BanPolicy.BanAction;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.time.Ticker;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision chain on hand-built request heads, without sockets or event loops: each outcome, in the chain's order
 * (admission, verdict, challenge, cache plan), and what it writes into the request's log.
 */
class DecisionChainTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path dir;

    long nanos = 1_000_000_000L;
    final Ticker ticker = () -> nanos;
    final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    EdgeMetrics metrics;
    TrafficAccounting accounting;
    EdgeSnapshot snap;
    Gatekeeper gatekeeper;
    CacheStage cache;
    ChallengeStage challenge;
    DecisionChain chain;

    @BeforeEach
    void start() throws Exception {
        EdgeConfig config = ConfigLoader.parse("""
                listen: {http: 127.0.0.1:18080, event_loops: 1}
                access_log: {enabled: false}
                protection:
                  global: {per_ip: off, per_prefix: off}
                  bans:
                    action: reject
                    manual: [{subject: 192.0.2.66, reason: "abuse report"}]
                  cache: {max_bytes: 1MiB, max_object_bytes: 64KiB}
                policy:
                  normal: {per_ip: {rate: 1/s, burst: 2}, per_prefix: off}
                sites:
                  - {name: open, hosts: [open.test], origins: ["127.0.0.1:1"], challenge: off,
                     limits: {max_websockets: 1}}
                  - {name: guarded, hosts: [guarded.test], origins: ["127.0.0.1:1"], challenge: always}
                """, dir.resolve("bulwark.yaml"));
        metrics = new EdgeMetrics();
        gatekeeper = new Gatekeeper(ticker, clock);
        gatekeeper.configure(config.protection());
        challenge = ChallengeStage.start(config, gatekeeper.bans(), ticker, clock);
        cache = CacheStage.create(config.protection(), Duration.ofSeconds(60), ticker);
        snap = EdgeSnapshot.build(1, config, Map.of(), Map.of(), RequestAdmissionTest.NO_TLS, metrics, T0);
        snap.activate(T0, metrics);
        chain = new DecisionChain(gatekeeper, challenge, cache);
        accounting = new TrafficAccounting(snap.sites().size(), 1, 7);
    }

    @AfterEach
    void stop() {
        metrics.close();
    }

    static ClientInfo client(String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        return new ClientInfo(new InetSocketAddress(a, 40000), a, false, false, null);
    }

    static NettyRequestHead get(String host, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("host", host);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return new NettyRequestHead(r, false);
    }

    RequestLog log(NettyRequestHead head) {
        return new RequestLog(
                metrics,
                (loop, site) -> site < accounting.sites() ? accounting.recorder(loop) : null,
                0,
                "http/1.1",
                nanos,
                clock.millis(),
                head.method(),
                head.uri(),
                "198.51.100.7");
    }

    Decision decide(NettyRequestHead head, ClientInfo info, RequestLog log) {
        return chain.decide(head, info, snap, log);
    }

    double counter(String name, String site, String tag, String value) {
        var c = metrics.registry().find(name).tag("site", site).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    SiteSecond detected(String site) {
        return accounting.harvest(T0, 1).sites().get(snap.site(site).guard().index());
    }

    static NettyRequestHead upgrade(String host) {
        return get(host, "/ws", "upgrade", "websocket", "connection", "Upgrade", "sec-websocket-version", "13");
    }

    @Test
    void webSocketUpgrade_recognisedByTokens_inAnyCaseAndFieldLine() {
        assertThat(DecisionChain.isWebSocketUpgrade(upgrade("open.test"))).isTrue();
        assertThat(DecisionChain.isWebSocketUpgrade(get(
                        "open.test", "/", "upgrade", "WebSocket", "connection", "keep-alive", "connection", "UPGRADE")))
                .isTrue();
        assertThat(DecisionChain.isWebSocketUpgrade(get("open.test", "/", "upgrade", "websocket")))
                .isFalse();
        assertThat(DecisionChain.isWebSocketUpgrade(get("open.test", "/", "upgrade", "h2c", "connection", "upgrade")))
                .isFalse();
        assertThat(DecisionChain.isWebSocketUpgrade(
                        get("open.test", "/", "upgrade", "websocket", "connection", "upgraded")))
                .isFalse();
        var post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/ws");
        post.headers().set("upgrade", "websocket").set("connection", "upgrade");
        assertThat(DecisionChain.isWebSocketUpgrade(new NettyRequestHead(post, false)))
                .isFalse();
    }

    @Test
    void webSocketUpgrade_isForwardedWithoutCache_holdingTheSiteSlot_andOverTheCapIs503() throws Exception {
        var guard = snap.site("open").guard();
        var head = upgrade("open.test");
        Decision d = decide(head, client("198.51.100.7"), log(head));
        assertThat(d).isInstanceOfSatisfying(Decision.Forward.class, f -> {
            assertThat(f.upgrade()).isTrue();
            assertThat(f.cache()).isNull();
        });
        assertThat(guard.upgrades().open()).isEqualTo(1);

        var second = upgrade("open.test");
        RequestLog log = log(second);
        assertThat(decide(second, client("198.51.100.8"), log))
                .isEqualTo(new Decision.Refuse(
                        503, DecisionChain.WEBSOCKET_CAP_REASON, false, DecisionChain.WEBSOCKET_RETRY_AFTER_SECONDS));
        assertThat(guard.upgrades().open()).isEqualTo(1);
        log.complete(503, 0, nanos);
        assertThat(counter("bulwark_requests_verdict", "open", "verdict", "limit"))
                .isEqualTo(1);
        guard.upgrades().release();
    }

    @Test
    void webSocketUpgrade_withoutTheCookieWhereTheSiteChallenges_is403_andTakesNoSlot() throws Exception {
        var head = upgrade("guarded.test");
        RequestLog log = log(head);
        assertThat(decide(head, client("198.51.100.7"), log))
                .isEqualTo(new Decision.Refuse(403, DecisionChain.WEBSOCKET_UNVOUCHED_REASON, false, 0));
        assertThat(snap.site("guarded").guard().upgrades().open()).isZero();
        log.complete(403, 0, nanos);
        assertThat(counter("bulwark_requests_verdict", "guarded", "verdict", "challenge"))
                .isEqualTo(1);
        assertThat(detected("guarded").requests()).isEqualTo(1);
    }

    @Test
    void malformedHead_isRefusedBeforeRouting_andLoggedUnrouted() throws Exception {
        var head = get("open.test", "/");
        head.request().setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("too long")));
        RequestLog log = log(head);

        Decision d = decide(head, client("198.51.100.7"), log);

        assertThat(d).isEqualTo(new Decision.Refuse(431, "request too large", true, 0));
        assertThat(log.site()).isNull();
        log.complete(431, 0, nanos);
        assertThat(counter("bulwark_requests_verdict", "-", "verdict", "reject"))
                .isEqualTo(1);
    }

    @Test
    void unknownHost_is421_andNeverRouted() throws Exception {
        RequestLog log = log(get("elsewhere.test", "/"));
        Decision d = decide(get("elsewhere.test", "/"), client("198.51.100.7"), log);
        assertThat(d).isInstanceOf(Decision.Refuse.class);
        assertThat(((Decision.Refuse) d).status()).isEqualTo(421);
        assertThat(log.site()).isNull();
    }

    @Test
    void routedPage_isForwarded_withACachePlan_andItsConcurrencySlot() throws Exception {
        var head = get("open.test", "/page?x=1");
        RequestLog log = log(head);

        Decision d = decide(head, client("198.51.100.7"), log);

        assertThat(d).isInstanceOf(Decision.Forward.class);
        var f = (Decision.Forward) d;
        assertThat(f.admitted().site().name()).isEqualTo("open");
        assertThat(f.admitted().originUri()).isEqualTo("/page?x=1");
        assertThat(f.concurrencySlot()).isTrue();
        assertThat(f.clientAddress())
                .containsExactly(InetAddress.getByName("198.51.100.7").getAddress());
        assertThat(f.cache()).isNotNull();
        assertThat(f.cache().head()).isFalse();
        assertThat(log.site().name()).isEqualTo("open");
        assertThat(log.traits().site()).isEqualTo(snap.site("open").guard().index());
    }

    @Test
    void requestWithCredentials_isForwardedWithoutTheCache() throws Exception {
        var head = get("open.test", "/account", "authorization", "Bearer x");
        Decision d = decide(head, client("198.51.100.7"), log(head));
        assertThat(((Decision.Forward) d).cache()).isNull();
        assertThat(counter("bulwark_cache_requests", "open", "result", "bypass"))
                .isEqualTo(1);
    }

    @Test
    void overTheRate_is429WithRetryAfter_countedAsALimit() throws Exception {
        ClientInfo c = client("198.51.100.7");
        for (int i = 0; i < 2; i++) {
            var head = get("open.test", "/");
            var f = (Decision.Forward) decide(head, c, log(head));
            chain.release(f);
        }
        var head = get("open.test", "/");
        RequestLog log = log(head);

        Decision d = decide(head, c, log);

        assertThat(d).isEqualTo(new Decision.Refuse(429, DecisionChain.LIMIT_REASON, false, 1));
        log.complete(429, 0, nanos);
        assertThat(counter("bulwark_requests_verdict", "open", "verdict", "limit"))
                .isEqualTo(1);
        assertThat(detected("open").clientErrors()).isEqualTo(1);
    }

    @Test
    void bannedAddress_getsTheBanAction_andDetectionSeesA403() throws Exception {
        var head = get("open.test", "/");
        RequestLog log = log(head);

        Decision d = decide(head, client("192.0.2.66"), log);

        assertThat(d).isEqualTo(new Decision.Ban(BanAction.REJECT));
        log.complete(DecisionChain.banStatus(BanAction.REJECT), 0, nanos);
        assertThat(counter("bulwark_requests_verdict", "open", "verdict", "ban"))
                .isEqualTo(1);
        assertThat(detected("open").clientErrors()).isEqualTo(1);
    }

    @Test
    void pageWithoutCookie_onAChallengingSite_getsThePage_whichDetectionCountsAsARefusal() throws Exception {
        var head = get("guarded.test", "/", "accept", "text/html", "sec-fetch-mode", "navigate");
        RequestLog log = log(head);

        Decision d = decide(head, client("198.51.100.7"), log);

        assertThat(d).isInstanceOf(Decision.Challenge.class);
        int status = ((Decision.Challenge) d).response().status();
        assertThat(status).isEqualTo(503);
        log.complete(status, 0, nanos);
        SiteSecond s = detected("guarded");
        assertThat(s.requests()).isEqualTo(1);
        assertThat(s.serverErrors()).isZero();
        assertThat(s.clientErrors()).isEqualTo(1);
        assertThat(counter("bulwark_requests_verdict", "guarded", "verdict", "challenge"))
                .isEqualTo(1);
    }

    @Test
    void postedAnswer_isReadFirst_andNotRecordedForDetection() throws Exception {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/.bulwark/challenge");
        r.headers().set("host", "guarded.test").set("content-length", "20");
        var head = new NettyRequestHead(r, false);
        RequestLog log = log(head);

        Decision d = decide(head, client("198.51.100.7"), log);

        assertThat(d).isInstanceOf(Decision.ReadAnswer.class);
        Decision answered = chain.answer((Decision.ReadAnswer) d, "token=x&nonce=1", false, log);
        assertThat(answered).isInstanceOf(Decision.Challenge.class);
        log.complete(((Decision.Challenge) answered).response().status(), 0, nanos);
        assertThat(detected("guarded").requests()).isZero();
    }

    @Test
    void forwardedRequest_losesTheEdgesCookie_butKeepsTheSitesOwn() throws Exception {
        var head = get("guarded.test", "/style.css", "cookie", "bulwark_pass=forged; theme=dark", "accept", "text/css");
        Decision d = decide(head, client("198.51.100.7"), log(head));
        assertThat(d).isInstanceOf(Decision.Forward.class);
        assertThat(head.request().headers().getAll("cookie")).containsExactly("theme=dark");
    }

    /** Stores a cacheable page for {@code head}'s target on its site, as a response with {@code max-age=60} would. */
    void store(NettyRequestHead head) throws Exception {
        var admitted = (Admission.Admitted) RequestAdmission.admit(head, snap, client("203.0.113.1"));
        CachePlan plan = cache.plan(admitted.site(), head, admitted, true);
        var headers = new DefaultHttpHeaders().set("cache-control", "max-age=60");
        var meta = (StorageDecision.Storable)
                CacheResponsePolicy.evaluate(200, new NettyHeaderView(headers), plan.policy(), clock.millis());
        cache.cache().store(plan.key(), head, meta.meta(), "page".getBytes(StandardCharsets.UTF_8), nanos);
    }

    @Test
    void underAttack_aStoredPage_isAnsweredFromTheCache_toEveryClient_andOnlyAMissMeetsTheChallenge() throws Exception {
        snap.site("guarded").guard().force(ProtectionState.UNDER_ATTACK, "test", T0, null);
        ClientInfo bot = client("198.51.100.7");
        var miss = get("guarded.test", "/post/1?x=1", "accept", "text/html");
        assertThat(decide(miss, bot, log(miss))).isInstanceOf(Decision.Challenge.class);

        store(get("guarded.test", "/post/1"));
        var busting = get("guarded.test", "/post/1?x=2", "accept", "text/html");
        RequestLog log = log(busting);
        Decision d = decide(busting, bot, log);

        assertThat(d).isInstanceOfSatisfying(Decision.Forward.class, f -> {
            assertThat(f.cache().cacheOnly()).isTrue();
            assertThat(f.cache().key().toString()).doesNotContain("x=2");
            assertThat(f.concurrencySlot()).isTrue();
        });
        log.complete(200, 4, nanos);
        assertThat(counter("bulwark_requests_verdict", "guarded", "verdict", "cache_only"))
                .isEqualTo(1);
        // Stale is as good: the page is past its max-age, still within stale_if_error.
        nanos += Duration.ofMinutes(5).toNanos();
        var stale = get("guarded.test", "/post/1", "accept", "text/html");
        assertThat(decide(stale, bot, log(stale))).isInstanceOf(Decision.Forward.class);
    }

    @Test
    void underAttack_anInvalidEdgeCookie_doesNotKeepAStoredPageFromAPerson_butTheSitesOwnCookieDoes() throws Exception {
        snap.site("guarded").guard().force(ProtectionState.UNDER_ATTACK, "test", T0, null);
        store(get("guarded.test", "/"));
        var forged = get("guarded.test", "/", "accept", "text/html", "cookie", "bulwark_pass=forged");
        assertThat(decide(forged, client("198.51.100.8"), log(forged))).isInstanceOf(Decision.Forward.class);
        assertThat(forged.request().headers().get("cookie")).isNull();

        var session = get("guarded.test", "/", "accept", "text/html", "cookie", "PHPSESSID=abc");
        assertThat(decide(session, client("198.51.100.9"), log(session))).isInstanceOf(Decision.Challenge.class);
    }

    @Test
    void normalState_aStoredPage_doesNotSkipTheChallenge_ofASiteThatAlwaysChallenges() throws Exception {
        store(get("guarded.test", "/"));
        var head = get("guarded.test", "/", "accept", "text/html");
        assertThat(decide(head, client("198.51.100.7"), log(head))).isInstanceOf(Decision.Challenge.class);
    }

    @Test
    void normalTimes_aPageWithoutTheSeenCookie_isGivenOne_andTheNextRequestHoldingItIsAPersons() throws Exception {
        ClientInfo c = client("198.51.100.7");
        var first = get("open.test", "/post/1", "accept", "text/html");
        var f = (Decision.Forward) decide(first, c, log(first));
        assertThat(f.lane()).isEqualTo(BulkheadLane.STRANGERS);
        assertThat(f.seenCookie()).startsWith("bulwark_seen=");
        var asset = get("open.test", "/style.css", "sec-fetch-dest", "style", "accept", "text/css");
        assertThat(((Decision.Forward) decide(asset, c, log(asset))).seenCookie())
                .as("only pages get one")
                .isNull();

        String pair = f.seenCookie().substring(0, f.seenCookie().indexOf(';'));
        nanos += Duration.ofSeconds(2).toNanos(); // this config's per_ip is 1/s with a burst of 2
        var again = get("open.test", "/post/2", "accept", "text/html", "cookie", pair + "; theme=dark");
        var g = (Decision.Forward) decide(again, c, log(again));

        assertThat(g.lane()).isEqualTo(BulkheadLane.PEOPLE);
        assertThat(g.seenCookie()).isNull();
        assertThat(again.request().headers().getAll("cookie")).containsExactly("theme=dark");
    }

    @Test
    void underAttack_noSeenCookieIsGiven() throws Exception {
        snap.site("open").guard().force(ProtectionState.UNDER_ATTACK, "test", T0, null);
        var head = get("open.test", "/post/1", "accept", "text/html");
        var f = (Decision.Forward) decide(head, client("198.51.100.7"), log(head));
        assertThat(f.seenCookie()).isNull();
        assertThat(f.lane()).isEqualTo(BulkheadLane.STRANGERS);
        var busting = get("open.test", "/?q8Zk2xP1=7fG3kQ9w", "accept", "text/html");
        assertThat(((Decision.Forward) decide(busting, client("198.51.100.8"), log(busting))).lane())
                .isEqualTo(BulkheadLane.BUSTERS);
    }

    String passFor(String site, String address) throws Exception {
        return challenge
                .gate()
                .codec()
                .cookie(
                        PassCodec.Kind.WORK,
                        site,
                        InetAddress.getByName(address).getAddress(),
                        20,
                        clock.millis() / 1000 + 3600);
    }

    @Test
    void aStrangerOverTheLimitOfAnAddressSharedWithPeople_isShownTheChallengeInsteadOf429() throws Exception {
        ClientInfo c = client("198.51.100.7");
        for (int i = 0; i < 3; i++) {
            var guarded = get("guarded.test", "/", "accept", "text/html");
            decide(guarded, c, log(guarded));
            var open = get("open.test", "/");
            decide(open, c, log(open));
        }
        var alone = get("guarded.test", "/post/1", "accept", "text/html");
        assertThat(decide(alone, c, log(alone)))
                .as("nobody vouches for the address yet")
                .isInstanceOfSatisfying(
                        Decision.Refuse.class, r -> assertThat(r.status()).isEqualTo(429));

        var person = get(
                "guarded.test",
                "/",
                "accept",
                "text/html",
                "cookie",
                "bulwark_pass=" + passFor("guarded", "198.51.100.7"));
        chain.release((Decision.Forward) decide(person, c, log(person)));
        var page = get("guarded.test", "/post/1", "accept", "text/html");
        var open = get("open.test", "/post/1", "accept", "text/html");

        assertThat(decide(page, c, log(page)))
                .as("a person behind a busy shared address can still earn a cookie")
                .isInstanceOf(Decision.Challenge.class);
        assertThat(decide(open, c, log(open)))
                .as("a site without a challenge")
                .isInstanceOfSatisfying(
                        Decision.Refuse.class, r -> assertThat(r.status()).isEqualTo(429));
    }

    @Test
    void aPassHolder_isLimitedOnItsCookie_notOnTheAddressItShares() throws Exception {
        ClientInfo shared = client("198.51.100.7");
        for (int i = 0; i < 3; i++) {
            var stranger = get("open.test", "/");
            decide(stranger, shared, log(stranger));
        }
        var over = get("open.test", "/");
        assertThat(decide(over, shared, log(over)))
                .as("the address's allowance is spent")
                .isInstanceOf(Decision.Refuse.class);
        String pass = passFor("guarded", "198.51.100.7");
        var person = get("guarded.test", "/post/1", "accept", "text/html", "cookie", "bulwark_pass=" + pass);
        var f = (Decision.Forward) decide(person, shared, log(person));
        assertThat(f.holder()).isNotNegative();
        assertThat(f.lane()).isEqualTo(BulkheadLane.PEOPLE);
        chain.release(f);
    }

    @Test
    void log_completesOnce_whateverCallsItAgain() throws Exception {
        var head = get("open.test", "/");
        RequestLog log = log(head);
        decide(head, client("198.51.100.7"), log);
        log.relayed();

        log.complete(200, 10, nanos + 5_000_000);
        log.complete(502, 0, nanos + 9_000_000);

        assertThat(log.completed()).isTrue();
        assertThat(counter("bulwark_requests_verdict", "open", "verdict", "pass"))
                .isEqualTo(1);
        SiteSecond s = detected("open");
        assertThat(s.requests()).isEqualTo(1);
        assertThat(s.serverErrors()).isZero();
        assertThat(metrics.registry().find("bulwark_request_duration").timer().count())
                .isEqualTo(1);
    }
}
