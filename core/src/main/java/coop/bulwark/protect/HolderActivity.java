package coop.bulwark.protect;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which client addresses have had a cookie holder — a request with a valid first-party cookie of the edge, a person —
 * among their requests lately. People share addresses (a university's NAT, a carrier's CGNAT, a Tor exit), so an
 * address with an active holder is not banned as a whole for the refusals of its other requests: those stay limited,
 * and the people behind it keep being served on their own cookies.
 *
 * <p>Fixed memory (512 KiB) whatever the number of addresses; thread-safe and lock-free.
 */
/*
 * Design note. A direct-mapped table of 2^16 longs, indexed by a mix of the address key: the mix's top 32 bits as a tag
 * and the last second a holder was seen. Two addresses sharing a slot overwrite each other's mark, so one of them may
 * look inactive and be banned as before this table existed (the strict side, never a free pass for a bot). A lost
 * race between event loops only delays a mark by one request.
 */
final class HolderActivity {
    private static final int BITS = 16;

    private final AtomicLongArray table = new AtomicLongArray(1 << BITS);

    /** A holder was served from the address with key {@code addressKey} at {@code nowSeconds}. */
    void seen(long addressKey, long nowSeconds) {
        long h = SourceKeys.mix(addressKey);
        table.set(slot(h), (h & 0xFFFF_FFFF_0000_0000L) | (nowSeconds & 0xFFFF_FFFFL));
    }

    /** Whether a holder was served from the address within {@code windowSeconds} before {@code nowSeconds}. */
    boolean active(long addressKey, long nowSeconds, long windowSeconds) {
        long h = SourceKeys.mix(addressKey);
        long e = table.get(slot(h));
        if ((e & 0xFFFF_FFFF_0000_0000L) != (h & 0xFFFF_FFFF_0000_0000L) || e == 0) {
            return false;
        }
        long last = e & 0xFFFF_FFFFL;
        return ((nowSeconds - last) & 0xFFFF_FFFFL) <= windowSeconds;
    }

    /** Forgets the address's holders (one of them misbehaved): its other requests are judged as before. */
    void forget(long addressKey) {
        long h = SourceKeys.mix(addressKey);
        int slot = slot(h);
        long e = table.get(slot);
        if ((e & 0xFFFF_FFFF_0000_0000L) == (h & 0xFFFF_FFFF_0000_0000L)) {
            table.compareAndSet(slot, e, 0);
        }
    }

    private static int slot(long h) {
        return (int) h & (1 << BITS) - 1;
    }
}
