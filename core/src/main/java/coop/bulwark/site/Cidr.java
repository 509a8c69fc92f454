package coop.bulwark.site;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address). Immutable and
 * thread-safe.
 */
public record Cidr(byte[] network, int prefixLength) {
    public Cidr {
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("network: " + network.length + " bytes (expected: 4 or 16)");
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException(
                    "prefix length: " + prefixLength + " (expected: 0-" + network.length * 8 + ")");
        }
        network = mask(network.clone(), prefixLength);
    }

    /** Parses {@code ADDR/LEN} or a bare address (a host route); IP literals only, never a DNS lookup. */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException(text + " (expected: an IP address or network like 10.0.0.0/8)");
        }
        int len = bytes.length * 8;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(text + " (expected: a prefix length after '/')");
            }
            if (len < 0 || len > bytes.length * 8) {
                throw new IllegalArgumentException(text + " (expected: prefix length 0-" + bytes.length * 8 + ")");
            }
        }
        return new Cidr(bytes, len);
    }

    /** The bytes of an IPv4/IPv6 literal, or null when {@code s} is not one (never resolves names). */
    static byte[] literal(String s) {
        if (s.isEmpty()) {
            return null;
        }
        boolean v6 = s.indexOf(':') >= 0;
        if (!v6 && !s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
            return null;
        }
        if (v6 && !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return null;
        }
        if (!v6 && s.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            // With only digits, dots, hex and colons, getByName parses a literal and never queries DNS.
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int m = 0xFF << (8 - rest) & 0xFF;
        return (a[full] & m) == (network[full] & 0xFF);
    }

    /** Whether every address of {@code other} is in this network (same family; a network covers itself). */
    public boolean covers(Cidr other) {
        if (other.network.length != network.length || other.prefixLength < prefixLength) {
            return false;
        }
        return Arrays.equals(mask(other.network.clone(), prefixLength), network);
    }

    /** Whether the two networks share an address: one covers the other. */
    public boolean overlaps(Cidr other) {
        return covers(other) || other.covers(this);
    }

    private static byte[] mask(byte[] b, int len) {
        for (int i = 0; i < b.length; i++) {
            int bits = Math.max(0, Math.min(8, len - i * 8));
            b[i] &= (byte) (0xFF << (8 - bits));
        }
        return b;
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
