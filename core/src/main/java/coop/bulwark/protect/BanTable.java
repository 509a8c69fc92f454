package coop.bulwark.protect;

import java.util.List;

/**
 * An immutable hash table from a masked address, as two longs (high and low 64 bits; IPv4 uses the low word),
 * to its {@link Ban}: one per (family, prefix length) in a {@link BanList} snapshot. Thread-safe by immutability;
 * lookups allocate nothing.
 */
/*
 * Design note: open addressing with linear probing at load <= 1/2, parallel arrays, no deletion (a snapshot is
 * rebuilt, never edited). Immutable so readers need no lock and see a consistent table through one volatile
 * read of the snapshot.
 */
final class BanTable {
    private final long[] his;
    private final long[] los;
    private final Ban[] bans;
    private final int mask;

    /** @param entries {@code {hi, lo}} of each ban's masked network, in the order of {@code bans} */
    BanTable(List<long[]> entries, List<Ban> bans) {
        int capacity = Integer.highestOneBit(Math.max(2, entries.size()) * 2 - 1) << 1;
        this.his = new long[capacity];
        this.los = new long[capacity];
        this.bans = new Ban[capacity];
        this.mask = capacity - 1;
        for (int e = 0; e < entries.size(); e++) {
            long hi = entries.get(e)[0];
            long lo = entries.get(e)[1];
            int i = hash(hi, lo) & mask;
            while (this.bans[i] != null && (his[i] != hi || los[i] != lo)) {
                i = (i + 1) & mask;
            }
            his[i] = hi;
            los[i] = lo;
            this.bans[i] = bans.get(e);
        }
    }

    /** The ban of exactly this masked network, or null. */
    Ban get(long hi, long lo) {
        for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
            Ban b = bans[i];
            if (b == null) {
                return null;
            }
            if (his[i] == hi && los[i] == lo) {
                return b;
            }
        }
    }

    private static int hash(long hi, long lo) {
        return (int) SourceKeys.mix(hi ^ SourceKeys.mix(lo));
    }
}
