package coop.bulwark.proxy;

import coop.bulwark.challenge.ChallengeGate;
import coop.bulwark.challenge.ChallengeOutcome;
import coop.bulwark.challenge.ResponseBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The Netty side of the challenge: its responses as HTTP messages, and a posted answer's body read off the wire. */
final class ChallengeResponses {
    private ChallengeResponses() {}

    /** The response for an answer the gate gives itself. */
    static FullHttpResponse response(ByteBufAllocator alloc, ChallengeOutcome.Respond r, boolean head, boolean close) {
        ByteBuf body = r.body().isEmpty() || head ? Unpooled.EMPTY_BUFFER : copy(alloc, r.body());
        var resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), body);
        HttpHeaders h = resp.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .set(HttpHeaderNames.CONTENT_LENGTH, head ? 0 : body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "same-origin");
        if (r.contentType().startsWith("text/html")) {
            h.set("Content-Security-Policy", ChallengeGate.CSP);
        }
        if (r.retryAfterSeconds() > 0) {
            h.set(HttpHeaderNames.RETRY_AFTER, r.retryAfterSeconds());
        }
        if (r.location() != null) {
            h.set(HttpHeaderNames.LOCATION, r.location());
        }
        if (r.setCookie() != null) {
            h.set(HttpHeaderNames.SET_COOKIE, r.setCookie());
        }
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return resp;
    }

    /** The body's parts copied once into one buffer of its exact size (no encoding: they are UTF-8 already). */
    private static ByteBuf copy(ByteBufAllocator alloc, ResponseBody b) {
        ByteBuf buf = alloc.buffer(b.length());
        for (int i = 0; i < b.parts(); i++) {
            buf.writeBytes(b.part(i));
        }
        return buf;
    }

    /** A posted answer's body being read, up to a limit; event-loop confined. */
    static final class AnswerBody {
        private final byte[] body;
        private int length;
        private boolean tooLarge;

        AnswerBody(int maxBytes) {
            this.body = new byte[maxBytes];
        }

        /** Takes one part of the body and releases it. */
        void add(HttpContent content) {
            try {
                ByteBuf b = content.content();
                int n = b.readableBytes();
                if (tooLarge || length + n > body.length) {
                    tooLarge = true;
                    return;
                }
                b.getBytes(b.readerIndex(), body, length, n);
                length += n;
            } finally {
                content.release();
            }
        }

        /** Whether the body was longer than the limit (then {@link #text} is incomplete). */
        boolean tooLarge() {
            return tooLarge;
        }

        /** The body read so far, as ISO-8859-1 text (answers are ASCII form fields). */
        String text() {
            return new String(body, 0, length, StandardCharsets.ISO_8859_1);
        }
    }
}
