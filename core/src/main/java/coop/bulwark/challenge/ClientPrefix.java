package coop.bulwark.challenge;

import javax.crypto.Mac;

/**
 * The network a pass is bound to: the /24 of an IPv4 address (also when written IPv4-mapped, {@code ::ffff:a.b.c.d}),
 * the /48 of an IPv6 one. A visitor whose address changes within its provider's block keeps its cookie; one who moves
 * to another network solves the challenge again. Stateless.
 */
final class ClientPrefix {
    private ClientPrefix() {}

    /** Feeds the family and prefix of {@code addr} (4 or 16 bytes, network order) to {@code mac}. */
    static void update(Mac mac, byte[] addr) {
        if (addr.length == 4) {
            mac.update((byte) 4);
            mac.update(addr, 0, 3);
        } else if (addr.length == 16 && isV4Mapped(addr)) {
            mac.update((byte) 4);
            mac.update(addr, 12, 3);
        } else if (addr.length == 16) {
            mac.update((byte) 6);
            mac.update(addr, 0, 6);
        } else {
            throw new IllegalArgumentException("addr: " + addr.length + " bytes (expected: 4 or 16)");
        }
    }

    static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }
}
