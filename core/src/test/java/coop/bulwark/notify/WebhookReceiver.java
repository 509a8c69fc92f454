package coop.bulwark.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A webhook receiver on loopback (JDK HttpServer): scripted responses, records every request, can hang. */
final class WebhookReceiver implements AutoCloseable {
    record Received(long nanos, Map<String, String> headers, String body) {}

    record Reply(int status, Map<String, String> headers) {}

    final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    volatile CountDownLatch hang = new CountDownLatch(0);
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/hook", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
                received.add(new Received(System.nanoTime(), headers, body));
                hang.await();
                Reply r = script.pollFirst();
                if (r == null) {
                    r = new Reply(200, Map.of());
                }
                r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                ex.sendResponseHeaders(r.status(), -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook/T0/B0/token");
    }

    Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no webhook request within 10 s");
        }
        return r;
    }

    @Override
    public void close() {
        hang.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
