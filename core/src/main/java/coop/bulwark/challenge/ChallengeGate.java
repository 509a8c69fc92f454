package coop.bulwark.challenge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import coop.bulwark.protect.BanList;
import coop.bulwark.protect.LazyLimiter;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.protect.SourceRateLimiter;
import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.ChallengeMode;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.RateLimit;
import coop.bulwark.site.SiteChallenge;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.time.Ticker;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The challenge's decision for one request, after the protection verdict let it through: let it on (valid cookie,
 * site not challenging, allowlisted, good bot), limit it (no cookie and not a page navigation, or the weaker
 * no-JavaScript cookie), or answer it (challenge page, message page, the reserved endpoint). No Netty: the edge adapts
 * requests ({@link ChallengeRequest}) and turns {@link ChallengeOutcome}s into responses.
 *
 * <p>Thread-safe. The common case, a site that is not challenging and a request without our cookie, is one map
 * lookup; a cookie check is one HMAC (about a microsecond) and allocates nothing. Rules are replaced as a whole on
 * {@link #configure}; limiters and failure counts are bounded in memory whatever the number of sources.
 */
public final class ChallengeGate {
    /** {@code Retry-After} on the challenge page: a crawler that meets it should come back soon, not drop the page. */
    static final long RETRY_AFTER_SECONDS = 10;

    /** The challenge pages' Content-Security-Policy: nothing from outside, inline script and style, a blob worker. */
    public static final String CSP = "default-src 'none'; script-src 'unsafe-inline'; worker-src blob:;"
            + " style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static final long LIMITER_BUDGET_BYTES = 2L * 1024 * 1024;

    /** The rules of one config snapshot for one site. */
    record SiteRules(
            ChallengeMode mode, int difficulty, int underAttackDifficulty, PathRules exempt, String language) {}

    /** The rules of one config snapshot. */
    private record Rules(
            ChallengeConfig config,
            Map<String, SiteRules> sites,
            PrefixSet allowlist,
            GoodBots goodBots,
            BanPolicy bans) {}

    /** Strikes of one address: bad answers since {@code firstMillis}. */
    private static final class Strikes {
        long firstMillis;
        int count;
    }

    private final PassCodec codec;
    private final SeenCookies seen;
    private final ChallengePages pages;
    private final BanList bans;
    private final InstantSource clock;
    /** Allocated on first use: an edge whose sites never challenge never pays for the tables. */
    private final LazyLimiter uncookied;

    private final LazyLimiter fallback;
    private final Cache<Long, Strikes> strikes = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();
    private volatile Rules rules;

    private final AtomicLong pagesServed = new AtomicLong();
    private final AtomicLong solved = new AtomicLong();
    private final AtomicLong waited = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public ChallengeGate(ChallengeKeys keys, BanList bans, Ticker ticker, InstantSource clock) {
        this.codec = new PassCodec(keys);
        this.seen = new SeenCookies(codec, ticker, clock);
        this.pages = ChallengePages.load();
        this.bans = bans;
        this.clock = clock;
        this.uncookied = new LazyLimiter(LIMITER_BUDGET_BYTES, ticker);
        this.fallback = new LazyLimiter(LIMITER_BUDGET_BYTES, ticker);
    }

    /** Takes the rules of a new config (at start and on each reload, before the snapshot goes live). */
    public void configure(ChallengeConfig config, List<SiteConfig> sites, BanPolicy banPolicy) {
        Map<String, SiteRules> m = new HashMap<>();
        for (SiteConfig s : sites) {
            SiteChallenge c = s.challenge();
            List<String> exempt = new ArrayList<>(config.exemptPaths());
            exempt.addAll(c.exemptPaths());
            String lang = c.language()
                    .filter(config.languages()::contains)
                    .orElse(config.languages().get(0));
            m.put(
                    s.name(),
                    new SiteRules(
                            c.mode(),
                            c.difficulty().orElse(config.difficulty()),
                            c.underAttackDifficulty().orElse(config.underAttackDifficulty()),
                            PathRules.of(exempt),
                            lang));
        }
        seen.configure(config);
        rules = new Rules(
                config, Map.copyOf(m), new PrefixSet(config.allowlist()), new GoodBots(config.goodBots()), banPolicy);
    }

    /** The seen cookie: its check and its {@code Set-Cookie}. */
    public SeenCookies seen() {
        return seen;
    }

    /** The codec (for tests and tools that mint or check passes). */
    public PassCodec codec() {
        return codec;
    }

    /** Counters since start: challenge pages served, answers accepted (work / wait), answers refused. */
    public record Stats(long pagesServed, long solved, long waited, long failed) {}

    public Stats stats() {
        return new Stats(pagesServed.get(), solved.get(), waited.get(), failed.get());
    }

    /**
     * Decides on a request of {@code site} (index {@code siteIndex}, see {@link SourceKeys}) in {@code state}. For a
     * {@link ChallengeOutcome.ReadAnswer}, read the body and call {@link #answer}.
     */
    public ChallengeOutcome decide(String site, int siteIndex, ProtectionState state, ChallengeRequest req) {
        return decide(site, siteIndex, state, req, passCookie(site, req), -1);
    }

    /**
     * The request's pass cookie, checked for {@code site}: the codec's result for a pass this site accepts (valid, of
     * the site's difficulty or the no-JavaScript kind), else {@link PassCodec#COOKIE_ABSENT} or another negative code.
     * One HMAC when the request carries {@value PassCodec#COOKIE_NAME}, nothing otherwise.
     */
    public int passCookie(String site, ChallengeRequest req) {
        Rules r = rules;
        SiteRules s = r == null ? null : r.sites.get(site);
        if (s == null) {
            return PassCodec.COOKIE_ABSENT;
        }
        int cookie = codec.verifyCookieHeader(req.header("cookie"), site, req.address(), clock.millis() / 1000);
        return cookie >= 0 && !accepted(cookie, s) ? PassCodec.COOKIE_FORGED : cookie;
    }

    /**
     * {@link #decide(String, int, ProtectionState, ChallengeRequest)} with the pass already checked, for a request of
     * the cookie holder {@code holder} (the identity of its valid pass or seen cookie, or negative for none): the
     * challenge's per-client limits key on it instead of the address.
     */
    public ChallengeOutcome decide(
            String site, int siteIndex, ProtectionState state, ChallengeRequest req, int passCookie, long holder) {
        Rules r = rules;
        SiteRules s = r == null ? null : r.sites.get(site);
        if (s == null) {
            return ChallengeOutcome.PROCEED;
        }
        long nowMillis = clock.millis();
        // The check detection counts as "vouched for": a valid cookie for this site and network.
        int cookie = passCookie;
        boolean vouched = accepted(cookie, s);
        if (s.mode == ChallengeMode.OFF) {
            return vouched ? ChallengeOutcome.PROCEED_VOUCHED : ChallengeOutcome.PROCEED;
        }
        String uri = req.uri();
        if (ChallengeEndpoint.isEndpoint(uri)) {
            return endpoint(r, s, site, req, vouched, nowMillis);
        }
        if (!s.mode.challenges(state)) {
            return vouched ? ChallengeOutcome.PROCEED_VOUCHED : ChallengeOutcome.PROCEED;
        }
        if (vouched) {
            if (PassCodec.cookieKind(cookie) == PassCodec.Kind.WAIT) {
                long wait = limit(fallback.get(), r.config.fallbackPerIp(), req.address(), siteIndex, holder);
                if (wait > 0) {
                    return new ChallengeOutcome.Limited(wait, true);
                }
            }
            return ChallengeOutcome.PROCEED_VOUCHED;
        }
        byte[] addr = req.address();
        if (!r.allowlist.isEmpty() && r.allowlist.contains(addr)) {
            return ChallengeOutcome.PROCEED;
        }
        boolean navigation = isNavigation(req);
        if (navigation && !s.exempt.matches(uri)) {
            if (r.goodBots.match(req.header("user-agent"), addr) != null) {
                return ChallengeOutcome.PROCEED;
            }
            String method = req.method();
            String lang = language(r, s, req);
            if (method.equals("GET") || method.equals("HEAD")) {
                return challengePage(r, s, site, state, req, lang, nowMillis);
            }
            return message(503, lang, ChallengePages.Message.POST, ChallengeEndpoint.safeReturn(uri), 0, "challenge");
        }
        if (r.goodBots.match(req.header("user-agent"), addr) != null) {
            return ChallengeOutcome.PROCEED;
        }
        long wait = limit(uncookied.get(), r.config.uncookiedPerIp(), addr, siteIndex, holder);
        return wait > 0 ? new ChallengeOutcome.Limited(wait, false) : ChallengeOutcome.PROCEED;
    }

    /** The POSTed answer's body (form-urlencoded), for a request that got {@link ChallengeOutcome.ReadAnswer}. */
    public ChallengeOutcome answer(String site, ChallengeRequest req, String body) {
        Rules r = rules;
        SiteRules s = r == null ? null : r.sites.get(site);
        long nowMillis = clock.millis();
        Map<String, String> form = ChallengeEndpoint.form(body);
        String lang = s == null ? "en" : language(r, s, req);
        if (s == null || form == null) {
            return failure(r, s, site, req, lang, "/", "malformed answer");
        }
        String back = ChallengeEndpoint.safeReturn(form.get("return"));
        PassCodec.Token t = codec.verifyToken(
                form.get("token"),
                site,
                req.address(),
                nowMillis / 1000,
                r.config.tokenLifetime().toSeconds());
        if (t.status() == PassCodec.Status.EXPIRED) {
            return redirect(back, null, "challenge"); // a page left open too long: a fresh challenge, no strike
        }
        if (!t.valid() || t.kind() != PassCodec.Kind.WORK) {
            return failure(r, s, site, req, lang, back, "token " + t.status());
        }
        if (!ProofOfWork.check(form.get("token"), form.get("nonce"), t.difficulty())) {
            return failure(r, s, site, req, lang, back, "wrong nonce");
        }
        solved.incrementAndGet();
        long expiry = nowMillis / 1000 + r.config.cookieLifetime().toSeconds();
        String cookie = codec.cookie(PassCodec.Kind.WORK, site, req.address(), t.difficulty(), expiry);
        return redirect(
                ChallengeEndpoint.checkUrl(back),
                setCookie(cookie, r.config.cookieLifetime(), req.tls()),
                "challenge_pass");
    }

    private ChallengeOutcome endpoint(
            Rules r, SiteRules s, String site, ChallengeRequest req, boolean vouched, long nowMillis) {
        String method = req.method();
        if (method.equals("POST")) {
            return new ChallengeOutcome.ReadAnswer(ChallengeEndpoint.MAX_BODY_BYTES);
        }
        String lang = language(r, s, req);
        Map<String, String> q = ChallengeEndpoint.query(req.uri());
        if (!method.equals("GET") && !method.equals("HEAD") || q == null) {
            return new ChallengeOutcome.Respond(
                    405,
                    "text/plain; charset=utf-8",
                    ResponseBody.of("405: not an answer to a challenge\n"),
                    0,
                    null,
                    null,
                    "challenge",
                    vouched);
        }
        String back = ChallengeEndpoint.safeReturn(q.get("return"));
        if (q.containsKey("check")) {
            if (vouched) {
                return redirect(back, null, "challenge_pass");
            }
            // Solved a moment ago, yet no cookie came back: the browser refuses cookies. Say so instead of looping.
            return message(403, lang, ChallengePages.Message.COOKIES, back, 0, "challenge");
        }
        String waitToken = q.get("wait");
        if (waitToken != null) {
            PassCodec.Token t = codec.verifyToken(
                    waitToken,
                    site,
                    req.address(),
                    nowMillis / 1000,
                    r.config.tokenLifetime().toSeconds());
            if (t.status() == PassCodec.Status.EXPIRED) {
                return redirect(back, null, "challenge");
            }
            if (!t.valid() || t.kind() != PassCodec.Kind.WAIT) {
                return failure(r, s, site, req, lang, back, "wait token " + t.status());
            }
            long left = t.issuedEpochSecond() + r.config.fallbackWait().toSeconds() - nowMillis / 1000;
            if (left > 0) {
                ChallengeOutcome.Respond early = (ChallengeOutcome.Respond)
                        message(503, lang, ChallengePages.Message.EARLY, req.uri(), left, "challenge");
                return early;
            }
            waited.incrementAndGet();
            long expiry = nowMillis / 1000 + r.config.fallbackCookieLifetime().toSeconds();
            String cookie = codec.cookie(PassCodec.Kind.WAIT, site, req.address(), 0, expiry);
            return redirect(
                    ChallengeEndpoint.checkUrl(back),
                    setCookie(cookie, r.config.fallbackCookieLifetime(), req.tls()),
                    "challenge_pass");
        }
        return redirect(back, null, "challenge");
    }

    private ChallengeOutcome challengePage(
            Rules r,
            SiteRules s,
            String site,
            ProtectionState state,
            ChallengeRequest req,
            String lang,
            long nowMillis) {
        int bits =
                state == ProtectionState.UNDER_ATTACK ? Math.max(s.underAttackDifficulty, s.difficulty) : s.difficulty;
        long now = nowMillis / 1000;
        byte[] addr = req.address();
        String token = codec.token(PassCodec.Kind.WORK, site, addr, bits, now);
        String waitToken = codec.token(PassCodec.Kind.WAIT, site, addr, 0, now);
        String back = ChallengeEndpoint.safeReturn(req.uri());
        ResponseBody html = pages.challengePage(
                lang, token, bits, waitToken, r.config.fallbackWait().toSeconds(), back);
        pagesServed.incrementAndGet();
        return new ChallengeOutcome.Respond(
                503, "text/html; charset=utf-8", html, RETRY_AFTER_SECONDS, null, null, "challenge", false);
    }

    /** A bad answer: counted towards a ban of the address ({@code ban_after_failures} within the window). */
    private ChallengeOutcome failure(
            Rules r, SiteRules s, String site, ChallengeRequest req, String lang, String back, String why) {
        failed.incrementAndGet();
        String verdict = "challenge_fail";
        if (r != null && r.config.banAfterFailures() > 0) {
            byte[] addr = req.address();
            long key = SourceKeys.ip(addr, SourceKeys.GLOBAL);
            long now = clock.millis();
            long window = r.config.failureWindow().toMillis();
            int n;
            Strikes st = strikes.get(key, k -> new Strikes());
            synchronized (st) {
                if (st.count == 0 || now - st.firstMillis > window) {
                    st.firstMillis = now;
                    st.count = 0;
                }
                n = ++st.count;
            }
            if (n >= r.config.banAfterFailures()) {
                strikes.invalidate(key);
                BanPolicy b = r.bans;
                bans.offend(
                        new Cidr(addr, addr.length * 8),
                        b.base(),
                        b.factor(),
                        b.max(),
                        n + " bad challenge answers within "
                                + r.config.failureWindow().toSeconds() + " s on site " + site + " (" + why + ")");
                verdict = "challenge_ban";
            }
        }
        ChallengeOutcome.Respond m =
                (ChallengeOutcome.Respond) message(403, lang, ChallengePages.Message.FAILURE, back, 0, verdict);
        return m;
    }

    private ChallengeOutcome message(
            int status, String lang, ChallengePages.Message m, String link, long seconds, String verdict) {
        return new ChallengeOutcome.Respond(
                status,
                "text/html; charset=utf-8",
                ResponseBody.of(pages.message(lang, m, link, seconds)),
                status == 503 ? Math.max(seconds, 1) : 0,
                null,
                null,
                verdict,
                false);
    }

    private static ChallengeOutcome redirect(String location, String setCookie, String verdict) {
        return new ChallengeOutcome.Respond(
                303, "text/plain; charset=utf-8", ResponseBody.EMPTY, 0, location, setCookie, verdict, false);
    }

    private static String setCookie(String value, Duration lifetime, boolean tls) {
        return PassCodec.COOKIE_NAME + "=" + value + "; Path=/; Max-Age=" + lifetime.toSeconds()
                + "; HttpOnly; SameSite=Lax" + (tls ? "; Secure" : "");
    }

    /** Whether a cookie check result is a pass for this site: valid, and of work at least the site's difficulty. */
    private static boolean accepted(int cookie, SiteRules s) {
        if (cookie < 0 || PassCodec.cookieKind(cookie) == PassCodec.Kind.SEEN) {
            return false; // a seen cookie is no pass, whatever name it is sent under
        }
        return PassCodec.cookieKind(cookie) == PassCodec.Kind.WAIT
                || PassCodec.cookieDifficulty(cookie) >= s.difficulty;
    }

    /**
     * Takes one request from {@code limit}'s allowance, keyed on the cookie {@code holder} when there is one (>= 0: a
     * person behind a shared address has an allowance of its own), else on the address; returns the seconds to wait
     * when it is spent, else 0.
     */
    private static long limit(
            SourceRateLimiter limiter, Optional<RateLimit> limit, byte[] addr, int siteIndex, long holder) {
        if (limit.isEmpty()) {
            return 0;
        }
        long key = holder >= 0 ? SourceKeys.cookie(holder, siteIndex) : SourceKeys.ip(addr, siteIndex);
        long nanos = limiter.tryAcquire(key, limit.get());
        return nanos <= 0 ? 0 : Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    private static String language(Rules r, SiteRules s, ChallengeRequest req) {
        return ChallengePages.chooseLanguage(req.header("accept-language"), r.config.languages(), s.language);
    }

    /**
     * Whether the request asks for a page, the only kind a challenge page can answer usefully. Current browsers say so
     * with fetch metadata ({@code Sec-Fetch-Dest: document}, {@code Sec-Fetch-Mode: navigate}) and mark every other
     * request (images, scripts, XHR) as something else. Without fetch metadata, an {@code Accept} naming HTML is a page;
     * and a client that sends neither (no current browser: scripts, flood tools) asking for a path that does not name
     * a static file is treated as asking for a page too, or a flood tool could skip the challenge by sending
     * {@code Accept: *}{@code /*}. Machines with a real need (APIs, feeds) are served by the exempt paths.
     */
    static boolean isNavigation(ChallengeRequest req) {
        String dest = req.header("sec-fetch-dest");
        if (dest != null) {
            return dest.equals("document");
        }
        String mode = req.header("sec-fetch-mode");
        if (mode != null) {
            return mode.equals("navigate");
        }
        String accept = req.header("accept");
        if (accept != null && accept.contains("text/html")) {
            return true;
        }
        return !namesStaticFile(req.uri());
    }

    /** File name extensions of assets: a request for one without fetch metadata is limited, not challenged. */
    private static final Set<String> STATIC = Set.of(
            "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp", "woff",
            "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "ogg", "wav", "pdf", "zip", "gz", "json", "xml", "txt",
            "csv", "wasm");

    /** Whether the path of {@code uri} ends in a static file's extension ({@code /img/logo.png}). */
    static boolean namesStaticFile(String uri) {
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int slash = uri.lastIndexOf('/', end - 1);
        int dot = uri.lastIndexOf('.', end - 1);
        if (dot <= slash || dot == end - 1 || end - dot > 6) {
            return false;
        }
        return STATIC.contains(uri.substring(dot + 1, end).toLowerCase(Locale.ROOT));
    }
}
