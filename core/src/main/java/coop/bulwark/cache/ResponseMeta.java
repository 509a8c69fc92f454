package coop.bulwark.cache;

import java.util.List;
import java.util.Map;

/**
 * What the cache keeps of a storable response besides its body, as worked out by {@link CacheResponsePolicy}.
 *
 * @param status the status code
 * @param headers the field lines to replay, minus hop-by-hop fields, {@code Age} and fields the origin excluded
 *     with qualified {@code private}/{@code no-cache} (RFC 9111 §3.1, §5.2.2.4, §5.2.2.7)
 * @param freshNanos how long from receipt the response is fresh (RFC 9111 §4.2: lifetime minus initial age, or a
 *     floor); may be 0 for a response kept only to be served stale
 * @param staleWhileRevalidateNanos how long past freshness it may be served while being refreshed (RFC 5861 §3)
 * @param staleIfErrorNanos how long past freshness it may be served when the origin fails (RFC 5861 §4)
 * @param initialAgeSeconds its age when received (RFC 9111 §4.2.3), the base of the {@code Age} the proxy adds
 * @param varyNames the lower-cased request field names from {@code Vary} (RFC 9111 §4.1)
 */
record ResponseMeta(
        int status,
        List<Map.Entry<String, String>> headers,
        long freshNanos,
        long staleWhileRevalidateNanos,
        long staleIfErrorNanos,
        long initialAgeSeconds,
        List<String> varyNames) {

    public ResponseMeta {
        headers = List.copyOf(headers);
        varyNames = List.copyOf(varyNames);
        if (freshNanos < 0 || staleWhileRevalidateNanos < 0 || staleIfErrorNanos < 0 || initialAgeSeconds < 0) {
            throw new IllegalArgumentException("durations: negative (expected: >= 0)");
        }
    }

    /** Approximate heap bytes of the header lines (UTF-16 chars plus per-entry objects). */
    int headerWeightBytes() {
        int bytes = 0;
        for (Map.Entry<String, String> e : headers) {
            bytes += 2 * (e.getKey().length() + e.getValue().length()) + 64;
        }
        for (String name : varyNames) {
            bytes += 2 * name.length() + 48;
        }
        return bytes;
    }
}
