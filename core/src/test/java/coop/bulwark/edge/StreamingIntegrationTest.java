package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.site.SiteLimits;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.io.InputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100 MiB bodies both ways through the edge, proving they are streamed: the edge JVM's direct memory (where Netty
 * keeps socket buffers) and retained heap grow by far less than the body, also when the client reads slowly.
 *
 * <p>Everything runs in this JVM (origin and clients too), so the figures are upper bounds for the edge.
 */
class StreamingIntegrationTest {
    static final long BODY = 100L * 1024 * 1024;
    static final long BOUND = 32L * 1024 * 1024;

    static TestOrigin origin;
    static EdgeServer edge;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        origin = new TestOrigin("o");
        var limits = new SiteLimits(
                2 * BODY, 8192, 1024, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(20));
        edge = EdgeServer.start(TestEdge.config(
                List.of(TestEdge.site("s", List.of("s.test"), limits, Optional.empty(), origin.hostPort()))));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        edge.close();
        origin.close();
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + edge.httpAddress().getPort() + path);
    }

    /** Direct memory in use: JDK-counted buffers plus Netty's own counter when it allocates without a cleaner. */
    static long directBytes() {
        long jdk = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                jdk += b.getMemoryUsed();
            }
        }
        return jdk + Math.max(0, PlatformDependent.usedDirectMemory());
    }

    static long nettyAllocatorBytes() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            return p.metric().usedDirectMemory() + p.metric().usedHeapMemory();
        }
        return 0;
    }

    static long retainedHeap() {
        System.gc();
        var m = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return m.getUsed();
    }

    /** Samples the peak of direct memory and of Netty's allocator on a background thread while a transfer runs. */
    static final class Peak implements AutoCloseable {
        final long directBase = directBytes();
        final long nettyBase = nettyAllocatorBytes();
        final AtomicLong directMax = new AtomicLong(directBase);
        final AtomicLong nettyMax = new AtomicLong(nettyBase);
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread t = Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                directMax.accumulateAndGet(directBytes(), Math::max);
                nettyMax.accumulateAndGet(nettyAllocatorBytes(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        long directGrowth() {
            return directMax.get() - directBase;
        }

        long nettyGrowth() {
            return nettyMax.get() - nettyBase;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            t.join();
        }
    }

    /** {@code n} bytes of a repeating pattern, generated on demand. */
    static InputStream generated(long n) {
        return new InputStream() {
            long left = n;

            @Override
            public int read() {
                return left-- > 0 ? (int) (left & 0x7f) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int k = (int) Math.min(len, left);
                for (int i = 0; i < k; i++) {
                    b[off + i] = (byte) ((left - i) & 0x7f);
                }
                left -= k;
                return k;
            }
        };
    }

    @Test
    void upload100MiB_arrivesComplete_withBoundedEdgeMemory() throws Exception {
        long heapBefore = retainedHeap();
        HttpResponse<String> r;
        try (var peak = new Peak()) {
            var req = HttpRequest.newBuilder(uri("/count"))
                    .header("Host", "s.test")
                    .POST(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> generated(BODY)), BODY))
                    .timeout(Duration.ofSeconds(30))
                    .build();
            r = client.send(req, HttpResponse.BodyHandlers.ofString());
            System.out.printf(
                    "upload: direct +%d KiB, netty allocator +%d KiB%n",
                    peak.directGrowth() / 1024, peak.nettyGrowth() / 1024);
            assertThat(peak.directGrowth()).isLessThan(BOUND);
            assertThat(peak.nettyGrowth()).isLessThan(BOUND);
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(Long.toString(BODY));
        assertThat(retainedHeap() - heapBefore).isLessThan(BOUND);
    }

    @Test
    void chunkedUpload100MiB_arrivesComplete() throws Exception {
        try (var peak = new Peak()) {
            var req = HttpRequest.newBuilder(uri("/count"))
                    .header("Host", "s.test")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> generated(BODY)))
                    .timeout(Duration.ofSeconds(30))
                    .build();
            var r = client.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(Long.toString(BODY));
            assertThat(peak.directGrowth()).isLessThan(BOUND);
        }
    }

    @Test
    void download100MiB_arrivesComplete_withBoundedEdgeMemory() throws Exception {
        try (var peak = new Peak()) {
            var req = HttpRequest.newBuilder(uri("/big?bytes=" + BODY))
                    .header("Host", "s.test")
                    .timeout(Duration.ofSeconds(30))
                    .build();
            var r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            long n = 0;
            byte[] buf = new byte[256 * 1024];
            try (InputStream in = r.body()) {
                for (int k; (k = in.read(buf)) > 0; ) {
                    n += k;
                }
            }
            System.out.printf(
                    "download: direct +%d KiB, netty allocator +%d KiB%n",
                    peak.directGrowth() / 1024, peak.nettyGrowth() / 1024);
            assertThat(n).isEqualTo(BODY);
            assertThat(peak.directGrowth()).isLessThan(BOUND);
            assertThat(peak.nettyGrowth()).isLessThan(BOUND);
        }
    }

    @Test
    void slowReader_ofA100MiBResponse_isNotBufferedByTheEdge() throws Exception {
        long writtenBefore = origin.bigBytesWritten.get();
        long heapBefore = retainedHeap();
        long read = 0;
        try (var peak = new Peak();
                Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(edge.httpAddress());
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(("GET /big?bytes=" + BODY + " HTTP/1.1\r\nHost: s.test\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            // About 1.5 s at ~0.8 MB/s: a client on a bad mobile link.
            long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            while (System.nanoTime() < deadline) {
                int k = in.read(buf);
                assertThat(k).isPositive();
                read += k;
                Thread.sleep(20);
            }
            long heapDuring = retainedHeap() - heapBefore;
            long originAhead = origin.bigBytesWritten.get() - writtenBefore - read;
            System.out.printf(
                    "slow reader: read %d KiB, origin ahead by %d KiB, direct +%d KiB, netty allocator +%d KiB,"
                            + " retained heap %+d KiB%n",
                    read / 1024,
                    originAhead / 1024,
                    peak.directGrowth() / 1024,
                    peak.nettyGrowth() / 1024,
                    heapDuring / 1024);
            assertThat(read).isLessThan(BODY / 4); // the client really was slow
            assertThat(peak.directGrowth()).isLessThan(BOUND);
            assertThat(peak.nettyGrowth()).isLessThan(BOUND);
            assertThat(heapDuring).isLessThan(BOUND);
            // What the origin produced beyond what the client took sits in kernel socket buffers and the edge
            // (about 7 MiB measured on loopback): far short of the body.
            assertThat(originAhead).isLessThan(BOUND);
        }
        // The client hung up mid-body: the edge ends the exchange and drops the origin connection.
        await().atMost(Duration.ofSeconds(5)).until(() -> edge.inFlight() == 0);
    }
}
