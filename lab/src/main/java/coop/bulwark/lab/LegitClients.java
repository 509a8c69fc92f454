package coop.bulwark.lab;

import coop.bulwark.challenge.ChallengeEndpoint;
import coop.bulwark.challenge.ProofOfWork;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Legitimate clients, each a loop for one virtual thread, bound to its own address ({@link AddressPlan#legit}) and
 * stopping by itself at the end of the run. A request counts as a success when it is answered 2xx or 3xx within the
 * scenario's timeout; anything else (4xx, 5xx, reset, timeout) is a failure of that person's request.
 */
final class LegitClients {
    private static final String BROWSER_UA =
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 (bulwark-lab browser)";
    private static final String FEED_UA = "FreshRSS/1.24 (bulwark-lab feed reader)";
    private static final String CRAWLER_UA = "Mozilla/5.0 (compatible; bulwark-lab-crawler/1.0)";
    private static final String NOJS_UA = "Lynx/2.9.0 libwww-FM/2.14 (bulwark-lab no-JavaScript reader)";
    /** {@link #request}'s {@code asset} for a person who runs no script: a page, no challenge solved. */
    private static final int NOJS = -2;

    private static final String[] ASSETS = {"/assets/style.css", "/assets/app.js", "/img/header.jpg", "/img/logo.png"};
    /** What a browser sends for a page it navigates to, and for the assets of that page (fetch metadata included). */
    private static final String PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private static final String PAGE_HEADERS =
            "Accept-Language: en-US,en;q=0.5\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n";
    private static final String[] ASSET_DEST = {"style", "script", "image", "image"};

    private LegitClients() {}

    /**
     * A person with a browser: visits a site chosen by popularity, reads one to four pages (each followed by its
     * assets on the same keep-alive connection), with a think time between pages, keeps each site's cookies, then
     * moves on to another site on a new connection.
     */
    static void browser(TrafficContext ctx, Scenario.LegitTraffic cfg, int index, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.legit(index);
        Map<Integer, String> cookies = new HashMap<>();
        int timeout = (int) cfg.timeout().toMillis();
        long meanThink = cfg.thinkTime().toNanos();
        // Arrivals are spread over the first think time so the population does not start in step.
        ctx.sleepUntil(System.nanoTime() + (long) (rnd.nextDouble() * meanThink));
        while (ctx.running()) {
            int rank = ctx.popularity().sample(rnd);
            String host = Scenario.siteHost(rank);
            boolean target = ctx.isTarget(rank);
            LabConnection conn = null;
            int pages = 1 + rnd.nextInt(4);
            for (int p = 0; p < pages && ctx.running(); p++) {
                String page = p == 0 && rnd.nextBoolean() ? "/" : "/post/" + rnd.nextInt(500);
                conn = request(ctx, conn, source, timeout, host, page, BROWSER_UA, -1, cookies, rank, target);
                int assets = conn == null ? 0 : 2 + rnd.nextInt(3);
                for (int a = 0; a < assets && ctx.running(); a++) {
                    conn = request(ctx, conn, source, timeout, host, ASSETS[a], BROWSER_UA, a, cookies, rank, target);
                }
                ctx.sleepUntil(System.nanoTime() + exponential(rnd, meanThink));
            }
            if (conn != null) {
                conn.close();
            }
        }
    }

    /**
     * One of a crowd that came for one site (the news went viral): browses only that site, like {@link #browser},
     * from its own address, until {@code until} (System.nanoTime) or the run's end.
     */
    static void crowdBrowser(
            TrafficContext ctx, Scenario.LegitTraffic cfg, int index, long seed, int rank, long until) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.legit(index);
        Map<Integer, String> cookies = new HashMap<>();
        int timeout = (int) cfg.timeout().toMillis();
        long meanThink = cfg.thinkTime().toNanos();
        String host = Scenario.siteHost(rank);
        boolean target = ctx.isTarget(rank);
        ctx.sleepUntil(System.nanoTime() + (long) (rnd.nextDouble() * meanThink));
        while (ctx.running() && System.nanoTime() < until) {
            LabConnection conn = null;
            int pages = 1 + rnd.nextInt(4);
            for (int p = 0; p < pages && ctx.running() && System.nanoTime() < until; p++) {
                String page = p == 0 && rnd.nextBoolean() ? "/" : "/post/" + rnd.nextInt(500);
                conn = request(ctx, conn, source, timeout, host, page, BROWSER_UA, -1, cookies, rank, target);
                int assets = conn == null ? 0 : 2 + rnd.nextInt(3);
                for (int a = 0; a < assets && ctx.running(); a++) {
                    conn = request(ctx, conn, source, timeout, host, ASSETS[a], BROWSER_UA, a, cookies, rank, target);
                }
                ctx.sleepUntil(Math.min(until, System.nanoTime() + exponential(rnd, meanThink)));
            }
            if (conn != null) {
                conn.close();
            }
        }
    }

    /**
     * A person without JavaScript (a text browser, a reader app, a script run from cron): reads the front page of a
     * site chosen by popularity, on a new connection, then pauses for a think time. Keeps each site's cookies like any
     * HTTP client but runs no script, so a challenge page is a failure for it (a 503 it cannot get past).
     */
    static void nojsReader(TrafficContext ctx, Scenario.LegitTraffic cfg, int index, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.legit(index);
        Map<Integer, String> cookies = new HashMap<>();
        int timeout = (int) cfg.timeout().toMillis();
        long meanThink = cfg.thinkTime().toNanos();
        ctx.sleepUntil(System.nanoTime() + (long) (rnd.nextDouble() * meanThink));
        while (ctx.running()) {
            int rank = ctx.popularity().sample(rnd);
            LabConnection c = request(
                    ctx,
                    null,
                    source,
                    timeout,
                    Scenario.siteHost(rank),
                    "/",
                    NOJS_UA,
                    NOJS,
                    cookies,
                    rank,
                    ctx.isTarget(rank));
            if (c != null) {
                c.close();
            }
            ctx.sleepUntil(System.nanoTime() + exponential(rnd, meanThink));
        }
    }

    /**
     * One of many people behind one address (a university's NAT, {@link AddressPlan#nat}): reads the attacked sites
     * like {@link #browser} (one to four pages with their assets, the challenge solved, cookies kept per site), each
     * page on a new connection closed after its assets, since the edge caps connections per address and hundreds of
     * people's idle keep-alives would fill it.
     */
    static void natBrowser(TrafficContext ctx, Scenario.LegitTraffic cfg, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.nat();
        int[] targets =
                ctx.targetRanks().stream().mapToInt(Integer::intValue).sorted().toArray();
        Map<Integer, String> cookies = new HashMap<>();
        int timeout = (int) cfg.timeout().toMillis();
        long meanThink = cfg.thinkTime().toNanos();
        ctx.sleepUntil(System.nanoTime() + (long) (rnd.nextDouble() * meanThink));
        while (ctx.running() && targets.length > 0) {
            int rank = targets[rnd.nextInt(targets.length)];
            String host = Scenario.siteHost(rank);
            int pages = 1 + rnd.nextInt(4);
            for (int p = 0; p < pages && ctx.running(); p++) {
                String page = p == 0 && rnd.nextBoolean() ? "/" : "/post/" + rnd.nextInt(500);
                LabConnection conn =
                        request(ctx, null, source, timeout, host, page, BROWSER_UA, -1, cookies, rank, true);
                int assets = conn == null ? 0 : 2 + rnd.nextInt(3);
                for (int a = 0; a < assets && ctx.running() && conn != null; a++) {
                    conn = request(ctx, conn, source, timeout, host, ASSETS[a], BROWSER_UA, a, cookies, rank, true);
                }
                if (conn != null) {
                    conn.close();
                }
                ctx.sleepUntil(System.nanoTime() + exponential(rnd, meanThink));
            }
        }
    }

    /** A feed reader: polls the feed of a site chosen by popularity every interval, on a fresh connection. */
    static void feedReader(TrafficContext ctx, Scenario.LegitTraffic cfg, int index, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.legit(index);
        int timeout = (int) cfg.timeout().toMillis();
        long interval = cfg.feedInterval().toNanos();
        ctx.sleepUntil(System.nanoTime() + (long) (rnd.nextDouble() * interval));
        while (ctx.running()) {
            long next = System.nanoTime() + interval;
            int rank = ctx.popularity().sample(rnd);
            LabConnection c = request(
                    ctx,
                    null,
                    source,
                    timeout,
                    Scenario.siteHost(rank),
                    "/feed/",
                    FEED_UA,
                    0,
                    null,
                    rank,
                    ctx.isTarget(rank));
            if (c != null) {
                c.close();
            }
            ctx.sleepUntil(next);
        }
    }

    /** A search crawler: walks every site in turn, one page each, at a steady rate, keep-alive per site. */
    static void crawler(TrafficContext ctx, Scenario.LegitTraffic cfg, int index, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.legit(index);
        int timeout = (int) cfg.timeout().toMillis();
        long interval = (long) (1e9 / cfg.crawlRate());
        int rank = 1 + rnd.nextInt(ctx.sites());
        long next = System.nanoTime();
        while (ctx.running()) {
            next += interval;
            LabConnection c = request(
                    ctx,
                    null,
                    source,
                    timeout,
                    Scenario.siteHost(rank),
                    "/post/" + rnd.nextInt(500),
                    CRAWLER_UA,
                    0,
                    null,
                    rank,
                    ctx.isTarget(rank));
            if (c != null) {
                c.close();
            }
            rank = rank % ctx.sites() + 1;
            ctx.sleepUntil(Math.max(next, System.nanoTime()));
        }
    }

    /**
     * One request on {@code conn} (opened first if null), recorded; returns the connection to reuse, or null when it
     * failed or the server closes it. {@code asset} is the index in {@link #ASSETS} for a browser's asset, -1 for a
     * page it navigates to (then a challenge page is solved, as the page's script would, and its cookie kept),
     * {@link #NOJS} for a page read by a client that keeps cookies but runs no script, and anything else for a client
     * that is neither.
     */
    private static LabConnection request(
            TrafficContext ctx,
            LabConnection conn,
            byte[] source,
            int timeoutMillis,
            String host,
            String path,
            String userAgent,
            int asset,
            Map<Integer, String> cookies,
            int rank,
            boolean target) {
        long t0 = System.nanoTime();
        LabConnection c = conn;
        try {
            if (c == null) {
                c = LabConnection.open(ctx.edge(), source, timeoutMillis, ctx.sockets());
            }
            String cookie = cookies == null ? null : cookies.get(rank);
            String cookieLine = cookie == null ? "" : "Cookie: " + cookie + "\r\n";
            boolean browser = cookies != null && asset != NOJS;
            LabConnection.Response r;
            if (asset == NOJS) {
                r = c.get(host, path, userAgent, "text/html, text/plain;q=0.8, */*;q=0.1", cookieLine);
            } else if (browser && asset < 0) {
                r = c.get(host, path, userAgent, PAGE_ACCEPT, PAGE_HEADERS + cookieLine);
                boolean challenged = r.body() != null && r.body().contains("data-challenge=\"");
                if (!challenged && target && r.status() < 400 && passFromAnotherEdge(c, cookies, rank)) {
                    ctx.recorder().passesAcrossEdges.incrementAndGet();
                }
                if (challenged && !r.close()) {
                    r = solve(ctx, c, host, path, userAgent, r.body(), cookies, rank);
                }
            } else if (browser) {
                r = c.get(
                        host,
                        path,
                        userAgent,
                        "*/*",
                        "Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: " + ASSET_DEST[asset] + "\r\n" + cookieLine);
            } else {
                r = c.get(host, path, userAgent, cookieLine);
            }
            if (r.setCookie() != null && cookies != null) {
                cookies.put(rank, withCookie(cookies.get(rank), r.setCookie()));
            }
            boolean ok = r.status() >= 200 && r.status() < 400;
            if (ctx.running()) {
                ctx.recorder().legit(target, ok, t0, System.nanoTime());
                if (asset == NOJS) {
                    ctx.recorder().nojs(target, ok, t0);
                }
            }
            if (r.close() || !ok) {
                c.close();
                return null;
            }
            return c;
        } catch (IOException | RuntimeException e) {
            // A failure the person sees (refused, reset, timed out); not counted once the run is over and sockets
            // close.
            if (ctx.running()) {
                ctx.recorder().legit(target, false, t0, System.nanoTime());
                if (asset == NOJS) {
                    ctx.recorder().nojs(target, false, t0);
                }
            }
            if (c != null) {
                c.close();
            }
            return null;
        }
    }

    /**
     * Solves a challenge page as its script would (same puzzle, {@link ProofOfWork}), posts the answer, keeps the
     * cookie, follows the edge's redirects and returns the response for the page asked for.
     */
    private static LabConnection.Response solve(
            TrafficContext ctx,
            LabConnection c,
            String host,
            String path,
            String userAgent,
            String page,
            Map<Integer, String> cookies,
            int rank)
            throws IOException {
        String token = ChallengeEndpoint.pageAttribute(page, "data-challenge");
        String bits = ChallengeEndpoint.pageAttribute(page, "data-difficulty");
        if (token == null || bits == null) {
            throw new IOException("challenge page without a challenge");
        }
        long nonce = ChallengeSolver.solve(token, Integer.parseInt(bits));
        LabConnection.Response answer = c.postForm(
                host,
                ChallengeEndpoint.PATH,
                userAgent,
                PAGE_HEADERS,
                "token=" + token + "&nonce=" + nonce + "&return=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
        if (answer.setCookie() == null || answer.location() == null || answer.close()) {
            return answer;
        }
        String jar = withCookie(cookies.get(rank), answer.setCookie());
        cookies.put(rank, jar);
        if (ctx.edges().size() > 1) {
            cookies.put(-rank, edgeOf(c)); // where this pass was solved (ranks are >= 1: no site's jar)
        }
        if (ctx.running()) {
            ctx.recorder().challengeSolved();
        }
        String cookieLine = "Cookie: " + jar + "\r\n";
        LabConnection.Response check =
                c.get(host, answer.location(), userAgent, PAGE_ACCEPT, PAGE_HEADERS + cookieLine);
        if (check.status() != 303 || check.location() == null || check.close()) {
            return check;
        }
        return c.get(host, check.location(), userAgent, PAGE_ACCEPT, PAGE_HEADERS + cookieLine);
    }

    /** Whether the pass in the site's jar was solved on another edge than the one {@code c} reaches. */
    private static boolean passFromAnotherEdge(LabConnection c, Map<Integer, String> cookies, int rank) {
        String solvedOn = cookies.get(-rank);
        return solvedOn != null && !solvedOn.equals(edgeOf(c));
    }

    private static String edgeOf(LabConnection c) {
        return String.valueOf(c.socket().getRemoteSocketAddress());
    }

    /**
     * A site's cookie jar ({@code a=1; b=2}, as a {@code Cookie} field sends it) with {@code pair} ({@code name=value})
     * set: a cookie of the same name is replaced, so the edge's cookies and the site's own live side by side.
     */
    static String withCookie(String jar, String pair) {
        if (jar == null || jar.isEmpty()) {
            return pair;
        }
        int eq = pair.indexOf('=');
        String prefix = (eq < 0 ? pair : pair.substring(0, eq)) + "=";
        StringBuilder b = new StringBuilder(jar.length() + pair.length() + 2);
        for (String kept : jar.split("; ")) {
            if (!kept.startsWith(prefix)) {
                b.append(kept).append("; ");
            }
        }
        return b.append(pair).toString();
    }

    static long exponential(SplittableRandom rnd, long meanNanos) {
        return (long) (-Math.log(1 - rnd.nextDouble()) * meanNanos);
    }
}
