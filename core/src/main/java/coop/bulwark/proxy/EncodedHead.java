package coop.bulwark.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A response head the edge encoded itself (status line, fields, the blank line) for an HTTP/1.x connection: the
 * {@link StrictHttpServerCodec}'s encoder writes its bytes as they are and passes the body's contents that follow it
 * unframed, up to its {@code LastHttpContent}, its length being in the head. The micro-cache's hits use it (their fields
 * are stored encoded, and building a header map per hit to encode it again was a cost under a flood answered from the
 * cache), and so do the origin's plain answers relayed as they came ({@code ForwardedHeaders.toClient}). Owns its
 * buffer (released with it if it is never written). The static methods write its parts.
 */
final class EncodedHead extends DefaultByteBufHolder {
    private static final int CRLF = ('\r' << 8) | '\n';

    EncodedHead(ByteBuf bytes) {
        super(bytes);
    }

    /** Writes {@code version SP code SP reason CRLF}. */
    static void statusLine(ByteBuf b, HttpVersion version, HttpResponseStatus status) {
        ByteBufUtil.writeAscii(b, version.text());
        b.writeByte(' ');
        ByteBufUtil.writeAscii(b, status.codeAsText());
        b.writeByte(' ');
        ByteBufUtil.writeAscii(b, status.reasonPhrase());
        b.writeShort(CRLF);
    }

    /** Writes a field line; {@code nameAndColon} is the name, the colon and a space ({@code "age: "}). */
    static void field(ByteBuf b, String nameAndColon, String value) {
        ByteBufUtil.writeAscii(b, nameAndColon);
        ByteBufUtil.writeAscii(b, value);
        b.writeShort(CRLF);
    }

    /** A field whose value is a number (at least 0), written as its digits without a string in between. */
    static void field(ByteBuf b, String nameAndColon, long value) {
        ByteBufUtil.writeAscii(b, nameAndColon);
        long v = Math.max(0, value);
        long div = 1;
        while (div <= v / 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            b.writeByte((int) ('0' + v / div % 10));
        }
        b.writeShort(CRLF);
    }

    /**
     * Ends the head in {@code b}: {@code Set-Cookie} (null for none), {@code Connection} (null for none), the blank
     * line; the fields every head the edge encodes may end with.
     */
    static EncodedHead finish(ByteBuf b, String setCookie, String connection) {
        if (setCookie != null) {
            field(b, "set-cookie: ", setCookie);
        }
        if (connection != null) {
            field(b, "connection: ", connection);
        }
        b.writeShort(CRLF);
        return new EncodedHead(b);
    }
}
