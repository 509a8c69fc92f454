package coop.bulwark.edge;

import coop.bulwark.protect.BulkheadRejection;
import coop.bulwark.protect.BulkheadWaiter;
import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.proxy.EmbeddedEdge;
import coop.bulwark.proxy.Site;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * What a bot's request costs the edge when the edge answers it itself, from its bytes in to the answer's bytes out
 * through the production HTTP/1.1 pipeline ({@link EdgePipelines#addHttp1}: strict codec, timeouts, proxy handler) on
 * an {@link EmbeddedChannel}, one keep-alive connection: the challenge page (an uncookied GET on a site whose
 * challenge is always on), a 429 (the source over its rate), and a cache-busting GET on a site under attack answered
 * from the micro-cache (a flood's usual answer: {@code bench/flood-cost.sh}). Two more answers end their connection,
 * so each of their operations is a whole connection: its pipeline built, one request, the answer, the close (what the
 * edge pays for a bot that reconnects after each): {@code bulkhead}, the 503 of a site whose bulkhead is full and has
 * no queue; {@code ban}, the 403 to a banned source's request (a connection opened before its ban: a new connection
 * from a banned source is reset at accept, {@link AcceptFilter}, or dropped by the kernel, bench/kernel-drops.sh). Run
 * with the allocation profiler, so a regression in bytes per request shows: {@code bench/jmh.sh RefusalPathBenchmark
 * -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RefusalPathBenchmark {
    private static final String CONFIG = """
            listen: {http: 127.0.0.1:18080, event_loops: 1}
            access_log: {enabled: false}
            detection: {enabled: false}
            connections: {max_requests_per_connection: 2000000000}
            protection:
              origin_capacity: 64
              global: {per_ip: off, per_prefix: off}
              bans: {manual: [%s]}
            policy:
              normal: {per_ip: %s, per_prefix: off, ban_after_limited: 0, bulkhead: %s}
              under_attack: {per_ip: off, per_prefix: off, ban_after_limited: 0}
            sites:
              - {name: attacked, hosts: [attacked.test], origins: ["127.0.0.1:1"], challenge: %s, state: %s}
            """;

    /** The page the micro-cache holds for the {@code cache} path: the size of a small member site's front page. */
    private static final int PAGE_BYTES = 4096;

    /** Which answer. */
    @Param({"challenge", "limit", "cache", "bulkhead", "ban"})
    public String path;

    /**
     * Keep-alive connections the requests take turns on, each from its own address: 1 keeps everything in the CPU's
     * caches; a flood's thousands (bench/flood-cost.sh: 3,000) show what a request costs when its connection's state
     * and its address's limiter entries are cold. Not for the paths that close.
     */
    @Param({"1"})
    public int connections;

    private Path dir;
    private EmbeddedEdge edge;
    private EmbeddedChannel ch;
    private EmbeddedChannel[] open;
    private int next;
    private ByteBuf request;
    private InetSocketAddress client;
    /** Whether the path's answer closes the connection (so each operation opens one). */
    private boolean closes;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("bulwark-bench");
        client = new InetSocketAddress("198.51.100.7", 40000);
        boolean cache = path.equals("cache");
        boolean challenged = path.equals("challenge") || path.equals("limit");
        closes = path.equals("bulkhead") || path.equals("ban");
        edge = EmbeddedEdge.start(
                CONFIG.formatted(
                        path.equals("ban") ? "{subject: 198.51.100.0/24, reason: bench}" : "",
                        path.equals("limit") ? "{rate: 1/h, burst: 1}" : "off",
                        path.equals("bulkhead") ? "{max_concurrent: 1, queue: 0}" : "{}",
                        challenged ? "always" : "auto",
                        cache ? "under_attack" : "normal"),
                dir,
                client);
        ch = pipeline(edge.channel);
        String host = "attacked.test";
        if (cache) {
            edge.storePage(
                    host,
                    "/",
                    "x".repeat(PAGE_BYTES).getBytes(StandardCharsets.US_ASCII),
                    "content-type",
                    "text/html; charset=utf-8",
                    "last-modified",
                    "Mon, 30 Nov 2026 09:00:00 GMT");
        }
        request = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
                "GET /?s=4f1c2a HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)"
                        + " AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\nAccept: text/html,"
                        + "application/xhtml+xml\r\nAccept-Language: en-GB,en;q=0.9\r\n\r\n",
                StandardCharsets.US_ASCII));
        if (path.equals("limit")) {
            // The challenge page spends the one request of the burst; every request after it is over the rate.
            probe();
        }
        if (path.equals("bulkhead")) {
            holdTheOnlySlot(host);
        }
        open = new EmbeddedChannel[closes ? 1 : connections];
        open[0] = ch;
        for (int i = 1; i < open.length; i++) {
            // 100.64.0.0/10: one address per connection, none of them the banned network.
            open[i] = connection(new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {100, (byte) (64 + (i >> 16)), (byte) (i >> 8), (byte) i}),
                    40000));
            ch = open[i];
            if (path.equals("limit")) {
                probe(); // spends the address's one request of the burst, as above
            }
            probe();
        }
        ch = open[0];
        for (int i = 0; i < 3; i++) {
            String answer = probe();
            String expected = switch (path) {
                case "cache" -> "x-cache: HIT";
                case "limit" -> "HTTP/1.1 429";
                case "bulkhead" -> "HTTP/1.1 503";
                case "ban" -> "HTTP/1.1 403";
                default -> "/.bulwark/challenge";
            };
            if (!answer.toLowerCase(Locale.ROOT).contains(expected.toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException("path " + path + " answered:\n" + answer);
            }
            if (closes == ch.isOpen()) {
                throw new IllegalStateException("path " + path + ": the connection is " + (closes ? "open" : "closed"));
            }
        }
    }

    /** Takes the site's one bulkhead slot for good, as a request stuck at the origin would. */
    private void holdTheOnlySlot(String host) {
        Site site = edge.runtime.snapshot().site("attacked");
        OriginCapacity.Outcome held = site.origins()
                .get(0)
                .capacity()
                .acquire(
                        site.guard().budget(),
                        Runnable::run,
                        new BulkheadWaiter() {
                            @Override
                            public void granted() {}

                            @Override
                            public void rejected(BulkheadRejection why) {}
                        },
                        new OriginCapacity.Ticket[1]);
        if (held != OriginCapacity.Outcome.GRANTED) {
            throw new IllegalStateException("the slot of " + host + " was not granted: " + held);
        }
    }

    /** The answer to one request, as text (the benchmark must measure the path it names). */
    private String probe() throws Exception {
        if (closes) {
            ch = connection(client);
        }
        request.readerIndex(0);
        ch.writeInbound(request.retainedDuplicate());
        StringBuilder text = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            text.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        for (Object o; (o = ch.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        return text.toString();
    }

    /**
     * A new connection from {@code peer} with the production pipeline, on the edge's one event loop (its runtime knows
     * no other).
     */
    private EmbeddedChannel connection(InetSocketAddress peer) {
        return pipeline(edge.connectionOnTheEdgesLoop(peer));
    }

    /** The production HTTP/1.1 pipeline ({@link EdgePipelines#addHttp1}) on {@code c}. */
    private EmbeddedChannel pipeline(EmbeddedChannel c) {
        EmbeddedEdge.identify(c);
        new EdgePipelines(edge.runtime).addHttp1(c.pipeline(), "http");
        return c;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        edge.close();
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                    .forEach(p -> p.toFile().delete());
        }
    }

    /** One request in, its answer out (written bytes counted and released). */
    @Benchmark
    public void refuse(Blackhole bh) throws Exception {
        if (closes) {
            once(connection(client), bh);
            return;
        }
        once(open[next], bh);
        if (++next == open.length) {
            next = 0;
        }
    }

    private void once(EmbeddedChannel c, Blackhole bh) {
        request.readerIndex(0);
        c.writeInbound(request.retainedDuplicate());
        for (Object o; (o = c.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            bh.consume(b.readableBytes());
            b.release();
        }
        for (Object o; (o = c.readInbound()) != null; ) {
            bh.consume(o);
        }
    }
}
