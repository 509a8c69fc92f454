package coop.bulwark.origin;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The field lines of an HTTP/1.x head kept as the bytes they came in, with where each name and value lie: what a relay
 * reads and passes on without building a field map. The origin's answers ({@link OriginHead}) and the clients' requests
 * (the edge's request decoder) both keep their plain heads this way.
 *
 * <p>{@link #parse} takes only well-formed lines: a token name followed at once by a colon, a value without control
 * characters other than a tab, CRLF at the end. Anything else (a folded line, a space before the colon, a bare LF)
 * makes it return null, and the head goes to Netty's decoder, whose rules for odd input the edge keeps. Immutable once
 * parsed.
 */
public final class FieldLines {
    /** {@link #connectionTokens}: {@code close}. */
    public static final int CONNECTION_CLOSE = 1;
    /** {@link #connectionTokens}: {@code keep-alive}. */
    public static final int CONNECTION_KEEP_ALIVE = 2;
    /** {@link #connectionTokens}: any other token (a field the sender wants dropped at the next hop). */
    public static final int CONNECTION_OTHER = 4;

    /** {@link #headEnd}: more bytes are needed to tell where the head ends. */
    public static final int INCOMPLETE = -1;
    /** {@link #headEnd}: the bytes cannot be a plain head. */
    public static final int NOT_PLAIN = -2;

    private static final AsciiString HTTP_CLOSE = AsciiString.cached("close");
    private static final AsciiString HTTP_KEEP_ALIVE = AsciiString.cached("keep-alive");

    private final byte[] bytes;
    /** Per field: name start, name end, value start, value end (trimmed), indexes into {@link #bytes}. */
    private final int[] spans;

    private final int count;

    private FieldLines(byte[] bytes, int[] spans, int count) {
        this.bytes = bytes;
        this.spans = spans;
        this.count = count;
    }

    /**
     * Where the head that starts at {@code from} ends (the index after its blank line), {@link #INCOMPLETE} when more
     * bytes are needed to tell, or {@link #NOT_PLAIN} when the bytes cannot be a plain head (a line ending in a bare LF
     * or a CR not followed by LF in the blank line, or a head longer than {@code limit}): Netty's decoder takes those.
     */
    public static int headEnd(ByteBuf in, int from, int limit) {
        return headEnd(in, from, from, limit);
    }

    /**
     * {@link #headEnd(ByteBuf, int, int)}, resuming at {@code lineStart}: the start of a line, every line before it
     * already found to end in CRLF and not to be the blank line ({@link #resumePoint} after an {@link #INCOMPLETE}), so
     * that a head arriving a few bytes at a time is scanned once, not once per read.
     */
    public static int headEnd(ByteBuf in, int from, int lineStart, int limit) {
        int end = in.writerIndex();
        int stop = Math.min(end, from + limit);
        int p = lineStart;
        while (true) {
            if (p > from) {
                // At the start of a line after the first: the blank line ends the head.
                if (p + 1 >= end) {
                    return p + 2 - from > limit ? NOT_PLAIN : INCOMPLETE;
                }
                if (in.getByte(p) == '\r') {
                    // A CR not followed by LF is for the parser to refuse.
                    return in.getByte(p + 1) == '\n' ? p + 2 : NOT_PLAIN;
                }
            }
            int lf = in.indexOf(p, stop, (byte) '\n');
            if (lf < 0) {
                return stop - from >= limit ? NOT_PLAIN : INCOMPLETE;
            }
            if (lf == from || in.getByte(lf - 1) != '\r') {
                return NOT_PLAIN;
            }
            p = lf + 1;
        }
    }

    /**
     * Where {@link #headEnd(ByteBuf, int, int, int)} may resume after it found the head in {@code in} from {@code
     * from} {@link #INCOMPLETE}, having resumed at {@code lineStart}: after the last LF it saw.
     */
    public static int resumePoint(ByteBuf in, int lineStart) {
        int lf = in.indexOf(in.writerIndex(), lineStart, (byte) '\n');
        return lf < 0 ? lineStart : lf + 1;
    }

    /**
     * The field lines in {@code b[from, to)}, each ending in CRLF ({@code to} just after the last one's LF; the blank
     * line is not included), or null when one of them is not well-formed (see the class comment). {@code b} is kept,
     * not copied.
     */
    public static FieldLines parse(byte[] b, int from, int to) {
        int[] spans = new int[4 * 12]; // nginx answers with 8 fields, browsers ask with 10-12; grown for more
        int fields = 0;
        int p = from;
        while (p < to) {
            int nameStart = p;
            while (p < to && isTokenChar(b[p])) {
                p++;
            }
            if (p == nameStart || p >= to || b[p] != ':') {
                return null; // no name, a space before the colon, or a folded line: Netty's decoder decides
            }
            int nameEnd = p++;
            while (p < to && (b[p] == ' ' || b[p] == '\t')) {
                p++;
            }
            int valueStart = p;
            int valueEnd = p;
            while (p < to && b[p] != '\r') {
                int c = b[p] & 0xFF;
                if (c < 0x20 && c != '\t' || c == 0x7F) {
                    return null;
                }
                if (c != ' ' && c != '\t') {
                    valueEnd = p + 1;
                }
                p++;
            }
            if (p + 1 >= to || b[p + 1] != '\n') {
                return null;
            }
            p += 2;
            if (fields * 4 == spans.length) {
                spans = Arrays.copyOf(spans, spans.length * 2);
            }
            spans[fields * 4] = nameStart;
            spans[fields * 4 + 1] = nameEnd;
            spans[fields * 4 + 2] = valueStart;
            spans[fields * 4 + 3] = valueEnd;
            fields++;
        }
        return new FieldLines(b, spans, fields);
    }

    /** The number of field lines. */
    public int count() {
        return count;
    }

    /** Whether field {@code i}'s name is {@code lowerName} in any case. */
    public boolean nameIs(int i, AsciiString lowerName) {
        return equalsLower(bytes, spans[i * 4], spans[i * 4 + 1] - spans[i * 4], lowerName);
    }

    /** Whether field {@code i}'s name starts with {@code lowerPrefix} in any case. */
    public boolean nameStartsWith(int i, AsciiString lowerPrefix) {
        int length = spans[i * 4 + 1] - spans[i * 4];
        return length >= lowerPrefix.length() && equalsLower(bytes, spans[i * 4], lowerPrefix.length(), lowerPrefix);
    }

    /** Whether field {@code i}'s name is {@code name} in any case. */
    public boolean nameMatches(int i, CharSequence name) {
        int start = spans[i * 4];
        int length = spans[i * 4 + 1] - start;
        if (length != name.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            char c = name.charAt(k);
            if (c > 0x7F || lower(bytes[start + k]) != lower((byte) c)) {
                return false;
            }
        }
        return true;
    }

    /** Field {@code i}'s name as sent. */
    public String name(int i) {
        return new String(bytes, spans[i * 4], spans[i * 4 + 1] - spans[i * 4], StandardCharsets.ISO_8859_1);
    }

    /** Field {@code i}'s value, trimmed. */
    public String value(int i) {
        return new String(bytes, spans[i * 4 + 2], spans[i * 4 + 3] - spans[i * 4 + 2], StandardCharsets.ISO_8859_1);
    }

    /** The first value of the field {@code name} (any case), or null. */
    public String get(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (nameMatches(i, name)) {
                return value(i);
            }
        }
        return null;
    }

    /** Every value of the field {@code name} (any case) in order, unmodifiable; the shared empty list for none. */
    public List<String> getAll(CharSequence name) {
        String first = null;
        List<String> values = null;
        for (int i = 0; i < count; i++) {
            if (nameMatches(i, name)) {
                if (first == null) {
                    first = value(i);
                } else {
                    if (values == null) {
                        values = new ArrayList<>(4);
                        values.add(first);
                    }
                    values.add(value(i));
                }
            }
        }
        // Most fields come once: a one-element list without a growable array behind it.
        return values != null ? values : first != null ? List.of(first) : List.of();
    }

    /** Whether field {@code i}'s value contains {@code ascii} (case-sensitive). */
    public boolean valueContains(int i, String ascii) {
        int start = spans[i * 4 + 2];
        int end = spans[i * 4 + 3] - ascii.length();
        outer:
        for (int p = start; p <= end; p++) {
            for (int k = 0; k < ascii.length(); k++) {
                if ((bytes[p + k] & 0xFF) != ascii.charAt(k)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Field {@code i}'s value as a decimal number, or -1 when it is not 1-18 digits and nothing else. */
    public long digits(int i) {
        int start = spans[i * 4 + 2];
        int end = spans[i * 4 + 3];
        if (end <= start || end - start > 18) {
            return -1;
        }
        long v = 0;
        for (int p = start; p < end; p++) {
            int d = bytes[p] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /**
     * The tokens of field {@code i}'s value read as a {@code Connection} list: {@link #CONNECTION_CLOSE},
     * {@link #CONNECTION_KEEP_ALIVE}, {@link #CONNECTION_OTHER} or'ed together.
     */
    public int connectionTokens(int i) {
        int end = spans[i * 4 + 3];
        int flags = 0;
        int p = spans[i * 4 + 2];
        while (p <= end) {
            int comma = p;
            while (comma < end && bytes[comma] != ',') {
                comma++;
            }
            int s = p;
            int e = comma;
            while (s < e && (bytes[s] == ' ' || bytes[s] == '\t')) {
                s++;
            }
            while (e > s && (bytes[e - 1] == ' ' || bytes[e - 1] == '\t')) {
                e--;
            }
            if (e > s) {
                if (equalsLower(bytes, s, e - s, HTTP_CLOSE)) {
                    flags |= CONNECTION_CLOSE;
                } else if (equalsLower(bytes, s, e - s, HTTP_KEEP_ALIVE)) {
                    flags |= CONNECTION_KEEP_ALIVE;
                } else {
                    flags |= CONNECTION_OTHER;
                }
            }
            p = comma + 1;
        }
        return flags;
    }

    /** Writes field {@code i} as {@code name: value CRLF}: the name as sent, the value trimmed. */
    public void writeField(int i, ByteBuf out) {
        out.writeBytes(bytes, spans[i * 4], spans[i * 4 + 1] - spans[i * 4]);
        out.writeByte(':');
        out.writeByte(' ');
        out.writeBytes(bytes, spans[i * 4 + 2], spans[i * 4 + 3] - spans[i * 4 + 2]);
        out.writeByte('\r');
        out.writeByte('\n');
    }

    /**
     * The fields as Netty's field map, for code that needs one; the names in {@code shared} are that table's
     * constants (as {@link FieldNames} describes), the others new names.
     */
    public HttpHeaders toHeaders(FieldNames shared) {
        HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        for (int i = 0; i < count; i++) {
            int start = spans[i * 4];
            int length = spans[i * 4 + 1] - start;
            AsciiString known = shared.lookup(bytes, start, length);
            h.add(known != null ? known : new AsciiString(bytes, start, length, true), value(i));
        }
        return h;
    }

    static boolean equalsLower(byte[] b, int start, int length, AsciiString lowerName) {
        if (length != lowerName.length()) {
            return false;
        }
        byte[] n = lowerName.array();
        int o = lowerName.arrayOffset();
        for (int i = 0; i < length; i++) {
            if (lower(b[start + i]) != n[o + i]) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte c) {
        return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
    }

    /** RFC 9110 §5.6.2 tchar. */
    public static boolean isTokenChar(byte c) {
        return c >= 0 && TCHAR[c];
    }

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            TCHAR[c] = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }
}
