package coop.bulwark.lab;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.random.RandomGenerator;

/**
 * Where the lab's clients come from: every client socket is bound to its own address in 127.0.0.0/8 (Linux routes
 * the whole block to loopback), so the edge's per-address and per-/24 logic sees real, distinct sources.
 *
 * <p>The second octet says who is who, which lets the origin model count attack requests that got through by the
 * {@code X-Forwarded-For} the edge adds:
 *
 * <ul>
 *   <li>127.1.0.0 – 127.63.254.255: legitimate clients, one /24 each (16,127 of them at most);
 *   <li>127.63.255.10: the one address of the people behind a NAT ({@link #nat}), shared with its bots;
 *   <li>127.64.0.0 – 127.127.255.255: the botnet of a GET flood, {@code perPrefix} bots per /24;
 *   <li>127.128.0.0 – 127.254.255.255: random-source flood, a new address per request.
 * </ul>
 *
 * 127.0.0.0/16 (where the edge and origin listen) and 127.255.0.0/16 are never used as sources, nor are host bytes
 * 0 and 255.
 */
public final class AddressPlan {
    public static final int MAX_LEGIT = 63 * 256 - 1;
    public static final int MAX_BOTS = 64 * 256 * 254;

    /** Who a source address belongs to. */
    public enum Source {
        LEGIT,
        BOTNET,
        RANDOM,
        OTHER
    }

    private AddressPlan() {}

    /**
     * The one address that the people behind a NAT ({@code legit.nat_people}) and the bots among them
     * ({@code nat_flood}) share; classified as legitimate, so the origin model tells the bots' requests by their
     * {@link OriginModel#BOT_HEADER} instead.
     */
    public static byte[] nat() {
        return new byte[] {127, 63, (byte) 255, 10};
    }

    /** The address of legitimate client {@code i} (0-based), alone in its /24. */
    public static byte[] legit(int i) {
        if (i < 0 || i >= MAX_LEGIT) {
            throw new IllegalArgumentException("legit client: " + i + " (expected: 0-" + (MAX_LEGIT - 1) + ")");
        }
        return new byte[] {127, (byte) (1 + i / 256), (byte) (i % 256), (byte) (1 + (i * 7) % 254)};
    }

    /** The address of bot {@code i} (0-based) of a botnet packing {@code perPrefix} bots into each /24. */
    public static byte[] bot(int i, int perPrefix) {
        if (perPrefix < 1 || perPrefix > 254) {
            throw new IllegalArgumentException("per_prefix: " + perPrefix + " (expected: 1-254)");
        }
        int prefix = i / perPrefix;
        if (i < 0 || prefix >= 64 * 256) {
            throw new IllegalArgumentException("bot: " + i + " (expected: fewer than " + 64 * 256 * perPrefix + ")");
        }
        return new byte[] {127, (byte) (64 + prefix / 256), (byte) (prefix % 256), (byte) (1 + i % perPrefix)};
    }

    /** A random address of the random-source range. */
    public static byte[] random(RandomGenerator rnd) {
        return new byte[] {127, (byte) (128 + rnd.nextInt(127)), (byte) rnd.nextInt(256), (byte) (1 + rnd.nextInt(254))
        };
    }

    /** Whose address {@code text} (dotted IPv4) is; {@link Source#OTHER} for anything else. */
    public static Source classify(CharSequence text) {
        // Fast path without allocation: "127." then the second octet.
        if (text.length() < 7 || !text.toString().startsWith("127.")) {
            return uplinkLab(text);
        }
        int second = 0;
        int i = 4;
        for (; i < text.length() && text.charAt(i) != '.'; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return Source.OTHER;
            }
            second = second * 10 + (c - '0');
        }
        if (i == 4 || i >= text.length()) {
            return Source.OTHER;
        }
        if (second >= 1 && second <= 63) {
            return Source.LEGIT;
        }
        if (second >= 64 && second <= 127) {
            return Source.BOTNET;
        }
        if (second >= 128 && second <= 254) {
            return Source.RANDOM;
        }
        return Source.OTHER;
    }

    /**
     * The uplink lab's sources, in its own namespaces (documentation ranges): people in 192.0.2.0/25, the HTTP flood's
     * botnet in 198.51.100.0/24.
     */
    private static Source uplinkLab(CharSequence text) {
        String t = text.toString();
        if (t.startsWith("198.51.100.")) {
            return Source.BOTNET;
        }
        if (t.startsWith("192.0.2.")) {
            return Source.LEGIT;
        }
        return Source.OTHER;
    }

    static InetAddress inet(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // four bytes always make an address
        }
    }
}
