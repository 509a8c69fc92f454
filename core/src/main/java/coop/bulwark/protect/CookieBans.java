package coop.bulwark.protect;

import coop.bulwark.site.BanPolicy;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Bans of cookie holders: a person's cookie (the challenge's pass or seen cookie) whose requests were refused too often
 * is banned on its own, with the same escalating durations as an address ban ({@code protection.bans}), instead of the
 * address everybody behind a NAT shares. The connection's address stays served for the other holders.
 *
 * <p>Fixed memory (768 KiB) whatever the number of cookies; {@link #bannedUntil} is lock-free, {@link #ban} (rare)
 * takes the table's monitor.
 */
/*
 * Design note. A direct-mapped table of 2^16 slots, indexed by a mix of the cookie's identity: a long holding the mix's
 * top 32 bits as a tag and the second the ban ends, and an int counting the cookie's bans (for escalation, forgotten
 * after the policy's memory). A new ban in an occupied slot replaces the old entry, which can end another cookie's ban
 * early: the permissive side, bounded by the table's size, like the source limiters' evictions. A client that drops a
 * banned cookie is a stranger again, judged by its address.
 */
final class CookieBans {
    private static final int BITS = 16;

    private final AtomicLongArray until = new AtomicLongArray(1 << BITS);
    private final int[] strikes = new int[1 << BITS]; // guarded by this

    /** The second (ticker time) until which cookie {@code holder} is banned; 0 when it is not. */
    long bannedUntil(long holder, long nowSeconds) {
        long h = SourceKeys.mix(holder);
        long e = until.get(slot(h));
        if ((e & 0xFFFF_FFFF_0000_0000L) != (h & 0xFFFF_FFFF_0000_0000L)) {
            return 0;
        }
        long end = e & 0xFFFF_FFFFL;
        return end > nowSeconds ? end : 0;
    }

    /**
     * Bans cookie {@code holder} from {@code nowSeconds}: the policy's base duration, times its factor for each earlier
     * ban within its memory, at most its maximum. Returns the ban's length in seconds.
     */
    synchronized long ban(long holder, long nowSeconds, BanPolicy policy) {
        long h = SourceKeys.mix(holder);
        int slot = slot(h);
        long e = until.get(slot);
        boolean same = (e & 0xFFFF_FFFF_0000_0000L) == (h & 0xFFFF_FFFF_0000_0000L) && e != 0;
        boolean remembered =
                same && nowSeconds - (e & 0xFFFF_FFFFL) < policy.memory().toSeconds();
        int n = remembered ? strikes[slot] + 1 : 0;
        strikes[slot] = n;
        double seconds = policy.base().toSeconds() * Math.pow(policy.factor(), n);
        long length = (long) Math.min(seconds, policy.max().toSeconds());
        until.set(slot, (h & 0xFFFF_FFFF_0000_0000L) | ((nowSeconds + Math.max(1, length)) & 0xFFFF_FFFFL));
        return Math.max(1, length);
    }

    private static int slot(long h) {
        return (int) h & (1 << BITS) - 1;
    }
}
