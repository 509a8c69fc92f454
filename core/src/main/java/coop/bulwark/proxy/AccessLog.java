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

    /** The time text of the last second a line was written in, reused for every line of that second. */
    private record Second(long epochSecond, String text) {}

    private static volatile Second second = new Second(Long.MIN_VALUE, "");

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
        b.append("{\"time\":\"");
        time(b, e.epochMillis());
        b.append('"');
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
            millis(b, e.upstreamMillis());
        }
        b.append(",\"duration_ms\":");
        millis(b, e.durationMillis());
        str(b, "proto", e.proto());
        str(b, "verdict", e.verdict());
        b.append('}');
        out.append(b);
    }

    /**
     * RFC 3339 UTC with milliseconds, {@code 2026-12-07T01:31:44.799Z}: the text up to the second is formatted once a
     * second (formatting an {@code Instant} per line was a visible share of a flooded edge's CPU).
     */
    static void time(StringBuilder b, long epochMillis) {
        long sec = Math.floorDiv(epochMillis, 1000);
        Second s = second;
        if (s.epochSecond() != sec) {
            String full = Instant.ofEpochSecond(sec).toString(); // "...T01:31:44Z": whole seconds print no fraction
            s = new Second(sec, full.substring(0, full.length() - 1));
            second = s;
        }
        int ms = (int) Math.floorMod(epochMillis, 1000);
        b.append(s.text()).append('.');
        b.append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10)).append((char) ('0' + ms % 10));
        b.append('Z');
    }

    /** Milliseconds rounded to the microsecond, as a JSON number: {@code 0.017}, {@code 12.0}, {@code 1520.25}. */
    static void millis(StringBuilder b, double millis) {
        long micros = Math.round(millis * 1000);
        if (micros < 0) {
            b.append('-');
            micros = -micros;
        }
        b.append(micros / 1000).append('.');
        int frac = (int) (micros % 1000);
        if (frac == 0) {
            b.append('0');
            return;
        }
        int digits = 3;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        for (int pad = digits - 1, f = frac; pad > 0 && f < pow10(pad); pad--) {
            b.append('0');
        }
        b.append(frac);
    }

    private static int pow10(int n) {
        return n == 1 ? 10 : n == 2 ? 100 : 1;
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
