package coop.bulwark.admin;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small cache-busting flood on one site, for the tests that need a real attack: {@code bots} virtual threads, each
 * from its own loopback address ({@code 127.0.90.N}), one request per connection with a random query, no cookie.
 * Bounded twice: it stops at {@link #close()} and, whatever happens, after {@code atMost}.
 */
final class LoopbackFlood implements AutoCloseable {
    private final AtomicBoolean on = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final List<Thread> bots = new ArrayList<>();

    LoopbackFlood(InetSocketAddress edge, String host, int bots, Duration atMost) {
        long end = System.nanoTime() + atMost.toNanos();
        for (int b = 0; b < bots; b++) {
            InetAddress from = loopback(90, 1 + b);
            this.bots.add(Thread.ofVirtual().start(() -> {
                while (on.get() && System.nanoTime() < end) {
                    try {
                        get(
                                edge,
                                from,
                                host,
                                "/?" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36));
                        sent.incrementAndGet();
                    } catch (IOException e) {
                        // Refused at accept once banned: back off a little, keep going until the end.
                        pause();
                    }
                }
            }));
        }
    }

    /** Requests answered so far. */
    int sent() {
        return sent.get();
    }

    @Override
    public void close() throws InterruptedException {
        on.set(false);
        for (Thread t : bots) {
            t.join(10_000);
        }
    }

    /** An origin on loopback that answers every request with a short 200. */
    static HttpServer origin() throws IOException {
        HttpServer origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        origin.createContext("/", ex -> {
            byte[] body = "hello from the origin\n".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        origin.setExecutor(Executors.newFixedThreadPool(4));
        origin.start();
        return origin;
    }

    /** One request from {@code from} on a fresh connection, read to the end. */
    static void get(InetSocketAddress edge, InetAddress from, String host, String path) throws IOException {
        try (Socket s = new Socket(edge.getAddress(), edge.getPort(), from, 0)) {
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** {@code 127.0.b.c}. */
    static InetAddress loopback(int b, int c) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) b, (byte) c});
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
