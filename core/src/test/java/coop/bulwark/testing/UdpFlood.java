package coop.bulwark.testing;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A bounded, paced UDP flood for the uplink tests: {@code UdpFlood HOST PORT MBIT SECONDS}. Run it inside a network
 * namespace the test made (never toward any other address); it stops by itself after SECONDS (at most 30).
 */
public final class UdpFlood {
    private UdpFlood() {}

    public static void main(String[] args) throws Exception {
        InetAddress host = InetAddress.getByName(args[0]);
        if (!host.isLoopbackAddress()
                && !host.getHostAddress().startsWith("203.0.113.")
                && !host.getHostAddress().startsWith("198.51.100.")
                && !host.getHostAddress().startsWith("192.0.2.")) {
            throw new IllegalArgumentException(host + ": only loopback and documentation ranges");
        }
        int port = Integer.parseInt(args[1]);
        double mbit = Double.parseDouble(args[2]);
        long seconds = Math.min(30, Long.parseLong(args[3]));
        byte[] payload = new byte[1200];
        double packetsPerSecond = mbit * 1e6 / 8 / payload.length;
        long gapNanos = (long) (1e9 / packetsPerSecond);
        long sent = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            DatagramPacket p = new DatagramPacket(payload, payload.length, new InetSocketAddress(host, port));
            System.out.println("flooding"); // the test times the edge's reaction from this line
            System.out.flush();
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                long due = start + sent * gapNanos;
                if (now < due) {
                    Thread.onSpinWait();
                    continue;
                }
                s.send(p);
                sent++;
            }
        }
        System.out.println("sent " + sent + " datagrams");
    }
}
