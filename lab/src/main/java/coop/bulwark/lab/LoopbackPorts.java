package coop.bulwark.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Ports for the servers the lab starts in other processes (the edge under test, chromedriver), which bind them a
 * while after the lab picked them: below the kernel's ephemeral range, so no outgoing connection can take one in
 * between. An edge's JIT warm-up alone opens some 100,000 loopback connections in the 30 s before it binds its
 * listener, and a flood leaves thousands of TIME_WAIT sockets, all on ephemeral ports: a port the kernel handed out
 * as free ({@code new ServerSocket(0)}) was taken by the time the edge bound it.
 */
final class LoopbackPorts {
    /** Where the lab's ports start: above the well-known and common service ports. */
    private static final int FLOOR = 10_000;

    private static final SplittableRandom RANDOM = new SplittableRandom();

    private LoopbackPorts() {}

    /** A port free on 127.0.0.1 now, below the ephemeral range (an ephemeral one where the range leaves no room). */
    static int free() throws IOException {
        return pick(false);
    }

    /**
     * As {@link #free}, and free on ::1 too where the machine has IPv6: for a server that also binds the IPv6 wildcard
     * without address reuse (chromedriver), which any socket on that port refuses, a TIME_WAIT included.
     */
    static int freeOnBoth() throws IOException {
        return pick(true);
    }

    private static int pick(boolean alsoIpv6) throws IOException {
        int below = ephemeralLow();
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = below > FLOOR + 1_000 ? FLOOR + RANDOM.split().nextInt(below - FLOOR) : 0;
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                port = s.getLocalPort();
            } catch (IOException taken) {
                continue;
            }
            if (!alsoIpv6) {
                return port;
            }
            try (ServerSocket s6 = new ServerSocket(port, 1, InetAddress.getByName("::1"))) {
                return port;
            } catch (IOException takenOrNoIpv6) {
                if (!hasIpv6Loopback()) {
                    return port;
                }
            }
        }
        throw new IOException("no free loopback port below " + below + (alsoIpv6 ? " on both 127.0.0.1 and ::1" : ""));
    }

    /** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
    private static int ephemeralLow() {
        try {
            // Read as a stream: /proc reports a size its content does not have, and readString trusted it.
            String range;
            try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            }
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
