package coop.bulwark.testing;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for the edge's {@code GET /api/upstream} inside a test's network namespace: {@code StubUpstreamApi PORT
 * FILE} serves FILE's content on 127.0.0.1:PORT, or 503 while FILE is missing (the edge unreachable, as far as the
 * ExaBGP helper can tell). The test rewrites FILE to change the announced set; a line {@code served} on stdout per
 * answer given lets it wait until the helper has read a new set.
 */
public final class StubUpstreamApi {
    private StubUpstreamApi() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path file = Path.of(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/api/upstream", ex -> {
            byte[] body;
            int status;
            if (Files.exists(file)) {
                body = Files.readAllBytes(file);
                status = 200;
            } else {
                body = "{\"error\":\"edge away\"}".getBytes(StandardCharsets.UTF_8);
                status = 503;
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
            if (status == 200) {
                System.out.println("served"); // one line per answer: the test waits for the helper to have read it
                System.out.flush();
            }
        });
        server.start();
        System.out.println("stub listening");
        System.out.flush();
    }
}
