package coop.bulwark.edge;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model of one shared web server hosting many member sites (one Apache/PHP box): a fixed pool of workers, each
 * request holding a worker for a fixed service time, and an unbounded backlog in front of them — so past its
 * capacity, latency grows without limit, as on the real box.
 */
final class SharedOrigin implements AutoCloseable {
    final HttpServer server;
    final ExecutorService workers;
    final AtomicInteger served = new AtomicInteger();
    /** The longest a request waited in the backlog for a free worker, in nanoseconds. */
    final AtomicLong maxBacklogWaitNanos = new AtomicLong();

    /** When the worker's current request was handed to the pool (the JDK server reads it in the worker). */
    private static final ThreadLocal<Long> DISPATCHED = new ThreadLocal<>();

    SharedOrigin(int workerCount, long serviceMillis) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        workers = Executors.newFixedThreadPool(workerCount);
        server.setExecutor(task -> {
            long at = System.nanoTime();
            workers.execute(() -> {
                DISPATCHED.set(at);
                task.run();
            });
        });
        server.createContext("/", ex -> {
            try (ex) {
                Long at = DISPATCHED.get();
                if (at != null) {
                    maxBacklogWaitNanos.accumulateAndGet(System.nanoTime() - at, Math::max);
                }
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
