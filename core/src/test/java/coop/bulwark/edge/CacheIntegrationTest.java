package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import coop.bulwark.edge.LoopbackClient.Response;
import coop.bulwark.metrics.SiteMeters;
import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.QueryKeyMode;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SiteLimits;
import coop.bulwark.site.SiteProtection;
import coop.bulwark.site.StatePolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The micro-cache end to end: a real edge in front of {@link CountingOrigin}, which counts requests per path and
 * answers each path with the cache headers a test needs. Every request comes from a loopback source address; the
 * sites have no rate limits here, so only the cache decides what reaches the origin.
 */
class CacheIntegrationTest {
    static final String HOST = "cache.test";
    static final String NO_STALE_HOST = "nostale.test";
    static final InetAddress CLIENT = loopback(0, 3, 1);

    private CountingOrigin origin;
    private EdgeServer edge;

    @BeforeEach
    void start() throws IOException {
        origin = new CountingOrigin();
        edge = EdgeServer.start(config(origin.hostPort()));
    }

    @AfterEach
    void stop() {
        edge.close();
        origin.close();
    }

    @Test
    void coalescing_hundredConcurrentMisses_reachOriginOnce_andAllGetTheSameBody() throws Exception {
        int clients = 100;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> results = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                InetAddress from = loopback(0, 4, 1 + i);
                results.add(pool.submit(() -> {
                    try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), from)) {
                        go.await();
                        return c.send("GET", HOST, "/coalesce?ms=300");
                    }
                }));
            }
            go.countDown();
        }
        List<String> bodies = new ArrayList<>();
        for (Future<Response> f : results) {
            Response r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            bodies.add(r.body());
        }
        System.out.printf("cache: %d concurrent misses → %d origin request(s)%n", clients, origin.count("/coalesce"));
        assertThat(origin.count("/coalesce")).isEqualTo(1);
        assertThat(bodies).hasSize(clients).containsOnly("coalesce #1");
    }

    @Test
    void freshEntry_isServedAsHit_withAge() throws IOException {
        Response first = get("/fresh");
        Response second = get("/fresh");

        assertThat(first.header("x-cache")).isNull();
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("x-cache")).isEqualTo("HIT");
        assertThat(second.header("age")).isNotNull().matches("\\d+");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(origin.count("/fresh")).isEqualTo(1);
    }

    @Test
    void privateNoStoreAndSetCookieResponses_areNeverServedFromCache() throws IOException {
        for (String path : List.of("/private", "/nostore", "/setcookie")) {
            Response a = get(path);
            Response b = get(path);
            assertThat(a.status()).as(path).isEqualTo(200);
            assertThat(b.header("x-cache")).as(path).isNull();
            assertThat(b.body()).as(path).isNotEqualTo(a.body());
            assertThat(origin.count(path)).as(path).isEqualTo(2);
        }
    }

    @Test
    void notStorableUrl_isMarkedPass_soLaterRequestsGoStraightToTheOrigin() throws IOException {
        var meters = edge.snapshot().site("cache").meters();
        double coalescedBefore = meters.count(SiteMeters.CacheLabel.COALESCED);
        double bypassBefore = meters.count(SiteMeters.CacheLabel.BYPASS);
        get("/private"); // leads a fetch, finds it not storable: marked pass for a while
        get("/private");
        get("/private");
        assertThat(meters.count(SiteMeters.CacheLabel.BYPASS) - bypassBefore).isEqualTo(2);
        assertThat(meters.count(SiteMeters.CacheLabel.COALESCED)).isEqualTo(coalescedBefore);
        assertThat(origin.count("/private")).isEqualTo(3);
    }

    @Test
    void requestsWithAuthorizationOrCookie_bypassTheCache() throws IOException {
        get("/fresh");
        Response auth = get("/fresh", "Authorization: Bearer abc");
        Response cookie = get("/fresh", "Cookie: session=1");
        Response plain = get("/fresh");

        assertThat(auth.header("x-cache")).isNull();
        assertThat(cookie.header("x-cache")).isNull();
        assertThat(plain.header("x-cache")).isEqualTo("HIT");
        assertThat(origin.count("/fresh")).isEqualTo(3);
        // Nor are their responses stored for others.
        get("/authonly", "Authorization: Bearer abc");
        assertThat(get("/authonly").header("x-cache")).isNull();
        assertThat(origin.count("/authonly")).isEqualTo(2);
    }

    @Test
    void varyAcceptLanguage_keepsVariantsApart() throws IOException {
        Response en = get("/vary", "Accept-Language: en");
        Response de = get("/vary", "Accept-Language: de");
        Response en2 = get("/vary", "Accept-Language: en");
        Response de2 = get("/vary", "Accept-Language: de");

        assertThat(en.body()).startsWith("lang=en");
        assertThat(de.body()).startsWith("lang=de");
        assertThat(en2.header("x-cache")).isEqualTo("HIT");
        assertThat(en2.body()).isEqualTo(en.body());
        assertThat(de2.header("x-cache")).isEqualTo("HIT");
        assertThat(de2.body()).isEqualTo(de.body());
        assertThat(origin.count("/vary")).isEqualTo(2);
    }

    @Test
    void staleIfError_servesExpiredCopy_whenOriginIsDown_onlyWithinTheSitesWindow() throws IOException {
        // max-age=0: stored already expired, so no waiting for expiry is needed.
        Response first = get("/expired");
        Response noStaleFirst = LoopbackClient.once(edge.httpAddress(), CLIENT, "GET", NO_STALE_HOST, "/expired");
        assertThat(first.status()).isEqualTo(200);
        assertThat(noStaleFirst.status()).isEqualTo(200);

        origin.close();
        Response stale = get("/expired");
        Response noStale = LoopbackClient.once(edge.httpAddress(), CLIENT, "GET", NO_STALE_HOST, "/expired");

        assertThat(stale.status()).isEqualTo(200);
        assertThat(stale.header("x-cache")).isEqualTo("STALE");
        assertThat(stale.body()).isEqualTo(first.body());
        assertThat(noStale.status()).as("site with stale_if_error 0s").isEqualTo(502);
    }

    @Test
    void cacheBusting_underAttack_isAbsorbed_butInNormalStateEachQueryReachesOrigin() throws IOException {
        int n = 200;
        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), CLIENT)) {
            for (int i = 0; i < n; i++) {
                assertThat(c.send("GET", HOST, "/page?x=n" + i).status()).isEqualTo(200);
            }
        }
        int normal = origin.count("/page");

        edge.snapshot().site("cache").guard().force(ProtectionState.UNDER_ATTACK, "test", Instant.now(), null);
        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), CLIENT)) {
            for (int i = 0; i < n; i++) {
                assertThat(c.send("GET", HOST, "/page?x=a" + i).status()).isEqualTo(200);
            }
        }
        int underAttack = origin.count("/page") - normal;
        System.out.printf(
                "cache busting: %d random queries → normal %d, under_attack %d origin requests%n",
                n, normal, underAttack);
        assertThat(normal).isEqualTo(n);
        assertThat(underAttack).isBetween(1, 2);
    }

    @Test
    void head_isAnsweredFromGetEntry_withoutBody() throws IOException {
        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), CLIENT)) {
            Response get = c.send("GET", HOST, "/fresh");
            Response head = c.send("HEAD", HOST, "/fresh");
            // The next response parses cleanly only if the HEAD response carried no body.
            Response after = c.send("GET", HOST, "/fresh");

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("x-cache")).isEqualTo("HIT");
            assertThat(head.header("content-length"))
                    .isEqualTo(Integer.toString(get.body().length()));
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.body()).isEqualTo(get.body());
        }
        assertThat(origin.count("/fresh")).isEqualTo(1);
    }

    @Test
    void hit_framesTheConnectionAsTheClientAsked() throws IOException {
        String body = get("/fresh").body();
        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), CLIENT)) {
            Response hit = c.send("GET", HOST, "/fresh", "Connection: close");

            assertThat(hit.header("x-cache")).isEqualTo("HIT");
            assertThat(hit.header("connection")).isEqualToIgnoringCase("close");
            assertThat(hit.body()).isEqualTo(body);
            assertThat(c.closedWithoutResponse())
                    .as("closed after a hit asked with Connection: close")
                    .isTrue();
        }
        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), CLIENT)) {
            Response first = c.exchange("GET /fresh HTTP/1.0\r\nHost: " + HOST + "\r\nConnection: keep-alive\r\n\r\n");
            Response second = c.exchange("GET /fresh HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n");

            assertThat(first.header("x-cache")).isEqualTo("HIT");
            assertThat(first.header("connection")).isEqualToIgnoringCase("keep-alive");
            assertThat(first.body()).isEqualTo(body);
            assertThat(second.header("x-cache")).isEqualTo("HIT");
            assertThat(second.header("connection")).isEqualToIgnoringCase("close");
            assertThat(second.body()).isEqualTo(body);
            assertThat(c.closedWithoutResponse())
                    .as("HTTP/1.0 without keep-alive ends after the hit")
                    .isTrue();
        }
        assertThat(origin.count("/fresh")).isEqualTo(1);
    }

    @Test
    void hitOnAPage_carriesTheSeenCookie_toAPersonWithoutOne_only() throws IOException {
        String accept = "Accept: text/html";
        get("/page", accept);
        Response hit = get("/page", accept);

        assertThat(hit.header("x-cache")).isEqualTo("HIT");
        assertThat(hit.header("content-type")).isEqualTo("text/html; charset=utf-8");
        String set = hit.header("set-cookie");
        assertThat(set).startsWith("bulwark_seen=");
        String cookie = "Cookie: " + set.substring(0, set.indexOf(';'));
        assertThat(get("/page", accept, cookie).header("set-cookie"))
                .as("already has one")
                .isNull();
        assertThat(get("/page").header("set-cookie"))
                .as("not asking for a page")
                .isNull();
        assertThat(get("/fresh", accept).header("set-cookie")).as("not a page").isNull();
    }

    @Test
    void varyOnFieldsTheEdgeRewrites_matchesAsTheOriginSawThem() throws IOException {
        // The origin saw Host as the site's authority and X-Forwarded-For as the edge wrote it: the stored variant's
        // values. A client spelling Host in capitals, and sending its own X-Forwarded-For, still gets that variant.
        String host = HOST.toUpperCase(Locale.ROOT);
        LoopbackClient.once(edge.httpAddress(), CLIENT, "GET", host, "/varyhost", "X-Forwarded-For: 192.0.2.1");
        Response again =
                LoopbackClient.once(edge.httpAddress(), CLIENT, "GET", host, "/varyhost", "X-Forwarded-For: 192.0.2.2");

        assertThat(again.header("x-cache")).isEqualTo("HIT");
        assertThat(origin.count("/varyhost")).isEqualTo(1);
    }

    private Response get(String path, String... headers) throws IOException {
        return LoopbackClient.once(edge.httpAddress(), CLIENT, "GET", HOST, path, headers);
    }

    private static EdgeConfig config(String origin) {
        StatePolicy normal = policy(Duration.ZERO, QueryKeyMode.KEEP, false);
        StatePolicy attack = policy(Duration.ofSeconds(10), QueryKeyMode.ALLOWLIST, true);
        Map<ProtectionState, StatePolicy> policies = Map.of(
                ProtectionState.NORMAL, normal,
                ProtectionState.SUSPECT, normal,
                ProtectionState.UNDER_ATTACK, attack);
        var withStale = new SiteProtection(
                ProtectionState.NORMAL, policies, true, List.of("page"), Duration.ofHours(1), Duration.ofSeconds(30));
        var noStale =
                new SiteProtection(ProtectionState.NORMAL, policies, true, List.of(), Duration.ZERO, Duration.ZERO);
        var limits = new SiteLimits(
                1024 * 1024, 8192, 0, Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(5));
        return TestEdge.config(
                List.of(
                        site("cache", HOST, limits, withStale, origin),
                        site("nostale", NO_STALE_HOST, limits, noStale, origin)),
                ConnectionLimits.DEFAULTS,
                false,
                new ProtectionConfig(
                        true,
                        OptionalInt.of(256),
                        Map.of(),
                        Optional.empty(),
                        Optional.empty(),
                        BanPolicy.DEFAULTS,
                        List.of(),
                        64L * 1024 * 1024,
                        1024 * 1024));
    }

    private static SiteConfig site(String name, String host, SiteLimits limits, SiteProtection p, String origin) {
        var base = TestEdge.site(name, List.of(host), limits, Optional.empty(), origin);
        return new SiteConfig(base.name(), base.hosts(), base.origins(), base.tls(), base.limits(), p);
    }

    /** No source limits: only the cache decides what reaches the origin. */
    private static StatePolicy policy(Duration minTtl, QueryKeyMode query, boolean cacheOnly) {
        return new StatePolicy(
                Optional.empty(),
                Optional.empty(),
                10_000,
                new BulkheadLimits(64, 256, Duration.ofSeconds(2), 1),
                minTtl,
                query,
                cacheOnly,
                0,
                Duration.ofSeconds(10),
                0,
                StatePolicy.DEFAULT_BUSTING_WINDOW);
    }

    /**
     * An origin that counts requests per path and answers each with the headers under test; the body names the path
     * and its request number, so a cached copy is told apart from a fresh one.
     */
    static final class CountingOrigin implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        CountingOrigin() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", this::handle);
            server.start();
        }

        String hostPort() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        int count(String path) {
            AtomicInteger n = counts.get(path);
            return n == null ? 0 : n.get();
        }

        private void handle(HttpExchange ex) throws IOException {
            String path = ex.getRequestURI().getPath();
            int n = counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            var h = ex.getResponseHeaders();
            String body = path.substring(1) + " #" + n;
            try (ex) {
                switch (path) {
                    case "/coalesce" -> {
                        sleep(Long.parseLong(ex.getRequestURI().getQuery().substring("ms=".length())));
                        h.set("Cache-Control", "max-age=60");
                    }
                    case "/fresh", "/authonly" -> h.set("Cache-Control", "max-age=60");
                    case "/private" -> h.set("Cache-Control", "private, max-age=60");
                    case "/nostore" -> h.set("Cache-Control", "no-store, max-age=60");
                    case "/setcookie" -> {
                        h.set("Cache-Control", "max-age=60");
                        h.set("Set-Cookie", "session=" + n);
                    }
                    case "/vary" -> {
                        h.set("Cache-Control", "max-age=60");
                        h.set("Vary", "Accept-Language");
                        body = "lang=" + ex.getRequestHeaders().getFirst("Accept-Language") + " #" + n;
                    }
                    case "/expired" -> h.set("Cache-Control", "max-age=0");
                    case "/varyhost" -> {
                        h.set("Cache-Control", "max-age=60");
                        h.set("Vary", "Host, X-Forwarded-For");
                    }
                    case "/page" -> {
                        h.set("Cache-Control", "max-age=60");
                        h.set("Content-Type", "text/html; charset=utf-8");
                    }
                    default -> {} // no cache headers: a page
                }
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                if (!h.containsKey("Content-Type")) {
                    h.set("Content-Type", "text/plain");
                }
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
