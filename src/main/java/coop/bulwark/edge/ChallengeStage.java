package coop.bulwark.edge;

import coop.bulwark.challenge.ChallengeGate;
import coop.bulwark.challenge.ChallengeKeys;
import coop.bulwark.challenge.ChallengeOutcome;
import coop.bulwark.challenge.ChallengeRequest;
import coop.bulwark.challenge.PassCodec;
import coop.bulwark.protect.BanList;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.time.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The challenge on the request path: adapts a Netty request for the {@link ChallengeGate} (package
 * {@code coop.bulwark.challenge}, where the logic lives), turns its answers into responses, reads posted answers, and
 * keeps the edge's cookie away from origins. Consulted by {@link ProxyHandler} after a pass (or cache-only) verdict:
 *
 * <pre>
 * ProxyHandler.admitted: Gatekeeper.decide → ChallengeStage.decide → ExchangeCache / ProxyExchange
 * </pre>
 *
 * <p>One per edge, shared by every event loop: thread-safe. Key rotation writes its file on a virtual thread, never on
 * an event loop.
 */
final class ChallengeStage {
    private static final Logger LOG = LoggerFactory.getLogger(ChallengeStage.class);

    private final ChallengeKeys keys;
    private final ChallengeGate gate;
    private final AtomicBoolean rotating = new AtomicBoolean();

    private ChallengeStage(ChallengeKeys keys, ChallengeGate gate) {
        this.keys = keys;
        this.gate = gate;
    }

    /**
     * Loads (or creates) the signing keys of {@code config} and builds the stage.
     *
     * @throws IOException when the key file cannot be read, parsed or created; the message says which and how to fix it
     */
    static ChallengeStage start(EdgeConfig config, BanList bans, InstantSource clock) throws IOException {
        var c = config.challenge();
        ChallengeKeys keys = ChallengeKeys.open(c.keyFile(), c.keyRotation(), clock);
        ChallengeStage stage = new ChallengeStage(keys, new ChallengeGate(keys, bans, Ticker.system(), clock));
        stage.configure(config);
        return stage;
    }

    /** Takes a new config's challenge rules (before its snapshot goes live). The key file itself needs a restart. */
    void configure(EdgeConfig config) {
        var c = config.challenge();
        if (!c.keyFile().equals(keys.file())) {
            LOG.warn(
                    "challenge.key_file changed: restart Bulwark to apply (keeping {})",
                    keys.file().orElse(null));
        }
        keys.rotation(c.keyRotation());
        gate.configure(c, config.sites(), config.protection().bans());
    }

    ChallengeGate gate() {
        return gate;
    }

    /**
     * Rotates the signing key when due. Cheap when not (a clock read): the edge calls it every minute from an event
     * loop, and the rotation itself (a file write) runs on a virtual thread of its own.
     */
    void rotateWhenDue() {
        if (!keys.rotationDue() || !rotating.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("bulwark-challenge-keys").start(() -> {
            try {
                if (keys.rotateIfDue()) {
                    LOG.info("challenge signing key rotated");
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("challenge key rotation: {}", e.getMessage());
            } finally {
                rotating.set(false);
            }
        });
    }

    /**
     * The challenge's decision on an admitted request. A request that goes on has the edge's cookie removed, so
     * origins never see it and it does not make the request look personal to the micro-cache.
     */
    ChallengeOutcome decide(HttpRequest req, Admission.Admitted ok, byte[] addr, boolean tls) {
        Site site = ok.site();
        var guard = site.guard();
        ChallengeOutcome o =
                gate.decide(site.name(), guard.index(), guard.state(), new NettyRequest(req, ok, addr, tls));
        if (o instanceof ChallengeOutcome.Proceed) {
            stripCookie(req.headers());
        }
        return o;
    }

    /** Starts reading a posted answer; feed it the body with {@link Answer#add}. */
    Answer answer(HttpRequest req, Admission.Admitted ok, byte[] addr, boolean tls, int maxBytes) {
        return new Answer(new NettyRequest(req, ok, addr, tls), ok.site().name(), maxBytes);
    }

    /** A posted answer being read; event-loop confined. */
    final class Answer {
        private final NettyRequest request;
        private final String site;
        private final int maxBytes;
        private final byte[] body;
        private int length;
        private boolean tooLarge;

        HttpRequest request() {
            return request.req();
        }

        Admission.Admitted admitted() {
            return request.ok();
        }

        private Answer(NettyRequest request, String site, int maxBytes) {
            this.request = request;
            this.site = site;
            this.maxBytes = maxBytes;
            this.body = new byte[maxBytes];
        }

        /** Takes one part of the body and releases it. */
        void add(HttpContent content) {
            try {
                ByteBuf b = content.content();
                int n = b.readableBytes();
                if (tooLarge || length + n > maxBytes) {
                    tooLarge = true;
                    return;
                }
                b.getBytes(b.readerIndex(), body, length, n);
                length += n;
            } finally {
                content.release();
            }
        }

        /** The gate's answer once the whole body is in. */
        ChallengeOutcome finish() {
            if (tooLarge) {
                return new ChallengeOutcome.Respond(
                        413,
                        "text/plain; charset=utf-8",
                        "413: answer too large\n",
                        0,
                        null,
                        null,
                        "challenge_fail",
                        false);
            }
            return gate.answer(site, request, new String(body, 0, length, StandardCharsets.ISO_8859_1));
        }
    }

    /** The response for an answer the gate gives itself. */
    static FullHttpResponse response(ByteBufAllocator alloc, ChallengeOutcome.Respond r, boolean head, boolean close) {
        ByteBuf body = r.body().isEmpty() || head ? Unpooled.EMPTY_BUFFER : ByteBufUtil.writeUtf8(alloc, r.body());
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

    /** Removes the edge's cookie from the request's Cookie headers (and a header left empty). */
    static void stripCookie(HttpHeaders headers) {
        String first = headers.get(HttpHeaderNames.COOKIE);
        if (first == null) {
            return;
        }
        var all = headers.getAll(HttpHeaderNames.COOKIE);
        boolean any = false;
        for (String v : all) {
            any |= v.contains(PassCodec.COOKIE_NAME + "=");
        }
        if (!any) {
            return;
        }
        headers.remove(HttpHeaderNames.COOKIE);
        for (String v : all) {
            String kept = withoutPass(v);
            if (!kept.isEmpty()) {
                headers.add(HttpHeaderNames.COOKIE, kept);
            }
        }
    }

    /** {@code header} without any {@code bulwark_pass=...} pair. */
    static String withoutPass(String header) {
        StringBuilder b = new StringBuilder(header.length());
        for (String pair : header.split(";")) {
            String p = pair.strip();
            if (p.isEmpty() || p.startsWith(PassCodec.COOKIE_NAME + "=")) {
                continue;
            }
            if (!b.isEmpty()) {
                b.append("; ");
            }
            b.append(p);
        }
        return b.toString();
    }

    /** A Netty request seen through {@link ChallengeRequest}. */
    private record NettyRequest(HttpRequest req, Admission.Admitted ok, byte[] address, boolean tls)
            implements ChallengeRequest {
        @Override
        public String method() {
            return req.method().name();
        }

        @Override
        public String uri() {
            return ok.originUri();
        }

        @Override
        public String header(String lowerCaseName) {
            return req.headers().get(lowerCaseName);
        }
    }
}
