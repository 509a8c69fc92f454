package coop.bulwark.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One stored response variant: what to replay and until when. Times are on the cache's nanosecond ticker.
 *
 * <p>Immutable and thread-safe, with one exception the type cannot enforce: {@link #body()} is the stored array
 * itself, shared by every hit, and must never be written (wrap it read-only, e.g. {@code
 * Unpooled.wrappedBuffer(body).asReadOnly()}).
 */
public final class CacheEntry {
    /** Bookkeeping bytes per entry beyond body and fields (this object, arrays, the variant slot). */
    static final int OVERHEAD_BYTES = 160;

    private final ResponseMeta meta;
    private final byte[] body;
    private final String[] varyValues;
    private final long storedAtNanos;
    private final long freshUntilNanos;
    private final long staleWhileRevalidateUntilNanos;
    private final long staleIfErrorUntilNanos;
    private final int weightBytes;
    /** {@link #fieldLines()}, encoded on first use: racing threads compute the same bytes, so no lock. */
    private volatile byte[] fieldLines;

    CacheEntry(ResponseMeta meta, byte[] body, String[] varyValues, long storedAtNanos) {
        this.meta = meta;
        this.body = body;
        this.varyValues = varyValues;
        this.storedAtNanos = storedAtNanos;
        this.freshUntilNanos = storedAtNanos + meta.freshNanos();
        this.staleWhileRevalidateUntilNanos = freshUntilNanos + meta.staleWhileRevalidateNanos();
        this.staleIfErrorUntilNanos = freshUntilNanos + meta.staleIfErrorNanos();
        int values = 0;
        for (String v : varyValues) {
            values += v == null ? 8 : 2 * v.length() + 48;
        }
        this.weightBytes = body.length + meta.headerWeightBytes() + values + OVERHEAD_BYTES;
    }

    /** The status code to replay. */
    public int status() {
        return meta.status();
    }

    /** The field lines to replay; the proxy adds {@code Age} ({@link #ageSeconds}) and framing. */
    public List<Map.Entry<String, String>> headers() {
        return meta.headers();
    }

    /**
     * The stored fields as HTTP/1.1 field lines ({@code name: value} and CRLF each, ISO-8859-1 as they arrived),
     * without {@code Content-Length} and {@code X-Cache}, which the proxy writes for each answer: encoded on first use
     * and kept, so that a hit replays bytes instead of building and encoding a header map. Not copied: read only.
     */
    public byte[] fieldLines() {
        byte[] lines = fieldLines;
        if (lines == null) {
            StringBuilder b = new StringBuilder(256);
            for (Map.Entry<String, String> f : meta.headers()) {
                String name = f.getKey();
                if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("x-cache")) {
                    b.append(name).append(": ").append(f.getValue()).append("\r\n");
                }
            }
            lines = b.toString().getBytes(StandardCharsets.ISO_8859_1);
            fieldLines = lines;
        }
        return lines;
    }

    /** The body, not copied: read only. */
    public byte[] body() {
        return body;
    }

    /** Everything the response policy decided about this response. */
    public ResponseMeta meta() {
        return meta;
    }

    /** Ticker time the entry was stored. */
    public long storedAtNanos() {
        return storedAtNanos;
    }

    /** Ticker time the entry stops being fresh. */
    public long freshUntilNanos() {
        return freshUntilNanos;
    }

    /** Ticker time until which it may be served while a refresh runs. */
    public long staleWhileRevalidateUntilNanos() {
        return staleWhileRevalidateUntilNanos;
    }

    /** Ticker time until which it may be served when the origin fails. */
    public long staleIfErrorUntilNanos() {
        return staleIfErrorUntilNanos;
    }

    /** Ticker time after which the entry is of no use and may be dropped. */
    long uselessAfterNanos() {
        return Math.max(freshUntilNanos, Math.max(staleWhileRevalidateUntilNanos, staleIfErrorUntilNanos));
    }

    /** The {@code Age} field value at {@code nowNanos} (RFC 9111 §4.2.3, §5.1): initial age plus resident time. */
    public long ageSeconds(long nowNanos) {
        return meta.initialAgeSeconds() + TimeUnit.NANOSECONDS.toSeconds(Math.max(0, nowNanos - storedAtNanos));
    }

    /** Approximate heap bytes of this entry, its weight in the cache's byte bound. */
    public int weightBytes() {
        return weightBytes;
    }

    /** Whether a request with these vary values selects this variant (RFC 9111 §4.1). */
    boolean matches(String[] requestVaryValues) {
        if (requestVaryValues.length != varyValues.length) {
            return false;
        }
        for (int i = 0; i < varyValues.length; i++) {
            String stored = varyValues[i];
            String sent = requestVaryValues[i];
            if (stored == null ? sent != null : !stored.equals(sent)) {
                return false;
            }
        }
        return true;
    }

    /** Whether this variant was stored for the same {@code Vary} names as {@code names}. */
    boolean variesOn(List<String> names) {
        return meta.varyNames().equals(names);
    }

    /**
     * The values a request has for {@code names}, normalised for comparison: the field lines of one name joined by
     * {@code ","} with whitespace around each stripped (RFC 9111 §4.1 permits such normalisation); {@code null}
     * when absent, which matches only absence.
     */
    static String[] varyValues(List<String> names, HeaderView request) {
        if (names.isEmpty()) {
            return NO_VALUES;
        }
        String[] values = new String[names.size()];
        for (int i = 0; i < values.length; i++) {
            List<String> lines = request.getAll(names.get(i));
            if (lines.isEmpty()) {
                continue;
            }
            StringBuilder b = new StringBuilder();
            for (String line : lines) {
                for (String part : line.split(",")) {
                    if (!b.isEmpty()) {
                        b.append(',');
                    }
                    b.append(part.strip());
                }
            }
            values[i] = b.toString();
        }
        return values;
    }

    private static final String[] NO_VALUES = new String[0];
}
