package coop.bulwark.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * A request body's parts read before the exchange's origin connection is up, held in order until it is (or until the
 * exchange ends and they are released). The queue is made on first use: most requests have no body. Event-loop
 * confined.
 */
final class PendingBody {
    /** Held bytes above which the client's reads pause until the origin takes them. */
    static final int MAX_BYTES = 256 * 1024;

    private ArrayDeque<HttpContent> parts;
    private int bytes;

    /** Holds {@code part} (now owned here); true when the held bytes went over {@link #MAX_BYTES}. */
    boolean add(HttpContent part) {
        if (parts == null) {
            parts = new ArrayDeque<>(4);
        }
        parts.add(part);
        bytes += part.content().readableBytes();
        return bytes > MAX_BYTES;
    }

    /** Writes every held part to {@code origin} (unflushed), in order, and holds nothing after. */
    void writeTo(Channel origin) {
        for (HttpContent h; parts != null && (h = parts.poll()) != null; ) {
            origin.write(h, origin.voidPromise());
        }
        bytes = 0;
    }

    /** Releases every held part. */
    void release() {
        for (HttpContent h; parts != null && (h = parts.poll()) != null; ) {
            ReferenceCountUtil.release(h);
        }
        bytes = 0;
    }
}
