package coop.bulwark.warmup;

import coop.bulwark.challenge.ChallengeEndpoint;
import coop.bulwark.challenge.ProofOfWork;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What the warm-up sends: the requests of a quiet day and of a flood, each kind from its own loopback addresses, so
 * the paths a flood takes are compiled with the profiles a flood gives them. Seven kinds of client, each on a thread
 * of its own (the crowd on several):
 *
 * <ul>
 *   <li>{@linkplain #reader readers} on the open site: pages, cached style sheets, HEAD, form posts with both body
 *       framings, 404s, HTTP/1.0 one-shot connections, malformed requests and unknown hosts;
 *   <li>{@linkplain #visitor visitors} of the attacked site: its challenge page, the puzzle solved and posted, then
 *       pages with the pass cookie, and cached pages without it;
 *   <li>{@linkplain #bot bots} on the attacked site and on one that detection must find: cache-busting queries,
 *       forged cookies, more than the per-address limit allows, until banned, then from the next address;
 *   <li>{@linkplain #buster busters}: a flood's bulk, cache-busting queries from thousands of addresses within the
 *       limits, answered from the cache;
 *   <li>{@linkplain #hitAndRun hit-and-run} clients: one request per connection, on every site; some leave before
 *       the answer;
 *   <li>a {@linkplain #crowd crowd} on a site with a tiny bulkhead: queued, granted, timed out and refused;
 *   <li>a {@linkplain #swarm swarm}: a flood's thousands of connections at once, each asking in the same instant.
 * </ul>
 *
 * <p>Thread-safe: each client keeps its own state; {@link #requests()} counts all of them.
 */
final class WarmupTraffic {
    static final String OPEN = "open.warmup.invalid";
    static final String ATTACKED = "attacked.warmup.invalid";
    static final String FLOODED = "flooded.warmup.invalid";
    static final String CROWDED = "crowded.warmup.invalid";

    /**
     * The {@link #crowd} clients at once: more than the crowded site's two origin slots and two places in its queue,
     * so some are served at once, some after waiting, some time out in the queue and some are refused outright.
     */
    static final int CROWD = 6;

    private static final String UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private static final String PAGE =
            "Accept: text/html,application/xhtml+xml\r\nAccept-Language: en\r\nUser-Agent: " + UA;

    /**
     * The field lines Chromium adds over HTTP/1.1 ({@code Sec-Fetch-Dest} follows): a {@code Connection} field to drop
     * as hop-by-hop, client hints, fetch metadata, content codings. Every other reader's and visitor's connection is
     * such a browser, with the edge's port in its {@code Host} as a browser sends it to a port not its scheme's. The
     * paths these take (a port in the authority, a {@code Connection} line to strip, navigation by fetch metadata) are
     * branches a warm-up of plain requests never takes, and the first real browser to take one then costs a
     * recompilation of the request path (a flight recording of bench/flood-cost.sh: the lab's Chromium readers sent the
     * compiled admission, forwarding and cache plan back to profiling, and C2 compiled them again in the flood's first
     * seconds).
     */
    private static final String BROWSER = "Connection: keep-alive\r\n"
            + "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\nsec-ch-ua-mobile: ?0\r\n"
            + "sec-ch-ua-platform: \"Linux\"\r\nUpgrade-Insecure-Requests: 1\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
            + " Safari/537.36\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
            + "image/webp,*/*;q=0.8\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate\r\n"
            + "Sec-Fetch-User: ?1\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9"
            + "\r\nSec-Fetch-Dest: ";

    /** Requests per {@link #buster} connection: under the attacked site's per-address burst. */
    static final int BUSTS_PER_CONNECTION = 8;
    /** Connections of the {@linkplain #swarm swarm}, open at once (a flood-cost flood holds 3,000). */
    static final int SWARM = 1_000;
    /** Requests each swarm connection sends, all connections in step, before the swarm closes. */
    static final int SWARM_WAVES = 2;
    /** Between two swarms: they stand for a flood's onset, not its bulk (the busters are that). */
    private static final long SWARM_PAUSE_NANOS = 700_000_000L;

    private final InetSocketAddress edge;
    private final int fillers;
    private final BooleanSupplier running;
    private final AtomicLong requests = new AtomicLong();

    /**
     * @param fillers how many quiet sites besides the three named ones ({@link #filler} names them): as many as the
     *     real edge has, up to {@link JitWarmup#MAX_SITES}
     */
    WarmupTraffic(InetSocketAddress edge, int fillers, BooleanSupplier running) {
        this.edge = edge;
        this.fillers = fillers;
        this.running = running;
    }

    static String filler(int i) {
        return "fill-" + i + ".warmup.invalid";
    }

    long requests() {
        return requests.get();
    }

    private static InetAddress address(int block, int n) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 77, (byte) block, (byte) (1 + n % 250)});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private WarmupConnection.Response get(WarmupConnection c, String host, String path, String extra)
            throws IOException {
        return get(c, false, host, path, extra);
    }

    /** A GET as a browser sends it when {@code browser} ({@link #BROWSER}), else as a plain client. */
    private WarmupConnection.Response get(WarmupConnection c, boolean browser, String host, String path, String extra)
            throws IOException {
        requests.incrementAndGet();
        if (browser) {
            String dest = path.endsWith(".css") ? "style" : "document";
            return c.send(
                    "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + edge.getPort() + "\r\n" + BROWSER + dest
                            + extra,
                    null);
        }
        return c.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + PAGE + extra, null);
    }

    /** Readers of the open site, one connection per twenty requests, from 127.77.1.0/24. */
    void reader() {
        SplittableRandom rnd = new SplittableRandom(1);
        byte[] form = "name=a+member&message=hello".getBytes(StandardCharsets.US_ASCII);
        for (int n = 0; running.getAsBoolean(); n++) {
            InetAddress from = address(1, n);
            boolean browser = n % 2 == 1;
            String cookie = "";
            try (WarmupConnection c = WarmupConnection.open(from, edge)) {
                for (int i = 0; i < 20 && running.getAsBoolean() && !c.ended(); i++) {
                    WarmupConnection.Response r;
                    switch (i % 10) {
                        case 0, 1 -> r = get(c, browser, OPEN, "/articles/" + rnd.nextInt(50), cookie);
                        case 2 -> r = get(c, browser, fillers == 0 ? OPEN : filler(rnd.nextInt(fillers)), "/", "");
                        case 3 -> r = get(c, browser, OPEN, "/static/site.css", cookie);
                        case 4 -> {
                            requests.incrementAndGet();
                            r = c.send("HEAD / HTTP/1.1\r\nHost: " + OPEN + "\r\nUser-Agent: " + UA, null);
                        }
                        case 5 -> {
                            requests.incrementAndGet();
                            r = c.send(
                                    "POST /contact HTTP/1.1\r\nHost: " + OPEN + "\r\nUser-Agent: " + UA
                                            + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                                            + form.length + cookie,
                                    form);
                        }
                        case 6 -> {
                            requests.incrementAndGet();
                            byte[] chunked = ("1b\r\n" + new String(form, StandardCharsets.US_ASCII) + "\r\n0\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII);
                            r = c.send(
                                    "POST /contact HTTP/1.1\r\nHost: " + OPEN + "\r\nUser-Agent: " + UA
                                            + "\r\nTransfer-Encoding: chunked" + cookie,
                                    chunked);
                        }
                        case 7 -> r = get(c, OPEN, "/missing?page=" + rnd.nextInt(5), cookie);
                        case 8 -> r = get(c, browser, OPEN, "/?utm_source=" + rnd.nextInt(1000), cookie);
                        default -> r = get(c, "unknown.warmup.invalid", "/", "");
                    }
                    String set = r.field("set-cookie");
                    if (set != null && cookie.isEmpty()) {
                        cookie = "\r\nCookie: "
                                + set.lines()
                                        .map(WarmupTraffic::pair)
                                        .reduce((a, b) -> a + "; " + b)
                                        .orElse("");
                    }
                }
            } catch (IOException e) {
                // a refused or reset connection is one of the paths too
                failed();
            }
            oneShots(from, n);
        }
    }

    /** HTTP/1.0 requests on connections of their own, and malformed ones. */
    private void oneShots(InetAddress from, int n) {
        try (WarmupConnection c = WarmupConnection.open(from, edge)) {
            requests.incrementAndGet();
            c.send("GET /articles/" + (n % 50) + " HTTP/1.0\r\nHost: " + OPEN + "\r\nUser-Agent: " + UA, null);
        } catch (IOException e) {
            // counted as sent; the edge's answer does not matter
        }
        byte[] bad = switch (n % 3) {
            case 0 -> "GET /\u0001 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            case 1 ->
                ("POST / HTTP/1.1\r\nHost: " + OPEN + "\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF1\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
            default ->
                ("GET / HTTP/1.1\r\nHost: " + OPEN + "\r\nX-Long: " + "a".repeat(70_000) + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
        };
        try (WarmupConnection c = WarmupConnection.open(from, edge)) {
            requests.incrementAndGet();
            c.sendRaw(bad);
        } catch (IOException e) {
            // the edge may answer 400/431 and close, or close at once
        }
    }

    /** Visitors of the attacked site, each a new address of 127.77.2.0/24 that solves the challenge once. */
    void visitor() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int n = 0; running.getAsBoolean(); n++) {
            boolean browser = n % 2 == 1;
            try (WarmupConnection c = WarmupConnection.open(address(2, n), edge)) {
                String path = "/news/" + rnd.nextInt(20);
                WarmupConnection.Response page = get(c, browser, ATTACKED, path, "");
                String html = HttpHead.text(page.body());
                String token = ChallengeEndpoint.pageAttribute(html, "data-challenge");
                String bits = ChallengeEndpoint.pageAttribute(html, "data-difficulty");
                get(c, browser, ATTACKED, "/static/site.css", "");
                if (token == null || bits == null || c.ended()) {
                    continue;
                }
                long nonce = ProofOfWork.solve(token, Integer.parseInt(bits));
                byte[] form = ("token=" + token + "&nonce=" + nonce + "&return="
                                + URLEncoder.encode(path, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.US_ASCII);
                requests.incrementAndGet();
                WarmupConnection.Response answer = c.send(
                        "POST " + ChallengeEndpoint.PATH + " HTTP/1.1\r\nHost: " + ATTACKED + "\r\n" + PAGE
                                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                                + form.length,
                        form);
                String set = answer.field("set-cookie");
                if (set == null || c.ended()) {
                    continue;
                }
                // Browsers send the site's own cookies beside the pass, in one line split by "; ": the edge finds
                // its cookie among them and strips only its own before the origin (a lone pass, the warm-up's only
                // form before, left those branches to trap when a flood's people first came back with a pass).
                String pass = pair(set.lines().findFirst().orElse(""));
                String cookie = "\r\nCookie: "
                        + switch (n % 3) {
                            case 0 -> pass;
                            case 1 -> "lang=en; consent=yes; " + pass;
                            default -> pass + ";  theme=dark";
                        };
                for (int i = 0; i < 6 && running.getAsBoolean() && !c.ended(); i++) {
                    get(c, browser, ATTACKED, "/news/" + rnd.nextInt(20), cookie);
                }
            } catch (IOException e) {
                // refused or reset: the next visitor
                failed();
            }
        }
    }

    /**
     * Bots on {@code host} (the attacked site, challenging from the start, or the flooded one, which detection has to
     * find) from 127.77.8.0/21 or 127.77.16.0/21 ({@code block}), each until the edge refuses or bans it.
     */
    void bot(String host, int block) {
        SplittableRandom rnd = new SplittableRandom(block);
        for (int n = 0; running.getAsBoolean(); n++) {
            try (WarmupConnection c = WarmupConnection.open(address(block + (n / 250) % 8, n), edge)) {
                for (int i = 0; i < 200 && running.getAsBoolean() && !c.ended(); i++) {
                    String forged = i % 4 == 1 ? "\r\nCookie: bulwark_pass=AAAA" + rnd.nextInt() : "";
                    String path = i % 8 == 0 ? "/news/1" : "/news/1?q=" + Long.toHexString(rnd.nextLong());
                    get(c, host, path, forged);
                }
            } catch (IOException e) {
                // banned, refused or reset: the next address
                failed();
            }
        }
    }

    /**
     * A flood's bulk: cache-busting GETs on the attacked site from thousands of addresses (127.77.64.0/18, spread over
     * 64 /24s), each sending a few on a keep-alive connection and staying under every rate limit, so what the edge
     * does most under such a flood (a page answered from its cache) is compiled with a flood's profile. The
     * {@linkplain #bot bots} above, limited and banned, profile the refusals instead.
     */
    void buster() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n = 0; running.getAsBoolean(); n++) {
            try (WarmupConnection c = WarmupConnection.open(address(64 + n % 64, n / 64), edge)) {
                for (int i = 0; i < BUSTS_PER_CONNECTION && running.getAsBoolean() && !c.ended(); i++) {
                    // Hex and every letter (base 36), bare and as a parameter's value: each kind of random text
                    // takes its own branches through the query's randomness estimate.
                    long v = rnd.nextLong() & Long.MAX_VALUE;
                    String query = switch (i % 3) {
                        case 0 -> Long.toHexString(v);
                        case 1 -> Long.toString(v, 36);
                        default -> "v=" + Long.toString(v, 36);
                    };
                    // One in four on the open site, where nothing challenges them: the origin's lane for
                    // cache-busting strangers, which a flood's targets use until detection names them, is taken
                    // and released here (first used at the onset, it sent the bulkhead's code back to profiling).
                    get(c, i % 4 == 3 ? OPEN : ATTACKED, "/news/" + rnd.nextInt(20) + "?" + query, "");
                }
            } catch (IOException e) {
                // refused or reset: the next address
                failed();
            }
        }
    }

    /**
     * A swarm from 127.77.128.0/21: {@link #SWARM} connections open at once, each sending a cache-busting request in
     * the same instant, {@link #SWARM_WAVES} times, then all closed together. A flood's thousands of keep-alive bots
     * make the edge accept, register and read far more connections in one loop iteration than the clients above ever
     * do: the transport's full submission ring, the object pools' high-water branches and bursts of channel set-up
     * first ran at a flood's onset, sending the compiled accept and read paths back to the interpreter while the
     * flood's first seconds needed them (C2 recompiled them there: 0.44 s of the 1.3 s it spent in those seconds).
     */
    void swarm() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<WarmupConnection> open = new ArrayList<>(SWARM);
        while (running.getAsBoolean()) {
            for (int i = 0; i < SWARM && running.getAsBoolean(); i++) {
                try {
                    open.add(WarmupConnection.open(address(128 + (i / 250) % 8, i), edge));
                } catch (IOException e) {
                    failed();
                }
            }
            for (int wave = 0; wave < SWARM_WAVES && running.getAsBoolean() && !open.isEmpty(); wave++) {
                for (var it = open.iterator(); it.hasNext(); ) {
                    WarmupConnection c = it.next();
                    try {
                        requests.incrementAndGet();
                        c.sendOnly("GET /news/" + rnd.nextInt(20) + "?" + Long.toHexString(rnd.nextLong())
                                + " HTTP/1.1\r\nHost: " + ATTACKED + "\r\nUser-Agent: " + UA);
                    } catch (IOException e) {
                        c.close(); // banned or reset: out of the swarm
                        it.remove();
                    }
                }
                for (var it = open.iterator(); it.hasNext(); ) {
                    WarmupConnection c = it.next();
                    try {
                        c.receive();
                        if (!c.ended()) {
                            continue;
                        }
                    } catch (IOException e) {
                        // banned, reset or too slow
                    }
                    c.close();
                    it.remove();
                }
            }
            open.forEach(WarmupConnection::close);
            open.clear();
            LockSupport.parkNanos(SWARM_PAUSE_NANOS);
        }
    }

    /**
     * Clients that ask once and go, from 127.77.32.0/21: a flood of new connections takes the accept, protocol
     * detection and close paths far more often than keep-alive readers do. One in eight leaves without waiting for a
     * slow page, as a flood's bots do when their patience runs out: the edge keeps such a request's origin slot until
     * the origin answers (the abandoned-request path, whose first use otherwise invalidates compiled origin code at a
     * flood's onset).
     */
    void hitAndRun() {
        SplittableRandom rnd = new SplittableRandom(4);
        String[] hosts = {ATTACKED, FLOODED, OPEN};
        for (int n = 0; running.getAsBoolean(); n++) {
            try (WarmupConnection c = WarmupConnection.open(address(32 + (n / 250) % 8, n), edge)) {
                if (n % 8 == 7) {
                    requests.incrementAndGet();
                    c.sendOnly("GET /slow/" + rnd.nextInt(20) + " HTTP/1.1\r\nHost: " + OPEN + "\r\n" + PAGE);
                    continue;
                }
                get(c, hosts[n % 3], "/news/" + rnd.nextInt(20) + (n % 2 == 0 ? "" : "?r=" + rnd.nextInt()), "");
            } catch (IOException e) {
                // refused or reset: the next one
                failed();
            }
        }
    }

    /**
     * One of {@link #CROWD} clients asking at once for slow pages of the crowded site, whose bulkhead is far smaller
     * than the crowd, from 127.77.40.0/21: the bulkhead's queue, its grants, its timeouts and its 503s, which a flood's
     * targets meet from its first second, are compiled before then (otherwise they first ran, interpreted, at the onset).
     */
    void crowd() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int n = 0; running.getAsBoolean(); n++) {
            try (WarmupConnection c = WarmupConnection.open(address(40 + (n / 250) % 8, n), edge)) {
                for (int i = 0; i < 20 && running.getAsBoolean() && !c.ended(); i++) {
                    get(c, CROWDED, "/slow/" + rnd.nextInt(20), "");
                }
            } catch (IOException e) {
                // refused or reset (a 503 closes the connection, and ends the loop above): the next one
                failed();
            }
        }
    }

    /**
     * A short pause after a failed connection: a refusal is one of the paths, but an edge that refuses everything (or a
     * loopback address this host does not answer on) must not turn a client into a busy loop for the whole warm-up.
     */
    private static void failed() {
        LockSupport.parkNanos(1_000_000L);
    }

    /** {@code name=value} of a Set-Cookie value. */
    private static String pair(String setCookie) {
        int semi = setCookie.indexOf(';');
        return semi < 0 ? setCookie : setCookie.substring(0, semi);
    }
}
