package coop.bulwark.lab.uplink;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The uplink qdisc's counters at one moment, from {@code tc -s qdisc show}: what the link carried and what its
 * queue dropped (the flood that did not fit, and every person's packet that met a full queue).
 *
 * @param nanos when it was read ({@link System#nanoTime})
 * @param valid false when tc's output could not be read (the sample then counts as nothing)
 */
record LinkSample(long nanos, long bytes, long packets, long dropped, boolean valid) {
    private static final Pattern SENT = Pattern.compile("Sent (\\d+) bytes (\\d+) pkt \\(dropped (\\d+)");

    static LinkSample parse(long nanos, String tcOutput) {
        Matcher m = SENT.matcher(tcOutput);
        if (!m.find()) {
            return new LinkSample(nanos, 0, 0, 0, false);
        }
        return new LinkSample(
                nanos, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), true);
    }

    /** The link's utilisation between {@code earlier} and this sample, against {@code capacityBitsPerSecond}. */
    double utilisationSince(LinkSample earlier, long capacityBitsPerSecond) {
        if (!valid || !earlier.valid || nanos <= earlier.nanos) {
            return Double.NaN;
        }
        double seconds = (nanos - earlier.nanos) / 1e9;
        return (bytes - earlier.bytes) * 8.0 / seconds / capacityBitsPerSecond;
    }

    long droppedSince(LinkSample earlier) {
        return valid && earlier.valid ? Math.max(0, dropped - earlier.dropped) : 0;
    }
}
