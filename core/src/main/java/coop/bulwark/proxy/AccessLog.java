package coop.bulwark.proxy;

import java.time.Instant;

/**
 * The JSON access log: one line per request, handed to the {@link Sink} the edge set up from the config (a file or
 * standard output, buffered, never blocking an event loop: {@code coop.bulwark.edge.AccessLogWriter}); none, no log.
 *
 * <p>Fields: {@code time, site, client, method, path, status, bytes, upstream_ms, duration_ms, proto, verdict}.
 * {@code verdict} is the protection decision ({@code pass} until protection says otherwise). Thread-safe.
 */
public final class AccessLog {
    /** Takes each line (without its newline); called on event loops, so it must not block. */
    public interface Sink {
        void append(CharSequence line);
    }

    private static volatile Sink sink;

    private AccessLog() {}

    /** Where lines go from now on; null: nowhere (the access log is off). */
    public static void use(Sink s) {
        sink = s;
    }

    static boolean enabled() {
        return sink != null;
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
        Sink out = sink;
        if (out == null) {
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
        out.append(b);
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
