package coop.bulwark.protect;

import coop.bulwark.site.Cidr;

/**
 * Bit arithmetic on raw IPv4/IPv6 addresses (network-order byte arrays) shared by {@link SourceKeys} and
 * {@link BanList}: reading them as longs, prefix masks, and treating IPv4-mapped IPv6 ({@code ::ffff:0:0/96})
 * as IPv4. Stateless; allocation-free except {@link #canonical}.
 */
final class Addresses {
    private Addresses() {}

    static boolean isV4Mapped(byte[] a) {
        if (a.length != 16 || a[10] != (byte) 0xFF || a[11] != (byte) 0xFF) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The IPv4 address in the last four bytes of {@code a}, as an unsigned 32-bit value. */
    static long v4(byte[] a) {
        int o = a.length - 4;
        return (a[o] & 0xFFL) << 24 | (a[o + 1] & 0xFFL) << 16 | (a[o + 2] & 0xFFL) << 8 | a[o + 3] & 0xFFL;
    }

    /** Eight bytes from {@code off}, big-endian. */
    static long readLong(byte[] a, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | a[off + i] & 0xFFL;
        }
        return v;
    }

    static long v4Mask(int len) {
        return len == 0 ? 0 : 0xFFFF_FFFFL << (32 - len) & 0xFFFF_FFFFL;
    }

    /** The mask of the high 64 bits of an IPv6 /len. */
    static long hiMask(int len) {
        return len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
    }

    /** The mask of the low 64 bits of an IPv6 /len. */
    static long loMask(int len) {
        return len <= 64 ? 0 : -1L << (128 - len);
    }

    /** An IPv4-mapped IPv6 network of /96 or longer as the IPv4 network it is; anything else unchanged. */
    static Cidr canonical(Cidr c) {
        byte[] n = c.network();
        if (n.length == 16 && c.prefixLength() >= 96 && isV4Mapped(n)) {
            byte[] v4 = new byte[4];
            System.arraycopy(n, 12, v4, 0, 4);
            return new Cidr(v4, c.prefixLength() - 96);
        }
        return c;
    }
}
