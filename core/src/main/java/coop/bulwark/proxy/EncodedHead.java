package coop.bulwark.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A response head the edge encoded itself (status line, fields, the blank line) for an HTTP/1.1 connection: the
 * {@link StrictHttpServerCodec}'s encoder writes its bytes as they are and passes the {@code LastHttpContent} that must
 * follow it unframed, its length being in the head. The micro-cache's hits use it: their fields are stored encoded,
 * and building a header map per hit to encode it again was a cost under a flood answered from the cache. Owns its
 * buffer (released with it if it is never written).
 */
final class EncodedHead extends DefaultByteBufHolder {
    EncodedHead(ByteBuf bytes) {
        super(bytes);
    }
}
