package coop.bulwark.warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The head of an HTTP/1.1 message (request or response) read from a blocking stream, and its body by its framing:
 * enough for the warm-up's own origin and clients, which only ever talk to the edge they start. Not a general parser.
 *
 * @param firstLine the request or status line
 * @param fields the header fields, names lower-cased (the last of a repeated name wins, except {@code set-cookie},
 *     whose values are joined with a newline)
 */
record HttpHead(String firstLine, Map<String, String> fields) {
    private static final int MAX_LINE = 16 * 1024;

    /** Reads a head; null at a clean end of stream before its first byte. */
    static HttpHead read(InputStream in) throws IOException {
        String first = line(in);
        if (first == null) {
            return null;
        }
        Map<String, String> fields = new HashMap<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = l.substring(colon + 1).trim();
            fields.merge(name, value, (a, b) -> name.equals("set-cookie") ? a + "\n" + b : b);
        }
        return new HttpHead(first, fields);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            if (b.length() >= MAX_LINE) {
                throw new IOException("line too long");
            }
            b.append((char) c);
        }
        if (b.isEmpty()) {
            return null;
        }
        throw new IOException("stream ended inside a line");
    }

    String method() {
        int sp = firstLine.indexOf(' ');
        return sp < 0 ? firstLine : firstLine.substring(0, sp);
    }

    String target() {
        String[] p = firstLine.split(" ", 3);
        return p.length > 1 ? p[1] : "/";
    }

    /** The status of a response head; 0 when the line has none. */
    int status() {
        String[] p = firstLine.split(" ", 3);
        try {
            return p.length > 1 ? Integer.parseInt(p[1]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    String field(String name) {
        return fields.get(name);
    }

    /** Whether the connection ends after this message. */
    boolean close() {
        String c = fields.get("connection");
        return c != null && c.toLowerCase(Locale.ROOT).contains("close") || firstLine.endsWith("HTTP/1.0");
    }

    private boolean chunked() {
        String te = fields.get("transfer-encoding");
        return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** Reads a request's body (the origin's side) and drops it. */
    void skipBody(InputStream in) throws IOException {
        if (chunked()) {
            chunks(in, null);
            return;
        }
        String cl = fields.get("content-length");
        if (cl != null) {
            in.skipNBytes(Long.parseLong(cl));
        }
    }

    /**
     * Reads a response's body (the client's side): none for a HEAD request or a 1xx/204/304, by its length or chunks,
     * else to the end of the stream.
     */
    byte[] responseBody(InputStream in, boolean toHead) throws IOException {
        int s = status();
        if (toHead || s / 100 == 1 || s == 204 || s == 304) {
            return new byte[0];
        }
        if (chunked()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks(in, out);
            return out.toByteArray();
        }
        String cl = fields.get("content-length");
        if (cl != null) {
            return in.readNBytes(Integer.parseInt(cl));
        }
        return in.readAllBytes();
    }

    private static void chunks(InputStream in, ByteArrayOutputStream out) throws IOException {
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new IOException("stream ended inside a chunked body");
            }
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
                    // trailers: dropped
                }
                return;
            }
            byte[] data = in.readNBytes(n);
            if (out != null) {
                out.write(data);
            }
            line(in);
        }
    }

    /** The body as text (pages, for the challenge's attributes). */
    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
