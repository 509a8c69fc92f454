package coop.bulwark.challenge;

import coop.bulwark.site.Cidr;
import java.util.List;

/**
 * A set of networks, for the allowlist and crawler ranges: a linear scan over masked byte arrays. The lists are short
 * (tens to a few hundred networks) and consulted only for requests that would otherwise be challenged or limited, so a
 * scan beats a trie on simplicity. IPv4-mapped IPv6 addresses match IPv4 networks.
 *
 * <p>Immutable and thread-safe; {@link #contains} allocates nothing.
 */
final class PrefixSet {
    private final byte[][] networks;
    private final int[] lengths;

    PrefixSet(List<Cidr> cidrs) {
        networks = new byte[cidrs.size()][];
        lengths = new int[cidrs.size()];
        for (int i = 0; i < cidrs.size(); i++) {
            networks[i] = cidrs.get(i).network();
            lengths[i] = cidrs.get(i).prefixLength();
        }
    }

    boolean isEmpty() {
        return networks.length == 0;
    }

    /** Whether {@code addr} (4 or 16 bytes, network order) is in one of the networks. */
    boolean contains(byte[] addr) {
        boolean mapped = addr.length == 16 && ClientPrefix.isV4Mapped(addr);
        int off = mapped ? 12 : 0;
        int len = mapped ? 4 : addr.length;
        for (int i = 0; i < networks.length; i++) {
            if (networks[i].length == len && matches(networks[i], lengths[i], addr, off)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] net, int bits, byte[] addr, int off) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != addr[off + i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return ((addr[off + full] & mask) == (net[full] & 0xFF));
    }
}
