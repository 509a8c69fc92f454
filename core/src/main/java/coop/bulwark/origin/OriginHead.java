package coop.bulwark.origin;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An origin's response head kept as the bytes it came in: its status line and field lines in one array, with where each
 * field's name and value lie, so that a response relayed as it came needs no field map to be built and encoded again.
 * Decoding the origin's fields into Netty's header map and encoding them again was most of what the edge allocated per
 * proxied request (BENCHMARKS.md, "The floor").
 *
 * <p>{@link OriginCodec} makes one only for the common answer, whose framing is plain: a final status other than 204
 * and 304, exactly one {@code Content-Length} and no {@code Transfer-Encoding}, to a request that was not HEAD, every
 * line ending in CRLF and every name and value valid. Any other answer is decoded by Netty as before, so the edge's
 * handling of odd or hostile answers does not depend on this class.
 *
 * <p>{@link #headers()} builds the usual field map on first use, for code that needs it (an HTTP/2 client, a response
 * the cache may store); from then on the map is the head, and {@link #materialized()} tells a relay that the bytes may
 * no longer be what the map holds. Event-loop confined, like every message.
 */
public final class OriginHead extends DefaultHttpResponse {
    private static final int CONNECTION_CLOSE = FieldLines.CONNECTION_CLOSE;
    private static final int CONNECTION_KEEP_ALIVE = FieldLines.CONNECTION_KEEP_ALIVE;
    /** A {@code Connection} line names a field to drop (see {@link #connectionNamesFields}). */
    private static final int CONNECTION_OTHER = FieldLines.CONNECTION_OTHER;

    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString HTTP_CLOSE = AsciiString.cached("close");
    /** {@link #headEnd}: more bytes are needed to tell where the head ends. */
    static final int INCOMPLETE = FieldLines.INCOMPLETE;
    /** {@link #headEnd}: the bytes cannot be a plain head. */
    static final int NOT_PLAIN = FieldLines.NOT_PLAIN;

    /** The length of the head's bytes from the status line to the last field line's CRLF (without the blank line). */
    private final int length;

    private final FieldLines lines;
    private final long contentLength;
    private final int connection;
    private HttpHeaders headers;

    private OriginHead(
            HttpVersion version,
            HttpResponseStatus status,
            int length,
            FieldLines lines,
            long contentLength,
            int connection) {
        // The shared empty map stands for the fields until headers() builds them (Netty's message wants one).
        super(version, status, EmptyHttpHeaders.INSTANCE);
        this.length = length;
        this.lines = lines;
        this.contentLength = contentLength;
        this.connection = connection;
    }

    /**
     * Where the head that starts at {@code from} ends (the index after its blank line), {@link #INCOMPLETE} when more
     * bytes are needed to tell, or {@link #NOT_PLAIN} when the bytes cannot be a plain head (a line ending in a bare LF,
     * not starting with {@code HTTP/}, or longer than {@code limit}): Netty's decoder takes those.
     */
    static int headEnd(ByteBuf in, int from, int limit) {
        int end = in.writerIndex();
        int prefix = Math.min(end - from, 5);
        for (int i = 0; i < prefix; i++) {
            if (in.getByte(from + i) != "HTTP/".charAt(i)) {
                return NOT_PLAIN;
            }
        }
        return FieldLines.headEnd(in, from, limit);
    }

    /**
     * The head in {@code in[from, end)} ({@code end} as {@link #headEnd} found it), or null when it is not a plain
     * answer this class takes (see the class comment): Netty's decoder then decodes it as before.
     */
    static OriginHead parse(ByteBuf in, int from, int end, int maxInitialLineLength, int maxHeaderSize) {
        int length = end - from - 2; // without the blank line
        byte[] b = new byte[length];
        in.getBytes(from, b);
        // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF.
        if (length < 14 || b[5] != '1' || b[6] != '.' || (b[7] != '1' && b[7] != '0') || b[8] != ' ') {
            return null;
        }
        int code = digit(b[9]) * 100 + digit(b[10]) * 10 + digit(b[11]);
        if (code < 200 || code > 599 || code == 204 || code == 304) {
            return null;
        }
        int lineEnd;
        int reasonStart = 12;
        if (b[12] == '\r') {
            lineEnd = 12;
        } else if (b[12] == ' ') {
            reasonStart = 13;
            lineEnd = 13;
            while (lineEnd < length && b[lineEnd] != '\r') {
                int c = b[lineEnd] & 0xFF;
                if (c < 0x20 && c != '\t' || c == 0x7F) {
                    return null;
                }
                lineEnd++;
            }
        } else {
            return null;
        }
        if (lineEnd + 1 >= length || b[lineEnd + 1] != '\n' || lineEnd > maxInitialLineLength) {
            return null;
        }
        if (length - lineEnd - 2 > maxHeaderSize) {
            return null;
        }
        FieldLines lines = FieldLines.parse(b, lineEnd + 2, length);
        if (lines == null) {
            return null;
        }
        long contentLength = -1;
        int connection = 0;
        boolean closeField = false;
        for (int i = 0; i < lines.count(); i++) {
            if (lines.nameIs(i, CONTENT_LENGTH)) {
                if (contentLength >= 0) {
                    return null; // a second Content-Length line: Netty's rules for it apply
                }
                contentLength = lines.digits(i);
                if (contentLength < 0) {
                    return null;
                }
            } else if (lines.nameIs(i, TRANSFER_ENCODING)) {
                return null;
            } else if (lines.nameIs(i, CONNECTION)) {
                connection |= lines.connectionTokens(i);
            } else if (lines.nameIs(i, HTTP_CLOSE)) {
                closeField = true;
            }
        }
        if (contentLength < 0) {
            return null;
        }
        if (closeField && (connection & CONNECTION_CLOSE) != 0) {
            connection |= CONNECTION_OTHER; // "Connection: close" then names the field called close too
        }
        HttpResponseStatus status = status(code, b, reasonStart, lineEnd);
        HttpVersion version = b[7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        return new OriginHead(version, status, b.length, lines, contentLength, connection);
    }

    /** The body's length, from the one {@code Content-Length} line. */
    public long contentLength() {
        return contentLength;
    }

    /**
     * Whether the origin's answer asks to close its connection: {@code Connection: close} on HTTP/1.1, the absence of
     * {@code keep-alive} on HTTP/1.0 (RFC 9112 §9.3).
     */
    public boolean wantsClose() {
        return protocolVersion() == HttpVersion.HTTP_1_0
                ? (connection & CONNECTION_KEEP_ALIVE) == 0
                : (connection & CONNECTION_CLOSE) != 0;
    }

    /** Whether the headers map has been built, after which it, not the bytes, is the head (see the class comment). */
    public boolean materialized() {
        return headers != null;
    }

    /** The number of field lines. */
    public int fieldCount() {
        return lines.count();
    }

    /** Whether field {@code i}'s name is {@code lowerName} in any case. */
    public boolean nameIs(int i, AsciiString lowerName) {
        return lines.nameIs(i, lowerName);
    }

    /**
     * Whether a {@code Connection} line names a field to drop (RFC 9110 §7.6.1): a token other than close and
     * keep-alive, or close while a field is called close. Rare; the relay sends such a head through the field map,
     * where {@code ForwardedHeaders} drops the named fields, so that rule lives in one place.
     */
    public boolean connectionNamesFields() {
        return (connection & CONNECTION_OTHER) != 0;
    }

    /** Writes field {@code i} as {@code name: value CRLF}: the name as the origin spelled it, the value trimmed. */
    public void writeField(int i, ByteBuf out) {
        lines.writeField(i, out);
    }

    /** The bytes a relayed head needs at most for its status line and fields, for sizing its buffer. */
    public int encodedSizeHint() {
        return length + 2;
    }

    /** Field {@code i}'s name as sent. */
    public String name(int i) {
        return lines.name(i);
    }

    /** Field {@code i}'s value, trimmed. */
    public String value(int i) {
        return lines.value(i);
    }

    /** The first value of the field {@code name} (any case), or null, read from the bytes without building the map. */
    public String get(CharSequence name) {
        return lines.get(name);
    }

    /** Every value of the field {@code name} (any case) in order, read from the bytes. */
    public List<String> getAll(CharSequence name) {
        return lines.getAll(name);
    }

    @Override
    public HttpHeaders headers() {
        if (headers == null) {
            headers = lines.toHeaders(FieldNames.RESPONSE);
        }
        return headers;
    }

    @Override
    public String toString() {
        return "OriginHead(" + protocolVersion() + " " + status() + ", " + lines.count() + " fields, content-length "
                + contentLength + ")";
    }

    /** The standard status when the origin's reason is the standard one (no string made), else one with its reason. */
    private static HttpResponseStatus status(int code, byte[] b, int reasonStart, int reasonEnd) {
        HttpResponseStatus standard = HttpResponseStatus.valueOf(code);
        String reason = standard.reasonPhrase();
        int length = reasonEnd - reasonStart;
        if (reason.length() == length) {
            boolean same = true;
            for (int i = 0; i < length && same; i++) {
                same = (b[reasonStart + i] & 0xFF) == reason.charAt(i);
            }
            if (same) {
                return standard;
            }
        }
        return new HttpResponseStatus(code, new String(b, reasonStart, length, StandardCharsets.ISO_8859_1));
    }

    private static int digit(byte c) {
        return c >= '0' && c <= '9' ? c - '0' : -1000;
    }
}
