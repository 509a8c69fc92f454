package coop.bulwark.protect;

import java.net.InetAddress;

/**
 * A client address as a hash-map key: its {@link SourceKeys#ip} key (an IPv6 address hashed to 63 bits) with a
 * per-process keyed hash. Not {@link InetAddress} itself, whose hash is the IPv4 address (a flood's neighbouring
 * addresses crowd a few buckets) or a plain sum of an IPv6 address's four words (a client choosing addresses in its
 * /64 can give thousands the same hash: one bucket, searched linearly, in every lookup).
 *
 * @param key the address's {@link SourceKeys#ip} key for {@link SourceKeys#GLOBAL}
 */
public record SourceAddress(long key) {
    /** The key of {@code addr}. */
    public static SourceAddress of(InetAddress addr) {
        return new SourceAddress(SourceKeys.ip(addr.getAddress(), SourceKeys.GLOBAL));
    }

    @Override
    public int hashCode() {
        return SourceKeys.keyedHash(key);
    }
}
