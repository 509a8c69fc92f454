package coop.bulwark.proxy;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON access log: one line per request on the {@code bulwark.access} logger, whose appender (file or stdout,
 * asynchronous, never blocking an event loop) is set up from the config by {@link AccessLogAppender}.
 *
 * <p>Fields: {@code time, site, client, method, path, status, bytes, upstream_ms, duration_ms, proto, verdict}.
 * {@code verdict} is the protection decision ({@code pass} until protection says otherwise). Thread-safe.
 */
public final class AccessLog {
    public static final String LOGGER = "bulwark.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {}

    static boolean enabled() {
        return LOG.isInfoEnabled();
    }

    /** One access record; {@code upstreamMillis} is negative when no origin was contacted. */
    record Entry(
            long epochMillis,
            String site,
            String client,
            String method,
            String path,
            int status,
            long bytes,
            double upstreamMillis,
            double durationMillis,
            String proto,
            String verdict) {}

    static void write(Entry e) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":\"").append(Instant.ofEpochMilli(e.epochMillis())).append('"');
        str(b, "site", e.site());
        str(b, "client", e.client());
        str(b, "method", e.method());
        str(b, "path", e.path());
        b.append(",\"status\":").append(e.status());
        b.append(",\"bytes\":").append(e.bytes());
        b.append(",\"upstream_ms\":");
        if (e.upstreamMillis() < 0) {
            b.append("null");
        } else {
            b.append(Math.round(e.upstreamMillis() * 1000) / 1000.0);
        }
        b.append(",\"duration_ms\":").append(Math.round(e.durationMillis() * 1000) / 1000.0);
        str(b, "proto", e.proto());
        str(b, "verdict", e.verdict());
        b.append('}');
        LOG.info(b.toString());
    }

    private static void str(StringBuilder b, String key, String value) {
        b.append(",\"").append(key).append("\":");
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x2028 && c <= 0x2029)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
