package coop.bulwark.proxy;

import coop.bulwark.origin.OriginCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The HTTP/1.1 work of one relayed request, without sockets, event loops or the defence: the client's request head
 * decoded by the edge's codec ({@link StrictHttpServerCodec}), rewritten for the origin ({@link ForwardedHeaders#toOrigin})
 * and encoded by the origin connection's codec ({@link OriginCodec}, as {@code OriginPool} builds it); the
 * origin's answer (nginx's head for a 1 KiB file) decoded there, edited for the client
 * ({@link RelayedHead#send}, as {@code ProxyExchange} sends it) and encoded back; a plain answer like this one is kept
 * as bytes ({@code OriginHead}) and relayed from them. This is the part of a proxied request
 * that a relay keeping heads as bytes replaces (BENCHMARKS.md, "The floor": about 2 µs a request of user space
 * separated Bulwark from a byte pump); run it with the allocation profiler to see both sides of such a change:
 * {@code bench/jmh.sh RelayHeadsBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RelayHeadsBenchmark {
    /** What wrk sends (bench/proxy-throughput.sh), and what a browser sends for a page. */
    static final String WRK = "GET /1k.bin HTTP/1.1\r\nHost: bench.local\r\n\r\n";

    static final String BROWSER = "GET /post/17 HTTP/1.1\r\nHost: bench.local\r\nConnection: keep-alive\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
            + " Safari/537.36\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
            + "*/*;q=0.8\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9\r\n"
            + "Cookie: lang=en; consent=yes\r\n\r\n";

    /** nginx 1.22's answer for a static 1 KiB file. */
    static final byte[] RESPONSE = response();

    /** Which request head. */
    @Param({"wrk", "browser"})
    public String request;

    private byte[] requestBytes;
    private EmbeddedChannel client;
    private EmbeddedChannel origin;
    private Admission.Admitted admitted;
    private ClientInfo info;

    @Setup
    public void setUp() throws Exception {
        requestBytes = (request.equals("browser") ? BROWSER : WRK).getBytes(StandardCharsets.US_ASCII);
        client = new EmbeddedChannel(
                new StrictHttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(8192 + 64)
                        .setMaxHeaderSize(16384)
                        .setMaxChunkSize(64 * 1024)
                        .setValidateHeaders(true)),
                new ChannelInboundHandlerAdapter()); // the relay writes from a handler behind the codec, as
        // ProxyHandler
        origin = new EmbeddedChannel(new OriginCodec(8 * 1024, 64 * 1024, 64 * 1024));
        InetAddress addr = InetAddress.getByName("198.51.100.7");
        info = new ClientInfo(new InetSocketAddress(addr, 40000), addr, false, false, null);
        admitted = new Admission.Admitted(null, "bench.local", "/1k.bin", addr);
    }

    @TearDown
    public void tearDown() {
        client.finishAndReleaseAll();
        origin.finishAndReleaseAll();
    }

    /** One request and its answer through both codecs; the bytes each side would send go to the black hole. */
    @Benchmark
    public void relay(Blackhole bh) {
        requestToOrigin();
        drainOutbound(origin, bh);
        bh.consume(answerToClient());
        drainOutbound(client, bh);
    }

    /** What {@link #relay} sends to the origin and to the client, as text (for the test that it still relays). */
    String[] relayOnce() {
        requestToOrigin();
        String toOrigin = drainText(origin);
        answerToClient();
        return new String[] {toOrigin, drainText(client)};
    }

    /** The client's request decoded, rewritten and written to the origin channel (its bytes left outbound there). */
    private void requestToOrigin() {
        client.writeInbound(Unpooled.wrappedBuffer(requestBytes));
        HttpRequest req = client.readInbound();
        ReferenceCountUtil.release(client.readInbound()); // the empty last content of a bodiless request
        origin.writeOutbound(
                ForwardedHeaders.toOrigin(req, admitted, info, "http", false), LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /**
     * The origin's answer decoded, edited and written to the client channel (its bytes left outbound there); returns
     * whether the client connection stays open, as framing decided.
     */
    private boolean answerToClient() {
        origin.writeInbound(Unpooled.wrappedBuffer(RESPONSE));
        // As ProxyExchange relays it: a plain answer from its bytes, any other through the field map.
        boolean keepAlive = RelayedHead.send(
                client.pipeline().lastContext(),
                origin.readInbound(),
                HttpMethod.GET,
                HttpVersion.HTTP_1_1,
                true,
                true,
                null);
        for (Object part; (part = origin.readInbound()) != null; ) {
            client.write((HttpContent) part);
        }
        client.flush();
        return keepAlive;
    }

    private static void drainOutbound(EmbeddedChannel ch, Blackhole bh) {
        for (Object o; (o = ch.readOutbound()) != null; ) {
            bh.consume(((ByteBuf) o).readableBytes());
            ReferenceCountUtil.release(o);
        }
    }

    private static String drainText(EmbeddedChannel ch) {
        StringBuilder b = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            b.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(o);
        }
        return b.toString();
    }

    private static byte[] response() {
        String head = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 07 Dec 2026 18:00:00 GMT\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: 1024\r\n"
                + "Last-Modified: Mon, 07 Dec 2026 17:15:00 GMT\r\nConnection: keep-alive\r\n"
                + "ETag: \"6935b9b4-400\"\r\nAccept-Ranges: bytes\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + 1024];
        System.arraycopy(h, 0, all, 0, h.length);
        java.util.Arrays.fill(all, h.length, all.length, (byte) 'x');
        return all;
    }
}
