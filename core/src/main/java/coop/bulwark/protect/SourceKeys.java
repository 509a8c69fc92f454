package coop.bulwark.protect;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Packs a client source (its address or its network prefix, globally or for one site) into a {@code long} key
 * for {@link SourceRateLimiter} and {@link ConcurrencyLimiter}, without allocating. Stateless and thread-safe.
 *
 * <p>Prefixes are the usual "one customer" sizes: {@code /24} for IPv4 and {@code /48} for IPv6. An IPv4-mapped
 * IPv6 address ({@code ::ffff:a.b.c.d}, as some PROXY-protocol peers send) is keyed as the IPv4 address, so one
 * client never gets two allowances.
 *
 * <p>Keys are never 0 (0 marks an empty slot in the limiters' tables) and never collide across kinds, sites or
 * between "global" and a site.
 */
/*
 * Layout. Bit 63 set: a full IPv6 address, hashed (below). Bit 63 clear:
 *
 *   bit 62-61  kind: 1 = IPv4 address, 2 = IPv4 /24, 3 = IPv6 /48  (never 0, so the key is never 0)
 *   bit 60-48  site index, 0..8190, or 8191 = GLOBAL
 *   bit 47-0   the address (32 bits), the /24 (24 bits) or the /48 (48 bits), right-aligned
 *
 * A full IPv6 address has 128 bits and cannot be packed with a site into 64, so it is hashed: a 64-bit keyed
 * mixer (two rounds of the splitmix64 finaliser, which is a bijection on 64 bits, over the high word, the low
 * word and the site) keeps 63 bits. Trade-off: two distinct addresses may share a key and so share one
 * allowance. By the birthday bound, among n addresses the chance of any collision is about n^2 / 2^64, i.e.
 * 1 in 16 million for a million sources, and a collision only ever makes two clients stricter on each other.
 * The mixer is keyed with a per-process random seed so a client cannot choose an address that collides with a
 * victim's; it is not a cryptographic PRF, but the keys are never shown to clients. IPv6 clients are better
 * limited by their /48 anyway, since any one of them may rotate through 2^64 addresses of its /64.
 */
public final class SourceKeys {
    /** The site index that scopes a key to all sites together. */
    public static final int GLOBAL = 8191;
    /** The largest site index a site-scoped key can carry. */
    public static final int MAX_SITE_INDEX = GLOBAL - 1;

    private static final long KIND_V4_ADDRESS = 1L << 61;
    private static final long KIND_V4_PREFIX = 2L << 61;
    private static final long KIND_V6_PREFIX = 3L << 61;
    private static final long HASHED = 1L << 63;
    private static final long SEED = new SecureRandom().nextLong();
    /** Apart from {@link #SEED}, so a cookie identity never maps onto an IPv6 address's key by design. */
    private static final long COOKIE_SEED = new SecureRandom().nextLong();

    private static final long PAGE_SEED = new SecureRandom().nextLong();

    private SourceKeys() {}

    /** The key of one client address (4 or 16 bytes, network order) for a site, or for {@link #GLOBAL}. */
    public static long ip(byte[] addr, int siteIndex) {
        long site = site(siteIndex);
        if (addr.length == 4 || Addresses.isV4Mapped(addr)) {
            return KIND_V4_ADDRESS | site << 48 | Addresses.v4(addr);
        }
        checkV6(addr);
        long h = mix(Addresses.readLong(addr, 0) + SEED);
        h = mix(h ^ Addresses.readLong(addr, 8));
        h = mix(h ^ siteIndex);
        return HASHED | h >>> 1;
    }

    /**
     * The key of a cookie holder for a site, or for {@link #GLOBAL}: {@code cookie} is the identity of a valid
     * first-party cookie (the challenge's pass or seen cookie), so that people sharing one address are limited each on
     * their own. Hashed like a full IPv6 address (keyed, 63 bits); a collision only makes two holders share one
     * allowance.
     */
    public static long cookie(long cookie, int siteIndex) {
        long h = mix(cookie + COOKIE_SEED);
        h = mix(h ^ site(siteIndex));
        return HASHED | h >>> 1;
    }

    /**
     * The key of one client address asking for one path of a site ({@code pathHash}, the path's hash without its
     * query): hashed like a full IPv6 address (keyed, 63 bits); a collision only makes two such pairs share a count.
     */
    public static long page(byte[] addr, int siteIndex, long pathHash) {
        long h = mix(ip(addr, siteIndex) + PAGE_SEED);
        h = mix(h ^ pathHash);
        return HASHED | h >>> 1;
    }

    /** The key of a client's /24 (IPv4) or /48 (IPv6) for a site, or for {@link #GLOBAL}. */
    public static long prefix(byte[] addr, int siteIndex) {
        long site = site(siteIndex);
        if (addr.length == 4 || Addresses.isV4Mapped(addr)) {
            return KIND_V4_PREFIX | site << 48 | Addresses.v4(addr) >>> 8;
        }
        checkV6(addr);
        return KIND_V6_PREFIX | site << 48 | Addresses.readLong(addr, 0) >>> 16;
    }

    /**
     * A key made by {@link #prefix} or {@link #ip} as text, for reports and logs: {@code 203.0.113.0/24},
     * {@code 2001:db8:1::/48} (RFC 5952 form) or {@code 203.0.113.7}. The site the key is scoped to is not shown. A
     * hashed IPv6 address key cannot be turned back into its address and, like any key not made here, is shown as
     * {@code key:} and 16 hex digits.
     */
    public static String text(long key) {
        if (key < 0) {
            return hex(key);
        }
        return switch ((int) (key >>> 61) & 3) {
            case 1 -> v4(key & 0xFFFF_FFFFL);
            case 2 -> v4((key & 0xFF_FFFFL) << 8) + "/24";
            case 3 -> v6Prefix48(key & 0xFFFF_FFFF_FFFFL) + "/48";
            default -> hex(key);
        };
    }

    private static String hex(long key) {
        return "key:" + String.format(Locale.ROOT, "%016x", key);
    }

    private static String v4(long a) {
        return (a >>> 24 & 0xFF) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
    }

    /** The /48 network whose first 48 bits are {@code p}, with the longest run of zero groups as "::". */
    private static String v6Prefix48(long p) {
        int[] groups = {(int) (p >>> 32 & 0xFFFF), (int) (p >>> 16 & 0xFFFF), (int) (p & 0xFFFF), 0, 0, 0, 0, 0};
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < groups.length && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder(24);
        for (int i = 0; i < groups.length; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLength - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(groups[i]));
        }
        return b.toString();
    }

    private static long site(int siteIndex) {
        if (siteIndex < 0 || siteIndex > GLOBAL) {
            throw new IllegalArgumentException(
                    "siteIndex: " + siteIndex + " (expected: 0-" + MAX_SITE_INDEX + " or GLOBAL)");
        }
        return siteIndex;
    }

    private static void checkV6(byte[] addr) {
        if (addr.length != 16) {
            throw new IllegalArgumentException("addr: " + addr.length + " bytes (expected: 4 or 16)");
        }
    }

    /**
     * A hash of {@code key} (any source key) keyed with the per-process seed, for hash tables keyed by sources: a
     * client choosing its addresses (an IPv6 /64 has 2^64) cannot make them share a bucket, and a flood's addresses
     * from a few /24s spread as well as any (the low bits of an IPv4 address are those of its neighbours).
     */
    public static int keyedHash(long key) {
        return (int) (mix(key ^ SEED) >>> 32);
    }

    /** The splitmix64 finaliser (Steele, Lea, Flood 2014): a bijection with full avalanche. */
    static long mix(long z) {
        z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
        z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
        return z ^ z >>> 31;
    }
}
