package coop.bulwark.protect;

import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.ManualBan;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.RateLimit;
import coop.bulwark.site.StatePolicy;
import coop.bulwark.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The single decision point of the request path: given a client address and the site's current policy, returns one
 * {@link Verdict}. Checks, in order: bans, the global and the site's per-address rates, the global and the site's
 * per-prefix rates (address before prefix, so a request refused for its own address does not spend the allowance
 * its network shares with its neighbours; a request refused for its network spends only its own address's and that
 * same network's), then
 * the per-address concurrent-request cap. A source refused too often within the policy's window is
 * banned, with escalating durations for repeat offenders.
 *
 * <p>People behind one address: a request holding a valid first-party cookie of the edge (a cookie holder, see
 * {@link #decide(String, int, StatePolicy, byte[], ProtectionConfig, long)}) is limited on its cookie instead — the
 * per-address rates and concurrency applied to the cookie, no per-prefix limit — and when refused too often, the
 * cookie is banned ({@link CookieBans}), not the address. An address is banned as a whole only when no well-behaved
 * holder was served from it within {@link #HOLDER_WINDOW_SECONDS}: a NAT's people are not banned with its bots.
 *
 * <p>Also answers the accept-time question "is this address banned?" before any byte is parsed.
 *
 * <p>Thread-safe, lock-free on the hot path apart from the limiters' short per-shard locks; memory is fixed by the
 * budgets given at construction, whatever the number of sources.
 */
public final class Gatekeeper {
    /** Memory for per-source rate state (all sites, global and per site, address and prefix keys). */
    static final long RATE_BUDGET_BYTES = 32L * 1024 * 1024;

    /** Memory for counting refusals towards automatic bans. */
    static final long OFFENCE_BUDGET_BYTES = 8L * 1024 * 1024;

    /** Memory for counting cache-busting requests per source and page ({@link #busting}). */
    static final long BUSTING_BUDGET_BYTES = 4L * 1024 * 1024;

    /** How long after its last well-behaved cookie holder an address counts as shared by people. */
    static final long HOLDER_WINDOW_SECONDS = 60;

    /** Allocated on first use: an edge with protection off never pays for the tables (40 MiB). */
    private final LazyLimiter rates;

    private final LazyLimiter refusals;
    private final LazyLimiter busting;
    private final ConcurrencyLimiter concurrency = new ConcurrencyLimiter();
    private final HolderActivity holders = new HolderActivity();
    private final CookieBans cookieBans = new CookieBans();
    private final BanList bans;
    private final InstantSource clock;
    private final Ticker ticker;

    /** Told of every automatic ban, on the thread that decided it (an event loop): must not block. */
    public interface BanListener {
        void banned(String site, Ban ban);
    }

    private volatile BanListener banListener = (site, ban) -> {};

    public Gatekeeper(Ticker ticker, InstantSource clock) {
        this.rates = new LazyLimiter(RATE_BUDGET_BYTES, ticker);
        this.refusals = new LazyLimiter(OFFENCE_BUDGET_BYTES, ticker);
        this.busting = new LazyLimiter(BUSTING_BUDGET_BYTES, ticker);
        this.clock = clock;
        this.ticker = ticker;
        this.bans = new BanList(clock, Duration.ofHours(24), 100_000);
    }

    /** Whether the per-source rate table was made (it is on the first request that meets a rate limit). */
    boolean rateTableMade() {
        return rates.made();
    }

    /** The ban list (manual bans from the admin API, listing, unban). */
    public BanList bans() {
        return bans;
    }

    /** Sets who is told of automatic bans (the incident reports); replaces the previous listener. */
    public void onAutomaticBan(BanListener listener) {
        this.banListener = Objects.requireNonNull(listener, "listener");
    }

    /** Applies the config's manual bans (replacing the previous config's) and its ban memory. */
    public void configure(ProtectionConfig config) {
        // bans.memory was parsed and validated but never reached the ban list, which kept a fixed 24 h.
        bans.offenceWindow(config.bans().memory());
        List<Ban> configured = new ArrayList<>();
        for (ManualBan m : config.manualBans()) {
            configured.add(new Ban(m.subject(), m.until().orElse(null), m.reason(), BanOrigin.CONFIG, 0));
        }
        bans.replaceConfigured(configured);
    }

    /** The ban covering {@code addr}, if any: the connection is refused before reading a byte. */
    public Ban bannedAtAccept(byte[] addr) {
        return bans.find(addr);
    }

    /**
     * Decides on one request of the site with stable index {@code siteIndex} (0 to
     * {@link SourceKeys#MAX_SITE_INDEX}). When the result is {@link Verdict.Pass} or {@link Verdict.CacheOnly}, the
     * request holds one of its address's concurrent slots for this site and the caller must {@link #release} it when
     * the request ends.
     */
    public Verdict decide(String site, int siteIndex, StatePolicy policy, byte[] addr, ProtectionConfig config) {
        return decide(site, siteIndex, policy, addr, config, -1);
    }

    /**
     * As {@link #decide(String, int, StatePolicy, byte[], ProtectionConfig)} for a request that may hold a valid
     * first-party cookie: {@code holder} is the cookie's identity (>= 0), or negative for none. A holder's request is
     * limited and banned on its cookie; the caller must {@link #release(int, byte[], long)} with the same holder.
     */
    public Verdict decide(
            String site, int siteIndex, StatePolicy policy, byte[] addr, ProtectionConfig config, long holder) {
        Ban ban = bans.find(addr);
        if (ban != null) {
            return new Verdict.Ban(config.bans().action(), ban.reason());
        }
        if (holder >= 0) {
            return decideHolder(site, siteIndex, policy, addr, config, holder);
        }
        // Address limits before prefix limits: a check that passes spends its allowance even when a later one
        // refuses, so an address over its own limit must be stopped before it spends its network's. In the other
        // order one client's refused flood used up the /24's allowance and its neighbours got 429 too.
        long ipGlobal = SourceKeys.ip(addr, SourceKeys.GLOBAL);
        long ipSite = SourceKeys.ip(addr, siteIndex);
        long prefixGlobal = SourceKeys.prefix(addr, SourceKeys.GLOBAL);
        long prefixSite = SourceKeys.prefix(addr, siteIndex);
        if (policy.perIp().isPresent()
                || policy.perPrefix().isPresent()
                || config.globalPerIp().isPresent()
                || config.globalPerPrefix().isPresent()) {
            // Not when every rate is off: the table is made on first use (LazyLimiter), and then never is.
            rates.get().prefetch(ipGlobal, ipSite, prefixGlobal, prefixSite);
        }
        long wait = check(ipGlobal, config.globalPerIp());
        if (wait == 0) {
            wait = check(ipSite, policy.perIp());
        }
        if (wait == 0) {
            wait = check(prefixGlobal, config.globalPerPrefix());
        }
        if (wait == 0) {
            wait = check(prefixSite, policy.perPrefix());
        }
        if (wait > 0) {
            return refuse(site, siteIndex, policy, addr, config.bans(), new Verdict.Limit(wait, "rate"));
        }
        if (!concurrency.tryAcquire(ipSite, policy.maxConcurrentPerIp())) {
            return refuse(
                    site, siteIndex, policy, addr, config.bans(), new Verdict.Limit(1_000_000_000L, "concurrency"));
        }
        return policy.cacheOnly() ? Verdict.CACHE_ONLY : Verdict.PASS;
    }

    /**
     * Counts a request without a valid cookie of the edge that asks for one path with a high-entropy (cache-busting)
     * query, on a site whose policy counts them; past the policy's {@code ban_busting_after} within
     * {@code ban_busting_window} for the same address and path (on any such site), bans the address (escalating on
     * repeat) and says so, unless people holding cookies are served from it. Null when the request may go on.
     *
     * <p>A person without cookies asks for a page once per click and for an asset's versioned URL once per page; asking
     * for one page with a new random query every time is what a cache-busting bot does. Banned, the bot is refused at
     * accept, dropped by the kernel where the nftables export is on, and refused by every edge of a cluster.
     *
     * @param pathHash a hash of the request's path without its query ({@code RequestTraits.pathHash})
     */
    public Verdict.Ban busting(
            String site, int siteIndex, StatePolicy policy, byte[] addr, BanPolicy banPolicy, long pathHash) {
        int n = policy.banBustingAfter();
        if (n <= 0) {
            return null;
        }
        double perSecond = n / (policy.banBustingWindow().toNanos() / 1e9);
        // Counted across sites (each under a policy that counts): a flood's bots spread over its targets, and the
        // same path busted on two sites is no more a person's doing than on one.
        long key = SourceKeys.page(addr, SourceKeys.GLOBAL, pathHash);
        if (busting.get().tryAcquire(key, new RateLimit(perSecond, n)) == 0) {
            return null;
        }
        if (shared(addr)) {
            return null; // people are served from this address: its busting requests are answered from the cache
        }
        Ban ban = bans.offend(
                addr,
                banPolicy.base(),
                banPolicy.factor(),
                banPolicy.max(),
                "over " + n + " cache-busting requests for one page without a cookie within "
                        + policy.banBustingWindow().toSeconds() + " s on site " + site);
        if (ban != null) {
            banListener.banned(site, ban);
        }
        return new Verdict.Ban(banPolicy.action(), ban == null ? "automatic" : ban.reason());
    }

    /** Ends a request that {@link #decide} let through. */
    public void release(int siteIndex, byte[] addr) {
        concurrency.release(SourceKeys.ip(addr, siteIndex));
    }

    /**
     * Whether a well-behaved cookie holder was served from {@code addr} within {@link #HOLDER_WINDOW_SECONDS}: people
     * share the address (a NAT), so its strangers may be people too.
     */
    public boolean shared(byte[] addr) {
        return holders.active(
                SourceKeys.ip(addr, SourceKeys.GLOBAL), ticker.read() / 1_000_000_000L, HOLDER_WINDOW_SECONDS);
    }

    /** Ends a request that {@link #decide} let through with {@code holder} (negative: none). */
    public void release(int siteIndex, byte[] addr, long holder) {
        concurrency.release(holder >= 0 ? SourceKeys.cookie(holder, siteIndex) : SourceKeys.ip(addr, siteIndex));
    }

    /** A cookie holder's request: its cookie's ban, rates and concurrency stand for the address's. */
    private Verdict decideHolder(
            String site, int siteIndex, StatePolicy policy, byte[] addr, ProtectionConfig config, long holder) {
        long now = ticker.read() / 1_000_000_000L;
        if (cookieBans.bannedUntil(holder, now) != 0) {
            return new Verdict.Ban(config.bans().action(), "cookie banned");
        }
        long wait = check(SourceKeys.cookie(holder, SourceKeys.GLOBAL), config.globalPerIp());
        if (wait == 0) {
            wait = check(SourceKeys.cookie(holder, siteIndex), policy.perIp());
        }
        if (wait > 0) {
            return refuseHolder(site, siteIndex, policy, addr, config.bans(), holder, new Verdict.Limit(wait, "rate"));
        }
        if (!concurrency.tryAcquire(SourceKeys.cookie(holder, siteIndex), policy.maxConcurrentPerIp())) {
            return refuseHolder(
                    site,
                    siteIndex,
                    policy,
                    addr,
                    config.bans(),
                    holder,
                    new Verdict.Limit(1_000_000_000L, "concurrency"));
        }
        holders.seen(SourceKeys.ip(addr, SourceKeys.GLOBAL), now);
        return policy.cacheOnly() ? Verdict.CACHE_ONLY : Verdict.PASS;
    }

    /**
     * Counts a holder's refusal; past the policy's {@code ban_after_limited} within {@code ban_window}, bans the
     * cookie (escalating on repeat), and the address no longer counts as shared by well-behaved people.
     */
    private Verdict refuseHolder(
            String site,
            int siteIndex,
            StatePolicy policy,
            byte[] addr,
            BanPolicy banPolicy,
            long holder,
            Verdict.Limit limit) {
        int n = policy.banAfterLimited();
        if (n <= 0) {
            return limit;
        }
        double perSecond = n / (policy.banWindow().toNanos() / 1e9);
        if (refusals.get().tryAcquire(SourceKeys.cookie(holder, siteIndex), new RateLimit(perSecond, n)) == 0) {
            return limit;
        }
        long seconds = cookieBans.ban(holder, ticker.read() / 1_000_000_000L, banPolicy);
        holders.forget(SourceKeys.ip(addr, SourceKeys.GLOBAL));
        return new Verdict.Ban(
                banPolicy.action(),
                "cookie banned for " + seconds + " s: over " + n + " refused requests within "
                        + policy.banWindow().toSeconds() + " s on site " + site);
    }

    private long check(long key, Optional<RateLimit> limit) {
        return limit.isPresent() ? rates.get().tryAcquire(key, limit.get()) : 0;
    }

    /**
     * Counts a refusal; past the policy's {@code ban_after_limited} within {@code ban_window}, bans the address
     * (escalating on repeat) and says so.
     */
    private Verdict refuse(
            String site, int siteIndex, StatePolicy policy, byte[] addr, BanPolicy banPolicy, Verdict.Limit limit) {
        int n = policy.banAfterLimited();
        if (n <= 0) {
            return limit;
        }
        // "n refusals within the window" is itself a rate: n per window with a burst of n.
        double perSecond = n / (policy.banWindow().toNanos() / 1e9);
        if (refusals.get().tryAcquire(SourceKeys.ip(addr, siteIndex), new RateLimit(perSecond, n)) == 0) {
            return limit;
        }
        if (shared(addr)) {
            return limit; // people are served from this address: its other requests stay refused, it is not banned
        }
        Ban ban = bans.offend(
                addr,
                banPolicy.base(),
                banPolicy.factor(),
                banPolicy.max(),
                "over " + n + " refused requests within " + policy.banWindow().toSeconds() + " s on site " + site);
        if (ban != null) {
            banListener.banned(site, ban);
        }
        return new Verdict.Ban(banPolicy.action(), ban == null ? "automatic" : ban.reason());
    }

    /** Drops expired bans (call every few seconds). */
    public int purgeExpired() {
        return bans.purgeExpired();
    }

    /** Now, by the ban clock. */
    public Instant now() {
        return clock.instant();
    }
}
