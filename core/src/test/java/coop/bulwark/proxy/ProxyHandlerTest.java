package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.challenge.ChallengeEndpoint;
import coop.bulwark.challenge.PassCodec;
import coop.bulwark.challenge.ProofOfWork;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's front on an {@link EmbeddedChannel} and a fake clock: what it answers itself (refusals, limits, bans,
 * the challenge), keep-alive and pipelining, and the connection's time limits. What needs an origin is covered by
 * the loopback integration tests.
 */
class ProxyHandlerTest {
    static final String CONFIG = """
            listen: {http: 127.0.0.1:18080, event_loops: 1}
            access_log: {enabled: false}
            connections: {header_timeout: 5s, idle_timeout: 30s}
            limits: {min_body_bytes_per_second: 1KiB, body_grace_period: 2s}
            protection:
              global: {per_ip: off, per_prefix: off}
              bans:
                action: %s
                manual: [{subject: 203.0.113.9, reason: "abuse report"}]
              cache: {max_bytes: 1MiB, max_object_bytes: 64KiB}
            policy:
              normal: {per_ip: {rate: 1/s, burst: 1}, per_prefix: off, ban_after_limited: 0}
            sites:
              - {name: guarded, hosts: [guarded.test], origins: ["127.0.0.1:1"], challenge: always}
            """;

    @TempDir
    Path dir;

    EmbeddedEdge edge;
    EmbeddedChannel ch;

    void start(String banAction) throws Exception {
        start(banAction, new InetSocketAddress("198.51.100.7", 40000));
    }

    void start(String banAction, InetSocketAddress client) throws Exception {
        edge = EmbeddedEdge.start(CONFIG.formatted(banAction), dir, client);
        ch = edge.channel;
        EmbeddedEdge.identify(ch);
        ch.pipeline().addLast(new HttpTimeoutHandler(edge.runtime), new ProxyHandler(edge.runtime, false, "http"));
    }

    /** As {@link #start}, with the real HTTP/1.1 codec in front: the test writes bytes and reads bytes. */
    void startWithCodec() throws Exception {
        edge = EmbeddedEdge.start(CONFIG.formatted("reject"), dir);
        ch = edge.channel;
        EmbeddedEdge.identify(ch);
        ch.pipeline()
                .addLast(
                        new HttpServerCodec(),
                        new HttpTimeoutHandler(edge.runtime),
                        new ProxyHandler(edge.runtime, false, "http"));
    }

    /** The next bytes the edge wrote, as text (released). */
    String written() {
        ByteBuf out = ch.readOutbound();
        assertThat(out).as("bytes written").isNotNull();
        try {
            return out.toString(StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    static FullHttpRequest page(String host) {
        var r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        r.headers().set("host", host).set("accept", "text/html").set("sec-fetch-mode", "navigate");
        return r;
    }

    FullHttpResponse response() {
        FullHttpResponse r = ch.readOutbound();
        assertThat(r).as("a response").isNotNull();
        return r;
    }

    /** The next response's status (the response is released). */
    int status() {
        FullHttpResponse r = response();
        int code = r.status().code();
        r.release();
        return code;
    }

    static String body(FullHttpResponse r) {
        try {
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    @Test
    void unknownHost_is421_andTheConnectionCloses() throws Exception {
        start("reject");
        ch.writeInbound(page("elsewhere.test"));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(421);
        assertThat(r.headers().get("connection")).isEqualTo("close");
        assertThat(body(r)).contains("no site is served here");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void pageWithoutCookie_getsTheChallenge_andTheConnectionStaysOpen() throws Exception {
        start("reject");
        ch.writeInbound(page("guarded.test"));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.headers().get("cache-control")).isEqualTo("no-store");
        assertThat(r.headers().get("content-security-policy")).isNotBlank();
        assertThat(body(r)).contains("<html");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void theClientsConnectionClose_endsTheConnectionAfterTheEdgesOwnAnswer() throws Exception {
        start("reject");
        FullHttpRequest closing = page("guarded.test");
        closing.headers().set("connection", "close");
        ch.writeInbound(closing);
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(503); // the challenge page
        assertThat(r.headers().get("connection")).isEqualTo("close");
        body(r);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anHttp10RequestWithoutKeepAlive_isAnsweredThenClosed() throws Exception {
        start("reject");
        var old = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        old.headers().set("host", "guarded.test").set("accept", "text/html").set("sec-fetch-mode", "navigate");
        ch.writeInbound(old);
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(503); // the challenge page, which otherwise keeps the connection
        body(r);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void overTheRate_is429WithRetryAfter_untilTheFakeClockRefillsIt() throws Exception {
        start("reject");
        ch.writeInbound(page("guarded.test"));
        body(response()); // the challenge page spends the one request of the burst
        ch.writeInbound(page("guarded.test"));
        FullHttpResponse limited = response();
        assertThat(limited.status().code()).isEqualTo(429);
        assertThat(limited.headers().get("retry-after")).isEqualTo("1");
        body(limited);

        edge.advance(ch, Duration.ofSeconds(1));
        ch.writeInbound(page("guarded.test"));
        assertThat(status()).isEqualTo(503);
    }

    @Test
    void pipelinedRequests_areAnsweredInOrder() throws Exception {
        start("reject");
        ch.writeInbound(page("guarded.test"), page("guarded.test"));
        assertThat(status()).isEqualTo(503);
        assertThat(status()).isEqualTo(429);
    }

    @Test
    void tarpitBan_holdsTheConnectionUnread_thenClosesIt() throws Exception {
        start("tarpit", new InetSocketAddress("203.0.113.9", 5000));
        EmbeddedChannel banned = ch;
        banned.writeInbound(page("guarded.test"));

        assertThat((Object) banned.readOutbound()).isNull();
        assertThat(banned.config().isAutoRead()).isFalse();
        edge.advance(banned, Duration.ofSeconds(Tarpit.SECONDS - 1));
        assertThat(banned.isOpen()).isTrue();
        edge.advance(banned, Duration.ofSeconds(1));
        assertThat(banned.isOpen()).isFalse();
    }

    @Test
    void noHeaderWithinTheHeaderTimeout_is408() throws Exception {
        start("reject");
        edge.advance(ch, Duration.ofSeconds(4));
        assertThat((Object) ch.readOutbound()).isNull();
        edge.advance(ch, Duration.ofSeconds(1));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(408);
        body(r);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void answerBodyBelowTheMinimumRate_is408AfterTheGracePeriod() throws Exception {
        start("reject");
        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/.bulwark/challenge");
        post.headers().set("host", "guarded.test").set("content-length", "4000");
        ch.writeInbound(post, new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[100])));
        edge.advance(ch, Duration.ofMillis(1900));
        assertThat((Object) ch.readOutbound()).as("within the grace period").isNull();
        edge.advance(ch, Duration.ofMillis(100)); // 100 bytes in 2 s is below 1 KiB/s
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(408);
        body(r);
    }

    @Test
    void idleKeepAliveConnection_closesAfterTheIdleTimeout() throws Exception {
        start("reject");
        ch.writeInbound(page("guarded.test"));
        FullHttpResponse r = response();
        assertThat(r.headers().contains("connection")).as("keep-alive").isFalse();
        body(r);
        assertThat(ch.isOpen()).isTrue();
        edge.advance(ch, Duration.ofSeconds(29));
        assertThat(ch.isOpen()).isTrue();
        edge.advance(ch, Duration.ofSeconds(1));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void slowloris_tricklingHeaderLines_isCutAtTheHeaderTimeoutFromItsFirstByte() throws Exception {
        startWithCodec();
        edge.advance(ch, Duration.ofSeconds(3)); // connected, silent: the header clock started at connect
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: guarded.test\r\n", StandardCharsets.US_ASCII));
        edge.advance(ch, Duration.ofMillis(1900));
        ch.writeInbound(Unpooled.copiedBuffer("X-A: b\r\n", StandardCharsets.US_ASCII));
        assertThat(ch.isOpen()).isTrue();
        edge.advance(ch, Duration.ofMillis(100)); // 5 s since connect, whatever was trickled meanwhile
        assertThat(written()).startsWith("HTTP/1.1 408");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void answerAbandonedMidBody_isRecordedOnce_asTheClientsEnd() throws Exception {
        start("reject");
        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/.bulwark/challenge");
        post.headers().set("host", "guarded.test").set("content-length", "4000");
        ch.writeInbound(post, new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[100])));
        ch.close();

        var verdicts = edge.metrics.registry().find("bulwark_requests_verdict").tag("site", "guarded");
        assertThat(verdicts.tag("verdict", "challenge").counter().count()).isEqualTo(1);
        var responses = edge.metrics.registry().find("bulwark_responses").tag("site", "guarded");
        assertThat(responses.tag("status", "4xx").counter().count()).isEqualTo(1);
    }

    @Test
    void goodAnswer_isReadWhole_thenTheCookieAndTheCheckRedirect_allAnsweredByTheEdge() throws Exception {
        start("reject");
        ch.writeInbound(page("guarded.test"));
        String html = body(response());
        Matcher token = Pattern.compile("data-challenge=\"([A-Za-z0-9_-]+)\"").matcher(html);
        Matcher bits = Pattern.compile("data-difficulty=\"(\\d+)\"").matcher(html);
        assertThat(token.find() && bits.find()).isTrue();
        long nonce = ProofOfWork.solve(token.group(1), Integer.parseInt(bits.group(1)));
        byte[] form = ("token=" + token.group(1) + "&nonce=" + nonce + "&return=%2Fpost%2F7")
                .getBytes(StandardCharsets.US_ASCII);
        edge.advance(ch, Duration.ofSeconds(1)); // the answer takes a second: the rate limit has room again

        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, ChallengeEndpoint.PATH);
        post.headers()
                .set("host", "guarded.test")
                .set("content-type", "application/x-www-form-urlencoded")
                .set("content-length", form.length);
        // The body in two parts: the edge answers once it has the whole of it.
        ch.writeInbound(post, new DefaultHttpContent(Unpooled.wrappedBuffer(form, 0, 10)));
        assertThat((Object) ch.readOutbound()).isNull();
        ch.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(form, 10, form.length - 10)));
        FullHttpResponse answered = response();
        assertThat(answered.status().code()).isEqualTo(303);
        String cookie = answered.headers().get("set-cookie");
        assertThat(cookie).startsWith(PassCodec.COOKIE_NAME + "=");
        String location = answered.headers().get("location");
        body(answered);

        edge.advance(ch, Duration.ofSeconds(1));
        var check = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, location);
        check.headers().set("host", "guarded.test").set("cookie", cookie.substring(0, cookie.indexOf(';')));
        ch.writeInbound(check);
        FullHttpResponse redirect = response();
        assertThat(redirect.status().code()).isEqualTo(303);
        assertThat(redirect.headers().get("location")).isEqualTo("/post/7");
        body(redirect);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void answerWithAMalformedChunk_is400_andTheConnectionCloses() throws Exception {
        startWithCodec();
        ch.writeInbound(Unpooled.copiedBuffer(
                "POST /.bulwark/challenge HTTP/1.1\r\nHost: guarded.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3\r\nabc\r\nFFFFFFFFFFFFFFFFF1\r\nx\r\n0\r\n\r\n",
                StandardCharsets.US_ASCII));
        assertThat(written()).startsWith("HTTP/1.1 400");
        assertThat(ch.isOpen()).isFalse();
    }
}
