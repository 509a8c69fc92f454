package coop.bulwark.origin;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request head the relay prepared for the origin that writes its own bytes: {@link OriginCodec}'s encoder asks it
 * to instead of encoding its field map, and passes the body's contents that follow unframed, up to their {@code
 * LastHttpContent} (its framing is in the head). Written once; it keeps no buffer of its own until then.
 */
public interface PreparedRequest extends HttpRequest {
    /** About how many bytes {@link #writeHead} writes, for sizing the buffer. */
    int sizeHint();

    /** Writes the request line, the field lines and the blank line to {@code out}. */
    void writeHead(ByteBuf out);
}
