package coop.bulwark.challenge;

import coop.bulwark.protect.LazyLimiter;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.RateLimit;
import coop.bulwark.time.Ticker;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The {@code seen} cookie ({@value PassCodec#SEEN_COOKIE_NAME}): given on pages in normal times, it tells the edge that
 * a browser visited the site before an attack began, so that its requests go in the people's lane of the site's
 * bulkhead ahead of strangers' while a flood is not yet detected. Signed like the challenge's cookie (site, client
 * prefix, expiry; HMAC-SHA256 with the challenge's keys), first-party, carrying no identifier of the person: the edge
 * keeps nothing per cookie beyond the bounded limiter below.
 *
 * <p>A cookie is only a hint, so it stops counting when it is used like a bot's: faster than {@code seen_per_cookie}
 * (a rate per cookie), or from more addresses than a person's browser moves between ({@link #ADDRESS_CHANGES}: a cookie
 * copied to many machines of the same network). Both limits live in fixed memory whatever the number of cookies.
 *
 * <p>Thread-safe; {@link #check} allocates nothing.
 */
/*
 * Design note. The address memory is a direct-mapped table of 2^16 longs: the cookie identity's top 32 bits as a tag
 * and a 32-bit hash of the last address it came from. A change of address for the same tag spends one token of a GCRA
 * bucket keyed by the identity (burst ADDRESS_CHANGES.burst, then one per ten seconds). Races between event loops on
 * a slot can lose an update, which at worst misses or adds one change: the limit is a heuristic against replay, not an
 * accounting. Two cookies sharing a slot evict each other's address, which can only forgive, never accuse.
 */
public final class SeenCookies {
    /** Address changes one cookie may make: a laptop moving between a few addresses of a network, not a botnet. */
    static final RateLimit ADDRESS_CHANGES = new RateLimit(0.1, 8);

    private static final long LIMITER_BUDGET_BYTES = 2L * 1024 * 1024;
    private static final int TABLE_BITS = 16;
    private static final long ABSENT = -1;
    private static final long INVALID = -2;
    private static final long OVER_LIMIT = -3;
    /** Keys of the address-change buckets, apart from the rate buckets' keys (the cookie identities). */
    private static final long ADDRESS_KEY_SALT = 0x5DEECE66DL;

    /** What a request's {@code seen} cookie says. */
    public enum Standing {
        /** No seen cookie. */
        ABSENT,
        /** A seen cookie that is forged, expired, for another site or network. */
        INVALID,
        /** A valid cookie used like a person's: the people's lane. */
        KNOWN,
        /** A valid cookie used like a bot's (too fast, too many addresses): treated as a stranger's for now. */
        OVER_LIMIT
    }

    private final PassCodec codec;
    private final InstantSource clock;
    private final LazyLimiter limiter;
    private final AtomicLongArray lastAddress = new AtomicLongArray(1 << TABLE_BITS);
    private volatile Duration lifetime = ChallengeConfig.DEFAULTS.seenCookieLifetime();
    private volatile Optional<RateLimit> perCookie = ChallengeConfig.DEFAULTS.seenPerCookie();

    SeenCookies(PassCodec codec, Ticker ticker, InstantSource clock) {
        this.codec = codec;
        this.clock = clock;
        this.limiter = new LazyLimiter(LIMITER_BUDGET_BYTES, ticker);
    }

    /** Takes a new config's lifetime and per-cookie limit. */
    void configure(ChallengeConfig config) {
        lifetime = config.seenCookieLifetime();
        perCookie = config.seenPerCookie();
    }

    /**
     * Checks the seen cookie in {@code cookieHeader} (the request's {@code Cookie} value, or null) for {@code site}
     * and a client at {@code addr}, and counts the request against the cookie's limits when it is valid.
     */
    public Standing check(String site, CharSequence cookieHeader, byte[] addr) {
        return standing(checkIdentity(site, cookieHeader, addr));
    }

    /**
     * As {@link #check}, returning the cookie's identity (>= 0) when it is {@link Standing#KNOWN}, else a negative
     * code that {@link #standing} reads. Allocation-free.
     */
    public long checkIdentity(String site, CharSequence cookieHeader, byte[] addr) {
        if (cookieHeader == null) {
            return ABSENT;
        }
        long id = codec.verifySeenHeader(cookieHeader, site, addr, clock.millis() / 1000);
        if (id == PassCodec.COOKIE_ABSENT) {
            return ABSENT;
        }
        if (id < 0) {
            return INVALID;
        }
        Optional<RateLimit> rate = perCookie;
        if (rate.isEmpty()) {
            return id;
        }
        if (moved(id, addr) && limiter.get().tryAcquire(id ^ ADDRESS_KEY_SALT, ADDRESS_CHANGES) > 0) {
            return OVER_LIMIT;
        }
        return limiter.get().tryAcquire(id, rate.get()) > 0 ? OVER_LIMIT : id;
    }

    /** What a {@link #checkIdentity} result says. */
    public static Standing standing(long checked) {
        if (checked >= 0) {
            return Standing.KNOWN;
        }
        return checked == ABSENT ? Standing.ABSENT : checked == INVALID ? Standing.INVALID : Standing.OVER_LIMIT;
    }

    /** Whether the cookie {@code id} comes from another address than last time; remembers this one. */
    private boolean moved(long id, byte[] addr) {
        int slot = (int) (id ^ id >>> TABLE_BITS) & (1 << TABLE_BITS) - 1;
        long tag = id & 0xFFFF_FFFF_0000_0000L;
        long entry = tag | (SourceKeys.ip(addr, SourceKeys.GLOBAL) & 0xFFFF_FFFFL);
        long before = lastAddress.getAndSet(slot, entry);
        return (before & 0xFFFF_FFFF_0000_0000L) == tag && before != entry;
    }

    /**
     * A {@code Set-Cookie} value giving a client of {@code site} at {@code addr} a new seen cookie, valid for
     * {@code seen_cookie_lifetime}; {@code Secure} when the request came over TLS.
     */
    public String setCookie(String site, byte[] addr, boolean tls) {
        Duration d = lifetime;
        String value = codec.cookie(PassCodec.Kind.SEEN, site, addr, 0, clock.millis() / 1000 + d.toSeconds());
        return PassCodec.SEEN_COOKIE_NAME + "=" + value + "; Path=/; Max-Age=" + d.toSeconds()
                + "; HttpOnly; SameSite=Lax" + (tls ? "; Secure" : "");
    }
}
