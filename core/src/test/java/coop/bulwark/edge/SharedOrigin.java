package coop.bulwark.edge;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model of one shared web server hosting many member sites (one Apache/PHP box): a fixed pool of workers, each
 * request holding a worker for a fixed service time, and an unbounded backlog in front of them — so past its
 * capacity, latency grows without limit, as on the real box.
 */
final class SharedOrigin implements AutoCloseable {
    final HttpServer server;
    final ExecutorService workers;
    final AtomicInteger served = new AtomicInteger();

    SharedOrigin(int workerCount, long serviceMillis) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        workers = Executors.newFixedThreadPool(workerCount);
        server.setExecutor(workers);
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                try {
                    Thread.sleep(serviceMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = ("page of " + ex.getRequestHeaders().getFirst("Host")).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/html");
                ex.getResponseHeaders().set("Cache-Control", "no-store");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                served.incrementAndGet();
            }
        });
        server.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
