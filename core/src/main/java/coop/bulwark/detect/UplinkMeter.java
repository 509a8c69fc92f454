package coop.bulwark.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Uplink utilisation from the kernel's interface byte counters ({@code /sys/class/net/IFACE/statistics/rx_bytes}
 * and {@code tx_bytes}) against a configured capacity: the signal for the last rung of the mitigation ladder, when
 * the pipe itself is full and only upstream filtering helps.
 *
 * <p>Not thread-safe: confined to the detection tick. Reads two small sysfs files per sample, so never call it on
 * an event loop.
 */
public final class UplinkMeter {
    private final Path rxBytes;
    private final Path txBytes;
    private final Path rxDropped;
    private final double capacityBitsPerSecond;
    private long lastRx = -1;
    private long lastTx = -1;
    private long lastDropped = -1;
    private double droppedPerSecond = Double.NaN;
    private Instant last;

    /**
     * @param statisticsDir a directory holding {@code rx_bytes} and {@code tx_bytes}, as
     *     {@code /sys/class/net/eth0/statistics}
     * @param capacityBitsPerSecond the uplink's capacity in each direction, > 0
     */
    public UplinkMeter(Path statisticsDir, long capacityBitsPerSecond) {
        if (capacityBitsPerSecond <= 0) {
            throw new IllegalArgumentException("capacityBitsPerSecond: " + capacityBitsPerSecond + " (expected: > 0)");
        }
        this.rxBytes = statisticsDir.resolve("rx_bytes");
        this.txBytes = statisticsDir.resolve("tx_bytes");
        this.rxDropped = statisticsDir.resolve("rx_dropped");
        this.capacityBitsPerSecond = capacityBitsPerSecond;
    }

    /** The meter for a network interface by name (e.g. {@code eth0}), from {@code /sys/class/net}. */
    public static UplinkMeter forInterface(String iface, long capacityBitsPerSecond) {
        if (iface.isEmpty() || iface.length() > 15 || iface.contains("/") || iface.startsWith(".")) {
            throw new IllegalArgumentException("iface: " + iface + " (expected: an interface name such as eth0)");
        }
        return new UplinkMeter(Path.of("/sys/class/net", iface, "statistics"), capacityBitsPerSecond);
    }

    /**
     * Reads the counters and returns the busier direction's utilisation since the previous sample (1.0 = at
     * capacity; may exceed 1 if the capacity is set too low), or NaN when unknown: the first sample, an unreadable
     * counter, a counter that went backwards (interface reset) or no time elapsed.
     */
    public double sample(Instant now) {
        long rx = read(rxBytes);
        long tx = read(txBytes);
        long dropped = read(rxDropped);
        double result = Double.NaN;
        double seconds = last == null ? 0 : Duration.between(last, now).toNanos() / 1e9;
        if (seconds > 0 && rx >= lastRx && tx >= lastTx && lastRx >= 0 && lastTx >= 0) {
            double bits = Math.max(rx - lastRx, tx - lastTx) * 8.0;
            result = bits / seconds / capacityBitsPerSecond;
        }
        droppedPerSecond = seconds > 0 && dropped >= lastDropped && lastDropped >= 0
                ? (dropped - lastDropped) / seconds
                : Double.NaN;
        lastRx = rx;
        lastTx = tx;
        lastDropped = dropped;
        last = now;
        return result;
    }

    /**
     * Packets the interface dropped on receive per second over the latest {@link #sample} interval ({@code
     * rx_dropped}: a full receive queue), NaN when the kernel does not give the counter or on the first sample.
     */
    public double droppedPerSecond() {
        return droppedPerSecond;
    }

    private static long read(Path counter) {
        try {
            return Long.parseLong(
                    Files.readString(counter, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
