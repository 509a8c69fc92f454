package coop.bulwark.edge;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 origin on a loopback ephemeral port (the JDK's HttpServer): answers with its name, the Host it
 * saw and the forwarding headers, and has special paths for body echo, large bodies and slowness.
 *
 * <ul>
 *   <li>{@code /echo} — echoes the request body (streamed), reports its length in {@code X-Body-Length}
 *   <li>{@code /count} — reads and discards the body, answers with its byte count
 *   <li>{@code /big?bytes=N} — streams N bytes (chunked)
 *   <li>{@code /slow?ms=N} — waits N ms before answering
 *   <li>anything else — {@code name host=... xff=... xrealip=... proto=... fwd=... uri=...}
 * </ul>
 */
final class TestOrigin implements AutoCloseable {
    final String name;
    final HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    /** Bytes of {@code /big} bodies handed to the socket so far (for backpressure tests). */
    final AtomicLong bigBytesWritten = new AtomicLong();

    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

    TestOrigin(String name) throws IOException {
        this(name, 0);
    }

    TestOrigin(String name, int port) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String hostPort() {
        return "127.0.0.1:" + port();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        lastHeaders.clear();
        ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(), String.join("|", v)));
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        try (ex) {
            switch (path) {
                case "/echo" -> {
                    ex.sendResponseHeaders(200, 0);
                    try (InputStream in = ex.getRequestBody();
                            OutputStream out = ex.getResponseBody()) {
                        in.transferTo(out);
                    }
                }
                case "/count" -> {
                    long n = 0;
                    byte[] buf = new byte[65536];
                    try (InputStream in = ex.getRequestBody()) {
                        for (int r; (r = in.read(buf)) > 0; ) {
                            n += r;
                        }
                    }
                    send(ex, 200, Long.toString(n));
                }
                case "/big" -> {
                    long bytes = Long.parseLong(query.substring("bytes=".length()));
                    ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                    ex.sendResponseHeaders(200, 0);
                    byte[] chunk = new byte[64 * 1024];
                    try (OutputStream out = ex.getResponseBody()) {
                        for (long left = bytes; left > 0; left -= chunk.length) {
                            int n = (int) Math.min(chunk.length, left);
                            out.write(chunk, 0, n);
                            bigBytesWritten.addAndGet(n);
                        }
                    }
                }
                case "/slow" -> {
                    try {
                        Thread.sleep(Long.parseLong(query.substring("ms=".length())));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    send(ex, 200, name + " slow");
                }
                default -> {
                    ex.getRequestBody().readAllBytes();
                    String body = name + " host=" + ex.getRequestHeaders().getFirst("Host")
                            + " xff=" + ex.getRequestHeaders().getFirst("X-Forwarded-For")
                            + " xrealip=" + ex.getRequestHeaders().getFirst("X-Real-IP")
                            + " proto=" + ex.getRequestHeaders().getFirst("X-Forwarded-Proto")
                            + " fwd=" + ex.getRequestHeaders().getFirst("Forwarded")
                            + " uri=" + ex.getRequestURI();
                    send(ex, 200, body);
                }
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
