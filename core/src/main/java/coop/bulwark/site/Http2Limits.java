package coop.bulwark.site;

/**
 * HTTP/2 limits per client connection.
 *
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS we advertise
 * @param maxResetsPerSecond RST_STREAM frames a client may send per second before the connection is closed with
 *     ENHANCE_YOUR_CALM (CVE-2023-44487, "rapid reset")
 */
public record Http2Limits(int maxConcurrentStreams, int maxResetsPerSecond) {
    public static final Http2Limits DEFAULTS = new Http2Limits(100, 100);

    public Http2Limits {
        ConnectionLimits.positive("max_concurrent_streams", maxConcurrentStreams);
        ConnectionLimits.positive("max_resets_per_second", maxResetsPerSecond);
    }
}
